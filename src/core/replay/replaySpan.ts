import { loadSpanDetails } from '../ingest/spanDetails';
import type { SpanRecord } from '../model/span';
import type { ReplaySpan } from './buildReplay';

/** A span of the index with its full attributes and events read back from its file. */
export async function loadReplaySpan(span: SpanRecord): Promise<ReplaySpan> {
  const details = await loadSpanDetails(span);
  return { traceId: span.traceId, spanId: span.spanId, name: span.name, startNs: span.startNs, endNs: span.endNs, attributes: details.attributes, events: details.events };
}

/** Whether a base URL points at this machine, where local servers need no key. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** What a server on this machine is given as a key when none is set: it ignores it. */
export const LOCAL_PLACEHOLDER_KEY = 'no-key-needed-for-a-local-server';
