import { STEP_ITEMS, type Steps } from '../util/steps';
import { SPANS_KEPT_PER_PLACE, type PlaceStats, type RunDigest, type SpanRef } from './runDigest';
import { sourceFileKey } from './sourceIndex';

/** The spans of every run that resolved to one line of a file: each run's stats for it, unmerged. */
export interface LineSpans {
  /** 1-based. */
  readonly line: number;
  readonly parts: readonly PlaceStats[];
}

/** Source file (see `sourceFileKey`) → its lines that spans resolved to, in line order. */
export type SpanLocations = ReadonlyMap<string, readonly LineSpans[]>;

/** Where the runs' raw places are, as resolved before the build (without the disk). */
export interface ResolvedPlaces {
  /** The file a recorded `code.*` path is, if found. */
  path(recorded: string): string | undefined;
  /** The file and line a span name (`nameKey`) points at, if found. */
  name(key: string): { readonly file: string; readonly line: number } | undefined;
}

/**
 * The runs' digests placed, grouped by file and sorted by line. Only the digests' places are
 * walked, never spans: a run that did not change costs its few places, an evicted one is not
 * read back. In steps: a long history has many places.
 */
export function* buildSpanLocations(digests: Iterable<RunDigest>, places: ResolvedPlaces): Steps<SpanLocations> {
  const files = new Map<string, Map<number, PlaceStats[]>>();
  const fileKeys = new Map<string, string>();
  let work = 0;
  const add = (file: string, line: number, stats: PlaceStats) => {
    let key = fileKeys.get(file);
    if (key === undefined) fileKeys.set(file, (key = sourceFileKey(file)));
    let lines = files.get(key);
    if (!lines) files.set(key, (lines = new Map()));
    const parts = lines.get(line);
    if (parts) parts.push(stats);
    else lines.set(line, [stats]);
  };
  for (const digest of digests) {
    for (const [recorded, lines] of digest.paths) {
      if (++work % STEP_ITEMS === 0) yield;
      const file = places.path(recorded);
      if (file === undefined) continue;
      for (const [line, stats] of lines) add(file, line, stats);
    }
    for (const [key, named] of digest.names) {
      if (++work % STEP_ITEMS === 0) yield;
      const at = places.name(key);
      if (at) add(at.file, at.line, named.stats);
    }
  }
  const out = new Map<string, LineSpans[]>();
  for (const [key, lines] of files) {
    yield;
    out.set(key, [...lines].map(([line, parts]) => ({ line, parts })).sort((a, b) => a.line - b.line));
  }
  return out;
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
  readonly recent: readonly SpanRef[];
  /** Distinct lines the spans resolved to. */
  readonly lines: number;
}

export const MIN_P95_SAMPLES = 10;
/** At most what each run keeps per place (`SPANS_KEPT_PER_PLACE`), so merging them is exact. */
export const SPANS_KEPT_PER_RANGE = SPANS_KEPT_PER_PLACE;

/** The first index whose line is ≥ `line`. */
function lowerBound(lines: readonly LineSpans[], line: number): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid].line < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The spans of a file (lines sorted) that fall in lines `startLine`…`endLine` (1-based,
 * inclusive), summed up; undefined when there are none. One pass over those lines' per-run
 * stats and a sort of their durations: a lens per function of a 5,000-line file stays cheap
 * (see bench/lenses.ts).
 */
export function spanStatsInRange(lines: readonly LineSpans[], startLine: number, endLine: number, keep = SPANS_KEPT_PER_RANGE): RangeSpanStats | undefined {
  let i = lowerBound(lines, startLine);
  if (i >= lines.length || lines[i].line > endLine) return undefined;
  keep = Math.min(keep, SPANS_KEPT_PER_PLACE);
  let count = 0;
  let failed = 0;
  let running = 0;
  let lastStartNs = 0n;
  let lineCount = 0;
  let ended = 0;
  const durations: Float64Array[] = [];
  // The newest `keep`, newest first: each part's newest first, merged into a short sorted list.
  const recent: SpanRef[] = [];
  for (; i < lines.length && lines[i].line <= endLine; i++) {
    lineCount++;
    for (const part of lines[i].parts) {
      count += part.count;
      failed += part.failed;
      running += part.running;
      if (part.lastStartNs > lastStartNs) lastStartNs = part.lastStartNs;
      if (part.durations.length > 0) {
        durations.push(part.durations);
        ended += part.durations.length;
      }
      for (const ref of part.recent) {
        if (recent.length >= keep && !(ref.startNs > recent[recent.length - 1].startNs)) break;
        let j = recent.length < keep ? recent.length : keep - 1;
        recent[j] = ref;
        while (j > 0 && recent[j].startNs > recent[j - 1].startNs) {
          [recent[j], recent[j - 1]] = [recent[j - 1], recent[j]];
          j--;
        }
      }
    }
  }
  let sorted: Float64Array;
  if (durations.length === 1) sorted = durations[0];
  else {
    sorted = new Float64Array(ended);
    let at = 0;
    for (const d of durations) (sorted.set(d, at), (at += d.length));
    sorted.sort();
  }
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    count,
    failed,
    running,
    p50Ms: sorted.length === 0 ? undefined : sorted.length % 2 ? sorted[sorted.length >> 1] : (sorted[(sorted.length >> 1) - 1] + sorted[sorted.length >> 1]) / 2,
    p95Ms: sorted.length >= MIN_P95_SAMPLES ? quantile(0.95) : undefined,
    lastStartMs: Number(lastStartNs / 1_000_000n),
    recent,
    lines: lineCount,
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
export function rangeLenses(lines: readonly LineSpans[], functions: readonly CodeRange[], keep = SPANS_KEPT_PER_RANGE): RangeLens[] {
  const out: RangeLens[] = [];
  for (const f of functions) {
    const stats = spanStatsInRange(lines, f.startLine, f.endLine, keep);
    if (stats) out.push({ name: f.name, startLine: f.startLine, endLine: f.endLine, stats });
  }
  // Lines outside every function: walk the lines and the ranges (by start) together.
  const ranges = [...functions].sort((a, b) => a.startLine - b.startLine);
  let r = 0;
  let coveredTo = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].line;
    while (r < ranges.length && ranges[r].startLine <= line) coveredTo = Math.max(coveredTo, ranges[r++].endLine);
    if (line > coveredTo) out.push({ name: undefined, startLine: line, endLine: line, stats: spanStatsInRange(lines.slice(i, i + 1), line, line, keep)! });
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
