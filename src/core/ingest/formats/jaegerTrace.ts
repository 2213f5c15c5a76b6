/**
 * Jaeger's JSON trace (the UI's "Download JSON", the query service's `/api/traces/{id}`):
 * `{"data": [{traceID, spans: [{traceID, spanID, operationName, references: [{refType:
 * CHILD_OF|FOLLOWS_FROM, traceID, spanID}], startTime (µs), duration (µs), tags: [{key, type,
 * value}], logs: [{timestamp (µs), fields}], processID}], processes: {p1: {serviceName,
 * tags}}}]}`. Span kind and status are the tags `span.kind`, `error`, `otel.status_code`,
 * `otel.status_description` (Jaeger's mapping of OTLP, jaeger-idl translator).
 */
import { INDEXED_ATTRIBUTE_KEYS, SERVICE_NAME } from '../../model/indexedAttributes';
import { SpanKind, StatusCode, type AttributeValue, type Attributes, type SpanRecord } from '../../model/span';
import { JsonScanner } from '../otlp/jsonScanner';
import type { SpanDetails } from '../spanDetails';
import { isObject, type JsonObject } from './consoleSpan';

export function isJaegerTrace(value: unknown): value is JsonObject {
  return isObject(value) && typeof value.traceID === 'string' && Array.isArray(value.spans);
}

export function isJaegerSpan(value: unknown): value is JsonObject {
  return isObject(value) && typeof value.spanID === 'string' && typeof value.operationName === 'string';
}

/** Jaeger may drop an id's leading zeros; OTLP ids are fixed-width. */
function jaegerId(raw: unknown, hexChars: 32 | 16): string {
  const text = String(raw ?? '').trim().toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(text) || /^0+$/.test(text)) return '';
  return text.padStart(hexChars, '0');
}

export function jaegerSpanId(span: JsonObject): string {
  return jaegerId(span.spanID, 16);
}

const KINDS: Readonly<Record<string, SpanKind>> = {
  internal: SpanKind.Internal,
  server: SpanKind.Server,
  client: SpanKind.Client,
  producer: SpanKind.Producer,
  consumer: SpanKind.Consumer,
};

function tagMap(tags: unknown): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(tags)) return out;
  for (const t of tags) if (isObject(t) && typeof t.key === 'string') out[t.key] = (t.value ?? null) as AttributeValue;
  return out;
}

function micros(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.round(value)) * 1000n;
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value) * 1000n;
  return undefined;
}

interface Range {
  readonly start: number;
  readonly end: number;
}

/** Byte ranges of each span and of each process's tags, from the trace object at `buf[start, end)`. */
function locate(buf: Buffer, start: number, end: number): { spans: Range[]; processTags: Map<string, Range> } {
  const spans: Range[] = [];
  const processTags = new Map<string, Range>();
  const sc = new JsonScanner(buf, start, end);
  sc.beginObject();
  for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
    if (key === 'spans' && sc.beginArray()) {
      for (let first = true; sc.nextElement(first); first = false) {
        sc.skipValue();
        spans.push({ start: sc.skippedStart, end: sc.pos });
      }
    } else if (key === 'processes' && sc.beginObject()) {
      for (let id = sc.nextKey(true); id !== undefined; id = sc.nextKey(false)) {
        if (!sc.beginObject()) continue;
        for (let k = sc.nextKey(true); k !== undefined; k = sc.nextKey(false)) {
          sc.skipValue();
          if (k === 'tags') processTags.set(id, { start: sc.skippedStart, end: sc.pos });
        }
      }
    } else sc.skipValue();
  }
  return { spans, processTags };
}

