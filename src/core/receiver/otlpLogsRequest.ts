// OTLP log export requests (`ExportLogsServiceRequest`, JSON or protobuf), for the log records
// GenAI instrumentations put prompts and completions in: checked like trace requests and
// turned into the one OTLP JSON line the trace file gets, which the file reader indexes by span.
import { JsonSyntaxError, MAX_JSON_DEPTH, findTooDeep } from '../ingest/otlp/jsonScanner';
import { readOtlpJson } from '../ingest/otlp/otlpJsonReader';
import { normalizeId } from '../model/ids';
import { OtlpJsonError, exactJson, oneLineBytes, type AcceptedTraces } from './otlpJsonRequest';
import {
  ExportLogsServiceResponse,
  OtlpDecodeError,
  RawExportLogsServiceRequest,
  allZero,
  convertAnyValue,
  convertKeyValues,
  convertScope,
  hex,
  l1,
  collectBigStrings,
  jsonLineBytes,
  u64String,
  type Long64,
  type PbAnyValue,
  type PbKeyValue,
  type PbScope,
} from './otlpProto';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const SCOPE_LOGS_KEYS = ['scopeLogs', 'scope_logs', 'instrumentationLibraryLogs', 'instrumentation_library_logs'] as const;

/**
 * The one rule for a log record, in both encodings: its trace and span ids are optional (a
 * log record need not belong to a span), but one that is there must be a valid id: a record
 * naming a span that cannot exist is refused rather than written and never shown.
 */
function logIdProblem(traceIdValid: boolean | undefined, spanIdValid: boolean | undefined): string | undefined {
  if (traceIdValid === false) return 'has an invalid traceId (16 bytes)';
  if (spanIdValid === false) return 'has an invalid spanId (8 bytes)';
  return undefined;
}

