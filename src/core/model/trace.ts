import type { SpanRecord } from './span';
import { isInProgress, SpanKind, StatusCode } from './span';
import { ShardedMap } from '../util/shardedMap';
import { runSteps, runStepsSliced, SharedRun, STEP_ITEMS, type Steps } from '../util/steps';
import { msBetween } from './time';

/** A span placed in its trace's tree. */
export interface SpanNode {
  readonly span: SpanRecord;
  readonly children: readonly SpanNode[];
  readonly depth: number;
  /** Shown at the top of its trace with no root above it: a stand-in, or cut from a parent cycle. */
  readonly orphan: boolean;
  /**
   * A stand-in for a span that other spans name as their parent but that has not arrived: SDKs
   * export a span when it ends, so while a run goes on its unfinished spans are missing. Its
   * `span` is made up (see `notReceivedSpan`): no end, start at its earliest child's.
   */
  readonly notReceived: boolean;
}

export interface SpanNodeIndex {
  get(spanId: string): SpanNode | undefined;
  has(spanId: string): boolean;
  readonly size: number;
}

export interface TraceTree {
  /**
   * Root span(s) first, the one the summary names leading (see `standsBefore`), then orphans
   * in sibling order (start, then end, then as written).
   */
  readonly roots: SpanNode[];
  /** Every span's node by span id. */
  readonly nodes: SpanNodeIndex;
}

/**
 * `complete`: the root span has arrived. `running`: no root yet and spans still arriving
 * (SDKs export a span when it ends, so a live agent's root lands last). `incomplete`: no
 * root and nothing new for a while; the app crashed or the root lives elsewhere.
 */
export type RunState = 'complete' | 'running' | 'incomplete';

export interface TraceSummary {
  readonly name: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly spanCount: number;
  readonly errorCount: number;
  readonly hasRoot: boolean;
  /** The run's root span (the earliest parentless one), once it has arrived. */
  readonly root: SpanRecord | undefined;
  readonly serviceNames: readonly string[];
}

/**
 * Told of every span a trace keeps, for structures kept up to date span by span instead of
 * rebuilt (`flatTree.ts`); `reset` when spans were removed and it must start over.
 */
export interface SpanFollower {
  added(span: SpanRecord): void;
  reset(): void;
}

/** How long a rootless run may go without a span ending before it stops counting as running. */
export const RUNNING_STALE_MS = 5 * 60_000;

/** Orders uses of traces, for dropping the least recently used (`Trace.lastUsed`). */
let useClock = 0;

/** All spans of one trace id, from however many lines and files they came. */
export class Trace {
  private spanMap: ShardedMap<SpanRecord> | undefined = new ShardedMap<SpanRecord>();
  /** While evicted: how many spans the trace had, and how to read them again. */
  private evicted: { readonly spanCount: number; readonly load: () => readonly SpanRecord[] } | undefined;
  /** When the trace's spans were last asked for or added to (see `useClock`). */
  lastUsed = ++useClock;
  private version = 0;
  /** Kept up to date span by span; recounted over all spans only after a replace or remove. */
  private totals = new SummaryTotals();
  private totalsStale = false;
  private summaryCache: { version: number; value: TraceSummary } | undefined;
  private treeCache: { version: number; value: TraceTree } | undefined;
  private readonly treeBuild = new SharedRun<TraceTree>();
  private follower: SpanFollower | undefined;

  constructor(readonly traceId: string) {}

  get spanCount(): number {
    return this.evicted?.spanCount ?? this.spans.size;
  }

  /** Whether the spans are out of memory; the next call that needs them reads them again. */
  get isEvicted(): boolean {
    return this.evicted !== undefined;
  }

  /**
   * Drops the spans and everything built from them, keeping the summary (and the revision, so
   * what views worked out from the spans stays valid): `load` gives them back when asked.
   */
  evict(load: () => readonly SpanRecord[]): void {
    if (this.evicted) return;
    this.summary();
    this.evicted = { spanCount: this.spans.size, load };
    this.spanMap = undefined;
    this.treeCache = undefined;
    this.follower?.reset(); // a flat tree would hold the spans; it is made again from them when next laid out
  }

  /**
   * Reads an evicted trace's spans again after some of the files they were read from went
   * away (`load` reads only the files left), and counts it as changed.
   */
  reread(): void {
    if (!this.evicted) return;
    void this.spans;
    this.version++;
    this.totalsStale = true;
    this.follower?.reset();
  }

