/**
 * The layout maths of a trace's waterfall: rows in depth-first order as typed-array columns,
 * self time, the critical path and folding of repeated siblings. Pure and iterative (no
 * recursion, so any nesting depth works), linear or n·log n, and written for a million spans.
 *
 * Rows are the spans in depth-first order (children in start order, tops in the tree's
 * order) plus one synthetic group row in front of each folded run of siblings. A real span's
 * index in `layout.spans` is its position among the real rows; `spanIndex[row]` maps a row
 * back (-1 for a group row). Self time and the critical path see through group rows to the
 * real tree, so folding never changes them.
 *
 * Memory: ~48 bytes a row of typed columns plus the 8-byte `spans` slot (columns are sized
 * up front for the most groups there could be, up to 20% more rows). Scratch is small: the
 * critical-path walk's stack and child pool grow only with depth and fan-out on the path.
 *
 * Times are milliseconds from `originNs` (the trace's earliest start), as doubles: exact to
 * the nanosecond for runs shorter than ~100 days.
 */
import type { SpanRecord } from '../model/span';
import { StatusCode } from '../model/span';
import { runSteps, STEP_ITEMS, type Steps } from '../util/steps';
import type { SpanNode } from '../model/trace';

export interface WaterfallOptions {
  /** Time zero of the rows. Default: the earliest start among the spans. */
  readonly originNs?: bigint;
  /**
   * Runs of at least this many consecutive siblings with the same name fold into one group
   * row. Default 5; 0 or Infinity turns folding off. Values below 2 count as 2.
   */
  readonly foldThreshold?: number;
  /**
   * Also return the critical path as segments (`criticalPath`), for drawing which stretch of
   * each bar is on it. Up to two per span on the path, 20 bytes each: off by default, since
   * for a big trace that is the layout's largest allocation. `onCriticalPath` is always set.
   */
  readonly criticalSegments?: boolean;
}

export const DEFAULT_FOLD_THRESHOLD = 5;
/** Depths saturate here (`Uint16Array`); deeper rows are drawn at this indent. */
export const MAX_DEPTH = 0xffff;

/** One stretch of the critical path: `row` itself (not its children) was running then. */
export interface CriticalSegments {
  /** Row of each segment; segments are in time order. */
  readonly row: Int32Array;
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
}

export interface WaterfallLayout {
  readonly originNs: bigint;
  /** Latest end (in-progress spans count up to their last descendant's end), in ms from origin. */
  readonly endMs: number;
  /** Real spans in depth-first order; `spanIndex` points here. */
  readonly spans: readonly SpanRecord[];
  /** Span index → its row. */
  readonly rowOfSpan: Int32Array;

  readonly rowCount: number;
  /** Row → index in `spans`, or -1 for a group row. */
  readonly spanIndex: Int32Array;
  readonly depth: Uint16Array;
  /** Row of the parent (a group row for folded siblings), -1 for tops. */
  readonly parent: Int32Array;
  /** Exclusive end row of the row's subtree: collapsing row r skips to `subtreeEnd[r]`. */
  readonly subtreeEnd: Int32Array;
  readonly startMs: Float64Array;
  readonly durationMs: Float64Array;
  /**
   * Time the span spent not covered by any child: duration minus the union of its
   * children's intervals clipped to it. For a group row, the gaps between its members.
   */
  readonly selfMs: Float64Array;
  /** 1 when the span is on the critical path; a group row when any member is. */
  readonly onCriticalPath: Uint8Array;
  /** 1 when the span's status is error; a group row when any member's is. */
  readonly error: Uint8Array;
  /** Members of a group row (its direct children); 0 for a real span. */
  readonly groupSize: Uint32Array;
  /**
   * The critical path as stretches of self time, from the run's start to its end; empty
   * unless asked for with `criticalSegments: true`.
   */
  readonly criticalPath: CriticalSegments;
}

