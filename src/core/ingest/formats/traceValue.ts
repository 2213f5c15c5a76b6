/**
 * Reads trace JSON of any shape this extension knows, once parsed or located: OTLP requests
 * (alone, in an array, or wrapped as trace backends return them when a trace is downloaded),
 * console exporter spans and run records. Shapes:
 * - `{"resourceSpans": […]}`: OTLP JSON (`ExportTraceServiceRequest`).
 * - `[request, …]`: several, e.g. collected from an exporter's calls.
 * - `{"batches": [ResourceSpans…]}`: Grafana Tempo's `/api/traces/{id}` (v1).
 * - `{"trace": {…}}`: Tempo's `/api/v2/traces/{id}`; `{"result": {…}}`: Jaeger's
 *   `/api/v3/traces/{id}` (OTLP inside).
 * - `{"data": […]}`: elements read as above, or Jaeger's own JSON traces (`jaegerTrace.ts`).
 */
import type { SpanRecord } from '../../model/span';
import { JsonScanner } from '../otlp/jsonScanner';
import { readOtlpJson } from '../otlp/otlpJsonReader';
import { consoleSpanRecord, isConsoleSpan, isObject } from './consoleSpan';
import { Redactor } from '../../privacy/redact';
import { isJaegerTrace, readJaegerTrace } from './jaegerTrace';
import { isRunRecord, runSpanRecord } from './runRecord';

export interface FormatProblem {
  /** 1-based line in the file. */
  readonly line: number;
  readonly message: string;
}

export interface FormatResult {
  readonly spans: SpanRecord[];
  readonly problems: FormatProblem[];
}

export const FORMATS_READ =
  'OTLP JSON (one request per line, one document, an array of them, or a trace downloaded from Tempo/Jaeger: {"batches"}, {"trace"}, {"result"}, {"data"}), Jaeger JSON traces, ' +
  "the OpenTelemetry Python SDK's ConsoleSpanExporter output, LangSmith run records (JSON lines) and the simple span format (see the README)";

