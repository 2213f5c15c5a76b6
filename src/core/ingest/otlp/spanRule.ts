// The one rule, for the trace file reader and both receivers, of what makes a span usable:
// a receiver acknowledges exactly the spans the reader will read back from its line.
import { nanosInRange } from '../../model/timeRange';

/** What keeps a span out; undefined when it is usable. */
export type SpanDefect = 'no-ids' | 'no-trace-id' | 'no-span-id' | 'no-start' | 'start-out-of-range' | 'end-out-of-range';

/**
 * Judges a span by its normalized ids (lowercase hex, '' when missing, malformed or all zero:
 * see `normalizeId`) and its parsed times (undefined when missing or not a number). A time
 * outside `fixed64` is a defect here, not only in the views: acknowledged and then skipped by
 * the reader, such a span was lost after the exporter was told it was kept.
 */
export function spanDefect(traceId: string, spanId: string, startNs: bigint | undefined, endNs?: bigint): SpanDefect | undefined {
  if (!traceId) return spanId ? 'no-trace-id' : 'no-ids';
  if (!spanId) return 'no-span-id';
  if (startNs === undefined) return 'no-start';
  if (!nanosInRange(startNs)) return 'start-out-of-range';
  if (endNs !== undefined && !nanosInRange(endNs)) return 'end-out-of-range';
  return undefined;
}

/** The defect as the receivers word it to an exporter (after `span "<name>" `). */
export function describeSpanDefect(defect: SpanDefect): string {
  switch (defect) {
    case 'no-ids':
      return 'has no valid traceId or spanId';
    case 'no-trace-id':
      return 'has no valid traceId (16 bytes, not all zero)';
    case 'no-span-id':
      return 'has no valid spanId (8 bytes, not all zero)';
    case 'no-start':
      return 'has no startTimeUnixNano';
    case 'start-out-of-range':
      return 'has a startTimeUnixNano out of range (0 to 2^64 − 1 nanoseconds)';
    case 'end-out-of-range':
      return 'has an endTimeUnixNano out of range (0 to 2^64 − 1 nanoseconds)';
  }
}
