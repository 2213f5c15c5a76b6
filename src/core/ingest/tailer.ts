import { DEFAULT_MAX_LINE_MB } from '../config/defaults';
import { compressedFileMessage, compressionOf } from './compression';
import { promises as fs } from 'node:fs';
import type { Disposable } from '../util/event';
import { outOfRangeTime } from '../model/timeRange';
import { JsonSyntaxError } from './otlp/jsonScanner';
import { NotRegularFileError, openRegularFile, openRegularFileOrThrow } from './regularFile';
import { readOtlpJson } from './otlp/otlpJsonReader';
import type { SpanRecord } from '../model/span';
import { LineFormats } from './formats/lineFormats';
import { readTraceDocument } from './formats/traceDocument';
import { opensOtlpObject } from './formats/traceValue';
import type { LogRecordRef } from '../model/logRecords';
import type { FileIndex } from '../history/fileIndex';

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
  /** Log records tied to spans (GenAI content events), read from the same lines; forgotten on `reset` too. */
  logRecords?(file: string, records: LogRecordRef[]): void;
}

/** A sink that keeps indexes of the files it was given (see `history/fileIndex.ts`). */
export interface IndexingSink extends TailSink {
  /** Takes what an index says `file` holds, as if it had been read. */
  restore(file: string, index: FileIndex): void;
  /** What an index of `file` would hold (runs, problems); undefined when it cannot be indexed. */
  indexContent(file: string): Pick<FileIndex, 'runs' | 'problems' | 'moreProblems'> | undefined;
  /** Long work `indexContent` will need, done first in time slices. */
  prepareIndex?(file: string): Promise<void>;
  /** The first read of `file` at start is indexed: its runs' spans need not stay for their own sake. */
  initialReadIndexed?(file: string): void;
}

export interface TailOptions {
  /** Longest line read, in bytes (`DEFAULT_MAX_LINE_BYTES` when absent); a longer one is reported and skipped. */
  readonly maxLineBytes?: number;
  /**
   * The file is complete (a one-shot read, not a live one): a last line without a newline is
   * read, and a document that ends early is reported instead of awaited.
   */
  readonly complete?: boolean;
}

/** The default of the `tracerun.maxLineMB` setting, in MB. */
export const DEFAULT_MAX_LINE_BYTES = DEFAULT_MAX_LINE_MB * 1024 * 1024;

const CHUNK_BYTES = 8 * 1024 * 1024;
/**
 * How much of what was read last is kept to tell an append from a rewrite in place: enough
 * to reach past a line's closing boilerplate (`"schemaUrl":…}]}]}`) into its last span's ids
 * and times, which a new run does not repeat.
 */
const SEEN_BYTES = 4096;
const NEWLINE = 0x0a;
function hasBom(data: Buffer, start: number, end: number): boolean {
  return end - start >= 3 && data[start] === 0xef && data[start + 1] === 0xbb && data[start + 2] === 0xbf;
}

/**
 * Reads one trace file incrementally from the last byte offset. A partial last line is held
 * until its newline arrives; a file that shrinks or gets a new inode is read again from the
 * start. A file whose first line is a lone `{` is one pretty-printed object, read whole.
 */
export class FileTailer implements Disposable {
  private offset = 0;
  private lineNumber = 0;
  /** The start of a line whose newline has not arrived, as read: joined once it does. */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Inside a line over the limit, already reported: its bytes are dropped until its newline. */
  private skippingLine = false;
  /** The file is compressed: said once, its bytes never read as lines. */
  private compressed = false;
  private readonly maxLineBytes: number;
  private readonly complete: boolean;
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
  /** Lines that are not OTLP: run records, console exporter objects among log lines. */
  private formats: LineFormats;
  /** The last read found no file (deleted, or renamed away). */
  missing = false;

  constructor(readonly file: string, private readonly sink: TailSink, options: TailOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.complete = options.complete === true;
    this.formats = new LineFormats(file, this.maxLineBytes);
  }

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

  /**
   * Where reading stands when everything read so far was whole lines: the offset after the
   * last newline, the lines read and the file's inode. Undefined mid-line, for a document
   * or a compressed file: an index of such a file could not be gone on from.
   */
  position(): { readonly offset: number; readonly lines: number; readonly inode: number } | undefined {
    if (this.mode !== 'lines' || this.partialBytes > 0 || this.skippingLine || this.compressed || this.inode === undefined || this.running) return undefined;
    return { offset: this.offset, lines: this.lineNumber, inode: this.inode };
  }