/** Anything with `roots`: a `TraceTree`, or a hand-made forest in tests. */
export interface SpanForest {
  readonly roots: readonly SpanNode[];
  /** Used, when present, only to size arrays up front. */
  readonly nodes?: { readonly size: number };
}

/**
 * Lays out a trace's tree (`trace.tree()`). Children are expected in start order, as
 * `buildTree` leaves them; a list that is not is handled too (sorted where it matters).
 */
export function layoutWaterfall(forest: SpanForest, options: WaterfallOptions = {}): WaterfallLayout {
  return runSteps(layoutWaterfallSteps(forest, options));
}

/** `layoutWaterfall` in steps (see `steps.ts`), for laying out a big trace in time slices. */
export function* layoutWaterfallSteps(forest: SpanForest, options: WaterfallOptions = {}): Steps<WaterfallLayout> {
  const rows = yield* buildRows(forest, foldThresholdOf(options.foldThreshold), options.originNs);
  const { rowCount, spans, spanIndex, parent, groupSize, startMs, endMs, error, originNs } = rows;
  const subtreeEnd = subtreeEnds(parent);
  yield;
  if (rows.groupCount > 0) {
    // A group spans its members (first start to latest end) and fails if any member did.
    for (let r = 0; r < rowCount; r++) {
      const g = parent[r];
      if (g < 0 || groupSize[g] === 0) continue;
      if (startMs[r] < startMs[g]) startMs[g] = startMs[r];
      if (endMs[r] > endMs[g]) endMs[g] = endMs[r];
      error[g] |= error[r];
    }
    yield;
  }

  const selfMs = yield* selfTimes(rowCount, startMs, endMs, subtreeEnd, groupSize);
  const effEnd = effectiveEnds(parent, groupSize, startMs, endMs);
  yield;
  const critical = yield* criticalPath(rowCount, subtreeEnd, groupSize, startMs, effEnd, options.criticalSegments ?? false);
  if (rows.groupCount > 0) {
    for (let r = 0; r < rowCount; r++) {
      const g = parent[r];
      if (g >= 0 && groupSize[g] > 0 && critical.onPath[r]) critical.onPath[g] = 1;
    }
  }
  yield;
  let traceEnd = 0;
  for (let r = 0; r < rowCount; r++) if (effEnd[r] > traceEnd) traceEnd = effEnd[r];
  yield;

  // Ends are done with (effEnd may share their array, and is done with too): turn them into
  // durations in place rather than allocate another column.
  const durationMs = endMs;
  for (let r = 0; r < rowCount; r++) durationMs[r] -= startMs[r];

  return {
    originNs,
    endMs: traceEnd,
    spans,
    rowOfSpan: rows.rowOfSpan,
    rowCount,
    spanIndex,
    depth: rows.depth,
    parent,
    subtreeEnd,
    startMs,
    durationMs,
    selfMs,
    onCriticalPath: critical.onPath,
    error,
    groupSize,
    criticalPath: critical.segments,
  };
}

/** The row's label: the span's name, or `name ×count` for a group. */
export function rowLabel(layout: WaterfallLayout, row: number): string {
  const size = layout.groupSize[row];
  if (size === 0) return layout.spans[layout.spanIndex[row]].name;
  // A group row is directly followed by its first member.
  return `${layout.spans[layout.spanIndex[row + 1]].name} ×${size}`;
}

/** Collapse state for a first view: every group row collapsed, everything else open. */
export function initialCollapsed(layout: WaterfallLayout): Uint8Array {
  const collapsed = new Uint8Array(layout.rowCount);
  for (let r = 0; r < layout.rowCount; r++) if (layout.groupSize[r] > 0) collapsed[r] = 1;
  return collapsed;
}

/**
 * The rows to draw, in order, when the rows flagged in `collapsed` hide their subtrees.
 * O(visible rows): a collapsed row jumps straight to its `subtreeEnd`.
 */
