// OTLP trace messages in protobuf: decoding `ExportTraceServiceRequest` (the same encoding as
// `TracesData`) into the OTLP JSON shape the file reader reads, and encoding the responses.
// otlpLogsRequest converts the logs messages with the helpers exported below. The messages'
// descriptor is in otlpProtoSchema.ts.
// Requests decode with string fields read as raw UTF-8 bytes (see RAW_STRINGS_ROOT).
import { Root, type Type } from 'protobufjs/light';
import { idProblem, type AcceptedTraces, type OtlpJsonRequest, summarizeRejections } from './otlpJsonRequest';
import { OTLP_TRACE_DESCRIPTOR } from './otlpProtoSchema';

const root = Root.fromJSON(OTLP_TRACE_DESCRIPTOR as unknown as Parameters<typeof Root.fromJSON>[0]);
root.resolveAll();

export const ExportTraceServiceRequest: Type = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const ExportTraceServiceResponse: Type = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
export const RpcStatus: Type = root.lookupType('google.rpc.Status');
export const ExportLogsServiceRequest: Type = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
export const ExportLogsServiceResponse: Type = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');

/** The gRPC method path of the trace service's one RPC. */
export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
/** The gRPC method path of the logs service's one RPC. */
export const LOGS_EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';

/** google.rpc.Code values used in OTLP error responses. */
export const enum RpcCode {
  InvalidArgument = 3,
  NotFound = 5,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
}

// ---------------------------------------------------------------------------------------
// Decoding

/** The body is not a protobuf `ExportTraceServiceRequest`. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

/** protobufjs's Long, as decoded 64-bit fields arrive (long.js is a dependency of protobufjs). */
interface LongLike {
  readonly low: number;
  readonly high: number;
  readonly unsigned: boolean;
}

export type Long64 = LongLike | number;

/**
 * Decoded messages: fields present on the wire are own properties, the rest prototype
 * defaults. `Str` is a string field read as its raw UTF-8 bytes (see `RAW_STRINGS_ROOT`).
 */
export type Str = Buffer;
export interface PbKeyValue {
  key: Str;
  value: PbAnyValue | null;
}
export interface PbAnyValue {
  stringValue: Str;
  boolValue: boolean;
  intValue: Long64;
  doubleValue: number;
  arrayValue: { values: PbAnyValue[] } | null;
  kvlistValue: { values: PbKeyValue[] } | null;
  bytesValue: Buffer;
}
interface PbEvent {
  timeUnixNano: Long64;
  name: Str;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
}
interface PbLink {
  traceId: Buffer;
  spanId: Buffer;
  traceState: Str;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
  flags: number;
}
interface PbSpan {
  traceId: Buffer;
  spanId: Buffer;
  traceState: Str;
  parentSpanId: Buffer;
  flags: number;
  name: Str;
  kind: number;
  startTimeUnixNano: Long64;
  endTimeUnixNano: Long64;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
  events: PbEvent[];
  droppedEventsCount: number;
  links: PbLink[];
  droppedLinksCount: number;
  status: { message: Str; code: number } | null;
}
export interface PbScope {
  name: Str;
  version: Str;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
}
export interface PbEntityRef {
  schemaUrl: Str;
  type: Str;
  idKeys: Str[];
  descriptionKeys: Str[];
}
interface PbRequest {
  resourceSpans: {
    resource: { attributes: PbKeyValue[]; droppedAttributesCount: number; entityRefs: PbEntityRef[] } | null;
    scopeSpans: { scope: PbScope | null; spans: PbSpan[]; schemaUrl: Str }[];
    schemaUrl: Str;
  }[];
}

/**
 * The same messages with every `string` field declared `bytes` (the wire encoding is the
 * same): decoding then slices the UTF-8 bytes out of the body instead of decoding them, and
 * the JSON line is built from those bytes as latin1 text, one byte per character. JSON escapes
 * only `"`, `\` and control characters, all ASCII, so `JSON.stringify` over such text and a
 * latin1 encode give exactly the bytes of the UTF-8 JSON — at about twice the speed of
 * decoding to UTF-16, stringifying and encoding again, for span payloads that are mostly
 * text (prompts, completions). Nothing validates UTF-8 on the way, as protobufjs does not
 * either; a reader of the file decodes invalid sequences as U+FFFD.
 */
