/**
 * The layout maths of a trace's waterfall: rows in depth-first order as typed-array columns,
 * self time, the critical path and folding of repeated siblings. Pure and iterative (no
 * recursion, so any nesting depth works), linear or n·log n, and written for a million spans.
 *
 * Two index spaces:
 * - span index: position of a real span in `layout.spans` (depth-first, children in start
 *   order, tops in the tree's order). Self time and the critical path are computed here, on
 *   the real tree, so folding never changes them.
 * - row: what the view draws. Equal to the span order plus one synthetic group row in front
 *   of each folded run of siblings; `spanIndex[row]` maps back (-1 for a group row).
 *
 * Times are milliseconds from `originNs` (the trace's earliest start), as doubles: exact to
 * the nanosecond for runs shorter than ~100 days.
 */
import type { SpanRecord } from '../span';
import { StatusCode } from '../span';
import type { SpanNode } from '../trace';

export interface WaterfallOptions {
  /** Time zero of the rows. Default: the earliest start among the spans. */
  readonly originNs?: bigint;
  /**
   * Runs of at least this many consecutive siblings with the same name fold into one group
   * row. Default 5; 0 or Infinity turns folding off. Values below 2 count as 2.
   */
  readonly foldThreshold?: number;
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
  /** The critical path as stretches of self time, from the run's start to its end. */
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
  const flat = flatten(forest);
  const n = flat.spans.length;
  const originNs = options.originNs ?? flat.minStartNs;
  const { startMs, endMs } = times(flat.spans, originNs);
  const subtreeEnd = subtreeEnds(flat.parent);
  const selfMs = selfTimes(n, startMs, endMs, subtreeEnd);
  const effEnd = effectiveEnds(flat.parent, startMs, endMs);
  const critical = criticalPath(n, flat.parent, subtreeEnd, startMs, effEnd);
  const error = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (flat.spans[i].statusCode === StatusCode.Error) error[i] = 1;
  let traceEnd = 0;
  for (let i = 0; i < n; i++) if (effEnd[i] > traceEnd) traceEnd = effEnd[i];
  const threshold = foldThresholdOf(options.foldThreshold);
  const groups = threshold === Infinity ? undefined : findRuns(flat.spans, subtreeEnd, startMs, endMs, threshold);

  // Ends are no longer needed (effEnd may share their array, and is done with too): turn them
  // into durations in place rather than allocating another column.
  const durationMs = endMs;
  for (let i = 0; i < n; i++) durationMs[i] -= startMs[i];
  const spanLevel: Columns = {
    depth: flat.depth,
    parent: flat.parent,
    subtreeEnd,
    startMs,
    durationMs,
    selfMs,
    onCriticalPath: critical.onPath,
    error,
  };
  const rows = groups === undefined || groups.count === 0 ? identityRows(n, spanLevel) : foldedRows(n, spanLevel, groups);
  const segments = critical.segments;
  const segmentRows = new Int32Array(segments.span.length);
  for (let k = 0; k < segmentRows.length; k++) segmentRows[k] = rows.rowOfSpan[segments.span[k]];

