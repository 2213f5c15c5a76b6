/**
 * One run as a single OTLP JSON line (an `ExportTraceServiceRequest`), for any OTLP tool.
 * An OTLP span's JSON is copied byte for byte from the trace file it was read from, with only
 * the whitespace between tokens dropped: attributes, events, links and 64-bit numbers come
 * out exactly as written (a parse and re-stringify would round integers beyond 2^53).
 * A span read from another format (run records, console exporter, Jaeger), or an OTLP span
 * whose ids are not hex (base64, `0x…`), is built anew from what was read of it (`otlpSpan`):
 * its own bytes are no OTLP span. Spans are grouped under their resource and scope.
 */
import { isForeignSpan } from '../ingest/formats/foreignDetails';
import { readSpanDetails } from '../ingest/spanDetails';
import { openSpanSource, type RangeReader } from '../ingest/spanSource';
import { keyValues, otlpSpan } from './otlpSpan';
import type { SpanRecord } from '../model/span';
import type { Trace } from '../model/trace';

/** JSON text without the whitespace outside its strings: a pretty-printed span on one line. */
export function compactJson(text: string): string {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      out += text.slice(from, i);
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

export async function readRange(handle: RangeReader, start: number, end: number): Promise<string> {
  const buf = Buffer.alloc(Math.max(0, end - start));
  const { bytesRead } = await handle.read(buf, 0, buf.length, start);
  return buf.toString('utf8', 0, bytesRead);
}

const TRACE_ID_RE = /^[0-9a-f]{32}$/i;
const SPAN_ID_RE = /^[0-9a-f]{16}$/i;

/** Whether a parsed span can be copied as it is: an OTLP span with the hex ids the spec asks for. */
function copiesAsIs(raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object' || isForeignSpan(raw)) return false;
  const span = raw as Record<string, unknown>;
  const parent = span.parentSpanId ?? span.parent_span_id;
  return (
    TRACE_ID_RE.test(String(span.traceId ?? span.trace_id ?? '')) &&
    SPAN_ID_RE.test(String(span.spanId ?? span.span_id ?? '')) &&
    (parent === undefined || parent === null || parent === '' || SPAN_ID_RE.test(String(parent)))
  );
}

interface ScopeGroup {
  readonly scope: string;
  readonly spans: string[];
}

interface ResourceGroup {
  attributes: string;
  readonly scopes: Map<string, ScopeGroup>;
}

/**
 * The run's spans as one OTLP JSON line (no trailing newline). Throws, naming the file, when
 * a trace file changed since it was read and no longer holds a span where it was.
 */
export async function runOtlpLine(trace: Trace): Promise<string> {
  const byFile = new Map<string, SpanRecord[]>();
  for (const span of trace.allSpans()) {
    let list = byFile.get(span.origin.file);
    if (!list) byFile.set(span.origin.file, (list = []));
    list.push(span);
  }
  const resources = new Map<string, ResourceGroup>();
  for (const [file, spans] of byFile) {
    let handle: RangeReader;
    try {
      handle = await openSpanSource(file);
    } catch (err) {
      throw new Error(`${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the run's spans were in it`);
    }
    try {
      spans.sort((a, b) => a.byteStart - b.byteStart);
      for (const span of spans) {
        let text = compactJson(await readRange(handle, span.byteStart, span.byteEnd));
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          throw new Error(`${file} changed since it was read; span ${span.spanId} is no longer where it was`);
        }
        let resourceKey = `${file}\0${span.resource.attributesStart}`;
        let builtResource: string | undefined;
        if (!copiesAsIs(raw)) {
          const details = await readSpanDetails(handle, span);
          text = JSON.stringify(otlpSpan(span, details));
          builtResource = JSON.stringify(keyValues(details.resourceAttributes));
          resourceKey = `\0${builtResource}`;
        }
        let resource = resources.get(resourceKey);
        if (!resource) {
          const { attributesStart, attributesEnd } = span.resource;
          const attributes = builtResource ?? (attributesEnd > attributesStart ? compactJson(await readRange(handle, attributesStart, attributesEnd)) : '[]');
          resources.set(resourceKey, (resource = { attributes, scopes: new Map() }));
        }
        // No scope read, none written: an empty `{}` would read back as a scope named ''.
        const scope = span.scope ? `"scope":${JSON.stringify({ name: span.scope.name, ...(span.scope.version !== undefined && { version: span.scope.version }) })},` : '';
        let group = resource.scopes.get(scope);
        if (!group) resource.scopes.set(scope, (group = { scope, spans: [] }));
        group.spans.push(text);
      }
    } finally {
      await handle.close();
    }
  }
  for (const r of resources.values()) {
    try {
      JSON.parse(r.attributes);
    } catch {
      r.attributes = '[]'; // The spans read fine; resource attributes that don't are left out.
    }
  }
  const resourceSpans = [...resources.values()].map(
    (r) => `{"resource":{"attributes":${r.attributes}},"scopeSpans":[${[...r.scopes.values()].map((g) => `{${g.scope}"spans":[${g.spans.join(',')}]}`).join(',')}]}`,
  );
  return `{"resourceSpans":[${resourceSpans.join(',')}]}`;
}
