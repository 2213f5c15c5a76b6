/**
 * The traces a window has fetched, oldest first, within a byte budget: each fetched body is
 * held in memory for its spans' details, so without a bound a long session of opening remote
 * runs would grow without end. Past the budget the oldest are let go (the caller drops their
 * spans from the store and their bytes from memory); the one just fetched always stays.
 */
import { memorySourceBytes } from '../ingest/spanSource';
import type { RemoteSpans } from './jaegerClient';

/** Bytes of fetched bodies held at most (one body alone may be up to the client's `maxBytes`). */
export const REMOTE_HOLDINGS_BUDGET_BYTES = 512 * 1024 * 1024;

export interface Held {
  readonly remote: RemoteSpans;
  /** The traces of the body that were added to the store (a search page holds others too). */
  readonly traceIds: readonly string[];
}

export class RemoteHoldings {
  /** By the body's first source name; Map order is the order fetched. */
  private readonly held = new Map<string, Held & { readonly bytes: number }>();

  constructor(private readonly budgetBytes = REMOTE_HOLDINGS_BUDGET_BYTES) {}

  /** Holds a fetched body (again: its trace ids are merged, it becomes the newest); returns what was let go. */
  add(remote: RemoteSpans, traceIds: readonly string[]): Held[] {
    const key = remote.sources[0] ?? '';
    const previous = this.held.get(key);
    this.held.delete(key);
    const bytes = remote.sources.reduce((n, s) => n + (memorySourceBytes(s)?.length ?? 0), 0);
    this.held.set(key, { remote, traceIds: previous ? [...new Set([...previous.traceIds, ...traceIds])] : traceIds, bytes });
    const dropped: Held[] = [];
    let total = 0;
    for (const h of this.held.values()) total += h.bytes;
    for (const [k, h] of this.held) {
      if (total <= this.budgetBytes || k === key) break;
      this.held.delete(k);
      total -= h.bytes;
      dropped.push(h);
    }
    return dropped;
  }

  /** What is held of an earlier fetch of the same body (same first source name). */
  heldAs(remote: RemoteSpans): Held | undefined {
    return this.held.get(remote.sources[0] ?? '');
  }

  values(): IterableIterator<Held> {
    return this.held.values();
  }
}
