/**
 * A client of one Jaeger's query API: services, operations, trace search and a trace by id.
 * API v3 first (it returns OTLP JSON, read by the same reader as a local file, so a remote
 * span is the same `SpanRecord` a file gives); the v1 JSON API when the server has no v3.
 * The response body stays in memory under a name (`spanSource.ts`) and the spans point
 * into it by byte range, as file spans point into their file.
 * Only the URL the user configured is contacted; redirects are refused, not followed, so
 * the auth header never goes anywhere else.
 */
import { DEFAULT_REMOTE_TIMEOUT_SECONDS } from '../config/defaults';
import { readTraceDocument } from '../ingest/formats/traceDocument';
import { firstKey } from '../ingest/formats/traceValue';
import { JsonScanner, JsonSyntaxError } from '../ingest/otlp/jsonScanner';
import { readOtlpJson } from '../ingest/otlp/otlpJsonReader';
import { putMemorySource } from '../ingest/spanSource';
import { otlpChunks } from './otlpChunks';
import { StatusCode, type SpanRecord } from '../model/span';
import { RemoteError } from './remoteError';
import { baseUrl, v1, v3, type JaegerSearch } from './jaegerQuery';

export interface JaegerBackend {
  /** Shown in messages and in the names of fetched traces. */
  readonly name: string;
  readonly url: string;
  /** Sent with every request (e.g. `Authorization: Bearer …`); a header without a value is not sent, only named in a 401's message. */
  readonly header?: { readonly name: string; readonly value?: string };
}

export interface JaegerClientOptions {
  /** Per request, headers and body together. */
  readonly timeoutMs?: number;
  /** A body larger than this is refused with a message rather than held in memory. */
  readonly maxBytes?: number;
  readonly fetch?: typeof fetch;
  /** Which query API to use; found out on the first request when absent (v3, else v1). */
  readonly api?: Api;
}

/** Spans fetched in one response, kept readable under `sources`. */
export interface RemoteSpans {
  /** The in-memory names the spans' `origin.file` carry: one per chunk of the body. */
  readonly sources: readonly string[];
  readonly spans: SpanRecord[];
  /** Trace ids in the response, newest first (search) or the one asked for. */
  readonly traceIds: string[];
  /** What the reader skipped, and traces that came back partial. */
  readonly problems: string[];
}

export const DEFAULT_TIMEOUT_MS = DEFAULT_REMOTE_TIMEOUT_SECONDS * 1000;
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
/** Spans read at once from a body (~1 MB of JSON: a few tens of milliseconds, between which the host is free). */
const CHUNK_SPANS = 2000;

export type Api = 'v3' | 'v1';

let fetchCount = 0;

export class JaegerClient {
  private readonly base: string;
  /** Which API the server answered; found on the first request. */
  private api: Api | undefined;

  constructor(
    readonly backend: JaegerBackend,
    private readonly options: JaegerClientOptions = {},
  ) {
    this.base = baseUrl(backend.url);
    this.api = options.api;
  }

  async services(signal?: AbortSignal): Promise<string[]> {
    const body = await this.get((api) => (api === 'v3' ? v3 : v1).services(this.base), signal);
    const json = this.json(body.text, body.url) as { services?: unknown; data?: unknown };
    const list = Array.isArray(json.services) ? json.services : Array.isArray(json.data) ? json.data : [];
    return list.filter((s): s is string => typeof s === 'string').sort();
  }

  async operations(service: string, signal?: AbortSignal): Promise<string[]> {
    const body = await this.get((api) => (api === 'v3' ? v3 : v1).operations(this.base, service), signal);
    const json = this.json(body.text, body.url) as { operations?: unknown; data?: unknown };
    const list = Array.isArray(json.operations) ? json.operations : Array.isArray(json.data) ? json.data : [];
    const names = list.map((o) => (typeof o === 'string' ? o : typeof o === 'object' && o && typeof (o as { name?: unknown }).name === 'string' ? (o as { name: string }).name : undefined));
    return [...new Set(names.filter((n): n is string => !!n))].sort();
  }

