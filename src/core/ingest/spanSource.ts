import { openRegularFileOrThrow } from './regularFile';

/**
 * Where a span's bytes are read back from. A span keeps only a byte range and the name of
 * what holds it (`SpanRecord.origin.file`): a trace file on disk, or, for a trace fetched
 * from a backend (Jaeger), the response body kept in memory under a name that is no path
 * (`jaeger:…`). Everything that reads a span back (details, export, payload search) opens
 * it here, so remote spans read back exactly as the same bytes in a file would.
 */
export interface RangeReader {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

const memory = new Map<string, Buffer>();

/** Keeps `bytes` readable under `name` (replacing what was there) until `forgetMemorySource`. */
export function putMemorySource(name: string, bytes: Buffer): void {
  memory.set(name, bytes);
}

export function forgetMemorySource(name: string): void {
  memory.delete(name);
}

/** The bytes held in memory under `name`, or undefined when it names a file. */
export function memorySourceBytes(name: string): Buffer | undefined {
  return memory.get(name);
}

class MemoryReader implements RangeReader {
  constructor(private readonly bytes: Buffer) {}

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    const end = Math.min(this.bytes.length, position + length);
    return { bytesRead: position >= end ? 0 : this.bytes.copy(buffer, offset, position, end) };
  }

  async close(): Promise<void> {}
}

/**
 * Opens what holds a span's bytes for reading: the in-memory body when one has the name, else
 * the file, when it is still a regular one (`NotRegularFileError` otherwise).
 */
export async function openSpanSource(name: string): Promise<RangeReader> {
  const bytes = memory.get(name);
  return bytes ? new MemoryReader(bytes) : openRegularFileOrThrow(name);
}
