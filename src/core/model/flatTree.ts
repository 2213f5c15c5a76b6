/**
 * A trace's span tree as typed arrays, kept up to date span by span as spans arrive: what the
 * waterfall lays out for a big trace. The object tree (`Trace.tree()`) makes a node, a
 * children array and a map entry per span, rebuilt on every change: for a million spans
 * that is hundreds of MB of small objects whose garbage collection held the extension host
 * for a second. Here a span is a slot: an index into columns of parent, children (a doubly
 * linked list in sibling order), start and end, so a live update links one span in.
 *
 * Same tree as `buildTree` (trace.ts): stand-ins for parents not received, tops in the same
 * order, siblings by start, then end (running last), then as written, then as `allSpans()`
 * iterates; cycles are cut where `buildTree` cuts them (by the layout walk, `flatRows.ts`,
 * since the cut depends on what the walk reached).
 *
 * Times are nanoseconds from the first span's start, as doubles: exact for spans within ~100
 * days of it, as the object tree's sort assumes too.
 */
import { isInProgress, type SpanRecord } from './span';
import { ShardedMap, SPLIT_AT } from '../util/shardedMap';
import { runSteps, STEP_ITEMS, type Steps } from '../util/steps';
import { notReceivedSpan } from './standIns';
import { standsBefore, type SpanFollower, type Trace } from './trace';
import { compareWritten } from './traceTree';

export const NONE = -1;
/** How far back from a parent's last child a new child's place is looked for before the list is left to sort. */
const SCAN_BACK = 32;

export class FlatTree implements SpanFollower {
  /** Span id → slot, for spans and for parents named by spans but not received (stand-ins). */
  private readonly slotOf: ShardedMap<number>;
  /** Slots in use. */
  size = 0;
  /** Slots holding a span (the rest are stand-ins). */
  spanCount = 0;
  readonly ids: string[] = [];
  /** The span, or undefined for a stand-in (see `standInSpan`). */
  readonly records: (SpanRecord | undefined)[] = [];
  parent = new Int32Array(0);
  firstChild = new Int32Array(0);
  lastChild = new Int32Array(0);
  nextSibling = new Int32Array(0);
  prevSibling = new Int32Array(0);
  childCount = new Int32Array(0);
  /** ns from `baseNs`. */
  start = new Float64Array(0);
  /** ns from `baseNs`; Infinity while the span runs (sibling order puts it last). */
  endKey = new Float64Array(0);
  /** Place in `allSpans()` order (see `orderKey`). */
  private arrival = new Float64Array(0);
  private arrivals = 0;
  /** Arrival → slot: the spans in arrival order without a sort (`spansInTraceOrder`). */
  private slotByArrival = new Int32Array(0);
  /** `ShardedMap.shardOf` the slot's id, noted while the id is at hand (`spansInTraceOrder`). */
  private shard = new Uint8Array(0);
  /**
   * A byte per slot that views may keep what they derive from the span alone in (the
   * waterfall: its row's kind and whether it has source), so a live update derives it for the
   * new spans only. Zero: not known; cleared when the slot's span changes.
   */
  memo = new Uint8Array(0);
  /** Parents whose children are not in sibling order (a child came too far out of it). */
  private dirty = new Uint8Array(0);
  private readonly dirtyList: number[] = [];
  baseNs = 0n;
  private hasBase = false;
  private byShard: boolean;
  /**
   * The trace's spans as they were when the tree was asked for, linked by `settle` in steps
   * (iterated as it goes: a million spans take a while). Spans kept meanwhile wait in
   * `pending`; one the walk sees too is linked twice, the second time changing nothing.
   */
  private backlog: Iterator<SpanRecord> | undefined;
  private pending: SpanRecord[] = [];
  private holds = 0;
  /** Spans were removed from the trace: this tree is dropped and built again. */
  stale = false;
  private readonly standIns = new Map<number, { child: SpanRecord; span: SpanRecord }>();

