import * as fs from 'node:fs';
import { asRunningSpan } from '../genai/pendingSpans';
import { readOtlpJson } from '../ingest/otlp/otlpJsonReader';
import { outOfRangeTime } from '../model/timeRange';
import type { SpanRecord } from '../model/span';
import { memorySourceBytes } from '../ingest/spanSource';
import { openRegularFileSync } from '../ingest/regularFile';

/**
 * The spans a line of a trace file gives back, as the store holds them: a running twin as
 * running, a span with an out-of-range time left out. Throws when the bytes are not an OTLP
 * line (the file changed under its index or its places).
 */
export function spansOfLine(bytes: Buffer, file: string, line: number, lineStart: number): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const span of readOtlpJson(bytes, 0, bytes.length, { file, line, byteBase: lineStart }).spans) {
    if (outOfRangeTime(span) === undefined) out.push(asRunningSpan(span));
  }
  return out;
}

/**
 * A trace's files, each followed by its lines there as flat triples (line, lineStart,
 * lineEnd): `[file, lines, file, lines, …]`. Kept for every run of a month of history, where a
 * Map per run (most runs are in one file) held more than the lines in it.
 */
type FileLines = (string | number[])[];

/** The lines of `file` in `files`, if any. */
function linesIn(files: FileLines, file: string): number[] | undefined {
  for (let i = 0; i < files.length; i += 2) if (files[i] === file) return files[i + 1] as number[];
  return undefined;
}

function* eachFile(files: FileLines): IterableIterator<[string, number[]]> {
  for (let i = 0; i < files.length; i += 2) yield [files[i] as string, files[i + 1] as number[]];
}

/**
 * Where each trace's spans were read from: per file, the lines (number, first byte, end byte)
 * that held them. Enough to read one run's spans again without reading its files whole.
 */
export class SpanPlaces {
  private readonly byTrace = new Map<string, FileLines>();
  /** Traces with a span that cannot be read again on its own (no line range): never evicted. */
  private readonly pinned = new Set<string>();

  add(span: SpanRecord): void {
    const { file, line, lineStart, lineEnd } = span.origin;
    if (lineStart === undefined || lineEnd === undefined) {
      this.pinned.add(span.traceId);
      return;
    }
    let files = this.byTrace.get(span.traceId);
    if (!files) this.byTrace.set(span.traceId, (files = []));
    let lines = linesIn(files, file);
    if (!lines) files.push(file, (lines = []));
    // The spans of one line come together: a line is noted once, unless other lines came between.
    const n = lines.length;
    if (n > 0 && lines[n - 3] === line && lines[n - 2] === lineStart) return;
    lines.push(line, lineStart, lineEnd);
  }

  /** Whether the trace's spans can all be read again from their lines. */
  canReload(traceId: string): boolean {
    return !this.pinned.has(traceId) && this.byTrace.has(traceId);
  }

  /** Whether the trace's spans were read from more than one file. */
  inSeveralFiles(traceId: string): boolean {
    return (this.byTrace.get(traceId)?.length ?? 0) > 2;
  }

  /** Whether a span of the trace cannot be read again from a line of its own. */
  isPinned(traceId: string): boolean {
    return this.pinned.has(traceId);
  }

  /** The lines noted for the trace in `file` (flat triples), for the index. */
  linesOf(traceId: string, file: string): readonly number[] | undefined {
    const files = this.byTrace.get(traceId);
    return files && linesIn(files, file);
  }

  /**
   * Gives back the room the trace's lists grew into while its spans were read: called when its
   * spans are evicted, after which its lines are kept for as long as the run is listed.
   */
  settle(traceId: string): void {
    const files = this.byTrace.get(traceId);
    if (!files) return;
    const settled = files.map((item) => (typeof item === 'string' ? item : item.slice()));
    this.byTrace.set(traceId, settled);
  }

  /** Every file the trace's spans were read from, with the lines noted in it (flat triples). */
  placesOf(traceId: string): Iterable<readonly [file: string, lines: readonly number[]]> | undefined {
    const files = this.byTrace.get(traceId);
    return files && eachFile(files);
  }

  /** Notes lines known from an index, as if their spans had been read. */
  addLines(traceId: string, file: string, lines: readonly number[]): void {
    const files = this.byTrace.get(traceId);
    // Most runs are in one file: their list made to its length at once.
    if (!files) return void this.byTrace.set(traceId, [file, lines.slice()]);
    const known = linesIn(files, file);
    if (known) files[files.indexOf(file) + 1] = [...known, ...lines];
    else files.push(file, [...lines]);
  }

  removeFile(file: string, traceIds: Iterable<string>): void {
    for (const id of traceIds) {
      const files = this.byTrace.get(id);
      const at = files ? files.indexOf(file) : -1;
      if (at >= 0) files!.splice(at, 2);
      if (files?.length === 0) this.byTrace.delete(id);
    }
  }

  removeTrace(traceId: string): void {
    this.byTrace.delete(traceId);
    this.pinned.delete(traceId);
  }

  /**
   * Reads the trace's spans again from their lines, synchronously (a run's lines are a few
   * kilobytes to a few megabytes). A line that no longer reads (the file was rewritten) gives
   * nothing: the watcher tells the store about the rewrite, which forgets the file's spans.
   */
  read(traceId: string): SpanRecord[] {
    const out: SpanRecord[] = [];
    for (const [file, lines] of eachFile(this.byTrace.get(traceId) ?? [])) {
      // A trace fetched from a backend is held in memory under its name (`spanSource.ts`).
      const held = memorySourceBytes(file);
      let fd: number | undefined;
      try {
        // On the extension host's main thread: a file swapped for a FIFO must not block it.
        if (!held && (fd = openRegularFileSync(file)) === undefined) continue;
        for (let i = 0; i < lines.length; i += 3) {
          const line = lines[i];
          const start = lines[i + 1];
          const length = lines[i + 2] - start;
          const buf = held ? held.subarray(start, start + length) : Buffer.allocUnsafe(length);
          if (buf.length !== length || (fd !== undefined && fs.readSync(fd, buf, 0, length, start) !== length)) continue;
          try {
            for (const span of spansOfLine(buf, file, line, start)) if (span.traceId === traceId) out.push(span);
          } catch {
            // Not the line it was: the file changed under us, and the watcher will say so.
          }
        }
      } catch {
        // The file is gone: its removal reaches the store through the watcher.
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    }
    return out;
  }
}
