import type { SpanRecord } from './span';

/** OTLP times are `fixed64` nanoseconds: 0 to 2^64 − 1 (the year 2554). */
export const MAX_NANOS = 2n ** 64n - 1n;

/**
 * Why a span's times can't be shown, or undefined when they can. A time past `fixed64`
 * (`"99999999999999999999999999"`) made `new Date` throw in the CLI and broke the whole
 * run's waterfall: such a span is kept out of the model and reported by name instead.
 */
export function outOfRangeTime(span: SpanRecord): string | undefined {
  const bad = span.startNs < 0n || span.startNs > MAX_NANOS ? ['startTimeUnixNano', span.startNs] : span.endNs < 0n || span.endNs > MAX_NANOS ? ['endTimeUnixNano', span.endNs] : undefined;
  if (!bad) return undefined;
  const value = String(bad[1]);
  return `span "${span.name}" (${span.spanId}) skipped: its ${bad[0]} ${value.length > 40 ? `${value.slice(0, 40)}…` : value} is out of range (0 to 2^64 − 1 nanoseconds)`;
}