  constructor(private readonly trace: Trace) {
    // A tree made for a trace already past the split size starts split: its map would split
    // within the first linking anyway, rehashing what it holds by then in one go.
    this.slotOf = new ShardedMap<number>(trace.spanCount >= SPLIT_AT ? 0 : SPLIT_AT);
    this.byShard = trace.iteratesByShard;
    this.backlog = trace.allSpans();
    this.reserve(trace.spanCount + 16);
  }

  added(span: SpanRecord): void {
    if (this.backlog || this.holds > 0) this.pending.push(span);
    else this.link(span);
  }

  /**
   * Keeps the tree as it is while a layout walks it in steps (spans keep arriving between
   * them): spans kept meanwhile are linked on the last `release`.
   */
  hold(): void {
    this.holds++;
  }

  release(): void {
    if (--this.holds > 0 || this.backlog) return;
    const pending = this.pending;
    this.pending = [];
    for (const span of pending) this.link(span);
  }

  reset(): void {
    this.stale = true;
    this.trace.follow(undefined);
    // Let go of the columns: an evicted trace stays in the store, summarised, for a long time.
    if (trees.get(this.trace) === this) trees.delete(this.trace);
  }

  /** Whether every span kept so far is linked and every list is in sibling order. */
  get settled(): boolean {
    return this.backlog === undefined && this.dirtyList.length === 0 && this.byShard === this.trace.iteratesByShard;
  }

  /**
   * Links the spans there before the tree was made, then sorts the lists that need it. The
   * progress is the tree's, not the generator's: callers that interleave share the work.
   */
  *settle(): Steps<void> {
    while (this.backlog) {
      for (let k = 0; k < STEP_ITEMS && this.backlog; k++) {
        const next = this.backlog.next();
        if (!next.done) {
          this.link(next.value);
          continue;
        }
        this.backlog = undefined;
        this.holds++;
        this.release();
      }
      yield;
    }
    // A layout is walking the tree: it stays as that layout sees it.
    if (this.holds > 0) return;
    if (this.byShard !== this.trace.iteratesByShard) {
      // The trace's spans now iterate shard by shard: ties among siblings order differently.
      this.byShard = this.trace.iteratesByShard;
      for (let s = 0; s < this.size; s++) if (this.childCount[s] > 1) this.markDirty(s);
    }
    let work = 0;
    while (this.dirtyList.length > 0) {
      const p = this.dirtyList.pop()!;
      this.dirty[p] = 0;
      work += this.sortChildren(p);
      if (work >= STEP_ITEMS) {
        work = 0;
        yield;
      }
    }
  }

  slot(spanId: string): number | undefined {
    return this.slotOf.get(spanId);
  }

  /** A stand-in's made-up span, from its first child (see `notReceivedSpan`); the tree must be settled. */
  standInSpan(slot: number): SpanRecord {
    const child = this.records[this.firstChild[slot]]!;
    const known = this.standIns.get(slot);
    if (known?.child === child) return known.span;
    const span = notReceivedSpan(child, this.ids[slot]);
    this.standIns.set(slot, { child, span });
    return span;
  }

  /** The span a slot shows: its own, or a stand-in's made-up one. */
  spanAt(slot: number): SpanRecord {
    return this.records[slot] ?? this.standInSpan(slot);
  }

  /**
   * The tops, in `buildTree`'s order: parentless spans (the one the summary names first),
   * then stand-ins and spans that name themselves as parent, in sibling order. Settled tree.
   */
  tops(): number[] {
    const real: number[] = [];
    const orphans: number[] = [];
    for (let s = 0; s < this.size; s++) {
      const span = this.records[s];
      if (span === undefined) {
        if (this.childCount[s] > 0) orphans.push(s);
      } else if (this.parent[s] === NONE) {
        (span.parentSpanId === '' ? real : orphans).push(s);
      }
    }
    real.sort((a, b) => (a === b ? 0 : standsBefore(this.records[a]!, this.records[b]!) ? -1 : 1));
    if (orphans.length > 1) {
      // Ties go by place in buildTree's list of tops: a stand-in's is that of its first child in
      // `allSpans()` order, which made it.
      const place = new Map<number, number>();
      for (const s of orphans) {
        if (this.records[s]) {
          place.set(s, this.orderKey(s));
          continue;
        }
        let first = Infinity;
        for (let c = this.firstChild[s]; c !== NONE; c = this.nextSibling[c]) first = Math.min(first, this.orderKey(c));
        place.set(s, first);
      }
      orphans.sort((a, b) => this.compareTops(a, b) || place.get(a)! - place.get(b)!);
    }
    return real.concat(orphans);
  }

