import { isInProgress, spanDurationMs, StatusCode, type SpanRecord } from '../model/span';
import type { Trace } from '../model/trace';
import { STEP_ITEMS, type Steps } from '../util/steps';
import { sourceFileKey } from './sourceIndex';

/** A span and the line of code it resolved to. */
export interface LocatedSpan {
  /** 1-based. */
  readonly line: number;
  readonly traceId: string;
  readonly span: SpanRecord;
}

/** Source file (see `sourceFileKey`) → the spans that resolved into it, in line order. */
export type SpanLocations = ReadonlyMap<string, readonly LocatedSpan[]>;

/** Where a span's code is, as far as can be told without the disk (the caller resolved paths and names before). */
export type LocateSpan = (span: SpanRecord) => { readonly file: string; readonly line: number } | undefined;

/** Every span `locate` places, grouped by file and sorted by line. In steps: a million spans are a lot. */
export function* buildSpanLocations(traces: Iterable<Trace>, locate: LocateSpan): Steps<SpanLocations> {
  const files = new Map<string, LocatedSpan[]>();
  let work = 0;
  for (const trace of traces) {
    for (const span of trace.allSpans()) {
      if (++work % STEP_ITEMS === 0) yield;
      const at = locate(span);
      if (!at) continue;
      const key = sourceFileKey(at.file);
      let list = files.get(key);
      if (!list) files.set(key, (list = []));
      list.push({ line: at.line, traceId: trace.traceId, span });
    }
  }
  for (const list of files.values()) {
    yield;
    list.sort((a, b) => a.line - b.line);
  }
  return files;
}

/** What a function's lens and hover say of the spans from inside it. */
export interface RangeSpanStats {
  readonly count: number;
  readonly failed: number;
  readonly running: number;
  /** Of the ended ones, ms; undefined when none has ended. */
  readonly p50Ms: number | undefined;
  /** Only over enough ended spans to mean something (`MIN_P95_SAMPLES`): of two, it is just the slower. */
  readonly p95Ms: number | undefined;
  readonly lastStartMs: number;
  /** The newest first, at most `keep`. */
  readonly recent: readonly LocatedSpan[];
  /** Distinct lines the spans resolved to. */
  readonly lines: number;
}

export const MIN_P95_SAMPLES = 10;
export const SPANS_KEPT_PER_RANGE = 50;

/** The first index whose line is ≥ `line`. */
function lowerBound(spans: readonly LocatedSpan[], line: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid].line < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const newer = (a: LocatedSpan, b: LocatedSpan): boolean => a.span.startNs > b.span.startNs;

/**
 * The spans of a file (sorted by line) that fall in lines `startLine`…`endLine` (1-based,
 * inclusive), summed up; undefined when there are none. One pass over those spans and a sort
 * of their durations: a lens per function of a 5,000-line file stays cheap (see bench/lenses.ts).
 */
export function spanStatsInRange(spans: readonly LocatedSpan[], startLine: number, endLine: number, keep = SPANS_KEPT_PER_RANGE): RangeSpanStats | undefined {
  let i = lowerBound(spans, startLine);
  if (i >= spans.length || spans[i].line > endLine) return undefined;
  let count = 0;
  let failed = 0;
  let running = 0;
  let lastStartNs = 0n;
  let lines = 0;
  let lastLine = -1;
  const durations: number[] = [];
  // The newest `keep`, newest first: an insertion into a short sorted list.
  const recent: LocatedSpan[] = [];
  for (; i < spans.length && spans[i].line <= endLine; i++) {
    const at = spans[i];
    const span = at.span;
    count++;
    if (at.line !== lastLine) (lines++, (lastLine = at.line));
    if (span.statusCode === StatusCode.Error) failed++;
    if (isInProgress(span)) running++;
    else durations.push(spanDurationMs(span));
    if (span.startNs > lastStartNs) lastStartNs = span.startNs;
    if (recent.length < keep || newer(at, recent[recent.length - 1])) {
      let j = recent.length < keep ? recent.length : keep - 1;
      recent[j] = at;
      while (j > 0 && newer(recent[j], recent[j - 1])) {
        [recent[j], recent[j - 1]] = [recent[j - 1], recent[j]];
        j--;
      }
    }
  }
  const sorted = Float64Array.from(durations).sort();
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    count,
    failed,
    running,
    p50Ms: sorted.length === 0 ? undefined : sorted.length % 2 ? sorted[sorted.length >> 1] : (sorted[(sorted.length >> 1) - 1] + sorted[sorted.length >> 1]) / 2,
    p95Ms: sorted.length >= MIN_P95_SAMPLES ? quantile(0.95) : undefined,
    lastStartMs: Number(lastStartNs / 1_000_000n),
    recent,
    lines,
  };
}

/** A function, method or class of a source file, lines 1-based and inclusive. */
export interface CodeRange {
  readonly name: string;
  readonly startLine: number;
  readonly endLine: number;
  /** Where its name is written: a lens goes above the range, a hover answers on the name. */
  readonly nameLine: number;
}

/** One lens: over a function (its spans counted together) or over a line outside any function. */
export interface RangeLens {
  readonly name: string | undefined;
  readonly startLine: number;
  readonly endLine: number;
  readonly stats: RangeSpanStats;
}

/**
 * The lenses of a file: one per function, method or class with spans inside it (nested ones
 * each have theirs), and one per line for spans outside every function (all of them when the
 * language gives no symbols). `keep` bounds the spans each lens keeps to pick from.
 */
export function rangeLenses(spans: readonly LocatedSpan[], functions: readonly CodeRange[], keep = SPANS_KEPT_PER_RANGE): RangeLens[] {
  const out: RangeLens[] = [];
  for (const f of functions) {
    const stats = spanStatsInRange(spans, f.startLine, f.endLine, keep);
    if (stats) out.push({ name: f.name, startLine: f.startLine, endLine: f.endLine, stats });
  }
  // Lines outside every function: walk the spans and the ranges (by start) together.
  const ranges = [...functions].sort((a, b) => a.startLine - b.startLine);
  let r = 0;
  let coveredTo = 0;
  for (let i = 0; i < spans.length; ) {
    const line = spans[i].line;
    while (r < ranges.length && ranges[r].startLine <= line) coveredTo = Math.max(coveredTo, ranges[r++].endLine);
    let j = i;
    while (j < spans.length && spans[j].line === line) j++;
    if (line > coveredTo) out.push({ name: undefined, startLine: line, endLine: line, stats: spanStatsInRange(spans.slice(i, j), line, line, keep)! });
    i = j;
  }
  return out.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}

/** The innermost range holding `line` (by its name's line when `onName`). */
export function innermostRange(functions: readonly CodeRange[], line: number, onName = false): CodeRange | undefined {
  let best: CodeRange | undefined;
  for (const f of functions) {
    const holds = onName ? f.nameLine === line : f.startLine <= line && line <= f.endLine;
    if (holds && (!best || f.endLine - f.startLine < best.endLine - best.startLine)) best = f;
  }
  return best;
}
