/**
 * The critical path of a laid-out waterfall: which rows (and, when asked for, which stretches
 * of them) made the run as long as it was. Works on the layout's columns (rows in depth-first
 * order with `subtreeEnd`, group rows stepped through to their members as layout.ts explains),
 * iteratively, so any depth and fan-out of a million spans works.
 */

import { inSteps, STEP_ITEMS, type Steps } from '../util/steps';

/** One stretch of the critical path: `row` itself (not its children) was running then. */
export interface CriticalSegments {
  /** Row of each segment; segments are in time order. */
  readonly row: Int32Array;
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
}

/**
 * A span with no length (end ≤ start: still running, or its end was never recorded) that has
 * children is taken to last until its last descendant ends; the critical path can then pass
 * through it. Spans with a length keep their own end. A group row's end follows its members'.
 * In steps: a pass over a million rows.
 */
export function* effectiveEnds(parent: Int32Array, groupSize: Uint32Array, startMs: Float64Array, endMs: Float64Array): Steps<Float64Array> {
  const n = parent.length;
  let eff = endMs; // copied only if some span needs a later end, which is rare
  // Reverse depth-first order: every descendant of r is final before r lifts into its parent.
  yield* inSteps(
    n,
    (from, to) => {
      for (let r = to - 1; r >= from; r--) {
        const p = parent[r];
        if (p >= 0 && eff[r] > eff[p] && (groupSize[p] > 0 || endMs[p] <= startMs[p])) {
          if (eff === endMs) eff = endMs.slice();
          eff[p] = eff[r];
        }
      }
    },
    true,
  );
  return eff;
}

export interface CriticalResult {
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
export function* criticalPath(
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

function grow<T extends Uint8Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