const RAW_STRINGS_ROOT = Root.fromJSON(
  JSON.parse(JSON.stringify(OTLP_TRACE_DESCRIPTOR), (_key, value: unknown) =>
    value && typeof value === 'object' && (value as { type?: unknown }).type === 'string' ? { ...value, type: 'bytes' } : value,
  ),
);
RAW_STRINGS_ROOT.resolveAll();
const RawExportTraceServiceRequest = RAW_STRINGS_ROOT.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const RawExportLogsServiceRequest = RAW_STRINGS_ROOT.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');

const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/**
 * Decodes a protobuf `ExportTraceServiceRequest` and converts it to an OTLP JSON line (as UTF-8
 * bytes): camelCase names, lowercase hex ids, 64-bit integers as exact decimal strings, enums
 * as numbers, `bytesValue` as base64. Spans without a valid trace or span id are left out and
 * counted. Throws `OtlpDecodeError` when the bytes are not such a message.
 */
export function decodeTraceRequestProto(bytes: Uint8Array): AcceptedTraces {
  // A Buffer makes protobufjs slice Buffers (not plain Uint8Arrays) for bytes fields.
  const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let decoded: PbRequest;
  try {
    decoded = RawExportTraceServiceRequest.decode(body) as unknown as PbRequest;
  } catch (err) {
    throw new OtlpDecodeError(`not a protobuf ExportTraceServiceRequest: ${err instanceof Error ? err.message : String(err)}`);
  }
  const [converted, big] = collectBigStrings(() => convertRequest(decoded));
  const { request, ...counts } = converted;
  return { line: counts.acceptedSpans > 0 ? jsonLineBytes(request, big) : undefined, ...counts };
}

/**
 * String fields at least this long are not made strings: `l1` hands out a placeholder and the
 * line gets their bytes, escaped, in `jsonLineBytes`. A 32 MiB prompt otherwise became a
 * 32 MB string, then part of a 32 MB JSON text, then the line's bytes: three copies in the
 * V8 heap and out of it, where one (the line) is needed.
 */
export const BIG_STRING_BYTES = 64 * 1024;
/** The big strings of the conversion running now (`collectBigStrings`), by placeholder index. */
let bigStrings: Buffer[] | undefined;
/**
 * Marks a placeholder: latin1 text never holds U+0100, and JSON.stringify passes it as is, so
 * `"\u0100<index>\u0100"` in the JSON text can only be one of ours.
 */
const MARK = '\u0100';

/**
 * A string field's bytes as latin1 text (one character per byte), for the JSON line; inside
 * `collectBigStrings`, a placeholder for fields of `BIG_STRING_BYTES` or more.
 */
export const l1 = (b: Str): string => {
  if (bigStrings !== undefined && b.length >= BIG_STRING_BYTES) return MARK + (bigStrings.push(b) - 1) + MARK;
  return b.toString('latin1');
};

/** Runs a conversion whose big string fields become placeholders; returns its result and their bytes. */
export function collectBigStrings<T>(convert: () => T): [T, Buffer[]] {
  const outer = bigStrings;
  const collected: Buffer[] = [];
  bigStrings = collected;
  try {
    return [convert(), collected];
  } finally {
    bigStrings = outer;
  }
}

/**
 * The UTF-8 JSON line of `value`, converted with `l1` inside `collectBigStrings`: the JSON text
 * as latin1 bytes, each placeholder replaced by its field's bytes escaped as JSON.stringify
 * escapes latin1 text. Equal to `Buffer.from(JSON.stringify(value with the strings), 'latin1')`.
 */
