/**
 * The waterfall's rows from a flat tree (`model/flatTree.ts`): the same depth-first walk,
 * folding and columns as `buildRows` in layout.ts makes from the object tree, reading the
 * tree's typed arrays instead of a node object per span. A big trace's layout then allocates
 * its columns and one array of spans, and no object per span.
 */
import { StatusCode, type SpanRecord } from '../model/span';
import { NONE, type FlatTree } from '../model/flatTree';
import { STEP_ITEMS, type Steps } from '../util/steps';
import { finishLayout, foldThresholdOf, type Rows, type WaterfallLayout, type WaterfallOptions } from './layout';
import { grow, RowColumns } from './rowColumns';

/** Lays out a flat tree as `layoutWaterfallSteps` lays out `trace.tree()`: the same layout. */
export function* layoutFlatSteps(tree: FlatTree, options: WaterfallOptions = {}): Steps<WaterfallLayout> {
  yield* tree.settle();
  // Spans that arrive while the walk yields wait until it is done (the next send shows them).
  tree.hold();
  let rows: Walk;
  const threshold = foldThresholdOf(options.foldThreshold);
  try {
    const tops = tree.tops();
    // Finding the tops is a pass over every slot, and the walk starts by allocating its columns.
    yield;
    rows = yield* walk(tree, tops, threshold, options.originNs);
    if (rows.unplaced.length > 0) {
      // Parent cycles: cut them where buildTree does and walk again with the cuts as tops.
      tops.push(...cutCycles(tree, rows.placed, rows.unplaced));
      rows = yield* walk(tree, tops, threshold, options.originNs);
    }
  } finally {
    tree.release();
  }
  groupsLastTime.set(tree, { threshold, groups: rows.rows.groupCount });
  return yield* finishLayout(rows.rows, options);
}

/** One level of the walk: a parent's children (a linked list) or the tops (an array). */
interface Level {
  /** The tops, or undefined for a parent's list. */
  list: readonly number[] | undefined;
  /** Next slot to visit (a list), or next index in `list`. */
  cursor: number;
  /** Index among the level's children of the next one (for `runs`). */
  k: number;
  parentRow: number;
  depth: number;
  runs: number[] | undefined;
  runPtr: number;
  runEnd: number;
  groupRow: number;
}

interface Walk {
  rows: Rows;
  /** 1 for the slots the walk placed. */
  placed: Uint8Array;
  /** Spans the walk did not reach (they hang off parent cycles). */
  unplaced: number[];
}

/**
 * Group rows in the tree's last layout: the next one sizes its columns to about as many (a
 * live update adds few) rather than to the most there could be, 20% more rows: ~6 MB of
 * columns never written for a million spans.
 */
const groupsLastTime = new WeakMap<FlatTree, { threshold: number; groups: number }>();

