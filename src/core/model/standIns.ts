// Stand-ins: what a run shows for a parent span that has not arrived, made up from its
// children, and how one settles once its run is no longer running.
import { SpanKind, StatusCode, type SpanRecord } from './span';
import type { SpanNode } from './trace';

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
