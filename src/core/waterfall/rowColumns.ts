import type { SpanRecord } from '../model/span';

/** Depths saturate here (`Uint16Array`); deeper rows are drawn at this indent. */
const MAX_DEPTH = 0xffff;

export function grow<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

export function saturate(depth: number): number {
  return depth > MAX_DEPTH ? MAX_DEPTH : depth;
}

/**
 * The columns of a layout's rows as a depth-first walk emits them (`layout.ts` over an
 * object tree, `flatRows.ts` over a flat one), grown as rows are added. Times are taken from
 * the walk's base and shifted in `finish` if some span started before it.
 */
export class RowColumns {
  rowCount = 0;
  groupCount = 0;
  spanIndex: Int32Array;
  depth: Uint16Array;
  parent: Int32Array;
  groupSize: Uint32Array;
  /** Real rows only; group rows hold +Infinity / -Infinity until their members fill them. */
  startMs: Float64Array;
  endMs: Float64Array;
  error: Uint8Array;
  private capacity: number;
  private minStart = Infinity;
  private minSpan = -1;

  /** `groupHint`: about how many groups to expect; by default room for the most there can be. */
  constructor(spanHint: number, threshold: number, groupHint?: number) {
    // Groups add at most one row per `threshold` spans.
    const mostGroups = threshold === Infinity ? 0 : Math.ceil(spanHint / threshold);
    // A guess leaves some room: more than that, and the columns are copied into bigger ones.
    const groups = groupHint === undefined ? mostGroups : Math.min(mostGroups, groupHint + Math.ceil(mostGroups / 64));
    const capacity = Math.max(16, spanHint + groups);
    this.capacity = capacity;
    this.spanIndex = new Int32Array(capacity);
    this.depth = new Uint16Array(capacity);
    this.parent = new Int32Array(capacity);
    this.groupSize = new Uint32Array(capacity);
    this.startMs = new Float64Array(capacity);
    this.endMs = new Float64Array(capacity);
    this.error = new Uint8Array(capacity);
  }

  /** A group row for the `size` same-name siblings that follow it. */
  addGroup(depth: number, parentRow: number, size: number): number {
    const g = this.add();
    this.spanIndex[g] = -1;
    this.depth[g] = saturate(depth);
    this.parent[g] = parentRow;
    this.groupSize[g] = size;
    this.startMs[g] = Infinity;
    this.endMs[g] = -Infinity;
    this.groupCount++;
    return g;
  }

  /** The row of the walk's `span`th span, its times in ms from the walk's base. */
  addSpan(span: number, depth: number, parentRow: number, startMs: number, endMs: number, failed: boolean): number {
    const r = this.add();
    this.spanIndex[r] = span;
    this.depth[r] = saturate(depth);
    this.parent[r] = parentRow;
    this.groupSize[r] = 0;
    this.startMs[r] = startMs;
    this.endMs[r] = endMs;
    if (failed) this.error[r] = 1;
    if (startMs < this.minStart) {
      this.minStart = startMs;
      this.minSpan = span;
    }
    return r;
  }

  /**
   * The columns cut to the rows emitted, with the origin: `givenOriginNs`, else the earliest
   * span's start (times shifted to it when it is before the walk's base `baseNs`).
   */
  finish(spans: readonly SpanRecord[], baseNs: bigint, givenOriginNs: bigint | undefined) {
    const n = this.rowCount;
    let originNs = baseNs;
    if (givenOriginNs === undefined && this.minSpan >= 0 && this.minStart !== 0) {
      originNs = spans[this.minSpan].startNs;
      for (let r = 0; r < n; r++) {
        this.startMs[r] -= this.minStart;
        this.endMs[r] -= this.minStart;
      }
    }
    return {
      rowCount: n,
      groupCount: this.groupCount,
      spanIndex: this.spanIndex.subarray(0, n),
      depth: this.depth.subarray(0, n),
      parent: this.parent.subarray(0, n),
      groupSize: this.groupSize.subarray(0, n),
      startMs: this.startMs.subarray(0, n),
      endMs: this.endMs.subarray(0, n),
      error: this.error.subarray(0, n),
      originNs,
    };
  }

  private add(): number {
    if (this.rowCount === this.capacity) {
      const capacity = (this.capacity *= 2);
      this.depth = grow(this.depth, new Uint16Array(capacity));
      this.spanIndex = grow(this.spanIndex, new Int32Array(capacity));
      this.parent = grow(this.parent, new Int32Array(capacity));
      this.groupSize = grow(this.groupSize, new Uint32Array(capacity));
      this.startMs = grow(this.startMs, new Float64Array(capacity));
      this.endMs = grow(this.endMs, new Float64Array(capacity));
      this.error = grow(this.error, new Uint8Array(capacity));
    }
    return this.rowCount++;
  }
}
