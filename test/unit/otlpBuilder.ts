// Builds OTLP JSON requests for tests, in the shape the Collector's file exporter writes.
export interface TestSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  start: bigint | number | string;
  end: bigint | number | string;
  kind?: number | string;
  status?: { code?: number | string; message?: string };
  attributes?: Record<string, unknown>;
  events?: unknown[];
}

export function attr(key: string, value: unknown): { key: string; value: unknown } {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  if (typeof value === 'number') return { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } };
  return { key, value: value as object };
}

export function spanJson(s: TestSpan): Record<string, unknown> {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId ?? '',
    name: s.name,
    kind: s.kind ?? 1,
    startTimeUnixNano: String(s.start),
    endTimeUnixNano: String(s.end),
    attributes: Object.entries(s.attributes ?? {}).map(([k, v]) => attr(k, v)),
    events: s.events ?? [],
    status: s.status ?? {},
  };
}

export function requestJson(spans: TestSpan[], service = 'test-service'): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', service)] },
        scopeSpans: [{ scope: { name: 'test', version: '1.0' }, spans: spans.map(spanJson) }],
      },
    ],
  };
}

export function otlpLine(spans: TestSpan[], service?: string): string {
  return JSON.stringify(requestJson(spans, service)) + '\n';
}

export const T0 = 1_700_000_000_000_000_000n;
export const ms = (n: number): bigint => T0 + BigInt(Math.round(n * 1e6));

let counter = 0;
export function hexId(bytes: 16 | 8, seed = ++counter): string {
  return seed.toString(16).padStart(bytes * 2, '0');
}