function summarize(count: number, examples: readonly string[]): string | undefined {
  if (count === 0) return undefined;
  const more = count > examples.length ? `; and ${count - examples.length} more` : '';
  return `${count} log record${count === 1 ? '' : 's'} rejected: ${examples.join('; ')}${more}`;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** undefined when the id is absent (or all zero, OTLP's "no id"), else whether it is valid. */
function jsonIdValid(raw: unknown, byteLength: 16 | 8): boolean | undefined {
  const t = text(raw).trim();
  if (t === '' || /^(0x)?0+$/i.test(t)) return undefined;
  const id = normalizeId(t, byteLength);
  return (byteLength === 16 ? HEX32 : HEX16).test(id);
}

function recordProblem(record: unknown): string | undefined {
  if (!isObject(record)) return 'a log record is not a JSON object';
  const problem = logIdProblem(jsonIdValid(record.traceId ?? record.trace_id, 16), jsonIdValid(record.spanId ?? record.span_id, 8));
  return problem && `log record ${problem}`;
}

interface Check {
  accepted: number;
  rejected: number;
  examples: string[];
}

/** Walks the request's records, throwing `OtlpJsonError` where it is not shaped like one. */
function checkRequest(request: unknown, keep?: (record: unknown) => boolean): Check {
  if (!isObject(request)) throw new OtlpJsonError('expected a JSON object (an OTLP ExportLogsServiceRequest)');
  const check: Check = { accepted: 0, rejected: 0, examples: [] };
  const resourceLogs = request.resourceLogs ?? request.resource_logs;
  if (resourceLogs === undefined || resourceLogs === null) return check;
  if (!Array.isArray(resourceLogs)) throw new OtlpJsonError('resourceLogs: expected an array');
  resourceLogs.forEach((rl, i) => {
    if (!isObject(rl)) throw new OtlpJsonError(`resourceLogs[${i}]: expected an object`);
    for (const key of SCOPE_LOGS_KEYS) {
      const scopeLogs = rl[key];
      if (scopeLogs === undefined || scopeLogs === null) continue;
      if (!Array.isArray(scopeLogs)) throw new OtlpJsonError(`resourceLogs[${i}].${key}: expected an array`);
      scopeLogs.forEach((sl, j) => {
        if (!isObject(sl)) throw new OtlpJsonError(`resourceLogs[${i}].${key}[${j}]: expected an object`);
        const recordsKey = sl.logRecords !== undefined ? 'logRecords' : 'log_records';
        const records = sl[recordsKey];
        if (records === undefined || records === null) return;
        if (!Array.isArray(records)) throw new OtlpJsonError(`resourceLogs[${i}].${key}[${j}].${recordsKey}: expected an array`);
        for (const record of records) {
          const problem = recordProblem(record);
          if (problem === undefined) check.accepted++;
          else {
            check.rejected++;
            if (check.examples.length < 3) check.examples.push(problem);
          }
        }
        if (keep) sl[recordsKey] = records.filter(keep);
      });
    }
  });
  return check;
}

/** How many log records the trace file reader meets in `buf` (linked to a span or not). */
function readBack(buf: Buffer): number {
  try {
    const { spans, logRecords, unlinkedLogRecords, problems } = readOtlpJson(buf, 0, buf.length, { file: 'request', line: 1, byteBase: 0, structureOnly: true });
    // The body becomes the line as sent: spans in it would reach the file without the span rule.
    if (spans.length > 0 || problems.some((p) => !p.startsWith('a log record'))) throw new OtlpJsonError('a logs request carries spans (resourceSpans): send them to /v1/traces');
    return logRecords.length + unlinkedLogRecords + problems.length;
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new OtlpJsonError(`the request would not read back from the trace file: ${err.message} (is a key repeated, or of the wrong type?)`);
  }
}

/**
 * Reads an OTLP JSON `ExportLogsServiceRequest` body. Throws `OtlpJsonError` naming what
 * failed when it is not JSON or not shaped like one. As for traces, the body is the line
 * when every record is accepted; otherwise the refused records are removed.
 */
export function readLogsRequestJson(body: string | Uint8Array): AcceptedTraces {
  let bytes: Buffer | undefined;
  let textBody: string;
  if (typeof body === 'string') textBody = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  else {
    bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    // One character per byte, as for traces (see readTraceRequestJson).
    textBody = bytes.toString('latin1');
  }
  const measured = bytes ?? Buffer.from(textBody);
  const tooDeep = findTooDeep(measured, 0, measured.length);
  if (tooDeep >= 0) throw new OtlpJsonError(`the request is nested deeper than ${MAX_JSON_DEPTH} levels (at byte ${tooDeep})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(textBody);
  } catch (err) {
    throw new OtlpJsonError(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const check = checkRequest(parsed);
  const seen = readBack(measured);
  if (seen !== check.accepted + check.rejected) {
    throw new OtlpJsonError(`the request would not read back from the trace file as sent: a streaming reader meets ${seen} log records where JSON.parse meets ${check.accepted + check.rejected}; is a key repeated?`);
  }
  let line: string | Buffer | undefined;
  if (check.accepted > 0 && check.rejected === 0) line = bytes ? oneLineBytes(bytes) : textBody.trim().replace(/[\r\n]/g, ' ');
  else if (check.accepted > 0) {
    const exact = exactJson(textBody, parsed);
    checkRequest(exact, (r) => recordProblem(r) === undefined);
    const json = JSON.stringify(exact);
    line = bytes ? Buffer.from(json, 'latin1') : json;
  }
  return { line, acceptedSpans: check.accepted, rejectedSpans: check.rejected, rejectionMessage: summarize(check.rejected, check.examples) };
}

interface PbLogRecord {
  timeUnixNano: Long64;
  observedTimeUnixNano: Long64;
  severityNumber: number;
  severityText: Buffer;
  body: PbAnyValue | null;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
  flags: number;
  traceId: Buffer;
  spanId: Buffer;
  eventName: Buffer;
}
interface PbLogsRequest {
  resourceLogs: {
    resource: { attributes: PbKeyValue[]; droppedAttributesCount: number } | null;
    scopeLogs: { scope: PbScope | null; logRecords: PbLogRecord[]; schemaUrl: Buffer }[];
    schemaUrl: Buffer;
  }[];
}

/** undefined when absent or all zero, else whether it has the id's length. */
const pbIdValid = (b: Buffer, length: number): boolean | undefined => (b.length === 0 || allZero(b) ? undefined : b.length === length);

/**
 * Decodes a protobuf `ExportLogsServiceRequest` into an OTLP JSON line (UTF-8 bytes), in the
 * shape `decodeTraceRequestProto` gives spans: hex ids, 64-bit integers as decimal strings.
 * Throws `OtlpDecodeError` when the bytes are not such a message.
 */
export function decodeLogsRequestProto(bytes: Uint8Array): AcceptedTraces {
  const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let req: PbLogsRequest;
  try {
    req = RawExportLogsServiceRequest.decode(body) as unknown as PbLogsRequest;
  } catch (err) {
    throw new OtlpDecodeError(`not a protobuf ExportLogsServiceRequest: ${err instanceof Error ? err.message : String(err)}`);
  }
  let accepted = 0;
  let rejected = 0;
  const examples: string[] = [];
  // Big strings (log bodies) go into the line as bytes, never made strings: see jsonLineBytes.
  const [resourceLogs, big] = collectBigStrings(() => convertResourceLogs(req, (problem) => {
    rejected++;
    if (examples.length < 3) examples.push(`log record ${problem}`);
  }, (n) => (accepted += n)));
  return {
    line: accepted > 0 ? jsonLineBytes({ resourceLogs }, big) : undefined,
    acceptedSpans: accepted,
    rejectedSpans: rejected,
    rejectionMessage: summarize(rejected, examples),
  };
}

function convertResourceLogs(req: PbLogsRequest, reject: (problem: string) => void, accept: (count: number) => void): object[] {
  const resourceLogs: object[] = [];
  for (const rl of req.resourceLogs) {
    const scopeLogs: object[] = [];
    for (const sl of rl.scopeLogs) {
      const logRecords: object[] = [];
      for (const r of sl.logRecords) {
        const problem = logIdProblem(pbIdValid(r.traceId, 16), pbIdValid(r.spanId, 8));
        if (problem) {
          reject(problem);
          continue;
        }
        logRecords.push(convertLogRecord(r));
      }
      if (logRecords.length === 0) continue;
      accept(logRecords.length);
      const out: Record<string, unknown> = {};
      if (sl.scope) out.scope = convertScope(sl.scope);
      out.logRecords = logRecords;
      if (sl.schemaUrl.length > 0) out.schemaUrl = l1(sl.schemaUrl);
      scopeLogs.push(out);
    }
    if (scopeLogs.length === 0) continue;
    const out: Record<string, unknown> = {};
    if (rl.resource) out.resource = { attributes: convertKeyValues(rl.resource.attributes) };
    out.scopeLogs = scopeLogs;
    if (rl.schemaUrl.length > 0) out.schemaUrl = l1(rl.schemaUrl);
    resourceLogs.push(out);
  }
  return resourceLogs;
}

const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

function convertLogRecord(r: PbLogRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (has(r, 'timeUnixNano')) out.timeUnixNano = u64String(r.timeUnixNano);
  if (has(r, 'observedTimeUnixNano')) out.observedTimeUnixNano = u64String(r.observedTimeUnixNano);
  if (r.severityNumber) out.severityNumber = r.severityNumber;
  if (r.severityText.length > 0) out.severityText = l1(r.severityText);
  if (r.body) out.body = convertAnyValue(r.body);
  out.attributes = convertKeyValues(r.attributes);
  if (r.droppedAttributesCount) out.droppedAttributesCount = r.droppedAttributesCount;
  if (r.flags) out.flags = r.flags;
  if (r.traceId.length > 0 && !allZero(r.traceId)) out.traceId = hex(r.traceId);
  if (r.spanId.length > 0 && !allZero(r.spanId)) out.spanId = hex(r.spanId);
  if (r.eventName.length > 0) out.eventName = l1(r.eventName);
  return out;
}

/** An `ExportLogsServiceResponse`; full success is the empty message. */
export function encodeLogsResponseProto(partial?: { rejectedSpans: number; errorMessage: string }): Uint8Array {
  if (!partial || (partial.rejectedSpans === 0 && !partial.errorMessage)) return new Uint8Array(0);
  return ExportLogsServiceResponse.encode(ExportLogsServiceResponse.create({ partialSuccess: { rejectedLogRecords: partial.rejectedSpans, errorMessage: partial.errorMessage } })).finish();
}
