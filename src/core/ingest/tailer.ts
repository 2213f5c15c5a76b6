import { promises as fs } from 'node:fs';
import type { Disposable } from '../util/event';
import { JsonSyntaxError } from './otlp/jsonScanner';
import { readOtlpJson } from './otlp/otlpJsonReader';
import type { SpanRecord } from '../model/span';

export interface TraceProblem {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly message: string;
}

/** Where a tailer delivers what it reads. */
export interface TailSink {
  spans(file: string, spans: SpanRecord[]): void;
  /** The file was truncated, replaced or deleted: forget what it gave before. */
  reset(file: string): void;
  problem(problem: TraceProblem): void;
}

const CHUNK_BYTES = 8 * 1024 * 1024;
/**
 * How much of what was read last is kept to tell an append from a rewrite in place: enough
 * to reach past a line's closing boilerplate (`"schemaUrl":…}]}]}`) into its last span's ids
 * and times, which a new run does not repeat.
 */
const SEEN_BYTES = 4096;
const NEWLINE = 0x0a;

/**
 * Reads one trace file incrementally from the last byte offset. A partial last line is held
 * until its newline arrives; a file that shrinks or gets a new inode is read again from the
 * start. A file whose first line is a lone `{` is one pretty-printed object, read whole.
 */
export class FileTailer implements Disposable {
  private offset = 0;
  private lineNumber = 0;
  private partial: Buffer = Buffer.alloc(0);
  private inode: number | undefined;
  private mode: 'unknown' | 'lines' | 'document' = 'unknown';
  private documentSize = -1;
  /** The document's mtime when read: a rewrite may keep the size (same-length ids, times). */
  private documentMtimeMs = -1;
  private running: Promise<void> | undefined;
  private again = false;
  private disposed = false;
  /**
   * The last bytes read, ending at `offset`. A file rewritten in place (`open(path, 'w')`
   * on every run of a script) keeps its inode and may outgrow the old offset before a poll
   * sees it shrink: then these bytes no longer match, and it is read again from the start.
   */
  private seen: Buffer = Buffer.alloc(0);
  /** The last read found no file (deleted, or renamed away). */
  missing = false;

  constructor(readonly file: string, private readonly sink: TailSink) {}

  /** Reads whatever is new. Calls during a read coalesce into one more pass after it. */
  poke(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.readNew();
        } while (this.again && !this.disposed);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  dispose(): void {
    this.disposed = true;
  }

  private restart(): void {
    this.offset = 0;
    this.lineNumber = 0;
    this.partial = Buffer.alloc(0);
    this.mode = 'unknown';
    this.documentSize = -1;
    this.documentMtimeMs = -1;
    this.seen = Buffer.alloc(0);
    this.sink.reset(this.file);
  }

