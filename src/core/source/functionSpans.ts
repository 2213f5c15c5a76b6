import type { Steps } from '../util/steps';
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
  /**
   * The file and line a failed span's stack trace points at (`failedSpanKey`), if read and
   * found; else the span goes where its name points (step 2 of the chain before step 3).
   */
  stack?(spanKey: string): { readonly file: string; readonly line: number } | undefined;
}

/** How a failed span is known to `ResolvedPlaces.stack`. */
export function failedSpanKey(ref: Pick<SpanRef, 'traceId' | 'spanId'>): string {
  return `${ref.traceId}:${ref.spanId}`;
}

/** The runs' digests placed, grouped by file and sorted by line (see `SpanLocationsMerge`). */
export function* buildSpanLocations(digests: Iterable<RunDigest>, places: ResolvedPlaces): Steps<SpanLocations> {
  return yield* new SpanLocationsMerge().update(digests, places);
}

interface Placed {
  readonly file: string;
  readonly line: number;
  readonly stats: PlaceStats;
}

interface FileLines {
  readonly lines: Map<number, Set<PlaceStats>>;
  /** What the index last gave of each line (a line changed gets a new one). */
  readonly out: Map<number, LineSpans>;
}

/**
 * The runs' digests placed, grouped by file and sorted by line, kept between builds. Only the
 * digests' places are walked, never spans, and only those of runs whose digest changed (a new
 * revision) since the last update: a rebuild after one new run costs that run's places and the
 * lines they fall on. When any raw place resolves differently than before (a file created,
 * a symbol found), every digest is placed again. Each update gives a new index; the ones
 * given before do not change.
 */
export class SpanLocationsMerge {
  private readonly runs = new Map<string, { readonly digest: RunDigest; readonly placed: readonly Placed[] }>();
  private readonly files = new Map<string, FileLines>();
  /** What each raw place resolved to when placed ('' for nowhere), to notice a change. */
  private readonly answers = new Map<string, string>();
  private readonly fileKeys = new Map<string, string>();
  private index: ReadonlyMap<string, readonly LineSpans[]> = new Map();
  /** Runs placed by the last update (tests). */
  placedRuns = 0;

  *update(digests: Iterable<RunDigest>, places: ResolvedPlaces): Steps<SpanLocations> {
    this.placedRuns = 0;
    for (const [raw, was] of this.answers) {
      if (this.answerOf(raw, places) !== was) {
        this.runs.clear();
        this.files.clear();
        this.answers.clear();
        this.index = new Map();
        break;
      }
    }
    const dirty = new Map<string, Set<number>>();
    const seen = new Set<string>();
    let work = 0;
    for (const digest of digests) {
      if (++work % 256 === 0) yield;
      seen.add(digest.traceId);
      const previous = this.runs.get(digest.traceId);
      if (previous?.digest === digest) continue;
      if (previous) this.unplace(previous.placed, dirty);
      this.runs.set(digest.traceId, { digest, placed: this.place(digest, places, dirty) });
      this.placedRuns++;
    }
    if (seen.size !== this.runs.size) {
      for (const [traceId, run] of this.runs) {
        if (seen.has(traceId)) continue;
        this.unplace(run.placed, dirty);
        this.runs.delete(traceId);
      }
    }
    if (dirty.size === 0) return this.index;
    const index = new Map(this.index);
    for (const [key, lines] of dirty) {
      yield;
      const file = this.files.get(key)!;
      for (const line of lines) {
        const parts = file.lines.get(line);
        if (parts && parts.size > 0) file.out.set(line, { line, parts: trimRecent([...parts]) });
        else (file.lines.delete(line), file.out.delete(line));
      }
      if (file.out.size === 0) {
        this.files.delete(key);
        index.delete(key);
      } else index.set(key, [...file.out.values()].sort((a, b) => a.line - b.line));
    }
    this.index = index;
    return index;
  }

  private answerOf(raw: string, places: ResolvedPlaces): string {
    if (raw[0] === 'p') return places.path(raw.slice(1)) ?? '';
    if (raw[0] === 's') {
      const cut = raw.indexOf('\u0000');
      return placeText(failedPlace(places, raw.slice(1, cut), raw.slice(cut + 1) || undefined));
    }
    return placeText(places.name(raw.slice(1)));
  }

