/**
 * The layout maths of a trace's waterfall: rows in depth-first order as typed-array columns,
 * self time and folding of repeated siblings; the critical path is `criticalPath.ts`'s. Pure and iterative (no
 * recursion, so any nesting depth works), linear or n·log n, and written for a million spans.
 *
 * Rows are the spans in depth-first order (children and tops in the tree's order) plus one synthetic group row in front of each folded run of siblings. A real span's
 * index in `layout.spans` is its position among the real rows; `spanIndex[row]` maps a row
 * back (-1 for a group row). Self time and the critical path see through group rows to the
 * real tree, so folding never changes them.
 *
 * Memory: ~44 bytes a row of typed columns plus the 8-byte `spans` slot (columns are sized
 * up front for the most groups there could be, up to 20% more rows; a flat tree's next layout
 * for about as many as its last one had). Scratch is small: the
 * critical-path walk's stack and child pool grow only with depth and fan-out on the path.
 *
 * Times are milliseconds from `originNs` (the trace's earliest start), as doubles: exact to
 * the nanosecond for runs shorter than ~100 days.
 */
import type { SpanRecord } from '../model/span';
import { RowColumns } from './rowColumns';
import { isInProgress, StatusCode } from '../model/span';
import { inSteps, STEP_ITEMS, type Steps } from '../util/steps';
import { criticalPath, effectiveEnds, type CriticalSegments } from './criticalPath';
import { isNotReceived, settledStandIn } from '../model/standIns';
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
  /**
   * The run is no longer running (`Trace.state`): a stand-in for a parent not received will
   * not arrive, so it is drawn ending with its subtree's last end (`settledStandIn`) rather
   * than open-ended as running.
   */
  readonly settled?: boolean;
}

const DEFAULT_FOLD_THRESHOLD = 5;

export interface WaterfallLayout {
  readonly originNs: bigint;
  /** Latest end (in-progress spans count up to their last descendant's end), in ms from origin. */
  readonly endMs: number;
  /** Real spans in depth-first order; `spanIndex` points here. */
  readonly spans: readonly SpanRecord[];
  /** Span index → its slot in the flat tree laid out (`flatRows.ts`); undefined for an object tree. */
  readonly slotOfSpan?: Int32Array;

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

/** Anything with `roots`: a `TraceTree`, or a hand-made forest (tests, the bench). */
export interface SpanForest {
  readonly roots: readonly SpanNode[];
  /** Used, when present, only to size arrays up front. */
  readonly nodes?: { readonly size: number };
}

/**
 * Lays out a trace's tree (`trace.tree()`), in steps (see `steps.ts`) so a big trace is laid
 * out in time slices; `runSteps` runs them at once. Children are expected in sibling order,
 * as `buildTree` leaves them; a list that is not is handled too (sorted where it matters).
 */
export function* layoutWaterfallSteps(forest: SpanForest, options: WaterfallOptions = {}): Steps<WaterfallLayout> {
  const rows = yield* buildRows(forest, foldThresholdOf(options.foldThreshold), options.originNs);
  return yield* finishLayout(rows, options);
}

/**
 * Everything after the rows: group extents, self time, the critical path, durations. Each
 * pass over the rows yields every `STEP_ITEMS` rows: with a million rows a pass takes tens of
 * ms, more when a garbage collection lands in it.
 */
export function* finishLayout(rows: Rows, options: WaterfallOptions): Steps<WaterfallLayout> {
  const { rowCount, spans, spanIndex, parent, groupSize, startMs, endMs, error, originNs } = rows;
  const subtreeEnd = yield* subtreeEnds(parent);
  if (options.settled) yield* settleStandIns(rows, subtreeEnd);
  if (rows.groupCount > 0) {
    // A group spans its members (first start to latest end) and fails if any member did.
    yield* inSteps(rowCount, (from, to) => {
      for (let r = from; r < to; r++) {
        const g = parent[r];
        if (g < 0 || groupSize[g] === 0) continue;
        if (startMs[r] < startMs[g]) startMs[g] = startMs[r];
        if (endMs[r] > endMs[g]) endMs[g] = endMs[r];
        error[g] |= error[r];
      }
    });
  }
  yield;

  const selfMs = yield* selfTimes(rowCount, startMs, endMs, subtreeEnd, groupSize);
  const effEnd = yield* effectiveEnds(parent, groupSize, startMs, endMs);
  yield;
  const critical = yield* criticalPath(rowCount, subtreeEnd, groupSize, startMs, effEnd, options.criticalSegments ?? false);
  yield;
  // One pass for the rest: a group is on the path when a member is; the run's end; and ends
  // turned into durations in place rather than in another column (effEnd may share the ends'
  // array: a row's effective end is read before its end changes).
  const onPath = critical.onPath;
  const durationMs = endMs;
  let traceEnd = 0;
  yield* inSteps(rowCount, (from, to) => {
    for (let r = from; r < to; r++) {
      const g = parent[r];
      if (g >= 0 && groupSize[g] > 0 && onPath[r]) onPath[g] = 1;
      if (effEnd[r] > traceEnd) traceEnd = effEnd[r];
      durationMs[r] -= startMs[r];
    }
  });

  return {
    originNs,
    endMs: traceEnd,
    spans,
    slotOfSpan: rows.slotOfSpan,
    rowCount,
    spanIndex,
    depth: rows.depth,
    parent,
    subtreeEnd,
    startMs,
    durationMs,
    selfMs,
    onCriticalPath: onPath,
    error,
    groupSize,
    criticalPath: critical.segments,
  };
}

/**
 * Ends each stand-in (a top row, `isNotReceived`) with the last end in its subtree, and puts
 * its settled span (`settledStandIn`) in the rows, so it reads as not received, not running.
 * Stand-ins are tops and tops' subtrees are apart: one pass over the rows.
 */
function* settleStandIns(rows: Rows, subtreeEnd: Int32Array): Steps<void> {
  const { rowCount, spans, spanIndex, depth, startMs, endMs } = rows;
  yield* inSteps(rowCount, (from, to) => {
    for (let r = from; r < to; r++) {
      const si = spanIndex[r];
      if (depth[r] !== 0 || si < 0 || !isNotReceived(spans[si]) || !isInProgress(spans[si])) continue;
      let lastEndNs = 0n;
      for (let c = r + 1; c < subtreeEnd[r]; c++) {
        const ci = spanIndex[c];
        if (ci >= 0 && spans[ci].endNs > lastEndNs) lastEndNs = spans[ci].endNs;
      }
      const span = settledStandIn(spans[si], lastEndNs);
      spans[si] = span;
      endMs[r] = startMs[r] + Number(span.endNs - span.startNs) / 1e6;
    }
  });
}

// ---------------------------------------------------------------------------------------
// Rows: one depth-first pass that also folds

export function foldThresholdOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_FOLD_THRESHOLD;
  if (!(value > 0) || value === Infinity) return Infinity;
  return Math.max(2, Math.ceil(value));
}

