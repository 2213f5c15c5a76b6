/**
 * Jaeger's query API as URLs: API v3 (OTLP JSON out; Jaeger 1.35+ and v2) and the v1 JSON
 * API the UI uses (older servers). Pure: no requests here.
 */
import { normalizeId } from '../model/ids';

export interface JaegerSearch {
  readonly service: string;
  readonly operation?: string;
  /** Start of the traces' time window (inclusive). */
  readonly startMin: Date;
  readonly startMax: Date;
  /** Only traces with a span at least this long (Jaeger's duration filter). */
  readonly minDurationMs?: number;
  /** Only traces with a failed span. */
  readonly errorsOnly?: boolean;
  /** How many traces to ask for. */
  readonly limit: number;
}

/** The base URL as the user wrote it, without a trailing slash (a path prefix is kept). */
export function baseUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${url} is not an http(s) URL`);
  return parsed.href.replace(/\/+$/, '');
}

function goDuration(ms: number): string {
  return `${Math.max(0, Math.round(ms * 1000))}us`;
}

export const v3 = {
  services: (base: string) => `${base}/api/v3/services`,
  operations: (base: string, service: string) => `${base}/api/v3/operations?service=${encodeURIComponent(service)}`,
  // Raw: spans as the app sent them, not moved by Jaeger's clock-skew and attribute
  // adjusters, so a remote span reads as its copy in a local file does and joins it.
  trace: (base: string, traceId: string) => `${base}/api/v3/traces/${traceId}?raw_traces=true`,
  search(base: string, q: JaegerSearch): string {
    const p = new URLSearchParams({
      'query.raw_traces': 'true',
      'query.service_name': q.service,
      'query.start_time_min': q.startMin.toISOString(),
      'query.start_time_max': q.startMax.toISOString(),
      'query.num_traces': String(q.limit),
    });
    if (q.operation) p.set('query.operation_name', q.operation);
    if (q.minDurationMs) p.set('query.duration_min', goDuration(q.minDurationMs));
    return `${base}/api/v3/traces?${p.toString()}`;
  },
};

export const v1 = {
  services: (base: string) => `${base}/api/services`,
  operations: (base: string, service: string) => `${base}/api/services/${encodeURIComponent(service)}/operations`,
  trace: (base: string, traceId: string) => `${base}/api/traces/${traceId}`,
  search(base: string, q: JaegerSearch): string {
    const p = new URLSearchParams({
      service: q.service,
      start: String(q.startMin.getTime() * 1000),
      end: String(q.startMax.getTime() * 1000),
      limit: String(q.limit),
    });
    if (q.operation) p.set('operation', q.operation);
    if (q.minDurationMs) p.set('minDuration', goDuration(q.minDurationMs));
    // v1 filters by tag on the server; API v3's HTTP gateway takes no attributes.
    if (q.errorsOnly) p.set('tags', JSON.stringify({ error: 'true' }));
    return `${base}/api/traces?${p.toString()}`;
  },
};

/**
 * A trace id from what a user pastes: the id itself (hex, up to 32 digits, Jaeger drops
 * leading zeros) or a Jaeger UI link (`…/trace/<id>`, `…/api/traces/<id>`,
 * `…/api/v3/traces/<id>`). Undefined when none is there.
 */
export function parseTraceRef(text: string): { traceId: string; url?: string } | undefined {
  const trimmed = text.trim();
  const bare = hexTraceId(trimmed);
  if (bare) return { traceId: bare };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  const match = /\/(?:api\/(?:v3\/)?traces|trace)\/([0-9a-fA-F]{1,32})(?:\/|$)/.exec(url.pathname);
  const traceId = match ? hexTraceId(match[1]) : undefined;
  if (!traceId) return undefined;
  // What comes before the UI's route is where Jaeger is served (a path prefix is kept).
  const prefix = url.pathname.slice(0, match!.index);
  return { traceId, url: `${url.origin}${prefix}` };
}

function hexTraceId(text: string): string | undefined {
  if (!/^(0x)?[0-9a-fA-F]{1,32}$/.test(text)) return undefined;
  const hex = text.replace(/^0x/, '').toLowerCase().padStart(32, '0');
  return normalizeId(hex, 16) || undefined;
}