export function visibleRows(layout: WaterfallLayout, collapsed: Uint8Array): Int32Array {
  const out = new Int32Array(layout.rowCount);
  let count = 0;
  for (let r = 0; r < layout.rowCount; ) {
    out[count++] = r;
    r = collapsed[r] ? layout.subtreeEnd[r] : r + 1;
  }
  return out.subarray(0, count);
}

// ---------------------------------------------------------------------------------------
// Rows: one depth-first pass that also folds

function foldThresholdOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_FOLD_THRESHOLD;
  if (!(value > 0) || value === Infinity) return Infinity;
  return Math.max(2, Math.ceil(value));
}

interface Rows {
  rowCount: number;
  groupCount: number;
  spans: SpanRecord[];
  rowOfSpan: Int32Array;
  spanIndex: Int32Array;
  depth: Uint16Array;
  parent: Int32Array;
  groupSize: Uint32Array;
  /** Real rows only; group rows hold +Infinity / -Infinity until their members fill them. */
  startMs: Float64Array;
  endMs: Float64Array;
  error: Uint8Array;
  originNs: bigint;
}

/** One level of the depth-first path; reused by depth, so the walk allocates nothing per node. */
interface Level {
  kids: readonly SpanNode[];
  next: number;
  /** Row of the span whose children these are (-1 above the tops). */
  parentRow: number;
  /** Depth of these children's rows (members of a group one more). */
  depth: number;
  /** Runs to fold in `kids`, as [first, end) index pairs, or undefined. */
  runs: number[] | undefined;
  runPtr: number;
  /** End (exclusive, in `kids`) of the run being emitted, and its group row. */
  runEnd: number;
  groupRow: number;
}

/**
 * Also reads each span's times and status while it is at hand (one pass over the span
 * objects, which for a big trace are scattered over the heap). Times are taken from `originNs`,
 * or from the first top's start and shifted afterwards if some span started earlier.
 */
