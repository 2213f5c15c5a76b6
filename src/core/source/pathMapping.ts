import * as path from 'node:path';
import { sourceCandidates } from './source';
import { isNetworkPath, sourceAccess } from './sourceAccess';

/**
 * `tracerun.pathMappings`: a path prefix recorded where the app ran (`/app`) → the folder that
 * holds it here (`${workspaceFolder}`, `${workspaceFolder:name}` or an absolute path).
 */
export type PathMappings = Readonly<Record<string, string>>;

/** Folders whose files are someone else's code: never the source a span is sent to. */
const DEPENDENCY_SEGMENTS = new Set(['node_modules', 'site-packages', 'dist-packages', '.pnpm', '.yarn', '.cargo', '.m2', '.gradle', 'vendor']);

/** Whether a recorded path is inside a dependency or a runtime's own library (not the app's code). */
export function isDependencyPath(recorded: string): boolean {
  const segments = splitSegments(recorded);
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (DEPENDENCY_SEGMENTS.has(s)) return true;
    // Go's module cache (`…/pkg/mod/…`) and standard library (`…/go/src/runtime/…`).
    if (s === 'pkg' && segments[i + 1] === 'mod') return true;
    if (s === 'go' && segments[i + 1] === 'src' && i + 2 < segments.length - 1 && !segments[i + 2].includes('.')) return true;
    // CPython's standard library: `/usr/lib/python3.12/…`, `…/lib/python3.12/asyncio/…`.
    if (s === 'lib' && /^python\d/.test(segments[i + 1] ?? '')) return true;
  }
  return false;
}

/** A path's segments whichever separator it was written with; no drive letter, no `.`. */
export function splitSegments(recorded: string): string[] {
  return recorded.split(/[\\/]+/).filter((s, i) => s !== '' && s !== '.' && !(i === 0 && /^[A-Za-z]:$/.test(s)));
}

/** `${workspaceFolder}` and `${workspaceFolder:name}` in a mapping's target. */
function expandFolder(target: string, folders: readonly string[]): string | undefined {
  const named = /^\$\{workspaceFolder(?::([^}]+))?\}/.exec(target);
  if (!named) return target;
  const folder = named[1] === undefined ? folders[0] : folders.find((f) => path.basename(f) === named[1]);
  return folder === undefined ? undefined : folder + target.slice(named[0].length);
}

/** `recorded` with a mapping's prefix replaced, for each mapping whose prefix it starts with, longest first. */
function mapped(recorded: string, folders: readonly string[], mappings: PathMappings): string[] {
  const slashed = recorded.replace(/\\/g, '/');
  const out: string[] = [];
  const prefixes = Object.keys(mappings).sort((a, b) => b.length - a.length);
  for (const from of prefixes) {
    const prefix = from.replace(/\\/g, '/').replace(/\/+$/, '');
    if (prefix === '' || !(slashed === prefix || slashed.startsWith(`${prefix}/`))) continue;
    const to = expandFolder(mappings[from], folders);
    if (to !== undefined && path.isAbsolute(to)) out.push(path.join(to, ...splitSegments(slashed.slice(prefix.length))));
  }
  return out;
}

/**
 * Where a path recorded on another machine, in a container or here may be, most likely first:
 * by `tracerun.pathMappings`; as written (or against each folder) when that is in the
 * workspace; by the longest suffix of it found in a workspace folder (`/srv/app/agent/tools.py`
 * → `<folder>/agent/tools.py`, then `<folder>/tools.py`); last, as written outside the
 * workspace (which Go to Source asks about before opening).
 */
export function mappedSourceCandidates(recorded: string, folders: readonly string[], mappings: PathMappings = {}, traceFile?: string): string[] {
  const base = sourceCandidates(recorded, folders, traceFile);
  // A network path is never looked at; `sourceCandidates` gave none.
  if (base.length === 0 && isNetworkPath(recorded.replace(/^file:\/\//, ''))) return [];
  const unprefixed = recorded.startsWith('file://') ? decodeSafely(recorded.slice(7)) : recorded;
  const out: string[] = [...mapped(unprefixed, folders, mappings)];
  const inside = (c: string) => sourceAccess(c, folders) === 'inside';
  out.push(...base.filter(inside));
  const segments = splitSegments(unprefixed);
  for (let keep = segments.length; keep >= 1; keep--) {
    const suffix = segments.slice(segments.length - keep);
    for (const folder of folders) out.push(path.join(folder, ...suffix));
  }
  out.push(...base.filter((c) => !inside(c)));
  return [...new Set(out)].filter((c) => !isNetworkPath(c));
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
