import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Attributes } from '../model/span';
import { isNetworkPath } from './sourceAccess';

/** Where the code that produced a span lives, from the OpenTelemetry `code.*` attributes. */
export interface SourceLocation {
  readonly path: string;
  /** 1-based, when recorded. */
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly function: string | undefined;
  readonly namespace: string | undefined;
}

function first(attrs: Attributes, ...keys: string[]): string | number | undefined {
  for (const key of keys) {
    const v = attrs[key];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return v;
  }
  return undefined;
}

function positiveInt(v: string | number | undefined): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Reads both the current (`code.file.path`) and the older (`code.filepath`) attribute names. */
export function sourceLocationOf(attrs: Attributes | undefined): SourceLocation | undefined {
  if (!attrs) return undefined;
  const file = first(attrs, 'code.file.path', 'code.filepath');
  if (file === undefined) return undefined;
  let fn = first(attrs, 'code.function.name', 'code.function');
  const namespace = first(attrs, 'code.namespace');
  return {
    path: String(file),
    line: positiveInt(first(attrs, 'code.line.number', 'code.lineno')),
    column: positiveInt(first(attrs, 'code.column.number', 'code.column')),
    function: fn === undefined ? undefined : String(fn),
    namespace: namespace === undefined ? undefined : String(namespace),
  };
}

/**
 * Candidate absolute paths for a recorded source path, most likely first: as written when
 * absolute, else against each workspace folder (the trace file's own folder first). None
 * for a network path (see `sourceAccess`): nothing may look for it.
 */
export function sourceCandidates(recorded: string, folders: readonly string[], traceFile?: string): string[] {
  if (recorded.startsWith('file://')) recorded = filePath(recorded);
  if (isNetworkPath(recorded)) return [];
  if (path.isAbsolute(recorded)) return [path.normalize(recorded)];
  // The innermost folder holding the trace file first (nested folders may both hold it).
  const holds = (folder: string): number => {
    if (traceFile === undefined) return 0;
    const rel = path.relative(folder, traceFile);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? path.resolve(folder).length : 0;
  };
  const ordered = [...folders].sort((a, b) => holds(b) - holds(a));
  return ordered.map((folder) => path.resolve(folder, recorded));
}

/** The path of a `file://` URI; a malformed one (a stray `%`) is taken as written. */
function filePath(uri: string): string {
  try {
    return fileURLToPath(uri);
  } catch {
    const rest = uri.slice('file://'.length);
    try {
      return decodeURIComponent(rest);
    } catch {
      return rest;
    }
  }
}