  return {
    originNs,
    endMs: traceEnd,
    spans: flat.spans,
    rowOfSpan: rows.rowOfSpan,
    rowCount: rows.spanIndex.length,
    spanIndex: rows.spanIndex,
    depth: rows.columns.depth,
    parent: rows.columns.parent,
    subtreeEnd: rows.columns.subtreeEnd,
    startMs: rows.columns.startMs,
    durationMs: rows.columns.durationMs,
    selfMs: rows.columns.selfMs,
    onCriticalPath: rows.columns.onCriticalPath,
    error: rows.columns.error,
    groupSize: rows.groupSize,
    criticalPath: { row: segmentRows, startMs: segments.startMs, endMs: segments.endMs },
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
// Flattening

interface Flat {
  spans: SpanRecord[];
  depth: Uint16Array;
  parent: Int32Array;
  minStartNs: bigint;
}

function flatten(forest: SpanForest): Flat {
  let capacity = Math.max(16, forest.nodes?.size ?? 0);
  let depth = new Uint16Array(capacity);
  let parent = new Int32Array(capacity);
  // Sized once when the forest says how big it is (a TraceTree does): one allocation.
  const spans: SpanRecord[] = new Array<SpanRecord>(capacity);
  let count = 0;
  let minStartNs: bigint | undefined;
  // The path from the tops down to the node being expanded: each level's child list, the
  // next child to visit and the index of the level's span (-1 above the tops). Only nodes
  // with children are pushed, so the stack is as small as the tree is deep.
  const pathKids: (readonly SpanNode[])[] = [forest.roots];
  const pathNext: number[] = [0];
  const pathIndex: number[] = [-1];
  while (pathKids.length > 0) {
    const top = pathKids.length - 1;
    const kids = pathKids[top];
    const k = pathNext[top];
    if (k === kids.length) {
      pathKids.pop();
      pathNext.pop();
      pathIndex.pop();
      continue;
    }
    pathNext[top] = k + 1;
    const node = kids[k];
    const i = count++;
    if (i === capacity) {
      capacity *= 2;
      depth = grow(depth, new Uint16Array(capacity));
      parent = grow(parent, new Int32Array(capacity));
    }
    const span = node.span;
    spans[i] = span;
    depth[i] = top > MAX_DEPTH ? MAX_DEPTH : top;
    parent[i] = pathIndex[top];
    if (minStartNs === undefined || span.startNs < minStartNs) minStartNs = span.startNs;
    if (node.children.length > 0) {
      pathKids.push(node.children);
      pathNext.push(0);
      pathIndex.push(i);
    }
  }
  const n = count;
  spans.length = n;
  return { spans, depth: depth.subarray(0, n), parent: parent.subarray(0, n), minStartNs: minStartNs ?? 0n };
}

function grow<T extends Uint16Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function times(spans: readonly SpanRecord[], originNs: bigint): { startMs: Float64Array; endMs: Float64Array } {
  const n = spans.length;
  const startMs = new Float64Array(n);
  const endMs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const span = spans[i];
    // Subtract as bigints: epoch nanoseconds exceed 2^53, their differences do not.
    const start = Number(span.startNs - originNs) / 1e6;
    const dur = span.endNs > span.startNs ? Number(span.endNs - span.startNs) / 1e6 : 0;
    startMs[i] = start;
    endMs[i] = start + dur;
  }
  return { startMs, endMs };
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

// ---------------------------------------------------------------------------------------
// Self time

/**
 * duration − |∪ children ∩ [start, end]|. Children come in start order, so one sweep merges
 * overlapping (concurrent) children: O(children) per span, O(n) in all.
 */
function selfTimes(n: number, startMs: Float64Array, endMs: Float64Array, subtreeEnd: Int32Array): Float64Array {
  const self = new Float64Array(n);
  let scratch: number[] | undefined;
  for (let i = 0; i < n; i++) {
    const ps = startMs[i];
    const pe = endMs[i];
    const duration = pe - ps;
    const end = subtreeEnd[i];
    if (end === i + 1 || duration <= 0) {
      self[i] = duration;
      continue;
    }
    let covered = 0;
    let curS = 0;
    let curE = -Infinity; // no open interval yet
    let lastStart = -Infinity;
    let sorted = true;
    for (let c = i + 1; c < end; c = subtreeEnd[c]) {
      const cs = startMs[c] < ps ? ps : startMs[c];
      const ce = endMs[c] > pe ? pe : endMs[c];
      if (startMs[c] < lastStart) {
        sorted = false;
        break;
      }
      lastStart = startMs[c];
      if (ce <= cs) continue;
      if (cs > curE) {
        if (curE > curS) covered += curE - curS;
        curS = cs;
        curE = ce;
      } else if (ce > curE) {
        curE = ce;
      }
    }
    if (!sorted) {
      // A child list out of start order: sort a copy, then sweep.
      scratch ??= [];
      scratch.length = 0;
      for (let c = i + 1; c < end; c = subtreeEnd[c]) scratch.push(c);
      scratch.sort((a, b) => startMs[a] - startMs[b]);
      covered = unionLength(scratch, startMs, endMs, ps, pe);
    } else if (curE > curS) {
      covered += curE - curS;
    }
    self[i] = duration - covered;
  }
  return self;
}

/** Length of the union of the intervals of `items` (in start order), clipped to [ps, pe]. */
function unionLength(items: readonly number[], startMs: Float64Array, endMs: Float64Array, ps = -Infinity, pe = Infinity): number {
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
 * through it. Spans with a length keep their own end.
 */
function effectiveEnds(parent: Int32Array, startMs: Float64Array, endMs: Float64Array): Float64Array {
  const n = parent.length;
  let eff = endMs; // copied only if some span needs a later end, which is rare
  // Reverse depth-first order: every descendant of i is final before i lifts into its parent.
  for (let i = n - 1; i >= 0; i--) {
    const p = parent[i];
    if (p >= 0 && endMs[p] <= startMs[p] && eff[i] > eff[p]) {
      if (eff === endMs) eff = endMs.slice();
      eff[p] = eff[i];
    }
  }
  return eff;
}

interface CriticalResult {
  onPath: Uint8Array;
  segments: { span: Int32Array; startMs: Float64Array; endMs: Float64Array };
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
 * Each span's children are sorted by end only when the path enters that span: O(n log n) at
 * worst, typically far less.
 */
function criticalPath(n: number, parent: Int32Array, subtreeEnd: Int32Array, startMs: Float64Array, effEnd: Float64Array): CriticalResult {
  const onPath = new Uint8Array(n);
  const segments = new SegmentList();
  if (n === 0) return { onPath, segments: segments.toTimeOrder() };

  // A child's interval clipped to its parent's window [ws, we]: computed where needed rather
  // than stored, to keep the walk's memory to one pool of indices.
  // Children of the open frames, each frame's slice sorted by clipped end (earliest first)
  // and consumed from its end. Frames are nested, so the slices stack up in one pool.
  const pool = new Int32Array(n);
  let poolTop = 0;
  // Open frames: the span (-1 for the virtual root), its window start, the cursor, and the
  // next unconsidered child (consumed downwards to the frame's pool base).
  const frames = new FrameStack();
  let sortWs = 0;
  let sortWe = 0;
  const clippedEnd = (c: number, we: number): number => (effEnd[c] > we ? we : effEnd[c]);
  const clippedStart = (c: number, ws: number): number => (startMs[c] < ws ? ws : startMs[c]);
  const byEnd = (a: number, b: number): number =>
    clippedEnd(a, sortWe) - clippedEnd(b, sortWe) || clippedStart(a, sortWs) - clippedStart(b, sortWs);

  const open = (span: number, ws: number, we: number): void => {
    const base = poolTop;
    const first = span < 0 ? 0 : span + 1;
    const end = span < 0 ? n : subtreeEnd[span];
    let sorted = true;
    for (let c = first; c < end; c = subtreeEnd[c]) {
      const cs = startMs[c] < ws ? ws : startMs[c];
      const ce = effEnd[c] > we ? we : effEnd[c];
      if (ce <= cs) continue;
      if (sorted && poolTop > base) {
        const prev = pool[poolTop - 1];
        const pe = clippedEnd(prev, we);
        if (pe > ce || (pe === ce && clippedStart(prev, ws) > cs)) sorted = false;
      }
      pool[poolTop++] = c;
    }
    if (!sorted) {
      sortWs = ws;
      sortWe = we;
      // Array sort is adaptive (TimSort): children that mostly follow one another sort fast.
      const list = Array.prototype.slice.call(pool.subarray(base, poolTop)) as number[];
      list.sort(byEnd);
      pool.set(list, base);
    }
    frames.push(span, ws, we, we, base, poolTop - 1);
  };

  let runStart = Infinity;
  let runEnd = -Infinity;
  for (let i = 0; i < n; i++) {
    if (parent[i] >= 0) continue;
    if (startMs[i] < runStart) runStart = startMs[i];
    const e = effEnd[i] > startMs[i] ? effEnd[i] : startMs[i];
    if (e > runEnd) runEnd = e;
  }

  // Segments are found end-first, and put in time order at the end.
  open(-1, runStart, runEnd);
  while (frames.size > 0) {
    const f = frames.size - 1;
    const span = frames.span[f];
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
      if (span >= 0 && cursor > ws) segments.push(span, ws, cursor);
      frames.size--;
      poolTop = base;
      continue;
    }
    frames.next[f] = next;
    const cs = clippedStart(chosen, ws);
    const ce = clippedEnd(chosen, we);
    if (span >= 0 && cursor > ce) segments.push(span, ce, cursor);
    frames.cursor[f] = cs;
    onPath[chosen] = 1;
    if (subtreeEnd[chosen] === chosen + 1) segments.push(chosen, cs, ce);
    else open(chosen, cs, ce);
  }
  // A run made only of zero-length tops: the last-starting one stands for the path.
  if (segments.size === 0) {
    let top = -1;
    for (let i = 0; i < n; i++) if (parent[i] < 0 && (top < 0 || startMs[i] >= startMs[top])) top = i;
    onPath[top] = 1;
  }
  return { onPath, segments: segments.toTimeOrder() };
}

/** Growable columns of (span, start, end). */
class SegmentList {
  size = 0;
  private span = new Int32Array(64);
  private start = new Float64Array(64);
  private end = new Float64Array(64);

  push(span: number, start: number, end: number): void {
    if (this.size === this.span.length) {
      const cap = this.size * 2;
      this.span = grow(this.span, new Int32Array(cap));
      this.start = grow(this.start, new Float64Array(cap));
      this.end = grow(this.end, new Float64Array(cap));
    }
    this.span[this.size] = span;
    this.start[this.size] = start;
    this.end[this.size] = end;
    this.size++;
  }

  /** Pushed latest first; returned earliest first (reversed in place, no copy). */
  toTimeOrder(): { span: Int32Array; startMs: Float64Array; endMs: Float64Array } {
    const n = this.size;
    return {
      span: this.span.subarray(0, n).reverse(),
      startMs: this.start.subarray(0, n).reverse(),
      endMs: this.end.subarray(0, n).reverse(),
    };
  }
}

/** The open frames of the critical-path walk, as growable columns. */
class FrameStack {
  size = 0;
  span = new Int32Array(64);
  windowStart = new Float64Array(64);
  windowEnd = new Float64Array(64);
  cursor = new Float64Array(64);
  base = new Int32Array(64);
  next = new Int32Array(64);

  push(span: number, windowStart: number, windowEnd: number, cursor: number, base: number, next: number): void {
    if (this.size === this.span.length) {
      const cap = this.size * 2;
      this.span = grow(this.span, new Int32Array(cap));
      this.windowStart = grow(this.windowStart, new Float64Array(cap));
      this.windowEnd = grow(this.windowEnd, new Float64Array(cap));
      this.cursor = grow(this.cursor, new Float64Array(cap));
      this.base = grow(this.base, new Int32Array(cap));
      this.next = grow(this.next, new Int32Array(cap));
    }
    const k = this.size++;
    this.span[k] = span;
    this.windowStart[k] = windowStart;
    this.windowEnd[k] = windowEnd;
    this.cursor[k] = cursor;
    this.base[k] = base;
    this.next[k] = next;
  }
}

// ---------------------------------------------------------------------------------------
// Folding

function foldThresholdOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_FOLD_THRESHOLD;
  if (!(value > 0) || value === Infinity) return Infinity;
  return Math.max(2, Math.ceil(value));
}

interface Runs {
  count: number;
  /** Span index → run number for each direct member, else -1. */
  memberOf: Int32Array;
  /** Span index of each run's first member. */
  first: number[];
  size: number[];
  /** Exclusive span index where the run's last member's subtree ends. */
  endSpan: number[];
  startMs: number[];
  endMs: number[];
  /** The run's window minus the union of its members: the gaps between them. */
  selfMs: number[];
}

/** Runs of ≥ threshold consecutive same-name siblings, under every parent and among the tops. */
function findRuns(
  spans: readonly SpanRecord[],
  subtreeEnd: Int32Array,
  startMs: Float64Array,
  endMs: Float64Array,
  threshold: number,
): Runs {
  const n = spans.length;
  const runs: Runs = { count: 0, memberOf: new Int32Array(0), first: [], size: [], endSpan: [], startMs: [], endMs: [], selfMs: [] };
  const members: number[] = [];
  const close = (first: number, last: number, size: number): void => {
    if (size < threshold) return;
    if (runs.count === 0) runs.memberOf = new Int32Array(n).fill(-1);
    const id = runs.count++;
    runs.first.push(first);
    let s = Infinity;
    let e = -Infinity;
    let sorted = true;
    members.length = 0;
    for (let c = first; c <= last; c = subtreeEnd[c]) {
      runs.memberOf[c] = id;
      if (members.length > 0 && startMs[c] < startMs[members[members.length - 1]]) sorted = false;
      members.push(c);
      if (startMs[c] < s) s = startMs[c];
      if (endMs[c] > e) e = endMs[c];
    }
    if (!sorted) members.sort((a, b) => startMs[a] - startMs[b]);
    runs.size.push(size);
    runs.endSpan.push(subtreeEnd[last]);
    runs.startMs.push(s);
    runs.endMs.push(e);
    runs.selfMs.push(e - s - unionLength(members, startMs, endMs));
  };
  const scan = (first: number, end: number): void => {
    let runFirst = -1;
    let runLast = -1;
    let runSize = 0;
    let runName = '';
    for (let c = first; c < end; c = subtreeEnd[c]) {
      const name = spans[c].name;
      if (runSize > 0 && name === runName) {
        runLast = c;
        runSize++;
        continue;
      }
      if (runSize > 0) close(runFirst, runLast, runSize);
      runFirst = runLast = c;
      runSize = 1;
      runName = name;
    }
    if (runSize > 0) close(runFirst, runLast, runSize);
  };
  scan(0, n); // the tops are siblings too
  for (let i = 0; i < n; i++) if (subtreeEnd[i] > i + 1) scan(i + 1, subtreeEnd[i]);
  return runs;
}

interface Columns {
  depth: Uint16Array;
  parent: Int32Array;
  subtreeEnd: Int32Array;
  startMs: Float64Array;
  durationMs: Float64Array;
  selfMs: Float64Array;
  onCriticalPath: Uint8Array;
  error: Uint8Array;
}

interface Rows {
  columns: Columns;
  spanIndex: Int32Array;
  rowOfSpan: Int32Array;
  groupSize: Uint32Array;
}

function identityRows(n: number, columns: Columns): Rows {
  const spanIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) spanIndex[i] = i;
  return { columns, spanIndex, rowOfSpan: spanIndex, groupSize: new Uint32Array(n) };
}

/**
 * Rows with a group row in front of each run. One pass in span order: a stack of open runs
 * (by the span index where each ends) gives every row's extra depth.
 */
function foldedRows(n: number, s: Columns, runs: Runs): Rows {
  const total = n + runs.count;
  const spanIndex = new Int32Array(total);
  const rowOfSpan = new Int32Array(n);
  const groupSize = new Uint32Array(total);
  const depth = new Uint16Array(total);
  const parent = new Int32Array(total);
  const startMs = new Float64Array(total);
  const durationMs = new Float64Array(total);
  const selfMs = new Float64Array(total);
  const onCriticalPath = new Uint8Array(total);
  const error = new Uint8Array(total);
  const groupRow = new Int32Array(runs.count);
  const openEnds: number[] = [];

  let row = 0;
  for (let i = 0; i < n; i++) {
    while (openEnds.length > 0 && openEnds[openEnds.length - 1] <= i) openEnds.pop();
    const member = runs.memberOf[i];
    if (member >= 0 && runs.first[member] === i) {
      const run = member;
      groupRow[run] = row;
      spanIndex[row] = -1;
      groupSize[row] = runs.size[run];
      depth[row] = saturate(s.depth[i] + openEnds.length);
      parent[row] = s.parent[i] >= 0 ? rowOfSpan[s.parent[i]] : -1;
      startMs[row] = runs.startMs[run];
      durationMs[row] = runs.endMs[run] - runs.startMs[run];
      selfMs[row] = runs.selfMs[run];
      row++;
      openEnds.push(runs.endSpan[run]);
    }
    rowOfSpan[i] = row;
    spanIndex[row] = i;
    depth[row] = saturate(s.depth[i] + openEnds.length);
    parent[row] = member >= 0 ? groupRow[member] : s.parent[i] >= 0 ? rowOfSpan[s.parent[i]] : -1;
    startMs[row] = s.startMs[i];
    durationMs[row] = s.durationMs[i];
    selfMs[row] = s.selfMs[i];
    onCriticalPath[row] = s.onCriticalPath[i];
    error[row] = s.error[i];
    if (member >= 0) {
      const g = groupRow[member];
      if (s.onCriticalPath[i]) onCriticalPath[g] = 1;
      if (s.error[i]) error[g] = 1;
    }
    row++;
  }

  const columns: Columns = { depth, parent, subtreeEnd: subtreeEnds(parent), startMs, durationMs, selfMs, onCriticalPath, error };
  return { columns, spanIndex, rowOfSpan, groupSize };
}

function saturate(depth: number): number {
  return depth > MAX_DEPTH ? MAX_DEPTH : depth;
}
