// Compressed trace files: the Collector's file exporter writes zstd frames with
// `compression: zstd`, and people gzip old traces. Their bytes are not JSON lines, so one
// clear message beats a "malformed line" for every frame.

export type Compression = 'zstd' | 'gzip';

/** The compression a file's first 8 bytes announce (their magic numbers), if any. */
export function compressionOf(head: Uint8Array): Compression | undefined {
  const zstdAt = (i: number) => head.length >= i + 4 && head[i] === 0x28 && head[i + 1] === 0xb5 && head[i + 2] === 0x2f && head[i + 3] === 0xfd;
  // The Collector's file exporter writes each compressed batch behind a 4-byte length.
  if (zstdAt(0) || zstdAt(4)) return 'zstd';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  return undefined;
}

/** What to tell the user about a compressed trace file: that it is not read, and how to get one that is. */
export function compressedFileMessage(compression: Compression): string {
  return compression === 'zstd'
    ? 'compressed with zstd (the Collector file exporter\'s `compression: zstd`): Trace Run reads uncompressed trace files only. Remove `compression` from the exporter (or decompress the file with `zstd -d`) to see its runs.'
    : 'compressed with gzip: Trace Run reads uncompressed trace files only. Decompress it (`gunzip`) to see its runs.';
}
