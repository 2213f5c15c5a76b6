import type { SpanDetails } from '../spanDetails';
import { consoleSpanDetails, consoleSpanId, isConsoleSpan } from './consoleSpan';
import { isJaegerSpan, jaegerSpanDetails, jaegerSpanId } from './jaegerTrace';
import { isRunRecord, runSpanDetails, runSpanId } from './runRecord';

/**
 * The details of a span read from a format other than OTLP, from its object's JSON as read
 * back from the file; undefined when the object is an OTLP span. `spanId` is the id it was
 * indexed under: a different one means the file changed since (then `changed` is true).
 */
export function foreignSpanDetails(raw: unknown, spanId: string, serviceName?: string): { details: SpanDetails } | { changed: true } | undefined {
  if (isConsoleSpan(raw)) return consoleSpanId(raw) === spanId ? { details: consoleSpanDetails(raw) } : { changed: true };
  if (isJaegerSpan(raw)) return jaegerSpanId(raw) === spanId ? { details: jaegerSpanDetails(raw, serviceName) } : { changed: true };
  if (isRunRecord(raw)) return runSpanId(raw) === spanId ? { details: runSpanDetails(raw) } : { changed: true };
  return undefined;
}

/** Whether a span's object, as read back from its file, is in a format other than OTLP. */
export function isForeignSpan(raw: unknown): boolean {
  return isConsoleSpan(raw) || isJaegerSpan(raw) || isRunRecord(raw);
}