function* buildRows(forest: SpanForest, threshold: number, givenOriginNs: bigint | undefined): Steps<Rows> {
  const hint = forest.nodes?.size ?? 0;
  const spans: SpanRecord[] = new Array<SpanRecord>(hint); // one allocation when sized
  let spanCount = 0;
  let rowOfSpan = new Int32Array(Math.max(16, hint));
  // Groups add at most one row per `threshold` spans.
  let capacity = Math.max(16, hint + (threshold === Infinity ? 0 : Math.ceil(hint / threshold)));
  let spanIndex = new Int32Array(capacity);
  let depth = new Uint16Array(capacity);
  let parent = new Int32Array(capacity);
  let groupSize = new Uint32Array(capacity);
  let startMs = new Float64Array(capacity);
  let endMs = new Float64Array(capacity);
  let error = new Uint8Array(capacity);
  let rowCount = 0;
  let groupCount = 0;
  const baseNs = givenOriginNs ?? forest.roots[0]?.span.startNs ?? 0n;
  let minStart = Infinity;
  let minSpan = -1;

  const levels: Level[] = [];
  let top = -1;
  const enter = (kids: readonly SpanNode[], parentRow: number, d: number): void => {
    const level = levels[++top] ?? (levels[top] = { kids, next: 0, parentRow, depth: d, runs: undefined, runPtr: 0, runEnd: -1, groupRow: -1 });
    level.kids = kids;
    level.next = 0;
    level.parentRow = parentRow;
    level.depth = d;
    level.runs = kids.length >= threshold ? findRuns(kids, threshold) : undefined;
    level.runPtr = 0;
    level.runEnd = -1;
    level.groupRow = -1;
  };
  const newRow = (): number => {
    if (rowCount === capacity) {
      capacity *= 2;
      spanIndex = grow(spanIndex, new Int32Array(capacity));
      depth = grow(depth, new Uint16Array(capacity));
      parent = grow(parent, new Int32Array(capacity));
      groupSize = grow(groupSize, new Uint32Array(capacity));
      startMs = grow(startMs, new Float64Array(capacity));
      endMs = grow(endMs, new Float64Array(capacity));
      error = grow(error, new Uint8Array(capacity));
    }
    return rowCount++;
  };

  enter(forest.roots, -1, 0);
  while (top >= 0) {
    const level = levels[top];
    const k = level.next;
    if (k === level.kids.length) {
      top--;
      continue;
    }
    level.next = k + 1;
    const runs = level.runs;
    if (runs !== undefined && level.runPtr < runs.length && runs[level.runPtr] === k) {
      const g = newRow();
      level.runEnd = runs[level.runPtr + 1];
      level.runPtr += 2;
      level.groupRow = g;
      spanIndex[g] = -1;
      depth[g] = saturate(level.depth);
      parent[g] = level.parentRow;
      groupSize[g] = level.runEnd - k;
      startMs[g] = Infinity;
      endMs[g] = -Infinity;
      groupCount++;
    }
    const member = k < level.runEnd;
    const node = level.kids[k];
    const span = node.span;
    const r = newRow();
    const i = spanCount++;
    if (i === rowOfSpan.length) rowOfSpan = grow(rowOfSpan, new Int32Array(i * 2));
    spans[i] = span;
    rowOfSpan[i] = r;
    spanIndex[r] = i;
    const d = member ? level.depth + 1 : level.depth;
    depth[r] = saturate(d);
    parent[r] = member ? level.groupRow : level.parentRow;
    groupSize[r] = 0;
    // Subtract as bigints: epoch nanoseconds exceed 2^53, their differences do not.
    const start = Number(span.startNs - baseNs) / 1e6;
    startMs[r] = start;
    endMs[r] = span.endNs > span.startNs ? start + Number(span.endNs - span.startNs) / 1e6 : start;
    if (span.statusCode === StatusCode.Error) error[r] = 1;
    if (start < minStart) {
      minStart = start;
      minSpan = i;
    }
    if (node.children.length > 0) enter(node.children, r, d + 1);
    if (rowCount % STEP_ITEMS === 0) yield;
  }
  spans.length = spanCount;
  let originNs = baseNs;
  if (givenOriginNs === undefined && minSpan >= 0 && minStart !== 0) {
    originNs = spans[minSpan].startNs;
    for (let r = 0; r < rowCount; r++) {
      startMs[r] -= minStart;
      endMs[r] -= minStart;
    }
  }
  return {
    rowCount,
    groupCount,
    spans,
    rowOfSpan: rowOfSpan.subarray(0, spanCount),
    spanIndex: spanIndex.subarray(0, rowCount),
    depth: depth.subarray(0, rowCount),
    parent: parent.subarray(0, rowCount),
    groupSize: groupSize.subarray(0, rowCount),
    startMs: startMs.subarray(0, rowCount),
    endMs: endMs.subarray(0, rowCount),
    error: error.subarray(0, rowCount),
    originNs,
  };
}

/** Runs of ≥ threshold consecutive same-name siblings, as [first, end) pairs; undefined if none. */
function findRuns(kids: readonly SpanNode[], threshold: number): number[] | undefined {
  let runs: number[] | undefined;
  let first = 0;
  for (let k = 1; k <= kids.length; k++) {
    if (k < kids.length && kids[k].span.name === kids[first].span.name) continue;
    if (k - first >= threshold) (runs ??= []).push(first, k);
    first = k;
  }
  return runs;
}

function grow<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function saturate(depth: number): number {
  return depth > MAX_DEPTH ? MAX_DEPTH : depth;
}

/** Subtrees are contiguous in depth-first order: one reverse pass lifts each end to its parent. */
function subtreeEnds(parent: Int32Array): Int32Array {
  const n = parent.length;
  const end = new Int32Array(n);
  for (let i = 0; i < n; i++) end[i] = i + 1;
  for (let i = n - 1; i >= 0; i--) {
    const p = parent[i];
    if (p >= 0 && end[i] > end[p]) end[p] = end[i];
  }
  return end;
}