  /** Traces of a service in a time window, newest first; none found is an empty list. */
  async search(query: JaegerSearch, signal?: AbortSignal): Promise<RemoteSpans> {
    const name = `${this.sourcePrefix()}/search/${++fetchCount}`;
    let body: Body;
    try {
      body = await this.get((api) => (api === 'v3' ? v3 : v1).search(this.base, query), signal);
    } catch (err) {
      // API v3 answers an empty search with 404 "No traces found".
      if (err instanceof RemoteError && err.kind === 'not-found') return { sources: [], spans: [], traceIds: [], problems: [] };
      throw err;
    }
    const read = await this.read(name, body);
    let traceIds = newestFirst(read.spans);
    // API v3's HTTP gateway takes no attribute filter, so errors-only is applied to what came back.
    if (query.errorsOnly) {
      const failed = new Set(read.spans.filter((s) => s.statusCode === StatusCode.Error).map((s) => s.traceId));
      traceIds = traceIds.filter((id) => failed.has(id));
    }
    return { ...read, traceIds };
  }

  /** One trace by id; a trace the backend does not have is a `not-found` RemoteError. */
  async trace(traceId: string, signal?: AbortSignal): Promise<RemoteSpans> {
    const body = await this.get((api) => (api === 'v3' ? v3 : v1).trace(this.base, traceId), signal, `trace ${traceId}`);
    const read = await this.read(`${this.sourcePrefix()}/trace/${traceId}`, body);
    const spans = read.spans.filter((s) => s.traceId === traceId);
    if (spans.length === 0) throw new RemoteError('not-found', `Jaeger "${this.backend.name}" has no spans of trace ${traceId} (${body.url})`, 404);
    return { ...read, spans, traceIds: [traceId] };
  }

  private sourcePrefix(): string {
    return `jaeger:${this.backend.name}`;
  }

  /**
   * Reads a body with the readers files use, and keeps it for the spans' details. API v3's
   * OTLP is read in chunks of spans (`otlpChunks.ts`), the event loop free between them;
   * the v1 JSON of older servers in one go.
   */
  private async read(name: string, body: Body): Promise<RemoteSpans> {
    const buf = Buffer.from(body.bytes);
    const spans: SpanRecord[] = [];
    const problems: string[] = [];
    const sources: string[] = [];
    try {
      const result = firstKey(buf, 0, buf.length) === 'result' ? firstValueStart(buf) : undefined;
      if (result !== undefined) {
        let i = 0;
        for (const chunk of otlpChunks(buf, result, buf.length, CHUNK_SPANS)) {
          if (i > 0) await new Promise((resolve) => setImmediate(resolve));
          const source = i === 0 ? name : `${name}#${i + 1}`;
          i++;
          const read = readOtlpJson(chunk, 0, chunk.length, { file: source, line: 1, byteBase: 0 });
          putMemorySource(source, chunk);
          sources.push(source);
          for (const s of read.spans) spans.push(s);
          problems.push(...read.problems);
        }
      } else {
        const read = readTraceDocument(buf, 0, buf.length, name, true);
        putMemorySource(name, buf);
        sources.push(name);
        spans.push(...read.spans);
        problems.push(...read.problems.map((p) => p.message));
      }
    } catch (err) {
      if (err instanceof JsonSyntaxError) throw new RemoteError('malformed', `Jaeger "${this.backend.name}": GET ${body.url.split('?')[0]} returned something that is not trace JSON: ${err.message}`);
      throw err;
    }
    const traceIds = newestFirst(spans);
    return { sources, spans, traceIds, problems: [...problems, ...partial(traceIds, spans)] };
  }

