import { describeSpan } from '../genai/conventions';
import { isInProgress, spanDurationMs, StatusCode, type Attributes } from '../model/span';
import type { SpanNode } from '../model/trace';
import type { ComparePairView, CompareSpanView } from '../../protocol/compare';
import type { AlignedPair } from './align';

/** One side of a pair from the index alone (no payloads): timing, status, kind, model, tokens. */
export function spanView(node: SpanNode, runStartNs: bigint): CompareSpanView {
  const span = node.span;
  const d = describeSpan(span);
  const error = span.statusCode === StatusCode.Error;
  const t = d.tokens;
  const tokens = t?.total ?? (t?.input !== undefined || t?.output !== undefined ? (t.input ?? 0) + (t.output ?? 0) : undefined);
  // Built field by field, not spread: a 100,000-span comparison builds 200,000 of these.
  const view: { -readonly [K in keyof CompareSpanView]: CompareSpanView[K] } = {
    spanId: span.spanId,
    name: span.name,
    kind: d.kind,
    startMs: Number(span.startNs - runStartNs) / 1e6,
    durationMs: spanDurationMs(span),
    running: isInProgress(span),
    error,
    hasSource: !node.notReceived && hasSource(span.attributes),
  };
  if (error && span.errorMessage !== undefined) view.errorMessage = span.errorMessage;
  if (d.model !== undefined) view.model = d.model;
  if (tokens !== undefined) view.tokens = tokens;
  return view;
}

/** Whether `sourceLocationOf` finds a location (a file path), without building it. */
function hasSource(attributes: Attributes | undefined): boolean {
  if (attributes === undefined) return false;
  const usable = (v: unknown) => (typeof v === 'string' && v !== '') || typeof v === 'number';
  return usable(attributes['code.file.path']) || usable(attributes['code.filepath']);
}

/** A pair's deltas that the index can tell: duration, status, model, tokens (B relative to A). */
export function pairView(pair: AlignedPair, aStartNs: bigint, bStartNs: bigint): ComparePairView {
  const a = pair.a && spanView(pair.a, aStartNs);
  const b = pair.b && spanView(pair.b, bStartNs);
  if (!a || !b) return { ...(a && { a }), ...(b && { b }), depth: pair.depth, statusChanged: false, modelChanged: false };
  const timed = !a.running && !b.running;
  const delta = b.durationMs - a.durationMs;
  return {
    a,
    b,
    depth: pair.depth,
    ...(timed && { durationDeltaMs: delta }),
    ...(timed && a.durationMs > 0 && { durationDeltaPct: (delta / a.durationMs) * 100 }),
    statusChanged: a.error !== b.error,
    modelChanged: a.model !== b.model,
    ...(a.tokens !== undefined && b.tokens !== undefined && { tokensDelta: b.tokens - a.tokens }),
  };
}
