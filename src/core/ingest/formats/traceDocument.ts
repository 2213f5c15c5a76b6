import type { LogRecordRef } from '../../model/logRecords';
import { JsonScanner, JsonSyntaxError } from '../otlp/jsonScanner';
import { readOtlpJson } from '../otlp/otlpJsonReader';
import { firstKey, isOtlpKey, readTraceValue, type FormatResult, type ValueContext } from './traceValue';

const NEWLINE = 0x0a;

/** 1-based line numbers of byte offsets in one buffer, from an index of its newlines. */
export class LineIndex {
  private newlines: number[] | undefined;

  constructor(private readonly buf: Buffer, private readonly firstLine = 1) {}

  lineAt(offset: number): number {
    const nl = (this.newlines ??= newlineOffsets(this.buf));
    let lo = 0;
    let hi = nl.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (nl[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return this.firstLine + lo;
  }
}

function newlineOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  for (let p = buf.indexOf(NEWLINE); p >= 0; p = buf.indexOf(NEWLINE, p + 1)) out.push(p);
  return out;
}

/**
 * Reads a trace file that is not JSON lines: one JSON document (OTLP, possibly wrapped or
 * in an array), or pretty-printed objects one after another with other lines between them
 * (the console exporter's output in a log). Throws `JsonSyntaxError` (from the OTLP reader
 * or the scan of the first value) when the first document is malformed or ends early.
 */
export interface DocumentResult extends FormatResult {
  /**
   * Set when the file is a stream of objects, not one document: the offset after the last
   * whole line read (not inside an unfinished object) and how many lines that is, so the
   * tailer can read what is appended from there instead of the whole file again.
   */
  readonly stream?: { readonly offset: number; readonly lines: number };
  /** Log records of a single OTLP document (content some instrumentations send as logs). */
  readonly logRecords?: LogRecordRef[];
}

export function readTraceDocument(buf: Buffer, start: number, end: number, file: string, complete: boolean): DocumentResult {
  const lines = new LineIndex(buf);
  const ctx: ValueContext = { file, byteBase: 0, lineAt: (i) => lines.lineAt(i) };
  const out: FormatResult = { spans: [], problems: [] };
  const sc = new JsonScanner(buf, start, end);
  sc.skipWhitespace();
  const valueStart = sc.pos;
  if (isOtlpKey(firstKey(buf, valueStart, end))) {
    // One OTLP document, read as before, its syntax errors reported where they are; text
    // after it is a stream of objects (several exports appended to one file).
    sc.skipValue();
    if (sc.atEnd()) {
      const result = readOtlpJson(buf, start, end, { file, line: 1, byteBase: 0 });
      out.spans.push(...result.spans);
      for (const message of result.problems) out.problems.push({ line: 1, message });
      return { ...out, logRecords: result.logRecords };
    }
    return readObjectStream(buf, start, end, ctx, complete);
  }
  sc.skipValue();
  if (!sc.atEnd()) return readObjectStream(buf, start, end, ctx, complete);
  const value: unknown = JSON.parse(buf.toString('utf8', valueStart, sc.pos));
  readTraceValue(buf, valueStart, sc.pos, value, ctx, out);
  return out;
}

function isLone(buf: Buffer, start: number, end: number, byte: number): boolean {
  let e = end;
  while (e > start && (buf[e - 1] === 0x0d || buf[e - 1] === 0x20 || buf[e - 1] === 0x09)) e--;
  return e - start === 1 && buf[start] === byte;
}

/** Whether `buf[start, end)` (one line, without its newline) is a lone `{` starting a pretty-printed object. */
export function opensObject(buf: Buffer, start: number, end: number): boolean {
  return isLone(buf, start, end, 0x7b);
}

/** Whether the line is the lone `}` at column 0 that closes a pretty-printed object. */
export function closesObject(buf: Buffer, start: number, end: number): boolean {
  return isLone(buf, start, end, 0x7d);
}

/**
 * Objects printed with an indent, one after another: each opens with a lone `{` line and
 * closes with a lone `}` line at column 0 (Python's `json.dumps(indent=…)`, `JSON.stringify`
 * with an indent). Lines outside them are someone else's log and are skipped.
 */
function readObjectStream(buf: Buffer, start: number, end: number, ctx: ValueContext, complete: boolean): DocumentResult {
  const spans: FormatResult['spans'] = [];
  const problems: FormatResult['problems'] = [];
  const out: FormatResult = { spans, problems };
  let open = -1;
  let lineStart = start;
  /** After the last newline-ended line outside an unfinished object. */
  let consumed = start;
  while (lineStart < end) {
    let lineEnd = buf.indexOf(NEWLINE, lineStart);
    const whole = lineEnd >= 0 && lineEnd < end;
    if (!whole) lineEnd = end;
    if (open < 0 && opensObject(buf, lineStart, lineEnd)) open = lineStart;
    else if (open >= 0 && closesObject(buf, lineStart, lineEnd)) {
      readObject(buf, open, lineEnd, ctx, out);
      open = -1;
    }
    if (whole && open < 0) consumed = lineEnd + 1;
    lineStart = lineEnd + 1;
  }
  if (open >= 0 && complete) problems.push({ line: ctx.lineAt(open), message: 'the file ends inside an object that starts here' });
  return { spans, problems, stream: { offset: consumed, lines: consumed === 0 ? 0 : ctx.lineAt(consumed - 1) } };
}

/** One complete object of a stream (or one held by the live tailer). */
export function readObject(buf: Buffer, start: number, end: number, ctx: ValueContext, out: FormatResult): void {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8', start, end));
  } catch (err) {
    out.problems.push({ line: ctx.lineAt(start), message: `malformed JSON: ${(err as Error).message}` });
    return;
  }
  try {
    readTraceValue(buf, start, end, value, ctx, out);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    out.problems.push({ line: ctx.lineAt(start), message: `malformed OTLP JSON: ${err.message}` });
  }
}