function* walk(tree: FlatTree, tops: readonly number[], threshold: number, givenOriginNs: bigint | undefined): Steps<Walk> {
  const { records, firstChild, nextSibling, childCount, start, endKey } = tree;
  const hint = tree.size;
  const spans: SpanRecord[] = new Array<SpanRecord>(hint);
  let spanCount = 0;
  /** Rows of received spans (not stand-ins): fewer than the tree's spans means parent cycles. */
  let spansPlaced = 0;
  const placed = new Uint8Array(tree.size);
  let slotOfSpan = new Int32Array(Math.max(16, hint));
  // Allocations of a million rows' worth take a while (and may start a collection): the columns, the biggest, get a step of their own.
  yield;
  const last = groupsLastTime.get(tree);
  const cols = new RowColumns(hint, threshold, last?.threshold === threshold ? last.groups : undefined);
  const baseNs = givenOriginNs ?? (tops.length > 0 ? tree.spanAt(tops[0]).startNs : 0n);
  // Exact: both are whole nanoseconds below 2^53 for spans within ~100 days.
  const baseOffset = Number(baseNs - tree.baseNs);
  yield;

  // A stand-in starts with its first child and has no end; it is never a child itself.
  const startOf = (s: number): number => (records[s] ? start[s] : start[firstChild[s]]);
  const nameOf = (s: number): string => tree.spanAt(s).name;
  /** The next child of a list at or after `c` that the walk has not placed (a cut cycle member is). */
  const skipPlaced = (c: number): number => {
    while (c !== NONE && placed[c]) c = nextSibling[c];
    return c;
  };

  const levels: Level[] = [];
  let top = -1;
  /** Pushes a level; its runs are found by the caller (`findRuns`, in steps: a parent may have a million children). */
  const enter = (list: readonly number[] | undefined, first: number, parentRow: number, d: number): Level => {
    const level = levels[++top] ?? (levels[top] = { list, cursor: 0, k: 0, parentRow, depth: d, runs: undefined, runPtr: 0, runEnd: -1, groupRow: -1 });
    level.list = list;
    level.cursor = list ? 0 : skipPlaced(first);
    level.k = 0;
    level.parentRow = parentRow;
    level.depth = d;
    level.runs = undefined;
    level.runPtr = 0;
    level.runEnd = -1;
    level.groupRow = -1;
    return level;
  };
  if (tops.length >= threshold) enter(tops, NONE, -1, 0).runs = yield* findRuns(tops, 0, nameOf, nextSibling, skipPlaced, threshold);
  else enter(tops, NONE, -1, 0);
  while (top >= 0) {
    const level = levels[top];
    let slot: number;
    if (level.list) {
      if (level.cursor === level.list.length) {
        top--;
        continue;
      }
      slot = level.list[level.cursor++];
    } else {
      if (level.cursor === NONE) {
        top--;
        continue;
      }
      slot = level.cursor;
      level.cursor = skipPlaced(nextSibling[slot]);
    }
    const k = level.k++;
    const runs = level.runs;
    if (runs !== undefined && level.runPtr < runs.length && runs[level.runPtr] === k) {
      level.runEnd = runs[level.runPtr + 1];
      level.runPtr += 2;
      level.groupRow = cols.addGroup(level.depth, level.parentRow, level.runEnd - k);
    }
    const member = k < level.runEnd;
    const span = tree.spanAt(slot);
    const i = spanCount++;
    if (i === slotOfSpan.length) slotOfSpan = grow(slotOfSpan, new Int32Array(i * 2));
    slotOfSpan[i] = slot;
    spans[i] = span;
    if (records[slot]) spansPlaced++;
    const d = member ? level.depth + 1 : level.depth;
    const startNs = startOf(slot);
    const start = (startNs - baseOffset) / 1e6;
    const endNs = records[slot] ? endKey[slot] : Infinity;
    const end = endNs !== Infinity && endNs > startNs ? start + (endNs - startNs) / 1e6 : start;
    const r = cols.addSpan(i, d, member ? level.groupRow : level.parentRow, start, end, span.statusCode === StatusCode.Error);
    placed[slot] = 1;
    if (childCount[slot] >= threshold) {
      const kids = enter(undefined, firstChild[slot], r, d + 1);
      kids.runs = yield* findRuns(undefined, kids.cursor, nameOf, nextSibling, skipPlaced, threshold);
    } else if (childCount[slot] > 0) {
      enter(undefined, firstChild[slot], r, d + 1);
    }
    if (cols.rowCount % STEP_ITEMS === 0) yield;
  }
  spans.length = spanCount;
  const unplaced: number[] = [];
  if (spansPlaced < tree.spanCount) {
    for (let s = 0; s < tree.size; s++) if (records[s] && !placed[s]) unplaced.push(s);
  }
  return {
    placed,
    unplaced,
    rows: {
      ...cols.finish(spans, baseNs, givenOriginNs),
      spans,
      slotOfSpan: slotOfSpan.subarray(0, spanCount),
    },
  };
}

/**
 * Runs of ≥ threshold consecutive same-name children, as [first, end) index pairs; undefined
 * if none. In steps: each child's name is read from its span, scattered over the heap.
 */
function* findRuns(
  list: readonly number[] | undefined,
  first: number,
  nameOf: (slot: number) => string,
  nextSibling: Int32Array,
  skipPlaced: (slot: number) => number,
  threshold: number,
): Steps<number[] | undefined> {
  let runs: number[] | undefined;
  let runFirst = 0;
  let runName: string | undefined;
  let k = 0;
  const close = (): void => {
    if (k - runFirst >= threshold) (runs ??= []).push(runFirst, k);
  };
  for (let i = 0, c = first; list ? i < list.length : c !== NONE; k++) {
    if (k % STEP_ITEMS === STEP_ITEMS - 1) yield;
    const slot = list ? list[i++] : c;
    const name = nameOf(slot);
    if (k === 0) runName = name;
    else if (name !== runName) {
      close();
      runFirst = k;
      runName = name;
    }
    if (!list) c = skipPlaced(nextSibling[c]);
  }
  close();
  return runs;
}

/**
 * What `buildTree` does with spans no top reaches: in sibling order, walk up from each to
 * its parent cycle and cut the cycle at its earliest member, which becomes a top; returns the
 * cuts in order. Marks what each cut reaches as `placed`.
 */
function cutCycles(tree: FlatTree, placed: Uint8Array, unplaced: number[]): number[] {
  const { parent, firstChild, nextSibling } = tree;
  const cuts: number[] = [];
  unplaced.sort((a, b) => tree.compare(a, b));
  for (const node of unplaced) {
    if (placed[node]) continue;
    const seen = new Set<number>();
    let onCycle = node;
    while (!seen.has(onCycle)) {
      seen.add(onCycle);
      onCycle = parent[onCycle];
    }
    let cut = onCycle;
    for (let n = parent[onCycle]; n !== onCycle; n = parent[n]) if (tree.compareUntied(n, cut) < 0) cut = n;
    cuts.push(cut);
    const stack = [cut];
    placed[cut] = 1;
    while (stack.length > 0) {
      const s = stack.pop()!;
      for (let c = firstChild[s]; c !== NONE; c = nextSibling[c]) {
        if (placed[c]) continue;
        placed[c] = 1;
        stack.push(c);
      }
    }
  }
  return cuts;
}
