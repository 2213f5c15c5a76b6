/**
 * A backend's traces for one search, newest first, a page at a time. Jaeger's search has no
 * offset, and which traces a limit keeps is the storage's choice (the memory store keeps the
 * ones it received last, not the ones that started last), so "started before the oldest
 * listed" would skip traces. Each next page asks again for the same window (its end fixed at
 * the first page, so the list does not shift as time passes) with a limit one page larger,
 * and lists the traces not listed yet. The bodies are dropped once summed up: opening a
 * listed trace fetches it whole.
 */
import { TraceStore } from '../model/traceStore';
import { forgetMemorySource } from '../ingest/spanSource';
import type { RemoteSpans } from './jaegerClient';
import type { JaegerSearch } from './jaegerQuery';
import { addRemoteSpans } from './remoteRuns';

export interface PagedSearch {
  readonly service: string;
  readonly operation?: string;
  readonly windowMs: number;
  readonly errorsOnly: boolean;
  readonly minDurationMs?: number;
}

/** A listed trace, summed up as the Runs view sums up a run. */
export interface RemoteTraceSummary {
  readonly traceId: string;
  readonly name: string;
  readonly durationMs: number;
  readonly spanCount: number;
  readonly errorCount: number;
  readonly startMs: number;
}

export interface TraceSearcher {
  search(query: JaegerSearch, signal?: AbortSignal): Promise<RemoteSpans>;
}

export class RemotePager {
  readonly traces: RemoteTraceSummary[] = [];
  /** Whether a next page may hold more: the last one came back full. */
  more = true;

  constructor(
    readonly search: PagedSearch,
    private readonly limit: number,
    /** When the window ends. */
    readonly until: number = Date.now(),
  ) {}

  private pages = 0;

  /** Fetches the next page; returns the traces it added (none once `more` is false). */
  async next(client: TraceSearcher, signal?: AbortSignal): Promise<RemoteTraceSummary[]> {
    if (!this.more) return [];
    const s = this.search;
    const limit = this.limit * (this.pages + 1);
    const page = await client.search(
      { service: s.service, operation: s.operation, startMin: new Date(this.until - s.windowMs), startMax: new Date(this.until), limit, errorsOnly: s.errorsOnly, minDurationMs: s.minDurationMs },
      signal,
    );
    this.pages++;
    const store = new TraceStore();
    addRemoteSpans(store, page);
    for (const source of page.sources) forgetMemorySource(source);
    const seen = new Set(this.traces.map((t) => t.traceId));
    const added: RemoteTraceSummary[] = [];
    for (const traceId of page.traceIds) {
      const trace = store.trace(traceId);
      if (!trace || seen.has(traceId)) continue;
      const sum = trace.summary();
      added.push({ traceId, name: sum.name, durationMs: Number(sum.endNs - sum.startNs) / 1e6, spanCount: sum.spanCount, errorCount: sum.errorCount, startMs: Number(sum.startNs / 1_000_000n) });
    }
    this.traces.push(...added);
    this.traces.sort((a, b) => b.startMs - a.startMs);
    // Counted before errors-only is applied (API v3 filters what came back): fewer traces
    // than asked for means the window holds no more.
    this.more = new Set(page.spans.map((sp) => sp.traceId)).size >= limit;
    return added.sort((a, b) => b.startMs - a.startMs);
  }
}