  /**
   * A trace known from an index of its files, evicted from the start: its summary as the index
   * kept it, its spans read when first asked for (and the summary then worked out again).
   */
  static restored(traceId: string, summary: TraceSummary, load: () => readonly SpanRecord[]): Trace {
    const trace = new Trace(traceId);
    trace.spanMap = undefined;
    trace.evicted = { spanCount: summary.spanCount, load };
    trace.summaryCache = { version: 0, value: summary };
    trace.totalsStale = true;
    trace.lastUsed = 0;
    return trace;
  }

  /** The spans, read again first if they were evicted. Every use counts for `lastUsed`. */
  private get spans(): ShardedMap<SpanRecord> {
    this.lastUsed = ++useClock;
    if (this.spanMap) return this.spanMap;
    const map = new ShardedMap<SpanRecord>();
    const load = this.evicted!.load;
    this.evicted = undefined;
    this.spanMap = map;
    for (const span of load()) {
      const previous = map.get(span.spanId);
      if (!(previous && isInProgress(span) && !isInProgress(previous))) map.set(span.spanId, span);
    }
    return map;
  }

  /** Bumped on every change, so views can tell what to redraw. */
  get revision(): number {
    return this.version;
  }

  span(spanId: string): SpanRecord | undefined {
    return this.spans.get(spanId);
  }

  allSpans(): IterableIterator<SpanRecord> {
    return this.spans.values();
  }

  /**
   * A repeated span id keeps the last span written, except that a span exported while it ran
   * (no end) does not undo the same span's ended copy, whichever file is read first. Returns
   * true when the span may have moved the trace's start, which moves the run in a
   * newest-first list.
   */
  add(span: SpanRecord): boolean {
    const previous = this.spans.get(span.spanId);
    if (previous && isInProgress(span) && !isInProgress(previous)) return false;
    this.spans.set(span.spanId, span);
    this.version++;
    this.follower?.added(span);
    if (this.totalsStale) return true;
    const before = this.totals.earliest;
    if (previous && !this.totals.replace(previous, span)) {
      // The replaced span held the start, the end or the root: recounted on the next summary().
      this.totalsStale = true;
      return true;
    }
    if (!previous) this.totals.count(span);
    return this.totals.earliest?.startNs !== before?.startNs;
  }

  /** Drops the spans read from `file`; returns whether any were. */
  removeFromFile(file: string): boolean {
    let removed = false;
    for (const [id, span] of this.spans.entries()) {
      if (span.origin.file === file) {
        this.spans.delete(id);
        removed = true;
      }
    }
    if (removed) {
      this.version++;
      this.totalsStale = true;
      this.follower?.reset();
    }
    return removed;
  }

  /** Tells `follower` (one at a time) of every span kept from now on; see `SpanFollower`. */
  follow(follower: SpanFollower | undefined): void {
    this.follower = follower;
  }

  /** Whether `allSpans()` goes shard by shard (see `ShardedMap.isSplit`): ties in sibling order follow it. */
  get iteratesByShard(): boolean {
    return this.spans.isSplit;
  }

  summary(): TraceSummary {
    if (this.summaryCache?.version === this.version) return this.summaryCache.value;
    if (this.totalsStale) {
      this.totals = new SummaryTotals();
      for (const span of this.spans.values()) this.totals.count(span);
      this.totalsStale = false;
    }
    const t = this.totals;
    const value: TraceSummary = {
      name: (t.root ?? t.earliest)?.name ?? this.traceId,
      startNs: t.earliest?.startNs ?? 0n,
      endNs: t.endNs,
      spanCount: this.spans.size,
      errorCount: t.errorCount,
      hasRoot: t.root !== undefined,
      root: t.root,
      serviceNames: [...t.services],
    };
    this.summaryCache = { version: this.version, value };
    return value;
  }

  /** How long the run took, or, while it is running, has taken so far. */
  durationMs(nowMs: number): number {
    const s = this.summary();
    return this.state(nowMs) === 'running' ? Math.max(0, nowMs - Number(s.startNs / 1_000_000n)) : msBetween(s.startNs, s.endNs);
  }