/** The rows of a layout before self time and the critical path; built from a forest here, from a flat tree in `flatRows.ts`. */
export interface Rows {
  rowCount: number;
  groupCount: number;
  spans: SpanRecord[];
  slotOfSpan?: Int32Array;
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
  const cols = new RowColumns(hint, threshold);
  const baseNs = givenOriginNs ?? forest.roots[0]?.span.startNs ?? 0n;

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
      level.runEnd = runs[level.runPtr + 1];
      level.runPtr += 2;
      level.groupRow = cols.addGroup(level.depth, level.parentRow, level.runEnd - k);
    }
    const member = k < level.runEnd;
    const node = level.kids[k];
    const span = node.span;
    const i = spanCount++;
    spans[i] = span;
    const d = member ? level.depth + 1 : level.depth;
    // Subtract as bigints: epoch nanoseconds exceed 2^53, their differences do not.
    const start = Number(span.startNs - baseNs) / 1e6;
    const end = span.endNs > span.startNs ? start + Number(span.endNs - span.startNs) / 1e6 : start;
    const r = cols.addSpan(i, d, member ? level.groupRow : level.parentRow, start, end, span.statusCode === StatusCode.Error);
    if (node.children.length > 0) enter(node.children, r, d + 1);
    if (cols.rowCount % STEP_ITEMS === 0) yield;
  }
  spans.length = spanCount;
  return { ...cols.finish(spans, baseNs, givenOriginNs), spans };
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

/** Subtrees are contiguous in depth-first order: one reverse pass lifts each end to its parent. */
function* subtreeEnds(parent: Int32Array): Steps<Int32Array> {
  const n = parent.length;
  const end = new Int32Array(n);
  yield* inSteps(n, (from, to) => {
    for (let i = from; i < to; i++) end[i] = i + 1;
  });
  yield* inSteps(
    n,
    (from, to) => {
      for (let i = to - 1; i >= from; i--) {
        const p = parent[i];
        if (p >= 0 && end[i] > end[p]) end[p] = end[i];
      }
    },
    true,
  );
  return end;
}

// Children "through" groups: the loops below (and criticalPath.ts's) walk a row's children as
//   for (let c = r + 1; c < subtreeEnd[r]; ) { if (groupSize[c]) { c++; continue } …; c = subtreeEnd[c] }
// A group row steps into its members, whose subtrees end where the group's does, so the
// walk sees the real children in their original (sibling) order. A group row's own children
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
