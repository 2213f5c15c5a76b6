import type { RangeReader } from './spanSource';

/** A byte range of a trace file: a span's JSON, or a whole line. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Ranges close together are read in one window of at most this many bytes. */
const WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * The needle as `rangesContaining` matches it: `query` as it appears inside a JSON string
 * (quotes and newlines as their escapes), lower-cased the way the file's text is.
 */
export function jsonNeedle(query: string): string {
  return Buffer.from(JSON.stringify(query).slice(1, -1), 'utf8').toString('latin1').toLowerCase();
}

/**
 * Which of `ranges` (sorted by start, not overlapping, in the file `reader` reads) hold
 * `needle` (`jsonNeedle`), as indexes into `ranges`. Read in windows of nearby ranges rather
 * than once per range; `afterWindow` is told how many ranges were looked at so far and
 * answers false to stop (cancelled).
 */
export async function rangesContaining(reader: RangeReader, ranges: readonly ByteRange[], needle: string, afterWindow?: (handled: number) => Promise<boolean>): Promise<number[]> {
  const found: number[] = [];
  for (let i = 0; i < ranges.length; ) {
    const start = ranges[i].start;
    let j = i;
    while (j < ranges.length && ranges[j].end - start <= WINDOW_BYTES) j++;
    if (j === i) j = i + 1;
    let end = start;
    for (let k = i; k < j; k++) end = Math.max(end, ranges[k].end);
    const buf = Buffer.alloc(end - start);
    const { bytesRead } = await reader.read(buf, 0, buf.length, start);
    // latin1 keeps one char per byte, so text offsets are file offsets; the needle gets the
    // same transform, so ASCII matches case-insensitively and the rest byte for byte.
    const text = buf.toString('latin1', 0, bytesRead).toLowerCase();
    // One pass over the window: each occurrence is mapped to the range holding it.
    let pos = text.indexOf(needle, 0);
    for (let k = i; pos >= 0 && k < j; ) {
      const from = ranges[k].start - start;
      const to = ranges[k].end - start;
      if (pos < from) pos = text.indexOf(needle, from);
      else if (pos + needle.length <= to) {
        found.push(k);
        k++;
      } else k++;
    }
    i = j;
    if (afterWindow && !(await afterWindow(i))) break;
  }
  return found;
}
