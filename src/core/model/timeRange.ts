import type { SpanRecord } from './span';

/** OTLP times are `fixed64` nanoseconds: 0 to 2^64 − 1 (the year 2554). */
export const MAX_NANOS = 2n ** 64n - 1n;

/** Whether a time fits OTLP's `fixed64`: what the views can place, and protobuf can carry. */
export function nanosInRange(ns: bigint): boolean {
  return ns >= 0n && ns <= MAX_NANOS;
}

/** The reader's words for a span kept out for a time past `fixed64`, naming it and the time. */
export function outOfRangeMessage(name: string, spanId: string, field: 'startTimeUnixNano' | 'endTimeUnixNano', ns: bigint): string {
  const value = String(ns);
  return `span "${name}" (${spanId}) skipped: its ${field} ${value.length > 40 ? `${value.slice(0, 40)}…` : value} is out of range (0 to 2^64 − 1 nanoseconds)`;
}

/**
 * Why a span's times can't be shown, or undefined when they can. A time past `fixed64`
 * (`"99999999999999999999999999"`) made `new Date` throw in the CLI and broke the whole
 * run's waterfall: such a span is kept out of the model and reported by name instead.
 */
export function outOfRangeTime(span: SpanRecord): string | undefined {
  if (!nanosInRange(span.startNs)) return outOfRangeMessage(span.name, span.spanId, 'startTimeUnixNano', span.startNs);
  if (!nanosInRange(span.endNs)) return outOfRangeMessage(span.name, span.spanId, 'endTimeUnixNano', span.endNs);
  return undefined;
}
