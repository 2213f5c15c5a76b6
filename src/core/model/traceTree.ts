// Building a run's tree from its spans, in any order: siblings ordered, stand-ins for parents
// not received, cycles broken.
import { isInProgress, type SpanRecord } from './span';
import { notReceivedSpan } from './standIns';
import { standsBefore, type SpanNode, type TraceTree } from './trace';
import { ShardedMap } from '../util/shardedMap';
import { STEP_ITEMS, type Steps } from '../util/steps';

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
export function* buildTree(spans: { values(): IterableIterator<SpanRecord> }): Steps<TraceTree> {
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