  state(nowMs: number): RunState {
    const summary = this.summary();
    // A root exported before it ended (some exporters show spans live) leaves the run running.
    if (summary.root && !isInProgress(summary.root)) return 'complete';
    return nowMs - Number(summary.endNs / 1_000_000n) < RUNNING_STALE_MS ? 'running' : 'incomplete';
  }

  /** The span tree, built at once if the trace changed since the last build. */
  tree(): TraceTree {
    if (this.treeCache?.version === this.version) return this.treeCache.value;
    const value = runSteps(buildTree(this.spans));
    this.treeCache = { version: this.version, value };
    return value;
  }

  /**
   * The span tree, built in time slices when the trace changed since the last build. Callers
   * that ask while a build runs share it, even if spans arrived meanwhile (those are in the
   * next build): a live trace's watchers would otherwise queue one full build each.
   */
  treeSliced(): Promise<TraceTree> {
    if (this.treeCache?.version === this.version) return Promise.resolve(this.treeCache.value);
    return this.treeBuild.run(() => {
      const version = this.version;
      return runStepsSliced(buildTree(this.spans)).then((value) => {
        if (!this.treeCache || this.treeCache.version < version) this.treeCache = { version, value };
        return value;
      });
    });
  }

  /** The last tree built, even if spans have arrived since: for labels of items already shown. */
  latestTree(): TraceTree | undefined {
    return this.treeCache?.value;
  }

  /** Whether `latestTree()` has every span that has arrived. */
  get treeIsCurrent(): boolean {
    return this.treeCache?.version === this.version;
  }
}

/** The running totals behind `Trace.summary()`. */
class SummaryTotals {
  earliest: SpanRecord | undefined;
  endNs = 0n;
  errorCount = 0;
  root: SpanRecord | undefined;
  readonly services = new Set<string>();

  count(span: SpanRecord): void {
    if (!this.earliest || standsBefore(span, this.earliest)) this.earliest = span;
    const end = endOf(span);
    if (end > this.endNs) this.endNs = end;
    if (span.statusCode === StatusCode.Error) this.errorCount++;
    if (span.parentSpanId === '' && (!this.root || standsBefore(span, this.root))) this.root = span;
    if (span.resource.serviceName) this.services.add(span.resource.serviceName);
  }

  /**
   * Swaps `previous` for `next` (same span id) where the totals allow it; false when `next`
   * gives up the earliest start, the root or the latest end that `previous` held: only a
   * recount finds who holds them now. (A span exported again unchanged never needs one.)
   */
  replace(previous: SpanRecord, next: SpanRecord): boolean {
    if (previous === this.earliest && standsBefore(previous, next)) return false;
    if (previous === this.root && (next.parentSpanId !== '' || standsBefore(previous, next))) return false;
    if (endOf(previous) === this.endNs && endOf(next) < this.endNs) return false;
    if (previous === this.earliest) this.earliest = next;
    if (previous === this.root) this.root = next;
    if (previous.statusCode === StatusCode.Error) this.errorCount--;
    this.count(next);
    return true;
  }
}

/** The latest time a span is known to have been alive: its end, or its start while it runs. */
function endOf(span: SpanRecord): bigint {
  return span.endNs > span.startNs ? span.endNs : span.startNs;
}

/**
 * Which of two spans stands for a run (its root among parentless spans, its name while the
 * root has not arrived): the earliest start; on a tie (times are often recorded to the
 * millisecond) the one that ends last, since a parent starts with its first child and ends
 * after it (a span still running ends last of all); then the lower span id. Never the order
 * of arrival, so a trace gets the same name however its spans came in.
 */
export function standsBefore(a: SpanRecord, b: SpanRecord): boolean {
  if (a.startNs !== b.startNs) return a.startNs < b.startNs;
  const aRunning = isInProgress(a);
  if (aRunning !== isInProgress(b)) return aRunning;
  if (a.endNs !== b.endNs) return a.endNs > b.endNs;
  return a.spanId < b.spanId;
}

/** The made-up spans of stand-ins (`notReceivedSpan`, `settledStandIn`). */
const standIns = new WeakSet<SpanRecord>();

/** Whether `span` is a stand-in's made-up span, for a parent that has not arrived. */
export function isNotReceived(span: SpanRecord): boolean {
  return standIns.has(span);
}

/**
 * What is known of a span that has not arrived, from its earliest child: its id, trace and
 * service, and that it started by then. No end: it is drawn as still running.
 */
