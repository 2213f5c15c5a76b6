/**
 * What went wrong in a failed span, in words, when its status message is empty: many
 * instrumentations set the ERROR status alone and put the reason elsewhere.
 *
 * Sources, in order: the status message; the span's `exception` event (OpenTelemetry
 * exception conventions: `exception.type`, `exception.message`), or the same two attributes
 * on the span itself; `error.type` (the general attribute the HTTP, database and GenAI
 * conventions set on failure, "the error's class or code"); the HTTP response status
 * (`http.response.status_code`, older `http.status_code`).
 */
import type { AttributeValue, Attributes } from '../model/span';

/** The span attributes read here: the index keeps them, so the tree and the CLI can say it too. */
export const ERROR_ATTRIBUTE_KEYS: readonly string[] = ['error.type', 'http.response.status_code', 'http.status_code'];

export interface ErrorEvent {
  readonly name: string;
  readonly attributes: Attributes;
}

/**
 * The error text to show for a failed span; undefined when it records no reason at all. Pass
 * the span's events when its details are loaded (the index keeps only the exception's
 * message, already in `SpanRecord.errorMessage`).
 */
export function spanErrorText(statusMessage: string | undefined, attributes: Attributes | undefined, events?: readonly ErrorEvent[]): string | undefined {
  const status = statusMessage?.trim();
  if (status) return status;
  for (const e of events ?? []) {
    if (e.name !== 'exception') continue;
    const text = exceptionText(e.attributes);
    if (text !== undefined) return text;
  }
  if (attributes === undefined) return undefined;
  const onSpan = exceptionText(attributes);
  if (onSpan !== undefined) return onSpan;
  const errorType = text(attributes['error.type']);
  // `_OTHER` is the conventions' placeholder for "a type we could not name": it says nothing.
  if (errorType !== undefined && errorType !== '_OTHER') return errorType;
  const status_code = text(attributes['http.response.status_code']) ?? text(attributes['http.status_code']);
  return status_code !== undefined ? `HTTP ${status_code}` : undefined;
}

function exceptionText(a: Attributes): string | undefined {
  const type = text(a['exception.type']);
  const message = text(a['exception.message']);
  if (type !== undefined && message !== undefined) return message.startsWith(type) ? message : `${type}: ${message}`;
  return message ?? type;
}

function text(v: AttributeValue | undefined): string | undefined {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}
