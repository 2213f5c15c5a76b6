import type { SpanRecord } from './span';
import { StatusCode } from './span';
import { msBetween } from './time';

/** A span placed in its trace's tree. */
export interface SpanNode {
  readonly span: SpanRecord;
  readonly children: SpanNode[];
  readonly depth: number;
  /** Its parent span never arrived (or was cut from a cycle): shown at the top of its trace. */
  readonly orphan: boolean;
}

export interface TraceTree {
  /** Root span(s) first, then orphans, each group in start order. */
  readonly roots: SpanNode[];
  readonly nodes: ReadonlyMap<string, SpanNode>;
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

/** How long a rootless run may go without a span ending before it stops counting as running. */
export const RUNNING_STALE_MS = 5 * 60_000;

/** All spans of one trace id, from however many lines and files they came. */
export class Trace {
  private readonly spans = new Map<string, SpanRecord>();
  private version = 0;
  private summaryCache: { version: number; value: TraceSummary } | undefined;
  private treeCache: { version: number; value: TraceTree } | undefined;
  private earliestStartNs: bigint | undefined;

  constructor(readonly traceId: string) {}

  get spanCount(): number {
    return this.spans.size;
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
   * A repeated span id keeps the last span written. Returns true when the span moved the
   * trace's start earlier, which moves the run in a newest-first list.
   */
  add(span: SpanRecord): boolean {
    const previous = this.spans.get(span.spanId);
    this.spans.set(span.spanId, span);
    this.version++;
    if (previous && previous.startNs === this.earliestStartNs && span.startNs > previous.startNs) {
      // The replaced span was the earliest and now starts later: the trace's start moves later.
      this.earliestStartNs = this.summary().startNs;
      return true;
    }
    if (this.earliestStartNs === undefined || span.startNs < this.earliestStartNs) {
      this.earliestStartNs = span.startNs;
      return true;
    }
    return false;
  }

  /** Drops the spans read from `file`; returns whether any were. */
  removeFromFile(file: string): boolean {
    let removed = false;
    for (const [id, span] of this.spans) {
      if (span.origin.file === file) {
        this.spans.delete(id);
        removed = true;
      }
    }
    if (removed) {
      this.version++;
      this.earliestStartNs = this.spans.size > 0 ? this.summary().startNs : undefined;
    }
    return removed;
  }

  summary(): TraceSummary {
    if (this.summaryCache?.version === this.version) return this.summaryCache.value;
    let startNs: bigint | undefined;
    let endNs = 0n;
    let errorCount = 0;
    let root: SpanRecord | undefined;
    let earliest: SpanRecord | undefined;
    const services = new Set<string>();
    for (const span of this.spans.values()) {
      if (startNs === undefined || span.startNs < startNs) {
        startNs = span.startNs;
        earliest = span;
      }
      if (span.endNs > endNs) endNs = span.endNs;
      if (span.statusCode === StatusCode.Error) errorCount++;
      if (span.parentSpanId === '' && (!root || span.startNs < root.startNs)) root = span;
      if (span.resource.serviceName) services.add(span.resource.serviceName);
    }
    const value: TraceSummary = {
      name: (root ?? earliest)?.name ?? this.traceId,
      startNs: startNs ?? 0n,
      endNs,
      spanCount: this.spans.size,
      errorCount,
      hasRoot: root !== undefined,
      root,
      serviceNames: [...services],
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
    if (summary.hasRoot) return 'complete';
    return nowMs - Number(summary.endNs / 1_000_000n) < RUNNING_STALE_MS ? 'running' : 'incomplete';
  }

  tree(): TraceTree {
    if (this.treeCache?.version === this.version) return this.treeCache.value;
    const value = buildTree(this.spans);
    this.treeCache = { version: this.version, value };
    return value;
  }
}

function byStart(a: SpanRecord, b: SpanRecord): number {
  return a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0;
}

/**
 * Links spans to their parents. Spans whose parent is missing become orphan roots; spans
 * caught in a parent cycle (bad data) are cut loose at their earliest member so every span
 * is shown exactly once and nothing loops.
 */
function buildTree(spans: ReadonlyMap<string, SpanRecord>): TraceTree {
  const childrenOf = new Map<string, SpanRecord[]>();
  const tops: SpanRecord[] = [];
  for (const span of spans.values()) {
    const parent = span.parentSpanId;
    if (parent === '' || parent === span.spanId || !spans.has(parent)) {
      tops.push(span);
    } else {
      let list = childrenOf.get(parent);
      if (!list) childrenOf.set(parent, (list = []));
      list.push(span);
    }
  }
  const nodes = new Map<string, SpanNode>();
  const place = (top: SpanRecord, orphan: boolean): SpanNode => {
    const rootNode: SpanNode = { span: top, children: [], depth: 0, orphan };
    nodes.set(top.spanId, rootNode);
    // Iterative, since real traces can nest deeper than the call stack allows.
    const stack: SpanNode[] = [rootNode];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const kids = childrenOf.get(node.span.spanId);
      if (!kids) continue;
      kids.sort(byStart);
      for (const kid of kids) {
        if (nodes.has(kid.spanId)) continue;
        const child: SpanNode = { span: kid, children: [], depth: node.depth + 1, orphan: false };
        nodes.set(kid.spanId, child);
        node.children.push(child);
        stack.push(child);
      }
    }
    return rootNode;
  };
  tops.sort((a, b) => Number(a.parentSpanId !== '') - Number(b.parentSpanId !== '') || byStart(a, b));
  const roots = tops.map((span) => place(span, span.parentSpanId !== ''));
  if (nodes.size < spans.size) {
    // What is left hangs off parent cycles. Walk up from each to its cycle and cut the cycle
    // at its earliest member, so spans below the cycle stay under their parents.
    const unplaced = [...spans.values()].filter((s) => !nodes.has(s.spanId)).sort(byStart);
    for (const span of unplaced) {
      if (nodes.has(span.spanId)) continue;
      const seen = new Set<string>();
      let onCycle = span;
      while (!seen.has(onCycle.spanId)) {
        seen.add(onCycle.spanId);
        onCycle = spans.get(onCycle.parentSpanId)!;
      }
      let cut = onCycle;
      for (let s = spans.get(onCycle.parentSpanId)!; s !== onCycle; s = spans.get(s.parentSpanId)!) if (byStart(s, cut) < 0) cut = s;
      roots.push(place(cut, true));
    }
  }
  return { roots, nodes };
}
