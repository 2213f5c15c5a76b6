/**
 * Pydantic Logfire's pending spans. Logfire exports, when a span starts, a zero-length twin
 * marked `logfire.span_type = "pending_span"`, as a child of the real span, with the real
 * span's own parent in `logfire.pending_parent_id` (all zeros for a root). It stands for a
 * span that is still running, so it is shown as that span, running, until the span itself
 * arrives; it is not a span of its own.
 */
import type { Attributes } from '../model/span';

/** The span attributes read here: the index keeps them, so a pending twin is known on arrival. */
export const PENDING_ATTRIBUTE_KEYS: readonly string[] = ['logfire.span_type', 'logfire.pending_parent_id'];

export interface PendingCandidate {
  readonly name: string;
  readonly parentSpanId: string;
  readonly attributes: Attributes | undefined;
}

/** The span that a pending twin stands for, as far as the twin tells. */
export interface PendingTarget {
  /** The running span's id: the twin's parent. */
  readonly spanId: string;
  /** The running span's parent; '' for a root. */
  readonly parentSpanId: string;
  /** Its name (without the " (pending)" suffix some Logfire versions add). */
  readonly name: string;
}

export function isPendingSpan(span: { readonly attributes: Attributes | undefined }): boolean {
  return span.attributes?.['logfire.span_type'] === 'pending_span';
}

/** The running span a pending twin stands for; undefined for any other span. */
export function pendingSpanTarget(span: PendingCandidate): PendingTarget | undefined {
  if (!isPendingSpan(span) || span.parentSpanId === '') return undefined;
  const raw = span.attributes?.['logfire.pending_parent_id'];
  const parent = typeof raw === 'string' && !/^0*$/.test(raw) ? raw.toLowerCase() : '';
  return { spanId: span.parentSpanId, parentSpanId: parent, name: span.name.replace(/ \(pending\)$/, '') };
}

/**
 * A pending twin read as the span it stands for, still running (no end time): the store keeps
 * it until the span itself arrives with the same id, and an ended copy always replaces an
 * unfinished one. Any other span is returned as it is.
 */
export function asRunningSpan<S extends PendingCandidate & { readonly spanId: string; readonly endNs: bigint }>(span: S): S {
  const target = pendingSpanTarget(span);
  if (!target) return span;
  return { ...span, spanId: target.spanId, parentSpanId: target.parentSpanId, name: target.name, endNs: 0n };
}
