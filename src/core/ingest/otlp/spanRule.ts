// The one rule, for the trace file reader and both receivers, of what makes a span usable:
// a receiver acknowledges exactly the spans the reader will read back from its line.

/** What keeps a span out; undefined when it is usable. */
export type SpanDefect = 'no-ids' | 'no-trace-id' | 'no-span-id' | 'no-start';

/**
 * Judges a span by its normalized ids (lowercase hex, '' when missing, malformed or all zero:
 * see `normalizeId`) and its parsed start time (undefined when missing or not a number).
 */
export function spanDefect(traceId: string, spanId: string, startNs: bigint | undefined): SpanDefect | undefined {
  if (!traceId) return spanId ? 'no-trace-id' : 'no-ids';
  if (!spanId) return 'no-span-id';
  if (startNs === undefined) return 'no-start';
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
  }
}