const OTLP_KEYS = new Set(['resourceSpans', 'resource_spans', 'resourceLogs', 'resource_logs', 'resourceMetrics', 'resource_metrics']);
const WRAPPER_KEYS = ['batches', 'trace', 'result', 'data'] as const;
const BATCHES_PREFIX = Buffer.from('{"resourceSpans":');
const SUFFIX = Buffer.from('}');
const FIRST_KEY_RE = /^\s*\{\s*"([A-Za-z_]+)"/;

/** The first key of an object starting at `start`, read from its first bytes only. */
export function firstKey(buf: Buffer, start: number, end: number): string | undefined {
  return FIRST_KEY_RE.exec(buf.toString('latin1', start, Math.min(end, start + 64)))?.[1];
}

export function isOtlpKey(key: string | undefined): boolean {
  return key !== undefined && OTLP_KEYS.has(key);
}

const RESOURCE = Buffer.from('resource');

/**
 * Whether the object starting at `buf[p]` (its `{`) opens with an OTLP key (`resourceSpans`,
 * `resource_spans`, `resourceLogs`, …): the per-line test of the hot path, so bytes are
 * compared in place, nothing decoded or allocated.
 */
export function opensOtlpObject(buf: Buffer, p: number, end: number): boolean {
  if (buf[p] !== 0x7b) return false;
  let q = p + 1;
  while (q < end && (buf[q] === 0x20 || buf[q] === 0x09 || buf[q] === 0x0d || buf[q] === 0x0a)) q++;
  if (buf[q] !== 0x22 || q + RESOURCE.length + 2 > end) return false;
  for (let i = 0; i < RESOURCE.length; i++) if (buf[q + 1 + i] !== RESOURCE[i]) return false;
  const next = buf[q + 1 + RESOURCE.length];
  // S(pans), _(spans|logs|metrics), L(ogs), M(etrics)
  return next === 0x53 || next === 0x5f || next === 0x4c || next === 0x4d;
}

/** Where the reader is in the file: `buf[i]` is at file offset `byteBase + i`. */
export interface ValueContext {
  readonly file: string;
  readonly byteBase: number;
  /** The file line of `buf[i]`. */
  lineAt(i: number): number;
}

/**
 * Reads the JSON value at `buf[start, end)` (already known to be valid JSON, parsed as
 * `value`). Problems name what the value looks like when it is no known shape.
 */
export function readTraceValue(buf: Buffer, start: number, end: number, value: unknown, ctx: ValueContext, out: FormatResult): void {
  const line = ctx.lineAt(start);
  const place = { file: ctx.file, line, byteStart: ctx.byteBase + start, byteEnd: ctx.byteBase + end };
  if (Array.isArray(value)) {
    if (value.length === 0) return;
    const sc = new JsonScanner(buf, start, end);
    sc.beginArray();
    let i = 0;
    for (let first = true; sc.nextElement(first); first = false) {
      sc.skipValue();
      const element = value[i++];
      if (isObject(element)) readTraceValue(buf, sc.skippedStart, sc.pos, element, ctx, out);
      else if (i === 1) out.problems.push({ line, message: unknownShape(value) });
    }
    return;
  }
  if (!isObject(value)) {
    out.problems.push({ line, message: unknownShape(value) });
    return;
  }
  if (Object.keys(value).some((k) => OTLP_KEYS.has(k))) return readOtlp(buf, start, end, ctx, line, out);
  if (isConsoleSpan(value)) return push(consoleSpanRecord(value, place), line, out);
  if (isJaegerTrace(value)) {
    const result = readJaegerTrace(buf, start, end, value, ctx.file, ctx.byteBase, line);
    out.spans.push(...result.spans);
    for (const message of result.problems) out.problems.push({ line, message });
    return;
  }
  if (isRunRecord(value)) return push(runSpanRecord(value, place), line, out);
  const wrapper = WRAPPER_KEYS.find((k) => k in value && (isObject(value[k]) || Array.isArray(value[k])));
  if (wrapper === undefined) {
    out.problems.push({ line, message: unknownShape(value) });
    return;
  }
  const range = keyRange(buf, start, end, wrapper);
  if (range === undefined) return;
  if (wrapper === 'batches') return readBatches(buf, range[0], range[1], ctx, line, out);
  readTraceValue(buf, range[0], range[1], value[wrapper], ctx, out);
}

function push(result: SpanRecord | string, line: number, out: FormatResult): void {
  if (typeof result === 'string') out.problems.push({ line, message: result });
  else out.spans.push(result);
}

function readOtlp(buf: Buffer, start: number, end: number, ctx: ValueContext, line: number, out: FormatResult): void {
  const result = readOtlpJson(buf, start, end, { file: ctx.file, line, byteBase: ctx.byteBase });
  out.spans.push(...result.spans);
  for (const message of result.problems) out.problems.push({ line, message });
}

/**
 * Tempo's `batches` are ResourceSpans without the request around them: read as one request
 * by putting `{"resourceSpans":` before the array, with offsets shifted so the spans still
 * point at their bytes in the file (their details are read from there).
 */
function readBatches(buf: Buffer, start: number, end: number, ctx: ValueContext, line: number, out: FormatResult): void {
  const wrapped = Buffer.concat([BATCHES_PREFIX, buf.subarray(start, end), SUFFIX]);
  const result = readOtlpJson(wrapped, 0, wrapped.length, { file: ctx.file, line, byteBase: ctx.byteBase + start - BATCHES_PREFIX.length });
  out.spans.push(...result.spans);
  for (const message of result.problems) out.problems.push({ line, message });
}

/** The byte range of a top-level key's value in the object at `buf[start, end)`. */
function keyRange(buf: Buffer, start: number, end: number, wanted: string): [number, number] | undefined {
  const sc = new JsonScanner(buf, start, end);
  if (!sc.beginObject()) return undefined;
  for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
    sc.skipValue();
    if (key === wanted) {
      sc.skipWhitespace();
      return [sc.skippedStart, sc.pos];
    }
  }
  return undefined;
}

/** What a value that is no known trace shape looks like, and what would have been read. */
export function unknownShape(value: unknown): string {
  return `not a trace format read here: it looks like ${describeValue(value)}. Formats read: ${FORMATS_READ}`;
}

export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'an empty JSON array' : `a JSON array of ${value.length} (the first ${describeValue(value[0])})`;
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty JSON object';
    return `a JSON object with keys ${keys.slice(0, 6).map((k) => `"${k}"`).join(', ')}${keys.length > 6 ? ', …' : ''}`;
  }
  return value === null ? 'JSON null' : `a JSON ${typeof value}`;
}

/** The quoted line goes to the log and the Problems panel: secrets in it are masked (default rules). */
const quoteRedactor = new Redactor();

/** "plain text (line 3: "INFO starting…")". */
export function describeText(firstLine: number, text: string): string {
  // Masked before it is cut, so a secret at the cut is still recognised whole.
  const masked = quoteRedactor.text(text.trim()).replace(/[\u0000-\u001f\u007f]/g, ' ');
  return `not a trace format read here: it looks like plain text (line ${firstLine}: "${masked.slice(0, 60)}${masked.length > 60 ? '…' : ''}"). Formats read: ${FORMATS_READ}`;
}
