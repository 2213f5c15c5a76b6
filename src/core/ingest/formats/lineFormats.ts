import type { SpanRecord } from '../../model/span';
import { readOtlpJson } from '../otlp/otlpJsonReader';
import { closesObject, LineIndex, opensObject, readObject } from './traceDocument';
import { describeText, readTraceValue, type FormatProblem, type FormatResult } from './traceValue';

/** What a batch of lines gave, for the tailer to deliver in order. */
export interface LineOutput {
  /** The line spans are reported under when their times are out of range. */
  readonly line: number;
  readonly spans: SpanRecord[];
  readonly problems: FormatProblem[];
}

/** How much of a text line is kept while the file's format is not known yet. */
const HELD_BYTES = 4096;
/** Text lines held before the format is known; later ones are only counted. */
const MAX_HELD = 100;

interface OpenObject {
  parts: Buffer[];
  bytes: number;
  /** File offset of its `{`. */
  offset: number;
  line: number;
}

/**
 * The lines of a JSON-lines file that are not OTLP requests, told apart by content: run
 * records (LangSmith, the simple format), wrapped OTLP on one line (a downloaded trace),
 * and pretty-printed objects (the console exporter) among log lines. Text lines before the
 * file shows what it is are held: they are log lines in a console exporter's file, and
 * malformed lines in a JSON-lines file, reported as such once a JSON line says so.
 */
export class LineFormats {
  private format: 'undecided' | 'otlp' | 'json' | 'console' | 'described' = 'undecided';
  private held: { line: number; text: Buffer }[] = [];
  private open: OpenObject | undefined;
  private queue: LineOutput[] = [];
  private describedShape = false;

  constructor(private readonly file: string, private readonly maxObjectBytes: number) {}

  /** Inside a pretty-printed object: every line belongs to it, whatever it holds. */
  get inObject(): boolean {
    return this.open !== undefined;
  }

  get hasOutput(): boolean {
    return this.queue.length > 0;
  }

  /** What the lines gave since the last call. */
  take(): LineOutput[] {
    const out = this.queue;
    this.queue = [];
    return out;
  }

  /** The file was read up to here as console exporter objects among log lines: go on that way. */
  continueConsole(): void {
    this.format = 'console';
    this.held = [];
  }

  /** An OTLP line was read: held text lines were malformed OTLP lines. */
  sawOtlp(): void {
    if (this.format === 'otlp') return;
    this.format = 'otlp';
    const problems = this.held.map(({ line, text }) => ({ line, message: otlpMessage(text) }));
    this.held = [];
    if (problems.length > 0) this.queue.push({ line: problems[0].line, spans: [], problems });
  }