  /**
   * Goes on from a position an index recorded (`position()` then), as if the file had been
   * read to there; a file rewritten since is read again from the start as usual, since the
   * bytes before the offset are checked on every read.
   */
  async resumeAt(offset: number, lines: number, inode: number): Promise<void> {
    const handle = await openRegularFileOrThrow(this.file);
    try {
      const seen = Buffer.alloc(Math.min(SEEN_BYTES, offset));
      const { bytesRead } = await handle.read(seen, 0, seen.length, offset - seen.length);
      this.seen = seen.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    this.mode = 'lines';
    this.offset = offset;
    this.lineNumber = lines;
    this.inode = inode;
  }

  private restart(): void {
    this.offset = 0;
    this.lineNumber = 0;
    this.partial = [];
    this.partialBytes = 0;
    this.skippingLine = false;
    this.compressed = false;
    this.mode = 'unknown';
    this.documentSize = -1;
    this.documentMtimeMs = -1;
    this.seen = Buffer.alloc(0);
    this.formats = new LineFormats(this.file, this.maxLineBytes);
    this.sink.reset(this.file);
  }

  private async readNew(): Promise<void> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await openRegularFile(this.file);
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
    if (!handle) {
      if (this.inode !== undefined) this.restart();
      this.inode = undefined;
      throw new NotRegularFileError(this.file);
    }
    try {
      const stat = await handle.stat();
      if (this.inode !== undefined && (stat.ino !== this.inode || stat.size < this.offset || (await this.rewrittenInPlace(handle)))) this.restart();
      this.inode = stat.ino;
      if (this.offset === 0 || this.compressed) {
        const head = Buffer.alloc(Math.min(8, stat.size));
        if (head.length > 0) await handle.read(head, 0, head.length, 0);
        const compression = compressionOf(head);
        if (compression && this.compressed) {
          this.offset = stat.size;
          return;
        }
        // Rewritten in place without compression (the exporter's setting turned off): read it afresh.
        if (this.compressed) this.restart();
        if (compression) {
          this.compressed = true;
          this.offset = stat.size;
          this.sink.problem({ file: this.file, line: 1, message: compressedFileMessage(compression) });
          return;
        }
      }
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
      if (this.complete && !this.disposed && this.partialBytes > 0 && !this.readFinalLine()) await this.readDocument(handle, stat.size, stat.mtimeMs);
      else if (this.complete && !this.disposed && this.mode === 'lines') this.finishFormats();
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

  /**
   * Reads the complete lines of a chunk; returns false when the file turns out to be one
   * document. A line's start is held as the chunks it came in and joined once, when its
   * newline arrives: joining on every chunk took 225 s and 5 GB for one 1 GB line.
   */
  private consume(chunk: Buffer, chunkOffset: number): boolean {
    const spans: SpanRecord[] = [];
    let lineStart = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, lineStart)) {
      const start = lineStart;
      lineStart = nl + 1;
      if (this.skippingLine) {
        this.lineNumber++;
        this.skippingLine = false;
        continue;
      }
      if (this.partialBytes + nl - start > this.maxLineBytes) {
        this.lineNumber++;
        this.skipLongLine(this.lineNumber);
        this.skippingLine = false;
        continue;
      }
      let data = chunk;
      let base = chunkOffset;
      let from = start;
      let end = nl;
      if (this.partialBytes > 0) {
        data = Buffer.concat([...this.partial, chunk.subarray(0, nl)]);
        base = chunkOffset - this.partialBytes;
        from = 0;
        end = data.length;
        this.partial = [];
        this.partialBytes = 0;
      }
      this.lineNumber++;
      if (!this.readLine(data, from, end, base, spans)) return false;
    }
    if (lineStart < chunk.length && !this.skippingLine) {
      if (this.partialBytes + chunk.length - lineStart > this.maxLineBytes) this.skipLongLine(this.lineNumber + 1);
      else {
        // Copied so a short tail doesn't pin the whole chunk.
        const tail = lineStart === 0 ? chunk : Buffer.from(chunk.subarray(lineStart));
        this.partial.push(tail);
        this.partialBytes += tail.length;
      }
    }
    this.formats.endOfPass();
    this.flushFormats(spans);
    if (spans.length > 0) this.sink.spans(this.file, spans);
    return true;
  }

  private finishFormats(): void {
    this.formats.finish();
    const spans: SpanRecord[] = [];
    this.flushFormats(spans);
    if (spans.length > 0) this.sink.spans(this.file, spans);
  }

  /** Spans and problems the non-OTLP line readers produced. */
  private flushFormats(out: SpanRecord[]): void {
    if (!this.formats.hasOutput) return;
    for (const { line, spans, problems } of this.formats.take()) {
      this.accept(spans, line, out);
      for (const p of problems) this.sink.problem({ file: this.file, line: p.line, message: p.message });
    }
  }

  /** Reports a line over the limit and drops what is held of it; the rest is dropped as it comes. */
  private skipLongLine(line: number): void {
    this.partial = [];
    this.partialBytes = 0;
    this.skippingLine = true;
    // A line that long is no lone `{`: the file is lines.
    if (this.mode === 'unknown') this.mode = 'lines';
    this.sink.problem({ file: this.file, line, message: `line longer than ${limitText(this.maxLineBytes)} (tracerun.maxLineMB); skipped` });
  }

  /** The held last line of a complete file, which has no newline; false when it starts a document. */
  private readFinalLine(): boolean {
    const data = Buffer.concat(this.partial);
    const base = this.offset - this.partialBytes;
    this.partial = [];
    this.partialBytes = 0;
    this.lineNumber++;
    const spans: SpanRecord[] = [];
    if (!this.readLine(data, 0, data.length, base, spans)) return false;
    this.formats.finish();
    this.flushFormats(spans);
    if (spans.length > 0) this.sink.spans(this.file, spans);
    return true;
  }