  private place(digest: RunDigest, places: ResolvedPlaces, dirty: Map<string, Set<number>>): Placed[] {
    const placed: Placed[] = [];
    // A path's lines come together (`RunDigest.paths`): it is looked up once for them.
    let recorded: string | undefined;
    let file: string | undefined;
    for (const at of digest.paths) {
      if (at.path !== recorded) {
        recorded = at.path;
        const raw = `p${recorded}`;
        file = places.path(recorded);
        if (!this.answers.has(raw)) this.answers.set(raw, file ?? '');
        if (file !== undefined) file = this.fileKey(file);
      }
      if (file !== undefined) placed.push(this.add(file, at.line, at, dirty));
    }
    for (const named of digest.names) {
      const raw = `n${named.key}`;
      const at = places.name(named.key);
      if (!this.answers.has(raw)) this.answers.set(raw, at ? `${at.file}\u0000${at.line}` : '');
      if (at) placed.push(this.add(this.fileKey(at.file), at.line, named, dirty));
    }
    // A run's failed spans at one line are one part of it: a lens sums parts, and a run may fail often at one place.
    const failedAt = new Map<string, { file: string; line: number; stats: PlaceStats[] }>();
    for (const failed of digest.failed) {
      const spanKey = failedSpanKey(failed.ref);
      const raw = `s${spanKey}\u0000${failed.key ?? ''}`;
      const at = failedPlace(places, spanKey, failed.key);
      if (!this.answers.has(raw)) this.answers.set(raw, placeText(at));
      if (!at) continue;
      const file = this.fileKey(at.file);
      const key = `${file}\u0000${at.line}`;
      let group = failedAt.get(key);
      if (!group) failedAt.set(key, (group = { file, line: at.line, stats: [] }));
      group.stats.push(failed.stats);
    }
    for (const { file, line, stats } of failedAt.values()) placed.push(this.add(file, line, stats.length === 1 ? stats[0] : combined(stats), dirty));
    return placed;
  }

  private fileKey(file: string): string {
    let key = this.fileKeys.get(file);
    if (key === undefined) this.fileKeys.set(file, (key = sourceFileKey(file)));
    return key;
  }

  private add(file: string, line: number, stats: PlaceStats, dirty: Map<string, Set<number>>): Placed {
    let f = this.files.get(file);
    if (!f) this.files.set(file, (f = { lines: new Map(), out: new Map() }));
    let parts = f.lines.get(line);
    if (!parts) f.lines.set(line, (parts = new Set()));
    parts.add(stats);
    markDirty(dirty, file, line);
    return { file, line, stats };
  }

  private unplace(placed: readonly Placed[], dirty: Map<string, Set<number>>): void {
    for (const { file, line, stats } of placed) {
      this.files.get(file)?.lines.get(line)?.delete(stats);
      markDirty(dirty, file, line);
    }
  }
}

/**
 * Drops from the parts of one line the spans older than the line's `SPANS_KEPT_PER_PLACE`
 * newest: no range over it can list them, and a month of runs would otherwise keep a
 * reference per span. (Should a run holding some of the newest go away, its file deleted, or
 * a place resolve to another line, a line may list fewer until its runs change; counts and
 * durations stay whole.)
 */
function trimRecent(parts: PlaceStats[]): PlaceStats[] {
  let refs = 0;
  for (const p of parts) refs += p.recent.length;
  if (refs <= SPANS_KEPT_PER_PLACE || parts.length < 2) return parts;
  const starts: bigint[] = [];
  for (const p of parts) for (const r of p.recent) starts.push(r.startNs);
  starts.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  const oldestKept = starts[SPANS_KEPT_PER_PLACE - 1];
  for (const p of parts) {
    const recent = p.recent;
    // Newest first: cut at the first older than the oldest kept (ties stay).
    let keep = recent.length;
    while (keep > 0 && recent[keep - 1].startNs < oldestKept) keep--;
    if (keep < recent.length) (p as { recent: readonly SpanRef[] }).recent = recent.slice(0, keep);
  }
  return parts;
}

/** Several places' stats as one (counts summed, durations merged, the newest references kept). */
function combined(parts: readonly PlaceStats[]): PlaceStats {
  const recent = parts.flatMap((p) => p.recent).sort((a, b) => (a.startNs > b.startNs ? -1 : a.startNs < b.startNs ? 1 : 0));
  return {
    count: parts.reduce((n, p) => n + p.count, 0),
    failed: parts.reduce((n, p) => n + p.failed, 0),
    running: parts.reduce((n, p) => n + p.running, 0),
    durations: parts.flatMap((p) => p.durations).sort((a, b) => a - b),
    lastStartNs: parts.reduce((max, p) => (p.lastStartNs > max ? p.lastStartNs : max), 0n),
    recent: recent.slice(0, SPANS_KEPT_PER_PLACE),
  };
}

function failedPlace(places: ResolvedPlaces, spanKey: string, nameKey: string | undefined): { readonly file: string; readonly line: number } | undefined {
  return places.stack?.(spanKey) ?? (nameKey === undefined ? undefined : places.name(nameKey));
}

function placeText(at: { readonly file: string; readonly line: number } | undefined): string {
  return at ? `${at.file}\u0000${at.line}` : '';
}

function markDirty(dirty: Map<string, Set<number>>, file: string, line: number): void {
  let lines = dirty.get(file);
  if (!lines) dirty.set(file, (lines = new Set()));
  lines.add(line);
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
  const durations: (readonly number[])[] = [];
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
  let sorted: ArrayLike<number>;
  if (durations.length === 1) sorted = durations[0];
  else {
    const all = new Float64Array(ended);
    let at = 0;
    for (const d of durations) for (const ms of d) all[at++] = ms;
    sorted = all.sort();
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