  /** Sibling order without the last tie-break; stand-ins by their made-up span. */
  private compareTops(a: number, b: number): number {
    const x = this.spanAt(a);
    const y = this.spanAt(b);
    const sa = this.records[a] ? this.start[a] : this.start[this.firstChild[a]];
    const sb = this.records[b] ? this.start[b] : this.start[this.firstChild[b]];
    if (sa !== sb) return sa - sb;
    const ea = this.records[a] ? this.endKey[a] : Infinity;
    const eb = this.records[b] ? this.endKey[b] : Infinity;
    if (ea !== eb) return ea < eb ? -1 : 1;
    return compareWritten(x, y);
  }

  /** Sibling order of two spans (slots with a record). */
  compare(a: number, b: number): number {
    return this.compareUntied(a, b) || this.orderKey(a) - this.orderKey(b);
  }

  /** Sibling order by start, end and place written only (`compareSiblings`): 0 for ties. */
  compareUntied(a: number, b: number): number {
    const d = this.start[a] - this.start[b];
    if (d !== 0) return d;
    const ea = this.endKey[a];
    const eb = this.endKey[b];
    if (ea !== eb) return ea < eb ? -1 : 1;
    return compareWritten(this.records[a]!, this.records[b]!);
  }

  /**
   * The slots of the spans linked so far in `allSpans()` order (see `orderKey`), in steps: for
   * views that must list spans as the trace iterates them, without looking each one up by id.
   * Arrival order is kept as spans are linked (returned as a view: the column is appended to
   * only); once the trace's map has split, a stable counting sort by shard (16 of them) puts it
   * in shard order, in two more passes.
   */
  *spansInTraceOrder(): Steps<Int32Array> {
    const n = this.arrivals;
    const byArrival = this.slotByArrival;
    if (!this.byShard) return byArrival.subarray(0, n);
    const shardOf = this.shard;
    const next = new Int32Array(17);
    for (let a = 0; a < n; a++) {
      if (a % STEP_ITEMS === STEP_ITEMS - 1) yield;
      next[shardOf[byArrival[a]] + 1]++;
    }
    for (let shard = 1; shard <= 16; shard++) next[shard] += next[shard - 1];
    yield;
    const order = new Int32Array(n);
    for (let a = 0; a < n; a++) {
      if (a % STEP_ITEMS === STEP_ITEMS - 1) yield;
      const slot = byArrival[a];
      order[next[shardOf[slot]]++] = slot;
    }
    return order;
  }

  /** Place in `allSpans()` order: arrival, or shard then arrival once the trace's map has split. */
  private orderKey(slot: number): number {
    return this.byShard ? this.shard[slot] * 2 ** 32 + this.arrival[slot] : this.arrival[slot];
  }

  private link(span: SpanRecord): void {
    if (!this.byShard && this.trace.iteratesByShard) {
      this.byShard = true;
      for (let s = 0; s < this.size; s++) if (this.childCount[s] > 1) this.markDirty(s);
    }
    let slot = this.slotOf.get(span.spanId);
    if (slot === undefined) slot = this.newSlot(span.spanId);
    if (this.records[slot] === undefined) {
      this.arrival[slot] = this.arrivals;
      this.slotByArrival[this.arrivals++] = slot;
      this.spanCount++;
      this.standIns.delete(slot);
    } else {
      this.unlink(slot);
    }
    this.records[slot] = span;
    this.memo[slot] = 0;
    if (!this.hasBase) {
      this.baseNs = span.startNs;
      this.hasBase = true;
    }
    this.start[slot] = Number(span.startNs - this.baseNs);
    this.endKey[slot] = isInProgress(span) ? Infinity : Number(span.endNs - this.baseNs);
    const parentId = span.parentSpanId;
    if (parentId === '' || parentId === span.spanId) return;
    let p = this.slotOf.get(parentId);
    if (p === undefined) p = this.newSlot(parentId);
    this.parent[slot] = p;
    this.insertChild(p, slot);
  }

