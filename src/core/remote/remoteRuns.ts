/**
 * Remote spans into the one store the views read, so a remote run is listed, opened,
 * compared and exported like a local one; and a local run joined with the rest of its trace.
 */
import type { SpanRecord } from '../model/span';
import type { Trace } from '../model/trace';
import type { TraceStore } from '../model/traceStore';
import type { RemoteSpans } from './jaegerClient';

/**
 * Adds the fetched spans of `traceIds` (all when absent) to the store. A span the store
 * already holds under the same id keeps its local copy: a service that exported to both
 * the local receiver and the backend is not doubled, and local details stay local.
 * Returns how many spans were added.
 */
export function addRemoteSpans(store: TraceStore, remote: RemoteSpans, traceIds?: readonly string[]): number {
  const wanted = traceIds ? new Set(traceIds) : undefined;
  const fresh = remote.spans.filter((s) => (!wanted || wanted.has(s.traceId)) && !store.trace(s.traceId)?.span(s.spanId));
  // Each under the chunk of the body it was read from (the store groups spans by source).
  const bySource = new Map<string, SpanRecord[]>();
  for (const s of fresh) {
    let list = bySource.get(s.origin.file);
    if (!list) bySource.set(s.origin.file, (list = []));
    list.push(s);
  }
  for (const [source, spans] of bySource) store.addSpans(source, spans);
  return fresh.length;
}

/**
 * A trace fetched again: the spans of the earlier fetch point into bytes that its name no
 * longer holds (the new body replaced them), so they are dropped before the new ones are
 * added; spans read from local files stay. Returns how many spans were added.
 */
export function replaceRemoteSpans(store: TraceStore, previous: RemoteSpans | undefined, remote: RemoteSpans, traceIds?: readonly string[]): number {
  for (const source of previous?.sources ?? []) store.removeFile(source);
  return addRemoteSpans(store, remote, traceIds);
}

/**
 * Span ids a run's spans name as parents that it does not hold: the parts of the trace that
 * went elsewhere (a called service exporting to the team's backend). Empty when whole.
 */
export function missingParents(trace: Trace): string[] {
  const missing = new Set<string>();
  for (const span of trace.allSpans()) if (span.parentSpanId && !trace.span(span.parentSpanId)) missing.add(span.parentSpanId);
  return [...missing];
}

/** "1h", "30m", "2d", "90s": how far back a search looks; undefined when not such a span of time. */
export function parseSince(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2].toLowerCase() as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