  private async readNew(): Promise<void> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        if (this.inode !== undefined) this.restart();
        this.inode = undefined;
        this.missing = true;
        return;
      }
      throw err;
    }
    this.missing = false;
    try {
      const stat = await handle.stat();
      if (this.inode !== undefined && (stat.ino !== this.inode || stat.size < this.offset || (await this.rewrittenInPlace(handle)))) this.restart();
      this.inode = stat.ino;
      if (this.mode === 'document') return await this.readDocument(handle, stat.size, stat.mtimeMs);
      while (!this.disposed && this.offset < stat.size) {
        const length = Math.min(CHUNK_BYTES, stat.size - this.offset);
        const chunk = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(chunk, 0, length, this.offset);
        if (bytesRead === 0 || this.disposed) break;
        const chunkOffset = this.offset;
        this.offset += bytesRead;
        this.remember(chunk.subarray(0, bytesRead));
        if (!this.consume(chunk.subarray(0, bytesRead), chunkOffset)) return await this.readDocument(handle, stat.size, stat.mtimeMs);
      }
    } finally {
      await handle.close();
    }
  }

  private remember(chunk: Buffer): void {
    this.seen = Buffer.from(chunk.length >= SEEN_BYTES ? chunk.subarray(chunk.length - SEEN_BYTES) : Buffer.concat([this.seen, chunk]).subarray(-SEEN_BYTES));
  }

  private async rewrittenInPlace(handle: fs.FileHandle): Promise<boolean> {
    if (this.mode !== 'lines' || this.seen.length === 0) return false;
    const now = Buffer.alloc(this.seen.length);
    const { bytesRead } = await handle.read(now, 0, now.length, this.offset - this.seen.length);
    return bytesRead !== now.length || !now.equals(this.seen);
  }

  /** Reads the complete lines of a chunk; returns false when the file turns out to be one document. */
  private consume(chunk: Buffer, chunkOffset: number): boolean {
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk;
    const base = chunkOffset - this.partial.length;
    const spans: SpanRecord[] = [];
    let lineStart = 0;
    for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, lineStart)) {
      this.lineNumber++;
      const start = lineStart;
      lineStart = nl + 1;
      if (this.mode === 'unknown' && !this.decideMode(data, start, nl)) continue;
      if (this.mode === 'document') return false;
      this.readLine(data, start, nl, base, spans);
    }
    // Copy so the held bytes don't pin the whole chunk.
    this.partial = Buffer.from(data.subarray(lineStart));
    if (spans.length > 0) this.sink.spans(this.file, spans);
    return true;
  }

  /** Blank lines before the first content decide nothing; returns whether the mode is known. */
  private decideMode(data: Buffer, start: number, end: number): boolean {
    const text = data.toString('utf8', start, Math.min(end, start + 64)).trim();
    if (text === '' && end - start < 64) return false;
    this.mode = text === '{' || text === '[' ? 'document' : 'lines';
    return true;
  }

  private readLine(data: Buffer, start: number, end: number, base: number, out: SpanRecord[]): void {
    let p = start;
    while (p < end && (data[p] === 0x20 || data[p] === 0x09 || data[p] === 0x0d)) p++;
    if (p === end) return;
    try {
      const result = readOtlpJson(data, start, end, { file: this.file, line: this.lineNumber, byteBase: base });
      for (const span of result.spans) out.push(span);
      for (const message of result.problems) this.sink.problem({ file: this.file, line: this.lineNumber, message });
    } catch (err) {
      this.sink.problem({ file: this.file, line: this.lineNumber, message: describeError(err) });
    }
  }

  private async readDocument(handle: fs.FileHandle, size: number, mtimeMs: number): Promise<void> {
    if (size === this.documentSize && mtimeMs === this.documentMtimeMs) return;
    const data = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(data, 0, size, 0);
    if (this.disposed) return;
    this.sink.reset(this.file);
    this.documentSize = bytesRead;
    this.documentMtimeMs = mtimeMs;
    this.offset = bytesRead;
    try {
      const result = readOtlpJson(data, 0, bytesRead, { file: this.file, line: 1, byteBase: 0 });
      if (result.spans.length > 0) this.sink.spans(this.file, result.spans);
      for (const message of result.problems) this.sink.problem({ file: this.file, line: 1, message });
    } catch (err) {
      // A document still being written ends early; wait for the rest before complaining.
      if (err instanceof JsonSyntaxError && err.offset >= bytesRead) return;
      const line = err instanceof JsonSyntaxError ? lineAt(data, err.offset) : 1;
      this.sink.problem({ file: this.file, line, message: describeError(err) });
    }
  }
}

function lineAt(data: Buffer, offset: number): number {
  let line = 1;
  for (let p = data.indexOf(NEWLINE); p >= 0 && p < offset; p = data.indexOf(NEWLINE, p + 1)) line++;
  return line;
}

function describeError(err: unknown): string {
  if (err instanceof JsonSyntaxError || err instanceof SyntaxError) return `malformed OTLP JSON: ${err.message}`;
  return `could not read: ${err instanceof Error ? err.message : String(err)}`;
}
