import { openSpanSource, type RangeReader } from '../ingest/spanSource';
import { jsonNeedle, rangesContaining } from '../ingest/textInRanges';
import type { SpanRecord } from '../model/span';

const YIELD_EVERY = 2000;

/**
 * Spans whose stored JSON — attributes, inputs, outputs, events — contains `query`
 * (case-insensitive), read straight from the trace files so payloads never need to be in
 * memory. The query is matched as JSON text, so quotes and newlines match their escapes.
 * Yields to the event loop as it goes: a million spans never block the extension host.
 */
export async function searchSpans(spans: Iterable<SpanRecord>, query: string, signal?: { cancelled: boolean }): Promise<string[]> {
  const needle = jsonNeedle(query);
  if (needle.length === 0) return [];
  const byFile = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    let list = byFile.get(span.origin.file);
    if (!list) byFile.set(span.origin.file, (list = []));
    list.push(span);
  }
  const found: string[] = [];
  let handledBefore = 0;
  let nextYield = YIELD_EVERY;
  for (const [file, list] of byFile) {
    list.sort((a, b) => a.byteStart - b.byteStart);
    let handle: RangeReader;
    try {
      handle = await openSpanSource(file);
    } catch {
      continue; // The file is gone; its spans will be dropped by the watcher.
    }
    try {
      const ranges = list.map((s) => ({ start: s.byteStart, end: s.byteEnd }));
      const hits = await rangesContaining(handle, ranges, needle, async (handled) => {
        if (handledBefore + handled < nextYield) return true;
        nextYield = handledBefore + handled + YIELD_EVERY;
        await new Promise((r) => setImmediate(r));
        return !signal?.cancelled;
      });
      for (const k of hits) found.push(list[k].spanId);
      handledBefore += list.length;
      if (signal?.cancelled) return found;
    } finally {
      await handle.close();
    }
  }
  return found;
}