// Children "through" groups: the loops below walk a row's children as
//   for (let c = r + 1; c < subtreeEnd[r]; ) { if (groupSize[c]) { c++; continue } …; c = subtreeEnd[c] }
// A group row steps into its members, whose subtrees end where the group's does, so the
// walk sees the real children in their original (start) order. A group row's own children
// are its members, walked by the same loop.

// ---------------------------------------------------------------------------------------
// Self time

/**
 * duration − |∪ children ∩ [start, end]|. Children mostly come in start order, so one sweep
 * merges overlapping (concurrent) children: O(children) per row, O(n) in all. For a group
 * row, the gaps between its members.
 */
function* selfTimes(n: number, startMs: Float64Array, endMs: Float64Array, subtreeEnd: Int32Array, groupSize: Uint32Array): Steps<Float64Array> {
  const self = new Float64Array(n);
  const children: number[] = []; // reused for every row
  for (let r = 0; r < n; r++) {
    if (r % STEP_ITEMS === STEP_ITEMS - 1) yield;
    const ps = startMs[r];
    const pe = endMs[r];
    const duration = pe - ps;
    const end = subtreeEnd[r];
    if (end === r + 1 || duration <= 0) {
      self[r] = duration > 0 ? duration : 0;
      continue;
    }
    // The children (through group rows), in start order as they mostly come; sorted if not.
    children.length = 0;
    let sorted = true;
    for (let c = r + 1; c < end; ) {
      if (groupSize[c] > 0) {
        c++;
        continue;
      }
      if (sorted && children.length > 0 && startMs[c] < startMs[children[children.length - 1]]) sorted = false;
      children.push(c);
      c = subtreeEnd[c];
    }
    if (!sorted) children.sort((a, b) => startMs[a] - startMs[b]);
    const covered = unionLength(children, startMs, endMs, ps, pe);
    self[r] = duration - covered;
  }
  return self;
}

/** Length of the union of the intervals of `items` (in start order), clipped to [ps, pe]. */
function unionLength(items: readonly number[], startMs: Float64Array, endMs: Float64Array, ps: number, pe: number): number {
  let covered = 0;
  let curS = 0;
  let curE = -Infinity;
  for (const c of items) {
    const cs = startMs[c] < ps ? ps : startMs[c];
    const ce = endMs[c] > pe ? pe : endMs[c];
    if (ce <= cs) continue;
    if (cs > curE) {
      if (curE > curS) covered += curE - curS;
      curS = cs;
      curE = ce;
    } else if (ce > curE) {
      curE = ce;
    }
  }
  if (curE > curS) covered += curE - curS;
  return covered;
}

// ---------------------------------------------------------------------------------------
// Critical path

/**
 * A span with no length (end ≤ start: still running, or its end was never recorded) that has
 * children is taken to last until its last descendant ends; the critical path can then pass
 * through it. Spans with a length keep their own end. A group row's end follows its members'.
 */
function effectiveEnds(parent: Int32Array, groupSize: Uint32Array, startMs: Float64Array, endMs: Float64Array): Float64Array {
  const n = parent.length;
  let eff = endMs; // copied only if some span needs a later end, which is rare
  // Reverse depth-first order: every descendant of r is final before r lifts into its parent.
  for (let r = n - 1; r >= 0; r--) {
    const p = parent[r];
    if (p >= 0 && eff[r] > eff[p] && (groupSize[p] > 0 || endMs[p] <= startMs[p])) {
      if (eff === endMs) eff = endMs.slice();
      eff[p] = eff[r];
    }
  }
  return eff;
}

interface CriticalResult {
  onPath: Uint8Array;
  segments: CriticalSegments;
}