  /**
   * Reads one line (without its newline); false when it is for the OTLP reader (a malformed
   * line in an OTLP file, reported with the OTLP reader's message).
   */
  line(data: Buffer, start: number, end: number, base: number, lineNumber: number): boolean {
    if (this.open) {
      this.continueObject(data, start, end);
      return true;
    }
    if (opensObject(data, start, end)) {
      this.open = { parts: [Buffer.from(data.subarray(start, end)), Buffer.from('\n')], bytes: end - start + 1, offset: base + start, line: lineNumber };
      return true;
    }
    let p = start;
    while (p < end && (data[p] === 0x20 || data[p] === 0x09)) p++;
    const c = data[p];
    if (c !== 0x7b && c !== 0x5b) return this.textLine(data, start, end, lineNumber);
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8', start, end));
    } catch (err) {
      if (this.format === 'otlp' || this.format === 'undecided') return false;
      this.queue.push({ line: lineNumber, spans: [], problems: [{ line: lineNumber, message: `malformed JSON: ${(err as Error).message}` }] });
      return true;
    }
    const out: FormatResult = { spans: [], problems: [] };
    try {
      readTraceValue(data, start, end, value, { file: this.file, byteBase: base, lineAt: () => lineNumber }, out);
    } catch (err) {
      out.problems.push({ line: lineNumber, message: `malformed OTLP JSON: ${(err as Error).message}` });
    }
    if (out.spans.length > 0) this.established('json');
    this.push(lineNumber, out);
    return true;
  }

  /** Called after each read: text that never turned out to be anything is described once. */
  endOfPass(): void {
    if (this.format !== 'undecided' || this.open || this.held.length === 0) return;
    const first = this.held[0];
    this.held = [];
    this.format = 'described';
    this.queue.push({ line: first.line, spans: [], problems: [{ line: first.line, message: describeText(first.line, first.text.toString('utf8')) }] });
  }

  /** The file is complete: an object still open never closed. */
  finish(): void {
    if (this.open) {
      this.queue.push({ line: this.open.line, spans: [], problems: [{ line: this.open.line, message: 'the file ends inside an object that starts here' }] });
      this.open = undefined;
    }
    this.endOfPass();
  }

  private textLine(data: Buffer, start: number, end: number, lineNumber: number): boolean {
    switch (this.format) {
      case 'otlp':
        return false;
      case 'json':
        this.queue.push({ line: lineNumber, spans: [], problems: [{ line: lineNumber, message: 'not JSON: every line of this file so far was a JSON object' }] });
        return true;
      case 'undecided':
        if (this.held.length < MAX_HELD) this.held.push({ line: lineNumber, text: Buffer.from(data.subarray(start, Math.min(end, start + HELD_BYTES))) });
        return true;
      default:
        // A log line between console exporter objects, or more of a file already described.
        return true;
    }
  }

  private continueObject(data: Buffer, start: number, end: number): void {
    const open = this.open!;
    if (open.bytes + end - start + 1 > this.maxObjectBytes) {
      this.open = undefined;
      this.queue.push({ line: open.line, spans: [], problems: [{ line: open.line, message: `an object longer than the line limit (tracerun.maxLineMB) starts here; skipped` }] });
      return;
    }
    open.parts.push(Buffer.from(data.subarray(start, end)));
    open.bytes += end - start;
    if (!closesObject(data, start, end)) {
      open.parts.push(Buffer.from('\n'));
      open.bytes++;
      return;
    }
    this.open = undefined;
    const buf = Buffer.concat(open.parts);
    const lines = new LineIndex(buf, open.line);
    const out: FormatResult = { spans: [], problems: [] };
    readObject(buf, 0, buf.length, { file: this.file, byteBase: open.offset, lineAt: (i) => lines.lineAt(i) }, out);
    if (out.spans.length > 0) this.established('console');
    this.push(open.line, out);
  }

  private established(format: 'json' | 'console'): void {
    if (this.format === 'otlp' || this.format === format) return;
    if (format === 'json' && this.format === 'undecided') {
      const problems = this.held.map(({ line }) => ({ line, message: 'not JSON: the other lines of this file are JSON objects' }));
      if (problems.length > 0) this.queue.push({ line: problems[0].line, spans: [], problems });
    }
    // Console objects: the held lines were the application's log.
    this.held = [];
    this.format = format;
  }

  /** Queues a result; the description of an unknown shape is given once per file, not per line. */
  private push(line: number, out: FormatResult): void {
    const problems = out.problems.filter((p) => {
      if (!p.message.startsWith('not a trace format')) return true;
      // Structured log lines between console exporter objects are the application's log.
      if (this.describedShape || this.format === 'console') return false;
      this.describedShape = true;
      return true;
    });
    if (out.spans.length > 0 || problems.length > 0) this.queue.push({ line, spans: out.spans, problems });
  }
}

function otlpMessage(text: Buffer): string {
  try {
    readOtlpJson(text, 0, text.length, { file: '', line: 0, byteBase: 0 });
    return 'malformed OTLP JSON';
  } catch (err) {
    return `malformed OTLP JSON: ${(err as Error).message}`;
  }
}
