// OTLP/HTTP JSON request bodies: checked, their invalid spans counted and left out, and turned
// into the one line the trace file gets.
import { JsonSyntaxError, MAX_JSON_DEPTH, findTooDeep, isStrictJson } from '../ingest/otlp/jsonScanner';
import { readOtlpJson, type ReadResult } from '../ingest/otlp/otlpJsonReader';
import { describeSpanDefect, spanDefect } from '../ingest/otlp/spanRule';
import { normalizeId } from '../model/ids';
import { parseNanos } from '../model/time';

/** An OTLP JSON `ExportTraceServiceRequest` object (the shape trace files hold, one per line). */
export interface OtlpJsonRequest {
  resourceSpans?: unknown[];
  [key: string]: unknown;
}

/** What a receiver keeps of one request. */
export interface AcceptedTraces {
  /**
   * The accepted spans as one line of OTLP JSON (no line break), as text or UTF-8 bytes;
   * undefined when none were accepted.
   */
  readonly line: string | Uint8Array | undefined;
  readonly acceptedSpans: number;
  /** Spans left out: no valid trace or span id (or, in JSON, no start time or a time out of range). */
  readonly rejectedSpans: number;
  /** Why, for `partialSuccess.errorMessage`; undefined when nothing was rejected. */
  readonly rejectionMessage: string | undefined;
}

/** The body is not an OTLP JSON `ExportTraceServiceRequest`. */
export class OtlpJsonError extends Error {
  override readonly name = 'OtlpJsonError';
}

/**
 * For protobuf spans, whose ids are bytes and whose times are always present and in range
 * (`fixed64` is exactly the range the reader takes).
 */
export function idProblem(traceIdValid: boolean, spanIdValid: boolean): string | undefined {
  const defect = spanDefect(traceIdValid ? 'valid' : '', spanIdValid ? 'valid' : '', 0n);
  return defect === undefined ? undefined : describeSpanDefect(defect);
}

export function summarizeRejections(count: number, examples: readonly string[]): string | undefined {
  if (count === 0) return undefined;
  const more = count > examples.length ? `; and ${count - examples.length} more` : '';
  return `${count} span${count === 1 ? '' : 's'} rejected: ${examples.join('; ')}${more}`;
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const NEWLINES = /[\r\n]/g;
/** Integer literals too long to survive JSON.parse exactly (outside strings, not part of a float). */
const BIG_INTEGERS = /"(?:[^"\\]|\\.)*"|(?<![\w.+-])(-?\d{16,})(?![\w.])/g;
const MAYBE_BIG = /\d{16}/;

const SCOPE_SPANS_KEYS = ['scopeSpans', 'scope_spans', 'instrumentationLibrarySpans', 'instrumentation_library_spans'] as const;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads an OTLP JSON `ExportTraceServiceRequest` body: camelCase or proto field names, ids in
 * hex (or base64), as the file reader accepts. Throws `OtlpJsonError` naming what failed when
 * the text is not JSON or not shaped like a request. When every span is valid the line is
 * the body itself (bytes in, bytes out) with its line breaks made spaces: nothing is
 * re-encoded, so integers beyond 2^53 stay exact and no time goes into serializing. Otherwise
 * the rejected spans are removed and the rest re-serialized.
 */
export function readTraceRequestJson(body: string | Uint8Array): AcceptedTraces {
  if (typeof body !== 'string') {
    let bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    const read = readPlainTraceRequest(bytes);
    if (read) return read;
  }
  return readTraceRequestJsonChecked(body);
}

/**
 * The common request, read in one pass of the trace file reader instead of JSON.parse and the
 * reader both: valid JSON (`isStrictJson`, which also bounds the nesting), read by the reader
 * with no problem, no log records, and nothing JSON.parse could see otherwise (no ambiguities:
 * see `ReadResult.ambiguities`), every span's ids hex of the right length. Then JSON.parse would
 * meet the same spans and judge them the same, and the body is the line, read back already.
 * Undefined for anything else, which `readTraceRequestJsonChecked` reads (and names).
 */