  private json(text: string, url: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new RemoteError('malformed', `Jaeger "${this.backend.name}": GET ${url.split('?')[0]} returned something that is not JSON`);
    }
  }

  /** GET on API v3, or v1 when the server turns out to have no v3 routes. */
  private async get(urlOf: (api: Api) => string, signal: AbortSignal | undefined, what?: string): Promise<Body> {
    if (this.api) return this.request(urlOf(this.api), signal, what);
    try {
      const body = await this.request(urlOf('v3'), signal, what);
      this.api = 'v3';
      return body;
    } catch (err) {
      if (!(err instanceof RemoteError && err.kind === 'not-found' && err.noRoute)) throw err;
    }
    const body = await this.request(urlOf('v1'), signal, what);
    this.api = 'v1';
    return body;
  }

  private async request(url: string, signal: AbortSignal | undefined, what = 'the request'): Promise<Body> {
    // The request as a person reads it: the query string (times, limits) is left to the log.
    const label = `Jaeger "${this.backend.name}": GET ${url.split('?')[0]}`;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    if (signal?.aborted) controller.abort();
    signal?.addEventListener('abort', onAbort);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.backend.header?.value) headers[this.backend.header.name] = this.backend.header.value;
    try {
      let res: Response;
      try {
        res = await (this.options.fetch ?? fetch)(url, { headers, signal: controller.signal, redirect: 'manual' });
      } catch (err) {
        throw this.failure(label, err, timedOut, signal, timeoutMs);
      }
      if (res.status >= 300 && res.status < 400) {
        throw new RemoteError('http', `${label} was redirected to ${res.headers.get('location') ?? 'another URL'}; put the URL Jaeger answers on in the backend's setting (redirects are not followed, so the auth header goes nowhere else)`, res.status);
      }
      const declared = Number(res.headers.get('content-length') ?? '0');
      const maxBytes = this.options.maxBytes ?? DEFAULT_MAX_BYTES;
      if (declared > maxBytes) throw new RemoteError('http', `${label}: the response is ${declared} bytes, over the ${maxBytes}-byte limit`, res.status);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await res.arrayBuffer());
      } catch (err) {
        throw this.failure(label, err, timedOut, signal, timeoutMs);
      }
      const text = () => Buffer.from(bytes).toString('utf8');
      if (res.status === 401 || res.status === 403) {
        throw new RemoteError('auth', `${label} was refused (${res.status} ${res.statusText}): ${authHint(this.backend.header)}`, res.status);
      }
      if (res.status === 404) {
        const message = jaegerErrorMessage(text());
        throw new RemoteError('not-found', `${label}: ${message ? `${what}: ${message}` : 'no such route; is this the URL of Jaeger\'s query service?'}`, 404, message === undefined);
      }
      if (res.status < 200 || res.status >= 300) {
        const message = jaegerErrorMessage(text()) ?? text().slice(0, 200).trim();
        throw new RemoteError('http', `${label} failed with ${res.status} ${res.statusText}${message ? `: ${message}` : ''}`, res.status);
      }
      return { url, bytes, get text() { return text(); } };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private failure(label: string, err: unknown, timedOut: boolean, signal: AbortSignal | undefined, timeoutMs: number): RemoteError {
    if (timedOut) return new RemoteError('timeout', `${label} timed out after ${timeoutMs / 1000} s`);
    if (signal?.aborted) return new RemoteError('cancelled', `${label} was cancelled`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (err as Error).message;
    return new RemoteError('network', `${label} failed: ${reason === 'ECONNREFUSED' ? 'nothing is listening there (ECONNREFUSED); is Jaeger running?' : reason}`);
  }
}

interface Body {
  readonly url: string;
  readonly bytes: Uint8Array;
  readonly text: string;
}

/** Where the value of an object's first key starts (not scanning past it: the body may be big). */
function firstValueStart(buf: Buffer): number {
  const sc = new JsonScanner(buf, 0, buf.length);
  sc.beginObject();
  sc.nextKey(true);
  sc.skipWhitespace();
  return sc.pos;
}

/** What to do about a 401/403, by what was sent. */
function authHint(header: JaegerBackend['header']): string {
  if (!header) return 'the backend wants credentials; set a header for it';
  return header.value ? `check the value of the "${header.name}" header` : `no value is set for its "${header.name}" header`;
}

/** Jaeger's error body: v3 `{"error": {"message"}}`, v1 `{"errors": [{"msg"}]}`. */
function jaegerErrorMessage(text: string): string | undefined {
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown }; errors?: { msg?: unknown }[] };
    if (typeof json.error?.message === 'string') return json.error.message;
    const first = Array.isArray(json.errors) ? json.errors[0]?.msg : undefined;
    return typeof first === 'string' ? first : undefined;
  } catch {
    return undefined;
  }
}

/** Trace ids by their earliest span's start, newest first. */
function newestFirst(spans: readonly SpanRecord[]): string[] {
  const starts = new Map<string, bigint>();
  for (const s of spans) {
    const seen = starts.get(s.traceId);
    if (seen === undefined || s.startNs < seen) starts.set(s.traceId, s.startNs);
  }
  return [...starts.entries()].sort((a, b) => (a[1] === b[1] ? 0 : a[1] > b[1] ? -1 : 1)).map(([id]) => id);
}

/** A trace whose spans name parents the backend did not return (still being written, or sampled apart). */
function partial(traceIds: readonly string[], spans: readonly SpanRecord[]): string[] {
  const out: string[] = [];
  for (const traceId of traceIds) {
    const mine = spans.filter((s) => s.traceId === traceId);
    const ids = new Set(mine.map((s) => s.spanId));
    const missing = new Set(mine.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId)).map((s) => s.parentSpanId));
    if (missing.size > 0) out.push(`trace ${traceId} is partial: ${missing.size} parent span${missing.size === 1 ? '' : 's'} missing (not received by the backend yet, or sent elsewhere)`);
  }
  return out;
}
