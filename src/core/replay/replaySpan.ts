import { loadSpanDetails } from '../ingest/spanDetails';
import type { SpanRecord } from '../model/span';
import type { ReplaySpan } from './buildReplay';

/** A span of the index with its full attributes and events read back from its file. */
export async function loadReplaySpan(span: SpanRecord): Promise<ReplaySpan> {
  const details = await loadSpanDetails(span);
  return { traceId: span.traceId, spanId: span.spanId, name: span.name, startNs: span.startNs, endNs: span.endNs, attributes: details.attributes, events: details.events };
}
