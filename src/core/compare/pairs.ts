import { describeSpan } from '../genai/conventions';
import { isInProgress, spanDurationMs, StatusCode } from '../model/span';
import type { SpanNode } from '../model/trace';
import { sourceLocationOf } from '../source/source';
import type { ComparePairView, CompareSpanView } from '../../protocol/compare';
import type { AlignedPair } from './align';

/** One side of a pair from the index alone (no payloads): timing, status, kind, model, tokens. */
export function spanView(node: SpanNode, runStartNs: bigint): CompareSpanView {
  const span = node.span;
  const d = describeSpan(span);
  const error = span.statusCode === StatusCode.Error;
  const tokens = d.tokens?.total ?? (d.tokens?.input !== undefined || d.tokens?.output !== undefined ? (d.tokens.input ?? 0) + (d.tokens.output ?? 0) : undefined);
  return {
    spanId: span.spanId,
    name: span.name,
    kind: d.kind,
    startMs: Number(span.startNs - runStartNs) / 1e6,
    durationMs: spanDurationMs(span),
    running: isInProgress(span),
    error,
    ...(error && span.errorMessage !== undefined && { errorMessage: span.errorMessage }),
    ...(d.model !== undefined && { model: d.model }),
    ...(tokens !== undefined && { tokens }),
    hasSource: !node.notReceived && sourceLocationOf(span.attributes) !== undefined,
  };
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