/**
 * Jaeger's critical path, iteratively. In a span's window, walk back from its end: take the
 * child that finishes last among those ending at or before the cursor (children clipped to
 * the window; zero-length ones skipped, they explain no latency), walk into it the same way,
 * move the cursor to its start, repeat with earlier children. Stretches between chosen
 * children are the span's own time on the path.
 *
 * Differences from Jaeger, on purpose: a child ending exactly at the cursor qualifies (Jaeger
 * wants strictly before, which drops back-to-back sequential children); and the tops of the
 * trace (root plus orphans, or several roots) are the children of a virtual span covering
 * the whole run. So the path starts in the top that finishes last and continues in earlier
 * tops that had finished before it started; concurrent tops are off the path.
 *
 * Each span's children are sorted by end only when the path enters that span, and only if
 * they are not in that order already (sequential children are): O(n log n) at worst.
 */
function* criticalPath(
  n: number,
  subtreeEnd: Int32Array,
  groupSize: Uint32Array,
  startMs: Float64Array,
  effEnd: Float64Array,
  keepSegments: boolean,
): Steps<CriticalResult> {
  const onPath = new Uint8Array(n);
  const segments = new SegmentList(keepSegments);
  if (n === 0) return { onPath, segments: segments.toTimeOrder() };

  // A child's interval clipped to its parent's window [ws, we] is computed where needed
  // rather than stored, to keep the walk's memory to one pool of indices.
  const clippedEnd = (c: number, we: number): number => (effEnd[c] > we ? we : effEnd[c]);
  const clippedStart = (c: number, ws: number): number => (startMs[c] < ws ? ws : startMs[c]);
  let sortWs = 0;
  let sortWe = 0;
  const byEnd = (a: number, b: number): number =>
    clippedEnd(a, sortWe) - clippedEnd(b, sortWe) || clippedStart(a, sortWs) - clippedStart(b, sortWs);

  // Children of the open frames, each frame's slice sorted by clipped end (earliest first)
  // and consumed from its end. Frames are nested, so the slices stack up in one pool.
  let pool = new Int32Array(Math.min(n, 1024)); // grows for wide fan-outs only
  let poolTop = 0;
  const frames = new FrameStack();

  const open = (row: number, ws: number, we: number): void => {
    const base = poolTop;
    const first = row < 0 ? 0 : row + 1;
    const end = row < 0 ? n : subtreeEnd[row];
    let sorted = true;
    for (let c = first; c < end; ) {
      if (groupSize[c] > 0) {
        c++;
        continue;
      }
      const cs = clippedStart(c, ws);
      const ce = clippedEnd(c, we);
      if (ce > cs) {
        if (sorted && poolTop > base) {
          const prev = pool[poolTop - 1];
          const pe = clippedEnd(prev, we);
          if (pe > ce || (pe === ce && clippedStart(prev, ws) > cs)) sorted = false;
        }
        if (poolTop === pool.length) pool = grow(pool, new Int32Array(Math.min(n, pool.length * 2)));
        pool[poolTop++] = c;
      }
      c = subtreeEnd[c];
    }
    if (!sorted) {
      sortWs = ws;
      sortWe = we;
      // Array sort is adaptive (TimSort): children that mostly follow one another sort fast.
      const list = Array.prototype.slice.call(pool.subarray(base, poolTop)) as number[];
      list.sort(byEnd);
      pool.set(list, base);
    }
    frames.push(row, ws, we, we, base, poolTop - 1);
  };

  // The virtual root's window: the tops' extent.
  let runStart = Infinity;
  let runEnd = -Infinity;
  for (let c = 0; c < n; ) {
    if (groupSize[c] > 0) {
      c++;
      continue;
    }
    if (startMs[c] < runStart) runStart = startMs[c];
    const e = effEnd[c] > startMs[c] ? effEnd[c] : startMs[c];
    if (e > runEnd) runEnd = e;
    c = subtreeEnd[c];
  }

  // Segments are found end-first, and put in time order at the end.
  open(-1, runStart, runEnd);
  let work = 0;
  while (frames.size > 0) {
    if (++work % STEP_ITEMS === 0) yield;
    const f = frames.size - 1;
    const row = frames.row[f];
    const ws = frames.windowStart[f];
    const we = frames.windowEnd[f];
    const cursor = frames.cursor[f];
    const base = frames.base[f];
    let next = frames.next[f];
    let chosen = -1;
    if (cursor > ws) {
      while (next >= base) {
        const c = pool[next--];
        if (clippedEnd(c, we) <= cursor) {
          chosen = c;
          break;
        }
      }
    }
    if (chosen < 0) {
      // The rest of the window, back to its start, is the span's own time.
      if (row >= 0 && cursor > ws) segments.push(row, ws, cursor);
      frames.size--;
      poolTop = base;
      continue;
    }
    frames.next[f] = next;
    const cs = clippedStart(chosen, ws);
    const ce = clippedEnd(chosen, we);
    if (row >= 0 && cursor > ce) segments.push(row, ce, cursor);
    frames.cursor[f] = cs;
    onPath[chosen] = 1;
    if (subtreeEnd[chosen] === chosen + 1) segments.push(chosen, cs, ce);
    else open(chosen, cs, ce);
  }
  // A run made only of zero-length tops: the last-starting one stands for the path.
  if (segments.pushed === 0) {
    let last = -1;
    for (let c = 0; c < n; ) {
      if (groupSize[c] > 0) {
        c++;
        continue;
      }
      if (last < 0 || startMs[c] >= startMs[last]) last = c;
      c = subtreeEnd[c];
    }
    onPath[last] = 1;
  }
  return { onPath, segments: segments.toTimeOrder() };
}

