import { openSpanSource, type RangeReader } from '../ingest/spanSource';
import type { SpanRecord } from '../model/span';

const YIELD_EVERY = 2000;

/**
 * Spans whose stored JSON — attributes, inputs, outputs, events — contains `query`
 * (case-insensitive), read straight from the trace files so payloads never need to be in
 * memory. The query is matched as JSON text, so quotes and newlines match their escapes.
 * Yields to the event loop as it goes: a million spans never block the extension host.
 */
export async function searchSpans(spans: Iterable<SpanRecord>, query: string, signal?: { cancelled: boolean }): Promise<string[]> {
  const escaped = JSON.stringify(query).slice(1, -1);
  if (escaped === '') return [];
  const needleText = Buffer.from(escaped, 'utf8').toString('latin1').toLowerCase();
  const byFile = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    let list = byFile.get(span.origin.file);
    if (!list) byFile.set(span.origin.file, (list = []));
    list.push(span);
  }
  const found: string[] = [];
  let handled = 0;
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
      // Read the file in windows of nearby spans rather than once per span.
      for (let i = 0; i < list.length; ) {
        const start = list[i].byteStart;
        let j = i;
        while (j < list.length && list[j].byteEnd - start <= 8 * 1024 * 1024) j++;
        if (j === i) j = i + 1;
        let end = start;
        for (let k = i; k < j; k++) end = Math.max(end, list[k].byteEnd);
        const buf = Buffer.alloc(end - start);
        const { bytesRead } = await handle.read(buf, 0, buf.length, start);
        // latin1 keeps one char per byte, so text offsets are file offsets; the needle gets
        // the same transform, so ASCII matches case-insensitively and the rest byte for byte.
        const text = buf.toString('latin1', 0, bytesRead).toLowerCase();
        // One pass over the window: each occurrence is mapped to the span holding it.
        let pos = text.indexOf(needleText, 0);
        for (let k = i; pos >= 0 && k < j; ) {
          const from = list[k].byteStart - start;
          const to = list[k].byteEnd - start;
          if (pos < from) pos = text.indexOf(needleText, from);
          else if (pos + needleText.length <= to) {
            found.push(list[k].spanId);
            k++;
          } else k++;
        }
        handled += j - i;
        if (handled >= nextYield) {
          nextYield = handled + YIELD_EVERY;
          await new Promise((r) => setImmediate(r));
          if (signal?.cancelled) return found;
        }
        i = j;
      }
    } finally {
      await handle.close();
    }
  }
  return found;
}
