/**
 * An OTLP JSON span built from what the reader made of a span in another format (run records,
 * the simple span format, console exporter output, Jaeger JSON) or of an OTLP span whose ids
 * are not the hex the OTLP/JSON spec asks for: the same fields the reader reads back, written
 * as the spec writes them (hex ids, unix-nano times as strings, enums as numbers, attributes
 * as `AnyValue`).
 */
import type { SpanDetails } from '../ingest/spanDetails';
import { StatusCode, type AttributeValue, type Attributes, type SpanRecord } from '../model/span';

export interface OtlpKeyValue {
  readonly key: string;
  readonly value: OtlpAnyValue;
}

export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number | string }
  | { arrayValue: { values: OtlpAnyValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } }
  | Record<string, never>;

/** A decoded attribute value as an OTLP `AnyValue`: whole numbers as int64 (a string, as the spec's JSON writes them). */
export function anyValue(value: AttributeValue): OtlpAnyValue {
  if (value === null) return {};
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return { intValue: String(value) };
    // The protobuf JSON mapping writes non-finite doubles as strings.
    return { doubleValue: Number.isFinite(value) ? value : String(value) };
  }
  if (Array.isArray(value)) return { arrayValue: { values: value.map(anyValue) } };
  return { kvlistValue: { values: keyValues(value) } };
}

export function keyValues(attributes: Attributes): OtlpKeyValue[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** The span as an OTLP JSON object; its resource and scope are written around it by the caller. */
export function otlpSpan(span: SpanRecord, details: SpanDetails): Record<string, unknown> {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    ...(details.traceState !== undefined && { traceState: details.traceState }),
    ...(span.parentSpanId && { parentSpanId: span.parentSpanId }),
    name: span.name,
    kind: span.kind,
    startTimeUnixNano: String(span.startNs),
    // 0 for a span not ended yet: OTLP's unset, which the reader reads as in progress again.
    endTimeUnixNano: String(span.endNs),
    attributes: keyValues(details.attributes),
    events: details.events.map((e) => ({
      ...(e.timeNs !== undefined && { timeUnixNano: String(e.timeNs) }),
      name: e.name,
      attributes: keyValues(e.attributes),
    })),
    links: details.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: keyValues(l.attributes) })),
    // The message only with an error: the spec ignores it otherwise.
    status: { code: span.statusCode, ...(span.errorMessage !== undefined && span.statusCode === StatusCode.Error && { message: span.errorMessage }) },
  };
}