/** The spans of one Jaeger trace object; problems name spans skipped. */
export function readJaegerTrace(buf: Buffer, start: number, end: number, trace: JsonObject, file: string, byteBase: number, line: number): { spans: SpanRecord[]; problems: string[] } {
  const out: SpanRecord[] = [];
  const problems: string[] = [];
  const where = locate(buf, start, end);
  const processes = isObject(trace.processes) ? trace.processes : {};
  (trace.spans as unknown[]).forEach((raw, i) => {
    if (!isJaegerSpan(raw)) return;
    const name = raw.operationName as string;
    const traceId = jaegerId(raw.traceID ?? trace.traceID, 32);
    const spanId = jaegerSpanId(raw);
    const startNs = micros(raw.startTime);
    if (!traceId || !spanId || startNs === undefined) {
      problems.push(`span "${name}" skipped: it has no ${!traceId ? 'traceID' : !spanId ? 'spanID' : 'startTime'}`);
      return;
    }
    const duration = micros(raw.duration) ?? 0n;
    const tags = tagMap(raw.tags);
    const refs = Array.isArray(raw.references) ? raw.references.filter(isObject) : [];
    const parent = refs.find((r) => r.refType === 'CHILD_OF') ?? refs[0];
    const processId = typeof raw.processID === 'string' ? raw.processID : '';
    const process = isObject(processes[processId]) ? (processes[processId] as JsonObject) : undefined;
    const status = String(tags['otel.status_code'] ?? '').toUpperCase();
    const failed = status === 'ERROR' || tags.error === true || tags.error === 'true';
    let attributes: Attributes | undefined;
    for (const key of Object.keys(tags)) if (INDEXED_ATTRIBUTE_KEYS.has(key)) (attributes ??= {})[key] = tags[key];
    const tagsRange = where.processTags.get(processId);
    const place = where.spans[i];
    out.push({
      traceId,
      spanId,
      parentSpanId: parent ? jaegerId(parent.spanID, 16) : '',
      name,
      kind: KINDS[String(tags['span.kind'] ?? '').toLowerCase()] ?? SpanKind.Unspecified,
      startNs,
      endNs: startNs + duration,
      statusCode: failed ? StatusCode.Error : status === 'OK' ? StatusCode.Ok : StatusCode.Unset,
      errorMessage: typeof tags['otel.status_description'] === 'string' && tags['otel.status_description'] ? tags['otel.status_description'] : undefined,
      attributes,
      resource: {
        serviceName: process && typeof process.serviceName === 'string' ? process.serviceName : undefined,
        attributesStart: tagsRange ? byteBase + tagsRange.start : 0,
        attributesEnd: tagsRange ? byteBase + tagsRange.end : 0,
      },
      scope: scopeOf(tags),
      origin: { file, line },
      byteStart: byteBase + (place?.start ?? start),
      byteEnd: byteBase + (place?.end ?? end),
    });
  });
  return { spans: out, problems };
}

/**
 * The instrumentation scope, which Jaeger's OTLP translator writes as the tags
 * `otel.scope.name`/`otel.scope.version` (`otel.library.*` before).
 */
function scopeOf(tags: Attributes): SpanRecord['scope'] {
  const name = tags['otel.scope.name'] ?? tags['otel.library.name'];
  if (typeof name !== 'string' || !name) return undefined;
  const version = tags['otel.scope.version'] ?? tags['otel.library.version'];
  return { name, version: typeof version === 'string' && version ? version : undefined };
}

/** Tags Jaeger's translator makes of OTLP fields that are no attributes (kind, status, scope). */
const TRANSLATOR_TAGS = ['span.kind', 'otel.status_code', 'otel.status_description', 'otel.scope.name', 'otel.scope.version', 'otel.library.name', 'otel.library.version'];

/** Tags, logs and FOLLOWS_FROM references of a span read back; its process's tags are read by range. */
export function jaegerSpanDetails(span: JsonObject, serviceName: string | undefined): SpanDetails {
  const attributes = tagMap(span.tags);
  // The translator adds `error: true` to a span whose status is ERROR; the status says it already.
  if (String(attributes['otel.status_code'] ?? '').toUpperCase() === 'ERROR' && attributes.error === true) delete attributes.error;
  for (const key of TRANSLATOR_TAGS) delete attributes[key];
  const logs = Array.isArray(span.logs) ? span.logs.filter(isObject) : [];
  const refs = Array.isArray(span.references) ? span.references.filter(isObject) : [];
  return {
    attributes,
    resourceAttributes: serviceName ? { [SERVICE_NAME]: serviceName } : {},
    events: logs.map((l) => {
      const fields = tagMap(l.fields);
      const name = typeof fields.event === 'string' ? fields.event : 'log';
      delete fields.event;
      return { name, timeNs: micros(l.timestamp), attributes: fields };
    }),
    links: refs.filter((r) => r.refType === 'FOLLOWS_FROM').map((r) => ({ traceId: jaegerId(r.traceID, 32), spanId: jaegerId(r.spanID, 16), attributes: {} })),
    traceState: undefined,
  };
}
