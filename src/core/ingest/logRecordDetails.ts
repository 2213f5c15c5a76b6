import { openSpanSource, type RangeReader } from './spanSource';
import type { LogRecordRef } from '../model/logRecords';
import { normalizeId } from '../model/ids';
import type { SpanRecord } from '../model/span';
import { decodeAnyValue, decodeKeyValues } from './otlp/anyValue';
import { loadSpanDetails, type SpanDetails, type SpanEventDetails } from './spanDetails';

/** Where a span's log records are found (`TraceStore.logRecords`). */
export interface LogRecordSource {
  forSpan(traceId: string, spanId: string): readonly LogRecordRef[];
}

/**
 * Reads a span's log records back from their files as events, the way the conversation and
 * the events list take span events: the record's event name, time, and attributes with the
 * record's `body` added. A record whose bytes changed since it was indexed is left out (a
 * file rewritten in place is read again from its start, which replaces the index).
 */
export async function loadLogRecordEvents(records: readonly LogRecordRef[]): Promise<SpanEventDetails[]> {
  const out: SpanEventDetails[] = [];
  const byFile = new Map<string, LogRecordRef[]>();
  for (const r of records) {
    let list = byFile.get(r.file);
    if (!list) byFile.set(r.file, (list = []));
    list.push(r);
  }
  const read = new Map<LogRecordRef, SpanEventDetails>();
  for (const [file, list] of byFile) {
    let handle: RangeReader;
    try {
      handle = await openSpanSource(file);
    } catch {
      continue;
    }
    try {
      for (const r of list) {
        const buf = Buffer.alloc(Math.max(0, r.byteEnd - r.byteStart));
        const { bytesRead } = await handle.read(buf, 0, buf.length, r.byteStart);
        const event = recordAsEvent(buf.toString('utf8', 0, bytesRead), r);
        if (event) read.set(r, event);
      }
    } finally {
      await handle.close();
    }
  }
  for (const r of records) {
    const event = read.get(r);
    if (event) out.push(event);
  }
  return out;
}

function recordAsEvent(text: string, ref: LogRecordRef): SpanEventDetails | undefined {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (normalizeId(String(raw.spanId ?? raw.span_id ?? ''), 8) !== ref.spanId) return undefined;
  const attributes = decodeKeyValues(raw.attributes);
  const body = raw.body ?? raw.Body;
  if (body !== undefined && body !== null) attributes.body = decodeAnyValue(body);
  return { name: ref.eventName || 'log record', timeNs: ref.timeNs, attributes };
}

/**
 * The span's details with its log records among its events, in time order: what the
 * conversation, the events list and the time to first token read.
 */
export async function withLogRecords(span: SpanRecord, details: SpanDetails, source: LogRecordSource | undefined): Promise<SpanDetails> {
  const records = source?.forSpan(span.traceId, span.spanId) ?? [];
  if (records.length === 0) return details;
  const logged = await loadLogRecordEvents(records);
  if (logged.length === 0) return details;
  // Untimed events last, in the order they came (the sort is stable).
  const events = [...details.events, ...logged].sort((a, b) =>
    a.timeNs === undefined ? (b.timeNs === undefined ? 0 : 1) : b.timeNs === undefined ? -1 : a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0,
  );
  return { ...details, events };
}

/** `loadSpanDetails` with the span's log records among its events: for whatever shows a span's conversation. */
export function detailsWithLogRecords(source: LogRecordSource): (span: SpanRecord) => Promise<SpanDetails> {
  return async (span) => withLogRecords(span, await loadSpanDetails(span), source);
}
