import type { SpanRecord } from './span';
import { isInProgress, StatusCode } from './span';
import { buildTree } from './traceTree';
import { ShardedMap } from '../util/shardedMap';
import { runSteps, runStepsSliced, SharedRun } from '../util/steps';
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
  /**
   * Kept up to date span by span; recounted over all spans only after a replace or remove, or
   * once spans arrive after an eviction (an evicted run keeps its summary, not these).
   */
  private totals = new SummaryTotals();
  private totalsStale = false;
  private summaryCache: { version: number; value: TraceSummary } | undefined;
  private treeCache: { version: number; value: TraceTree } | undefined;
  /** Made on the first sliced build: most runs are never opened. */
  private treeBuild: SharedRun<TraceTree> | undefined;
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
    // The totals hold the earliest span and the services seen: a month of evicted runs would keep them all.
    this.totals = STALE_TOTALS;
    this.totalsStale = true;
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
    trace.totals = STALE_TOTALS;
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
    return (this.treeBuild ??= new SharedRun<TraceTree>()).run(() => {
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

/** What a trace's totals are while stale (`Trace.totalsStale`): never counted into, replaced by a recount first. */
const STALE_TOTALS = new SummaryTotals();

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