/** Growable columns of (row, start, end); only counts when segments are not wanted. */
class SegmentList {
  size = 0;
  pushed = 0;
  private row = new Int32Array(64);
  private start = new Float64Array(64);
  private end = new Float64Array(64);

  constructor(private readonly keep: boolean) {}

  push(row: number, start: number, end: number): void {
    this.pushed++;
    if (!this.keep) return;
    if (this.size === this.row.length) {
      const cap = this.size * 2;
      this.row = grow(this.row, new Int32Array(cap));
      this.start = grow(this.start, new Float64Array(cap));
      this.end = grow(this.end, new Float64Array(cap));
    }
    this.row[this.size] = row;
    this.start[this.size] = start;
    this.end[this.size] = end;
    this.size++;
  }

  /** Pushed latest first; returned earliest first (reversed in place, no copy). */
  toTimeOrder(): CriticalSegments {
    const n = this.size;
    return {
      row: this.row.subarray(0, n).reverse(),
      startMs: this.start.subarray(0, n).reverse(),
      endMs: this.end.subarray(0, n).reverse(),
    };
  }
}

/** The open frames of the critical-path walk, as growable columns. */
class FrameStack {
  size = 0;
  row = new Int32Array(64);
  windowStart = new Float64Array(64);
  windowEnd = new Float64Array(64);
  cursor = new Float64Array(64);
  /** First pool slot of the frame's children, and the next one to consider (counting down). */
  base = new Int32Array(64);
  next = new Int32Array(64);

  push(row: number, windowStart: number, windowEnd: number, cursor: number, base: number, next: number): void {
    if (this.size === this.row.length) {
      const cap = this.size * 2;
      this.row = grow(this.row, new Int32Array(cap));
      this.windowStart = grow(this.windowStart, new Float64Array(cap));
      this.windowEnd = grow(this.windowEnd, new Float64Array(cap));
      this.cursor = grow(this.cursor, new Float64Array(cap));
      this.base = grow(this.base, new Int32Array(cap));
      this.next = grow(this.next, new Int32Array(cap));
    }
    const k = this.size++;
    this.row[k] = row;
    this.windowStart[k] = windowStart;
    this.windowEnd[k] = windowEnd;
    this.cursor[k] = cursor;
    this.base[k] = base;
    this.next[k] = next;
  }
}