  /** Reads one line into `out`; returns false when it shows the file is one document. */
  private readLine(data: Buffer, start: number, end: number, base: number, out: SpanRecord[]): boolean {
    if (base + start === 0 && hasBom(data, start, end)) start += 3;
    if (this.mode === 'unknown' && !this.decideMode(data, start, end)) return true;
    if (this.mode === 'document') return false;
    this.readSpans(data, start, end, base, out);
    return true;
  }

  /** Blank lines before the first content decide nothing; returns whether the mode is known. */
  private decideMode(data: Buffer, start: number, end: number): boolean {
    const text = data.toString('utf8', start, Math.min(end, start + 64)).trim();
    if (text === '' && end - start < 64) return false;
    this.mode = text === '{' || text === '[' ? 'document' : 'lines';
    return true;
  }

  private readSpans(data: Buffer, start: number, end: number, base: number, out: SpanRecord[]): void {
    let p = start;
    while (p < end && (data[p] === 0x20 || data[p] === 0x09 || data[p] === 0x0d)) p++;
    if (p === end && !this.formats.inObject) return;
    // OTLP lines, the common case, go straight to their reader; anything else is told apart
    // by content (run records, console exporter objects among log lines, wrapped OTLP).
    const otlp = !this.formats.inObject && opensOtlpObject(data, p, end);
    if (!otlp) {
      if (this.formats.line(data, start, end, base, this.lineNumber)) return;
    } else this.formats.sawOtlp();
    this.flushFormats(out);
    try {
      const result = readOtlpJson(data, start, end, { file: this.file, line: this.lineNumber, byteBase: base });
      this.accept(result.spans, this.lineNumber, out);
      if (result.logRecords.length > 0) this.sink.logRecords?.(this.file, result.logRecords);
      for (const message of result.problems) this.sink.problem({ file: this.file, line: this.lineNumber, message });
    } catch (err) {
      this.sink.problem({ file: this.file, line: this.lineNumber, message: describeError(err) });
    }
  }

  /** Spans whose times can be shown go to `out`; the others are reported by name. */
  private accept(spans: readonly SpanRecord[], line: number, out: SpanRecord[]): void {
    for (const span of spans) {
      const bad = outOfRangeTime(span);
      if (bad === undefined) out.push(span);
      else this.sink.problem({ file: this.file, line, message: bad });
    }
  }

  private continueAsLines(data: Buffer, offset: number, lines: number): void {
    this.mode = 'lines';
    this.offset = offset;
    this.lineNumber = lines;
    this.partial = [];
    this.partialBytes = 0;
    this.documentSize = -1;
    this.documentMtimeMs = -1;
    this.seen = Buffer.from(data.subarray(Math.max(0, offset - SEEN_BYTES), offset));
    this.formats = new LineFormats(this.file, this.maxLineBytes);
    this.formats.continueConsole();
  }

  private async readDocument(handle: fs.FileHandle, size: number, mtimeMs: number): Promise<void> {
    if (size === this.documentSize && mtimeMs === this.documentMtimeMs) return;
    if (size > this.maxLineBytes) {
      // Read whole or not at all: one object is one line as far as the limit goes.
      this.sink.reset(this.file);
      this.documentSize = size;
      this.documentMtimeMs = mtimeMs;
      this.offset = size;
      this.sink.problem({ file: this.file, line: 1, message: `one JSON document larger than ${limitText(this.maxLineBytes)} (tracerun.maxLineMB); not read` });
      return;
    }
    const data = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(data, 0, size, 0);
    if (this.disposed) return;
    this.sink.reset(this.file);
    this.documentSize = bytesRead;
    this.documentMtimeMs = mtimeMs;
    this.offset = bytesRead;
    try {
      const result = readTraceDocument(data, hasBom(data, 0, bytesRead) ? 3 : 0, bytesRead, this.file, this.complete);
      const spans: SpanRecord[] = [];
      for (const span of result.spans) this.accept([span], span.origin.line, spans);
      if (spans.length > 0) this.sink.spans(this.file, spans);
      if (result.logRecords && result.logRecords.length > 0) this.sink.logRecords?.(this.file, result.logRecords);
      for (const p of result.problems) this.sink.problem({ file: this.file, line: p.line, message: p.message });
      // Objects one after another (a log the console exporter writes to): read what is
      // appended as lines from here on, not the whole file again on every change.
      if (result.stream && !this.complete) this.continueAsLines(data, result.stream.offset, result.stream.lines);
    } catch (err) {
      // A document still being written ends early; wait for the rest before complaining.
      if (!this.complete && err instanceof JsonSyntaxError && err.offset >= bytesRead) return;
      const line = err instanceof JsonSyntaxError ? lineAt(data, Math.min(err.offset, bytesRead)) : 1;
      this.sink.problem({ file: this.file, line, message: describeError(err) });
    }
  }
}

function limitText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${bytes} bytes`;
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