  private newSlot(spanId: string): number {
    // A big trace's tree lives as long as its spans (`KEEP_FLAT_TREE_FROM`): past 64k slots it
    // grows by a quarter, not double, so at most a fifth of its columns is room to grow.
    if (this.size === this.parent.length) this.reserve(this.size < 1 << 16 ? this.size * 2 : this.size + (this.size >> 2));
    const s = this.size++;
    this.slotOf.set(spanId, s);
    this.shard[s] = ShardedMap.shardOf(spanId);
    this.ids.push(spanId);
    this.records.push(undefined);
    this.parent[s] = NONE;
    this.firstChild[s] = NONE;
    this.lastChild[s] = NONE;
    this.nextSibling[s] = NONE;
    this.prevSibling[s] = NONE;
    return s;
  }

  private reserve(capacity: number): void {
    if (capacity <= this.parent.length) return;
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.parent = grow(this.parent, new Int32Array(capacity));
    this.firstChild = grow(this.firstChild, new Int32Array(capacity));
    this.lastChild = grow(this.lastChild, new Int32Array(capacity));
    this.nextSibling = grow(this.nextSibling, new Int32Array(capacity));
    this.prevSibling = grow(this.prevSibling, new Int32Array(capacity));
    this.childCount = grow(this.childCount, new Int32Array(capacity));
    this.start = grow(this.start, new Float64Array(capacity));
    this.endKey = grow(this.endKey, new Float64Array(capacity));
    this.arrival = grow(this.arrival, new Float64Array(capacity));
    this.slotByArrival = grow(this.slotByArrival, new Int32Array(capacity));
    this.shard = grow(this.shard, new Uint8Array(capacity));
    this.dirty = grow(this.dirty, new Uint8Array(capacity));
    this.memo = grow(this.memo, new Uint8Array(capacity));
  }

  /** Takes a span out of its parent's list (a span sent again may move or change parent). */
  private unlink(slot: number): void {
    const p = this.parent[slot];
    if (p === NONE) return;
    const prev = this.prevSibling[slot];
    const next = this.nextSibling[slot];
    if (prev === NONE) this.firstChild[p] = next;
    else this.nextSibling[prev] = next;
    if (next === NONE) this.lastChild[p] = prev;
    else this.prevSibling[next] = prev;
    this.childCount[p]--;
    this.parent[slot] = NONE;
  }

  /**
   * Puts a child in its place, looking back from the last child a few steps (spans mostly
   * arrive in order: children end, and are exported, one after another); further out of
   * order, it goes last and the list is sorted once, by `settle`.
   */
  private insertChild(p: number, c: number): void {
    const last = this.lastChild[p];
    this.childCount[p]++;
    let after = last;
    if (!this.dirty[p]) {
      for (let steps = 0; after !== NONE && this.compare(c, after) < 0; steps++) {
        if (steps === SCAN_BACK) {
          after = last;
          this.markDirty(p);
          break;
        }
        after = this.prevSibling[after];
      }
    }
    const next = after === NONE ? this.firstChild[p] : this.nextSibling[after];
    this.prevSibling[c] = after;
    this.nextSibling[c] = next;
    if (after === NONE) this.firstChild[p] = c;
    else this.nextSibling[after] = c;
    if (next === NONE) this.lastChild[p] = c;
    else this.prevSibling[next] = c;
  }

  private markDirty(p: number): void {
    if (this.dirty[p]) return;
    this.dirty[p] = 1;
    this.dirtyList.push(p);
  }

