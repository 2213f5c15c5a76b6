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
 * (quotes and newlines as their escapes), in UTF-8, lower-cased the way the file's bytes are.
 */
export function jsonNeedle(query: string): Buffer {
  return asciiLowerCase(Buffer.from(JSON.stringify(query).slice(1, -1), 'utf8'));
}

/** `bytes` with ASCII letters lower-cased, as `rangesContaining` compares them. */
export function lowerCasedCopy(bytes: Buffer): Buffer {
  return asciiLowerCase(Buffer.from(bytes));
}

/**
 * Lower-cases ASCII letters in place and leaves every other byte as it is,
 * so ASCII matches case-insensitively and the rest byte for byte. In place on the bytes read,
 * not through a string: a month of files is hundreds of megabytes.
 */
function asciiLowerCase(bytes: Buffer): Buffer {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b >= 65 && b <= 90) bytes[i] = b + 32;
  }
  return bytes;
}

/**
 * Which of `ranges` (sorted by start, not overlapping, in the file `reader` reads) hold
 * `needle` (`jsonNeedle`), as indexes into `ranges`. Read in windows of nearby ranges rather
 * than once per range; `afterWindow` is told how many ranges were looked at so far and
 * answers false to stop (cancelled).
 */
export async function rangesContaining(reader: RangeReader, ranges: readonly ByteRange[], needle: Buffer, afterWindow?: (handled: number) => Promise<boolean>): Promise<number[]> {
  const found: number[] = [];
  for (let i = 0; i < ranges.length; ) {
    const start = ranges[i].start;
    let j = i;
    while (j < ranges.length && ranges[j].end - start <= WINDOW_BYTES) j++;
    if (j === i) j = i + 1;
    let end = start;
    for (let k = i; k < j; k++) end = Math.max(end, ranges[k].end);
    const read = Buffer.allocUnsafe(end - start);
    const { bytesRead } = await reader.read(read, 0, read.length, start);
    const text = asciiLowerCase(read.subarray(0, bytesRead));
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