export function jsonLineBytes(value: unknown, big: readonly Buffer[]): Buffer {
  const json = JSON.stringify(value);
  if (big.length === 0) return Buffer.from(json, 'latin1');
  const parts: Buffer[] = [];
  let at = 0;
  for (let open = json.indexOf(MARK); open >= 0; open = json.indexOf(MARK, at)) {
    const close = json.indexOf(MARK, open + 1);
    parts.push(Buffer.from(json.slice(at, open), 'latin1'), jsonStringBytes(big[Number(json.slice(open + 1, close))]));
    at = close + 1;
  }
  parts.push(Buffer.from(json.slice(at), 'latin1'));
  return Buffer.concat(parts);
}

const SHORT_ESCAPES: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72, 0x22: 0x22, 0x5c: 0x5c };
const HEX_DIGITS = '0123456789abcdef';

/** Bytes read as latin1 text, escaped as JSON.stringify escapes it (no quotes); `b` itself when nothing needs escaping. */
export function jsonStringBytes(b: Buffer): Buffer {
  let extra = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c < 0x20) extra += SHORT_ESCAPES[c] !== undefined ? 1 : 5;
    else if (c === 0x22 || c === 0x5c) extra += 1;
  }
  if (extra === 0) return b;
  const out = Buffer.allocUnsafe(b.length + extra);
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
      out[o++] = c;
      continue;
    }
    out[o++] = 0x5c;
    const short = SHORT_ESCAPES[c];
    if (short !== undefined) out[o++] = short;
    else {
      out[o++] = 0x75; // u00XX
      out[o++] = 0x30;
      out[o++] = 0x30;
      out[o++] = HEX_DIGITS.charCodeAt(c >> 4);
      out[o++] = HEX_DIGITS.charCodeAt(c & 15);
    }
  }
  return out;
}

function convertRequest(req: PbRequest): Omit<AcceptedTraces, 'line'> & { request: OtlpJsonRequest } {
  let accepted = 0;
  const rejections: string[] = [];
  let rejected = 0;
  const resourceSpans: object[] = [];
  for (const rs of req.resourceSpans) {
    const scopeSpans: object[] = [];
    for (const ss of rs.scopeSpans) {
      const spans: object[] = [];
      for (const span of ss.spans) {
        const problem = idProblem(span.traceId.length === 16 && !allZero(span.traceId), span.spanId.length === 8 && !allZero(span.spanId));
        if (problem) {
          rejected++;
          if (rejections.length < 3) rejections.push(`span "${span.name.toString('utf8')}" ${problem}`);
          continue;
        }
        spans.push(convertSpan(span));
      }
      if (spans.length === 0) continue;
      accepted += spans.length;
      const out: Record<string, unknown> = {};
      if (ss.scope) out.scope = convertScope(ss.scope);
      out.spans = spans;
      if (ss.schemaUrl.length > 0) out.schemaUrl = l1(ss.schemaUrl);
      scopeSpans.push(out);
    }
    if (scopeSpans.length === 0) continue;
    const out: Record<string, unknown> = {};
    if (rs.resource) {
      const resource: Record<string, unknown> = { attributes: convertKeyValues(rs.resource.attributes) };
      if (rs.resource.droppedAttributesCount) resource.droppedAttributesCount = rs.resource.droppedAttributesCount;
      if (rs.resource.entityRefs.length > 0) resource.entityRefs = rs.resource.entityRefs.map(convertEntityRef);
      out.resource = resource;
    }
    out.scopeSpans = scopeSpans;
    if (rs.schemaUrl.length > 0) out.schemaUrl = l1(rs.schemaUrl);
    resourceSpans.push(out);
  }
  const request: OtlpJsonRequest = { resourceSpans };
  return {
    request,
    acceptedSpans: accepted,
    rejectedSpans: rejected,
    rejectionMessage: summarizeRejections(rejected, rejections),
  };
}

export function allZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

export const hex = (b: Buffer): string => b.toString('hex');
const base64 = (b: Buffer): string => b.toString('base64');