  /** Sorts a parent's list (stable, adaptive); returns the work done, for stepping. */
  private sortChildren(p: number): number {
    const kids: number[] = [];
    for (let c = this.firstChild[p]; c !== NONE; c = this.nextSibling[c]) kids.push(c);
    kids.sort((a, b) => this.compare(a, b));
    let prev = NONE;
    for (const c of kids) {
      this.prevSibling[c] = prev;
      if (prev === NONE) this.firstChild[p] = c;
      else this.nextSibling[prev] = c;
      prev = c;
    }
    this.nextSibling[prev] = NONE;
    this.lastChild[p] = prev;
    return kids.length;
  }
}

const trees = new WeakMap<Trace, FlatTree>();

/** The trace's flat tree, made on first use and kept up to date span by span from then on. */
export function flatTreeOf(trace: Trace): FlatTree {
  let tree = trees.get(trace);
  if (!tree || tree.stale) {
    tree = new FlatTree(trace);
    trees.set(trace, tree);
    trace.follow(tree);
  }
  return tree;
}

/**
 * Spans from which a trace keeps its flat tree as its spans are read, whether or not its
 * waterfall is open (`keepFlatTreeOfBigTrace`): the waterfall then opens on a tree already
 * made rather than linking every span first (~150 ms for 100,000). The cost: a link per span
 * as spans are read (~1.5 µs) and ~100 bytes a span while its spans are held. Smaller traces
 * make theirs when their waterfall opens, in a few ms.
 */
export const KEEP_FLAT_TREE_FROM = 5_000;

/**
 * As spans are kept: a trace that has reached `KEEP_FLAT_TREE_FROM` spans and has no flat tree
 * makes one, linking what it holds (from then on each span is linked as it comes). Not for a
 * trace that came to hold many more at once (read back after eviction, or a big file's line):
 * linking those in one go would hold the host; its waterfall makes its tree in steps instead.
 */
export function keepFlatTreeOfBigTrace(trace: Trace): void {
  const count = trace.spanCount;
  if (count < KEEP_FLAT_TREE_FROM || count > 4 * KEEP_FLAT_TREE_FROM) return;
  const tree = trees.get(trace);
  if (tree && !tree.stale) return;
  runSteps(flatTreeOf(trace).settle());
}

/**
 * Drops the trace's flat tree (its waterfall closed): ~100 bytes a span, and a follower told of
 * every span. A big trace keeps it (`KEEP_FLAT_TREE_FROM`), for the next open.
 */
export function releaseFlatTree(trace: Trace): void {
  if (trace.spanCount >= KEEP_FLAT_TREE_FROM) return;
  trees.get(trace)?.reset();
}

/**
 * A parent that spans of the trace name but that has not arrived, as the trace's flat tree
 * knows it (undefined when it has none): for the details of a stand-in row.
 */
export function flatStandIn(trace: Trace, spanId: string): { readonly span: SpanRecord; readonly childCount: number; readonly lastEndNs: bigint } | undefined {
  const tree = trees.get(trace);
  if (!tree || tree.stale) return undefined;
  runSteps(tree.settle());
  const slot = tree.slot(spanId);
  if (slot === undefined || tree.records[slot] !== undefined || tree.childCount[slot] === 0) return undefined;
  return { span: tree.standInSpan(slot), childCount: tree.childCount[slot], lastEndNs: lastEndBelow(tree, slot) };
}

/** The latest end among the spans under `slot` (0 for none ended), as a settled stand-in ends (`settledStandIn`). */
function lastEndBelow(tree: FlatTree, slot: number): bigint {
  let last = 0n;
  const stack = [slot];
  // Bounded by the tree's size: each slot is under one parent.
  for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
    for (let c = tree.firstChild[s]; c !== NONE; c = tree.nextSibling[c]) {
      const end = tree.records[c]?.endNs ?? 0n;
      if (end > last) last = end;
      stack.push(c);
    }
  }
  return last;
}
