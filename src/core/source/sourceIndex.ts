import * as path from 'node:path';
import { isInProgress, spanDurationMs, StatusCode, type SpanRecord } from '../model/span';
import { sourceCandidates, sourceLocationOf } from './source';
import { STEP_ITEMS, type Steps } from '../util/steps';
import type { Trace } from '../model/trace';

/** How many of a line's spans are kept to pick from (the newest). */
export const SPANS_KEPT_PER_LINE = 50;

/** The spans a line of code produced, across all runs: what a code lens above it says. */
export interface SpansAtLine {
  /** 1-based, as recorded in `code.line.number` / `code.lineno`. */
  readonly line: number;
  /** The function recorded with them, when one was. */
  readonly function: string | undefined;
  readonly count: number;
  readonly failed: number;
  readonly running: number;
  /** Median duration of the ended ones, ms; undefined when none has ended. */
  readonly medianMs: number | undefined;
  /** Start of the latest, as epoch ms. */
  readonly lastStartMs: number;
  /** The newest first, up to `SPANS_KEPT_PER_LINE`. */
  readonly recent: readonly { readonly traceId: string; readonly span: SpanRecord }[];
}

/** Source file (see `sourceFileKey`) → its lines that produced spans, in line order. */
export type SourceIndex = ReadonlyMap<string, readonly SpansAtLine[]>;

/**
 * How a source file is looked up: normalized, and on Windows with a lower-case drive letter,
 * as VS Code writes it (`c:\app\agent.py`) while traces may say `C:\app\agent.py`.
 */
export function sourceFileKey(file: string, platform: NodeJS.Platform = process.platform): string {
  const normalized = platform === 'win32' ? path.win32.normalize(file) : path.posix.normalize(file);
  return platform === 'win32' && /^[A-Za-z]:/.test(normalized) ? normalized[0].toLowerCase() + normalized.slice(1) : normalized;
}

interface LineBuild {
  line: number;
  function: string | undefined;
  count: number;
  failed: number;
  running: number;
  durations: number[];
  lastStartNs: bigint;
  recent: { traceId: string; span: SpanRecord }[];
}

/**
 * Groups every span that records where it came from (`code.*`) by source file and line.
 * Relative paths resolve against the workspace folders as Go to Source does, taking the most
 * likely candidate without asking the disk. In steps: a million spans are a lot of lookups.
 */
export function* buildSourceIndex(traces: Iterable<Trace>, folders: readonly string[]): Steps<SourceIndex> {
  const files = new Map<string, Map<number, LineBuild>>();
  let work = 0;
  for (const trace of traces) {
    for (const span of trace.allSpans()) {
      if (++work % STEP_ITEMS === 0) yield;
      const location = sourceLocationOf(span.attributes);
      if (!location?.line) continue;
      const file = sourceCandidates(location.path, folders, span.origin.file)[0];
      if (!file) continue;
      let lines = files.get(file);
      if (!lines) files.set(file, (lines = new Map()));
      let at = lines.get(location.line);
      if (!at) lines.set(location.line, (at = { line: location.line, function: location.function, count: 0, failed: 0, running: 0, durations: [], lastStartNs: 0n, recent: [] }));
      at.count++;
      if (span.statusCode === StatusCode.Error) at.failed++;
      if (isInProgress(span)) at.running++;
      else at.durations.push(spanDurationMs(span));
      if (span.startNs > at.lastStartNs) at.lastStartNs = span.startNs;
      at.recent.push({ traceId: trace.traceId, span });
      // Keep the newest few as we go: one line may have produced most of a million spans.
      if (at.recent.length >= 4 * SPANS_KEPT_PER_LINE) newestFirst(at.recent).length = SPANS_KEPT_PER_LINE;
    }
  }
  const index = new Map<string, SpansAtLine[]>();
  for (const [file, lines] of files) {
    const list: SpansAtLine[] = [];
    for (const at of lines.values()) {
      if (++work % 64 === 0) yield;
      newestFirst(at.recent);
      list.push({
        line: at.line,
        function: at.function,
        count: at.count,
        failed: at.failed,
        running: at.running,
        medianMs: median(at.durations),
        lastStartMs: Number(at.lastStartNs / 1_000_000n),
        recent: at.recent.slice(0, SPANS_KEPT_PER_LINE),
      });
    }
    index.set(sourceFileKey(file), list.sort((a, b) => a.line - b.line));
  }
  return index;
}

function newestFirst<T extends { span: SpanRecord }>(items: T[]): T[] {
  return items.sort((a, b) => (a.span.startNs > b.span.startNs ? -1 : a.span.startNs < b.span.startNs ? 1 : 0));
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}