export function notReceivedSpan(child: SpanRecord, spanId: string): SpanRecord {
  const span: SpanRecord = {
    traceId: child.traceId,
    spanId,
    parentSpanId: '',
    name: `span ${spanId.slice(0, 8)} (not received yet)`,
    kind: SpanKind.Unspecified,
    startNs: child.startNs,
    endNs: 0n,
    statusCode: StatusCode.Unset,
    errorMessage: undefined,
    attributes: undefined,
    resource: child.resource,
    scope: undefined,
    origin: child.origin,
    byteStart: -1,
    byteEnd: -1,
  };
  standIns.add(span);
  return span;
}

/** Per node of a built tree (a tree is built anew when spans arrive, so a node's subtree never changes). */
const lastEnds = new WeakMap<SpanNode, bigint>();

/** The latest end among the spans under `node` (0 for none ended), as a settled stand-in ends (`settledStandIn`). */
export function lastEndBelow(node: SpanNode): bigint {
  const known = lastEnds.get(node);
  if (known !== undefined) return known;
  let last = 0n;
  const stack: SpanNode[] = [...node.children];
  // Iterative, since real traces can nest deeper than the call stack allows.
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    if (n.span.endNs > last) last = n.span.endNs;
    for (const child of n.children) stack.push(child);
  }
  lastEnds.set(node, last);
  return last;
}

/**
 * A stand-in once its run is no longer running: the span will not arrive now, so it is no
 * longer said to be running. It ends when the last of its children that ended did
 * (`lastChildEndNs`, 0 for none), and is named as not received, without the "yet".
 */
export function settledStandIn(standIn: SpanRecord, lastChildEndNs: bigint): SpanRecord {
  const span: SpanRecord = {
    ...standIn,
    name: `span ${standIn.spanId.slice(0, 8)} (not received)`,
    endNs: lastChildEndNs > standIn.startNs ? lastChildEndNs : standIn.startNs,
  };
  standIns.add(span);
  return span;
}

/**
 * Sibling order: by start; ties (times recorded to the millisecond, as the OpenTelemetry JS
 * SDK does, make a step and the call right after it tie) by end, a span still running last;
 * then in the order written: file, then place in it; then as they arrived.
 */
function compareSiblings(a: NodeBuild, b: NodeBuild): number {
  const x = a.span;
  const y = b.span;
  if (x.startNs !== y.startNs) return x.startNs < y.startNs ? -1 : 1;
  return compareEnds(x, y) || compareWritten(x, y);
}

function compareEnds(x: SpanRecord, y: SpanRecord): number {
  const xRunning = isInProgress(x);
  if (xRunning !== isInProgress(y)) return xRunning ? 1 : -1;
  return x.endNs < y.endNs ? -1 : x.endNs > y.endNs ? 1 : 0;
}

export function compareWritten(x: SpanRecord, y: SpanRecord): number {
  if (x.origin.file !== y.origin.file) return x.origin.file < y.origin.file ? -1 : 1;
  return x.byteStart - y.byteStart;
}

/**
 * Sorts nodes in sibling order (`compareSiblings`), stably, in place; nothing to do when they
 * already are (as spans mostly arrive). Times are compared as doubles (ns from the first),
 * not bigints: that made a 50,000-child fan-out take 150 ms. Exact for spans within ~100
 * days of each other.
 */
function sortSiblings(nodes: NodeBuild[]): void {
  const n = nodes.length;
  let i = 1;
  while (i < n && compareSiblings(nodes[i - 1], nodes[i]) <= 0) i++;
  if (i >= n) return;
  const base = nodes[0].span.startNs;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const span = nodes[k].span;
    starts[k] = Number(span.startNs - base);
    ends[k] = isInProgress(span) ? Infinity : Number(span.endNs - base);
  }
  const order = Array.from({ length: n }, (_, k) => k).sort(
    // Infinity − Infinity is NaN, falsy: two running spans fall through to the order written.
    (a, b) => starts[a] - starts[b] || ends[a] - ends[b] || compareWritten(nodes[a].span, nodes[b].span) || a - b,
  );
  const before = nodes.slice();
  for (let k = 0; k < n; k++) nodes[k] = before[order[k]];
}

/** A node while the tree is being built. Leaves share one frozen empty `children`. */
interface NodeBuild {
  span: SpanRecord;
  children: NodeBuild[];
  /** -1 until the node is reached from a top. */
  depth: number;
  orphan: boolean;
  readonly notReceived: boolean;
}

