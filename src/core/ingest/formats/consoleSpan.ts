/**
 * The OpenTelemetry Python SDK's `ConsoleSpanExporter` output: each span as
 * `ReadableSpan.to_json(indent=4)`, one pretty-printed object after another, often in an
 * application's log between other lines. Fields (opentelemetry-sdk, trace/__init__.py):
 * `name`, `context: {trace_id: "0x…", span_id: "0x…", trace_state}`, `kind: "SpanKind.X"`,
 * `parent_id: "0x…" | null`, `start_time`/`end_time` ISO 8601 with microseconds and `Z`,
 * `status: {status_code: "UNSET"|"OK"|"ERROR", description?}`, `attributes: {…}` (plain
 * values), `events: [{name, timestamp, attributes}]`, `links: [{context, attributes}]`,
 * `resource: {attributes: {…}, schema_url}`.
 */
import { normalizeId } from '../../model/ids';
import { INDEXED_ATTRIBUTE_KEYS, SERVICE_NAME } from '../../model/indexedAttributes';
import { SpanKind, StatusCode, type AttributeValue, type Attributes, type SpanRecord } from '../../model/span';
import type { SpanDetails } from '../spanDetails';
import { parseIsoNanos } from './isoTime';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a parsed object has the console exporter's shape. */
export function isConsoleSpan(value: unknown): value is JsonObject {
  return isObject(value) && typeof value.name === 'string' && isObject(value.context) && 'span_id' in value.context;
}

export interface ForeignSpanPlace {
  readonly file: string;
  /** 1-based line where the object starts. */
  readonly line: number;
  readonly byteStart: number;
  readonly byteEnd: number;
}

const KINDS: Readonly<Record<string, SpanKind>> = {
  INTERNAL: SpanKind.Internal,
  SERVER: SpanKind.Server,
  CLIENT: SpanKind.Client,
  PRODUCER: SpanKind.Producer,
  CONSUMER: SpanKind.Consumer,
};

/** A span record, or why the object was skipped. */
export function consoleSpanRecord(obj: JsonObject, place: ForeignSpanPlace): SpanRecord | string {
  const name = String(obj.name);
  const context = obj.context as JsonObject;
  const traceId = normalizeId(String(context.trace_id ?? ''), 16);
  const spanId = normalizeId(String(context.span_id ?? ''), 8);
  if (!traceId || !spanId) return `span "${name}" skipped: it has no ${traceId ? 'span_id' : 'trace_id'}`;
  const startNs = typeof obj.start_time === 'string' ? parseIsoNanos(obj.start_time) : undefined;
  if (startNs === undefined) return `span "${name}" (${spanId}) skipped: its start_time is not an ISO time`;
  const endNs = typeof obj.end_time === 'string' ? parseIsoNanos(obj.end_time) : undefined;
  const status = isObject(obj.status) ? obj.status : {};
  const code = String(status.status_code ?? '').toUpperCase();
  const attributes = plainAttributes(obj.attributes);
  const resource = isObject(obj.resource) ? plainAttributes(obj.resource.attributes) : {};
  const service = resource[SERVICE_NAME];
  return {
    traceId,
    spanId,
    parentSpanId: typeof obj.parent_id === 'string' ? normalizeId(obj.parent_id, 8) : '',
    name,
    kind: KINDS[String(obj.kind ?? '').replace(/^SpanKind\./, '').toUpperCase()] ?? SpanKind.Unspecified,
    startNs,
    endNs: endNs === undefined ? 0n : endNs >= startNs ? endNs : startNs,
    statusCode: code === 'ERROR' ? StatusCode.Error : code === 'OK' ? StatusCode.Ok : StatusCode.Unset,
    errorMessage: (typeof status.description === 'string' && status.description) || exceptionText(obj.events),
    attributes: indexedOnly(attributes),
    resource: { serviceName: service === undefined || service === null ? undefined : String(service), attributesStart: 0, attributesEnd: 0 },
    scope: undefined,
    origin: { file: place.file, line: place.line },
    byteStart: place.byteStart,
    byteEnd: place.byteEnd,
  };
}

export function consoleSpanDetails(obj: JsonObject): SpanDetails {
  const events = Array.isArray(obj.events) ? obj.events.filter(isObject) : [];
  const links = Array.isArray(obj.links) ? obj.links.filter(isObject) : [];
  const context = isObject(obj.context) ? obj.context : {};
  const traceState = typeof context.trace_state === 'string' && context.trace_state !== '[]' ? context.trace_state : undefined;
  return {
    attributes: plainAttributes(obj.attributes),
    resourceAttributes: isObject(obj.resource) ? plainAttributes(obj.resource.attributes) : {},
    events: events.map((e) => ({
      name: String(e.name ?? ''),
      timeNs: typeof e.timestamp === 'string' ? parseIsoNanos(e.timestamp) : undefined,
      attributes: plainAttributes(e.attributes),
    })),
    links: links.map((l) => {
      const c = isObject(l.context) ? l.context : {};
      return { traceId: normalizeId(String(c.trace_id ?? ''), 16), spanId: normalizeId(String(c.span_id ?? ''), 8), attributes: plainAttributes(l.attributes) };
    }),
    traceState,
  };
}

/** The span id a console object was indexed under, to check that its bytes still hold it. */
export function consoleSpanId(obj: JsonObject): string {
  return normalizeId(String((obj.context as JsonObject).span_id ?? ''), 8);
}

export function plainAttributes(value: unknown): Attributes {
  const out: Attributes = {};
  if (!isObject(value)) return out;
  for (const [key, v] of Object.entries(value)) out[key] = v === undefined ? null : (v as AttributeValue);
  return out;
}

export function indexedOnly(attributes: Attributes): Attributes | undefined {
  let out: Attributes | undefined;
  for (const key of Object.keys(attributes)) if (INDEXED_ATTRIBUTE_KEYS.has(key)) (out ??= {})[key] = attributes[key];
  return out;
}

function exceptionText(events: unknown): string | undefined {
  if (!Array.isArray(events)) return undefined;
  const e = events.find((x) => isObject(x) && x.name === 'exception') as JsonObject | undefined;
  if (!e || !isObject(e.attributes)) return undefined;
  const text = [e.attributes['exception.type'], e.attributes['exception.message']].filter((x) => x !== undefined && x !== '').join(': ');
  return text || undefined;
}