export function readPlainTraceRequest(bytes: Buffer): AcceptedTraces | undefined {
  if (!isStrictJson(bytes, 0, bytes.length)) return undefined;
  let read: ReadResult;
  try {
    read = readOtlpJson(bytes, 0, bytes.length, { file: 'request', line: 1, byteBase: 0, structureOnly: true });
  } catch (err) {
    if (err instanceof JsonSyntaxError) return undefined;
    throw err;
  }
  if (read.problems.length > 0 || read.ambiguities !== 0 || read.logRecords.length > 0 || read.unlinkedLogRecords > 0) return undefined;
  for (const span of read.spans) if (!HEX32.test(span.traceId) || !HEX16.test(span.spanId)) return undefined;
  const accepted = read.spans.length;
  return { line: accepted === 0 ? undefined : oneLineBytes(bytes), acceptedSpans: accepted, rejectedSpans: 0, rejectionMessage: undefined };
}

/** `readTraceRequestJson` with JSON.parse and the reader both: any request, with messages naming what failed. */
export function readTraceRequestJsonChecked(body: string | Uint8Array): AcceptedTraces {
  let bytes: Buffer | undefined;
  let text: string;
  if (typeof body === 'string') {
    text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  } else {
    bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    // One character per byte: JSON's syntax is all ASCII, so this parses exactly what the
    // UTF-8 text would, faster, and strings re-serialize to their original bytes (see
    // otlpProto's RAW_STRINGS_ROOT). Only names in messages need decoding.
    text = bytes.toString('latin1');
  }
  const utf8 = bytes ? (s: string) => Buffer.from(s, 'latin1').toString('utf8') : (s: string) => s;
  const measured = bytes ?? Buffer.from(text);
  // The trace file reader first: it also measures the nesting from the start, as findTooDeep
  // does, so a request it reads needs no separate depth pass before JSON.parse (the reader
  // and the line's re-serialization must never meet more). A request it cannot read goes
  // through the checks in their order (depth, JSON, shape, read-back) for the message.
  const seen = readBackOrUndefined(measured);
  if (seen === undefined) {
    const tooDeep = findTooDeep(measured, 0, measured.length);
    if (tooDeep >= 0) throw new OtlpJsonError(`the request is nested deeper than ${MAX_JSON_DEPTH} levels (at byte ${tooDeep})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // The message quotes a bit of the text: show it as UTF-8 again.
    throw new OtlpJsonError(`invalid JSON: ${utf8(err instanceof Error ? err.message : String(err))}`);
  }
  let check = checkRequest(parsed, utf8);
  // A time JSON.parse rounded may fall on the other side of 2^64 than the reader's exact one.
  let exact: Json | undefined;
  if (check.rounded) check = checkRequest((exact = exactJson(text, parsed)), utf8);
  // One rule for "acknowledged" and "readable": the trace file reader must meet the same
  // spans in the body as JSON.parse did, and read every accepted one back from the line.
  const read = seen ?? readBack(measured); // the latter throws, naming why
  if (read.spans + read.problems.length !== check.accepted + check.rejected) {
    throw new OtlpJsonError(
      `the request would not read back from the trace file as sent: a streaming reader meets ${read.spans + read.problems.length} spans where JSON.parse meets ${check.accepted + check.rejected}; is a key repeated?`,
    );
  }
  if (check.rejected === 0) {
    // The body is the line (line breaks made spaces), read above: every span JSON.parse finds
    // valid must be one the reader reads, not skips (a key given twice, or in both spellings,
    // can make them judge one span differently).
    if (read.problems.length > 0) throw new OtlpJsonError(`the request would not read back from the trace file: ${clipText(read.problems[0])} (is a key repeated?)`);
    const line = check.accepted === 0 ? undefined : bytes ? oneLineBytes(bytes) : text.trim().replace(NEWLINES, ' ');
    return { line, acceptedSpans: check.accepted, rejectedSpans: 0, rejectionMessage: undefined };
  }
  let line: string | Buffer | undefined;
  if (check.accepted > 0) {
    // Parse again, keeping long integer literals exact, and drop the rejected spans.
    const json = JSON.stringify(withoutRejected(exact ?? exactJson(text, parsed)));
    line = bytes ? Buffer.from(json, 'latin1') : json;
    const back = readBack(typeof line === 'string' ? Buffer.from(line) : line);
    if (back.spans !== check.accepted || back.problems.length > 0) {
      throw new OtlpJsonError(`the request would not read back from the trace file: ${back.spans} of ${check.accepted} valid spans read back${back.problems.length ? ` (${clipText(back.problems[0])})` : ''}`);
    }
  }
  return {
    line,
    acceptedSpans: check.accepted,
    rejectedSpans: check.rejected,
    rejectionMessage: summarizeRejections(check.rejected, check.examples),
  };
}

/** `text` parsed again (or `parsed`, when it has no long integers) with its long integer literals kept exact, as strings. */
export function exactJson(text: string, parsed: unknown): Json {
  return MAYBE_BIG.test(text) ? (JSON.parse(text.replace(BIG_INTEGERS, (m, big?: string) => (big ? `"${big}"` : m))) as Json) : (parsed as Json);
}

/** `readBack`, or undefined where it would throw (the reader cannot read `buf`). */
function readBackOrUndefined(buf: Buffer): { spans: number; problems: string[] } | undefined {
  try {
    const { spans, problems } = readOtlpJson(buf, 0, buf.length, { file: 'request', line: 1, byteBase: 0, structureOnly: true });
    return { spans: spans.length, problems };
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    return undefined;
  }
}

/** The span count and problems the trace file reader finds in `buf`; a request it cannot read is refused. */
function readBack(buf: Buffer): { spans: number; problems: string[] } {
  try {
    // The reader reads UTF-8 bytes: its messages need no decoding.
    const { spans, problems } = readOtlpJson(buf, 0, buf.length, { file: 'request', line: 1, byteBase: 0, structureOnly: true });
    return { spans: spans.length, problems };
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    // JSON.parse accepted it, so the reader met a shape it does not read, such as a repeated
    // key whose first value has another type (`"spans": {}, "spans": [...]`).
    throw new OtlpJsonError(`the request would not read back from the trace file: ${err.message} (is a key repeated, or of the wrong type?)`);
  }
}

const clipText = (s: string) => (s.length > 200 ? s.slice(0, 200) + '…' : s);

/**
 * Valid JSON holds CR and LF only as whitespace (inside strings they must be escaped, and in
 * UTF-8 those bytes never occur within a multi-byte character): make them spaces, on a copy.
 */
export function oneLineBytes(bytes: Buffer): Buffer {
  if (bytes.indexOf(0x0a) < 0 && bytes.indexOf(0x0d) < 0) return bytes;
  const copy = Buffer.from(bytes);
  for (let i = 0; i < copy.length; i++) if (copy[i] === 0x0a || copy[i] === 0x0d) copy[i] = 0x20;
  return copy;
}

interface Check {
  accepted: number;
  rejected: number;
  examples: string[];
  /** A span's time is a number JSON.parse may have rounded across the `fixed64` bound: judge the exact text. */
  rounded: boolean;
}

/** Past 2^63 a double is 2,048 or more from its neighbours: it may round across 2^64 − 1. */
const mayBeRounded = (v: unknown) => typeof v === 'number' && Math.abs(v) >= 2 ** 63;

function resourceSpansOf(request: Json): unknown {
  return request.resourceSpans ?? request.resource_spans;
}

function scopeSpansKeys(rs: Json): string[] {
  return SCOPE_SPANS_KEYS.filter((k) => rs[k] !== undefined && rs[k] !== null);
}

function checkRequest(request: unknown, utf8: (s: string) => string): Check {
  if (!isObject(request)) throw new OtlpJsonError('expected a JSON object (an OTLP ExportTraceServiceRequest)');
  const check: Check = { accepted: 0, rejected: 0, examples: [], rounded: false };
  const resourceSpans = resourceSpansOf(request);
  if (resourceSpans === undefined || resourceSpans === null) return check;
  if (!Array.isArray(resourceSpans)) throw new OtlpJsonError('resourceSpans: expected an array');
  resourceSpans.forEach((rs, i) => {
    if (!isObject(rs)) throw new OtlpJsonError(`resourceSpans[${i}]: expected an object`);
    for (const key of scopeSpansKeys(rs)) {
      const scopeSpans = rs[key];
      if (!Array.isArray(scopeSpans)) throw new OtlpJsonError(`resourceSpans[${i}].${key}: expected an array`);
      scopeSpans.forEach((ss, j) => {
        if (!isObject(ss)) throw new OtlpJsonError(`resourceSpans[${i}].${key}[${j}]: expected an object`);
        const spans = ss.spans;
        if (spans === undefined || spans === null) return;
        if (!Array.isArray(spans)) throw new OtlpJsonError(`resourceSpans[${i}].${key}[${j}].spans: expected an array`);
        for (const span of spans) {
          if (isObject(span) && (mayBeRounded(span.startTimeUnixNano ?? span.start_time_unix_nano) || mayBeRounded(span.endTimeUnixNano ?? span.end_time_unix_nano))) check.rounded = true;
          const problem = spanProblem(span, utf8);
          if (problem === undefined) check.accepted++;
          else {
            check.rejected++;
            if (check.examples.length < 3) check.examples.push(problem);
          }
        }
      });
    }
  });
  return check;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** Why a span would be skipped by the file reader, or undefined when it is fine. */
function spanProblem(span: unknown, utf8: (s: string) => string = (s) => s): string | undefined {
  if (!isObject(span)) return 'a span is not a JSON object';
  // Stricter than the reader about ids: only hex (or base64) of the right length passes.
  const traceId = normalizeId(text(span.traceId ?? span.trace_id), 16);
  const spanId = normalizeId(text(span.spanId ?? span.span_id), 8);
  const startNs = parseNanos(text(span.startTimeUnixNano ?? span.start_time_unix_nano));
  const endNs = parseNanos(text(span.endTimeUnixNano ?? span.end_time_unix_nano));
  const defect = spanDefect(HEX32.test(traceId) ? traceId : '', HEX16.test(spanId) ? spanId : '', startNs, endNs);
  if (defect === undefined) return undefined;
  // Only now: a name can be megabytes, and decoding it for every valid span doubles it.
  const name = typeof span.name === 'string' ? utf8(span.name.length > 200 ? span.name.slice(0, 200) : span.name) : '';
  return `span "${name}" ${describeSpanDefect(defect)}`;
}

function withoutRejected(request: Json): Json {
  const resourceSpans = resourceSpansOf(request) as Json[];
  const keptResources: Json[] = [];
  for (const rs of resourceSpans) {
    const kept: Json = { ...rs };
    let any = false;
    for (const key of scopeSpansKeys(rs)) {
      const keptScopes: Json[] = [];
      for (const ss of rs[key] as Json[]) {
        const spans = ((ss.spans as unknown[] | undefined) ?? []).filter((s) => spanProblem(s) === undefined);
        if (spans.length > 0) keptScopes.push({ ...ss, spans });
      }
      if (keptScopes.length > 0) {
        kept[key] = keptScopes;
        any = true;
      } else delete kept[key];
    }
    if (any) keptResources.push(kept);
  }
  const out: Json = { ...request, resourceSpans: keptResources };
  delete out.resource_spans;
  return out;
}