const NO_CHILDREN = Object.freeze([]) as unknown as NodeBuild[];

/**
 * Links spans to their parents. Spans whose parent is missing become orphan tops; spans
 * caught in a parent cycle (bad data) are cut loose at their earliest member so every span
 * is shown exactly once and nothing loops. Linear apart from sorting children (`sortSiblings`,
 * skipped when they already are in order, as spans mostly arrive). Yields every `STEP_ITEMS` spans.
 */
function* buildTree(spans: { values(): IterableIterator<SpanRecord> }): Steps<TraceTree> {
  const nodes = new ShardedMap<NodeBuild>();
  let work = 0;
  for (const span of spans.values()) {
    nodes.set(span.spanId, { span, children: NO_CHILDREN, depth: -1, orphan: false, notReceived: false });
    if (++work % STEP_ITEMS === 0) yield;
  }
  const tops: NodeBuild[] = [];
  const standIns: NodeBuild[] = [];
  for (const node of nodes.values()) {
    if (node.notReceived) continue; // added in this loop
    const parentId = node.span.parentSpanId;
    let parent = parentId === '' || parentId === node.span.spanId ? undefined : nodes.get(parentId);
    if (!parent && parentId !== '' && parentId !== node.span.spanId) {
      // The parent has not arrived: its children gather under one stand-in for it.
      parent = { span: node.span, children: NO_CHILDREN, depth: -1, orphan: true, notReceived: true };
      nodes.set(parentId, parent);
      standIns.push(parent);
      tops.push(parent);
    }
    if (!parent) {
      node.orphan = parentId !== '';
      tops.push(node);
    } else if (parent.children === NO_CHILDREN) {
      parent.children = [node];
    } else {
      parent.children.push(node);
    }
    if (++work % STEP_ITEMS === 0) yield;
  }
  for (const standIn of standIns) {
    let first = standIn.children[0];
    for (const child of standIn.children) if (compareSiblings(child, first) < 0) first = child;
    standIn.span = notReceivedSpan(first.span, first.span.parentSpanId);
  }
  const realTops = tops.filter((n) => !n.orphan);
  const orphanTops = tops.filter((n) => n.orphan);
  // The root the run's summary names first (several parentless spans are bad data, but happen).
  realTops.sort((a, b) => (a === b ? 0 : standsBefore(a.span, b.span) ? -1 : 1));
  sortSiblings(orphanTops);
  const roots: NodeBuild[] = [];
  let placed = 0;
  // Iterative, since real traces can nest deeper than the call stack allows.
  function* place(top: NodeBuild): Steps<void> {
    top.depth = 0;
    roots.push(top);
    const stack: NodeBuild[] = [top];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const kids = node.children;
      if (kids.length > 1) sortSiblings(kids);
      for (const kid of kids) {
        kid.depth = node.depth + 1;
        stack.push(kid);
      }
      placed++;
      work += kids.length + 1;
      if (work >= STEP_ITEMS) {
        work = 0;
        yield;
      }
    }
  }
  // Root(s) first, then stand-ins and orphans.
  for (const top of realTops) yield* place(top);
  for (const top of orphanTops) yield* place(top);
  if (placed < nodes.size) {
    // What is left hangs off parent cycles. Walk up from each to its cycle and cut the cycle
    // at its earliest member, so spans below the cycle stay under their parents.
    const unplaced = [...nodes.values()].filter((n) => n.depth < 0).sort(compareSiblings);
    for (const node of unplaced) {
      if (node.depth >= 0) continue;
      const seen = new Set<NodeBuild>();
      let onCycle = node;
      while (!seen.has(onCycle)) {
        seen.add(onCycle);
        onCycle = nodes.get(onCycle.span.parentSpanId)!;
      }
      let cut = onCycle;
      for (let n = nodes.get(onCycle.span.parentSpanId)!; n !== onCycle; n = nodes.get(n.span.parentSpanId)!) if (compareSiblings(n, cut) < 0) cut = n;
      const parent = nodes.get(cut.span.parentSpanId)!;
      const siblings = parent.children.filter((c) => c !== cut);
      parent.children = siblings.length > 0 ? siblings : NO_CHILDREN;
      cut.orphan = true;
      yield* place(cut);
    }
  }
  return { roots, nodes };
}