const TWO_32 = 4294967296;
/** |high| below this keeps the value under 2^53, exact as a double. */
const SAFE_HIGH = 0x200000;

/** An unsigned 64-bit value (fixed64) as its exact decimal string. */
export function u64String(v: Long64): string {
  if (typeof v === 'number') return String(v);
  const hi = v.high >>> 0;
  const lo = v.low >>> 0;
  if (hi < SAFE_HIGH) return String(hi * TWO_32 + lo);
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/** A signed 64-bit value (int64) as its exact decimal string. */
export function i64String(v: Long64): string {
  if (typeof v === 'number') return String(v);
  if (v.unsigned) return u64String(v);
  const hi = v.high | 0;
  const lo = v.low >>> 0;
  if (hi >= -SAFE_HIGH && hi < SAFE_HIGH) return String(hi * TWO_32 + lo);
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo)).toString();
}

function convertSpan(s: PbSpan): Record<string, unknown> {
  const out: Record<string, unknown> = { traceId: hex(s.traceId), spanId: hex(s.spanId) };
  if (s.traceState.length > 0) out.traceState = l1(s.traceState);
  if (s.parentSpanId.length > 0 && !allZero(s.parentSpanId)) out.parentSpanId = hex(s.parentSpanId);
  if (s.flags) out.flags = s.flags;
  out.name = l1(s.name);
  out.kind = s.kind;
  out.startTimeUnixNano = u64String(s.startTimeUnixNano);
  out.endTimeUnixNano = u64String(s.endTimeUnixNano);
  out.attributes = convertKeyValues(s.attributes);
  if (s.droppedAttributesCount) out.droppedAttributesCount = s.droppedAttributesCount;
  if (s.events.length > 0) out.events = s.events.map(convertEvent);
  if (s.droppedEventsCount) out.droppedEventsCount = s.droppedEventsCount;
  if (s.links.length > 0) out.links = s.links.map(convertLink);
  if (s.droppedLinksCount) out.droppedLinksCount = s.droppedLinksCount;
  if (s.status) {
    const status: Record<string, unknown> = {};
    if (s.status.message.length > 0) status.message = l1(s.status.message);
    status.code = s.status.code;
    out.status = status;
  }
  return out;
}

function convertEvent(e: PbEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { timeUnixNano: u64String(e.timeUnixNano), name: l1(e.name), attributes: convertKeyValues(e.attributes) };
  if (e.droppedAttributesCount) out.droppedAttributesCount = e.droppedAttributesCount;
  return out;
}

function convertLink(l: PbLink): Record<string, unknown> {
  const out: Record<string, unknown> = { traceId: hex(l.traceId), spanId: hex(l.spanId) };
  if (l.traceState.length > 0) out.traceState = l1(l.traceState);
  out.attributes = convertKeyValues(l.attributes);
  if (l.droppedAttributesCount) out.droppedAttributesCount = l.droppedAttributesCount;
  if (l.flags) out.flags = l.flags;
  return out;
}

export function convertScope(s: PbScope): Record<string, unknown> {
  const out: Record<string, unknown> = { name: l1(s.name) };
  if (s.version.length > 0) out.version = l1(s.version);
  if (s.attributes.length > 0) out.attributes = convertKeyValues(s.attributes);
  if (s.droppedAttributesCount) out.droppedAttributesCount = s.droppedAttributesCount;
  return out;
}

export function convertEntityRef(e: PbEntityRef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (e.schemaUrl.length > 0) out.schemaUrl = l1(e.schemaUrl);
  out.type = l1(e.type);
  out.idKeys = e.idKeys.map(l1);
  if (e.descriptionKeys.length > 0) out.descriptionKeys = e.descriptionKeys.map(l1);
  return out;
}

export function convertKeyValues(list: PbKeyValue[]): { key: string; value: unknown }[] {
  const out = new Array<{ key: string; value: unknown }>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = { key: l1(list[i].key), value: convertAnyValue(list[i].value) };
  return out;
}

/** Depth guard for hostile nesting (protobufjs itself recurses up to its own limit). */
const MAX_DEPTH = 64;

