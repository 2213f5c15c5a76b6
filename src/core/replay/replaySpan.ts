import { withLogRecords, type LogRecordSource } from '../ingest/logRecordDetails';
import { loadSpanDetails } from '../ingest/spanDetails';
import type { SpanRecord } from '../model/span';
import type { ReplaySpan } from './buildReplay';

/**
 * A span of the index with its full attributes and events read back from its file, and its
 * log records among the events: instrumentations that emit GenAI events as log records
 * (OpenAI's opentelemetry-instrumentation-openai-v2) record the prompt and answer nowhere else.
 * `logRecords` is required so no caller forgets it (`TraceStore.logRecords`).
 */
export async function loadReplaySpan(span: SpanRecord, logRecords: LogRecordSource | undefined): Promise<ReplaySpan> {
  const details = await withLogRecords(span, await loadSpanDetails(span), logRecords);
  return { traceId: span.traceId, spanId: span.spanId, name: span.name, startNs: span.startNs, endNs: span.endNs, attributes: details.attributes, events: details.events };
}