export function convertAnyValue(v: PbAnyValue | null, depth = 0): Record<string, unknown> {
  if (!v) return {};
  // Exactly one own property is set for a oneof; an empty AnyValue has none.
  if (has(v, 'stringValue')) return { stringValue: l1(v.stringValue) };
  if (has(v, 'intValue')) return { intValue: i64String(v.intValue) };
  if (has(v, 'boolValue')) return { boolValue: v.boolValue };
  if (has(v, 'doubleValue')) {
    const d = v.doubleValue;
    // The protobuf JSON mapping writes non-finite doubles as strings.
    return { doubleValue: Number.isFinite(d) ? d : Number.isNaN(d) ? 'NaN' : d > 0 ? 'Infinity' : '-Infinity' };
  }
  if (depth >= MAX_DEPTH) return {};
  if (has(v, 'arrayValue') && v.arrayValue) return { arrayValue: { values: v.arrayValue.values.map((x) => convertAnyValue(x, depth + 1)) } };
  if (has(v, 'kvlistValue') && v.kvlistValue) {
    return { kvlistValue: { values: v.kvlistValue.values.map((kv) => ({ key: l1(kv.key), value: convertAnyValue(kv.value, depth + 1) })) } };
  }
  if (has(v, 'bytesValue')) return { bytesValue: base64(v.bytesValue) };
  return {};
}

// ---------------------------------------------------------------------------------------
// Encoding

/**
 * An `ExportTraceServiceResponse`. Full success is the empty message (zero bytes): some
 * exporters log an error for a present but all-zero `partial_success`.
 */
export function encodeTraceResponseProto(partial?: { rejectedSpans: number; errorMessage: string }): Uint8Array {
  if (!partial || (partial.rejectedSpans === 0 && !partial.errorMessage)) return new Uint8Array(0);
  return ExportTraceServiceResponse.encode(ExportTraceServiceResponse.create({ partialSuccess: partial })).finish();
}

/** A `google.rpc.Status` with no details: the body of OTLP/HTTP error responses in protobuf. */
export function encodeRpcStatusProto(code: number, message: string): Uint8Array {
  return RpcStatus.encode(RpcStatus.create({ code, message })).finish();
}

/** Decodes an `ExportTraceServiceResponse` (for clients and tests). */
export function decodeTraceResponseProto(bytes: Uint8Array): { partialSuccess?: { rejectedSpans: string; errorMessage: string } } {
  const msg = ExportTraceServiceResponse.decode(bytes);
  return ExportTraceServiceResponse.toObject(msg, { longs: String }) as { partialSuccess?: { rejectedSpans: string; errorMessage: string } };
}

/** Decodes a `google.rpc.Status` (for clients and tests). */
export function decodeRpcStatusProto(bytes: Uint8Array): { code: number; message: string } {
  return RpcStatus.toObject(RpcStatus.decode(bytes), { defaults: true }) as { code: number; message: string };
}

/**
 * Encodes an OTLP JSON request (camelCase, hex ids, times as strings or numbers) as a
 * protobuf `ExportTraceServiceRequest`: the inverse of `decodeTraceRequestProto`, for load
 * generators and tests.
 */
export function encodeTraceRequestProto(request: OtlpJsonRequest): Uint8Array {
  const copy = structuredClone(request) as { resourceSpans?: { scopeSpans?: { spans?: Record<string, unknown>[] }[] }[] };
  const idBytes = (o: Record<string, unknown>, key: string) => {
    if (typeof o[key] === 'string') o[key] = Buffer.from(o[key] as string, 'hex');
  };
  for (const rs of copy.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        idBytes(span, 'traceId');
        idBytes(span, 'spanId');
        idBytes(span, 'parentSpanId');
        for (const link of (span.links as Record<string, unknown>[] | undefined) ?? []) {
          idBytes(link, 'traceId');
          idBytes(link, 'spanId');
        }
      }
    }
  }
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(copy)).finish();
}
