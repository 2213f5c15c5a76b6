/**
 * Cuts one OTLP JSON `TracesData` into self-contained documents of at most `maxSpans` spans,
 * each repeating its spans' resource and scope, so a remote trace of a million spans is read
 * a chunk at a time with the extension host free between chunks (one body read at once
 * would hold it for seconds). Spans are copied byte for byte: what a chunk's reader sees is
 * what the backend sent.
 */
import { JsonScanner } from '../ingest/otlp/jsonScanner';

const RESOURCE_SPANS = new Set(['resourceSpans', 'resource_spans']);
const SCOPE_SPANS = new Set(['scopeSpans', 'scope_spans', 'instrumentationLibrarySpans', 'instrumentation_library_spans']);

interface Scope {
  /** `"key":value` of the scope's other fields (`scope`, `schemaUrl`). */
  readonly head: Buffer[];
}

interface Resource {
  /** `"key":value` of the resource's other fields (`resource`, `schemaUrl`). */
  readonly head: Buffer[];
}

/** `"key":` followed by the raw value `buf[start, end)`. */
function field(buf: Buffer, key: string, start: number, end: number): Buffer {
  return Buffer.concat([Buffer.from(`${JSON.stringify(key)}:`), buf.subarray(start, end)]);
}

const COMMA = Buffer.from(',');

function join(parts: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(COMMA);
    out.push(p);
  });
  return out;
}

/**
 * The documents, in order, each made when the scan reaches its last span, so a caller that
 * yields between them never holds the thread for the whole body. Throws `JsonSyntaxError`
 * when the object at `buf[start]` is not JSON (what follows it is not looked at). A resource's or scope's fields that come after its spans
 * (`schemaUrl` in Jaeger's output) are not repeated in the chunks made before them.
 */
export function* otlpChunks(buf: Buffer, start: number, end: number, maxSpans: number): Generator<Buffer> {
  /** The current chunk: per resource, per scope, its span ranges. */
  let current = new Map<Resource, Map<Scope, [number, number][]>>();
  let count = 0;
  const take = (): Buffer => {
    const resources = [...current].map(([resource, scopes]) => {
      const scopeDocs = [...scopes].map(([scope, spans]) =>
        Buffer.concat([Buffer.from('{'), ...join([...scope.head, Buffer.concat([Buffer.from('"spans":['), ...join(spans.map(([s, e]) => buf.subarray(s, e))), Buffer.from(']')])]), Buffer.from('}')]),
      );
      return Buffer.concat([Buffer.from('{'), ...join([...resource.head, Buffer.concat([Buffer.from('"scopeSpans":['), ...join(scopeDocs), Buffer.from(']')])]), Buffer.from('}')]);
    });
    current = new Map();
    count = 0;
    return Buffer.concat([Buffer.from('{"resourceSpans":['), ...join(resources), Buffer.from(']}')]);
  };
  const sc = new JsonScanner(buf, start, end);
  sc.beginObject();
  for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
    if (!RESOURCE_SPANS.has(key) || !sc.beginArray()) {
      sc.skipValue();
      continue;
    }
    for (let first = true; sc.nextElement(first); first = false) {
      const resource: Resource = { head: [] };
      if (!sc.beginObject()) continue;
      for (let rk = sc.nextKey(true); rk !== undefined; rk = sc.nextKey(false)) {
        if (!SCOPE_SPANS.has(rk) || !sc.beginArray()) {
          sc.skipValue();
          resource.head.push(field(buf, rk, sc.skippedStart, sc.pos));
          continue;
        }
        for (let firstScope = true; sc.nextElement(firstScope); firstScope = false) {
          const scope: Scope = { head: [] };
          if (!sc.beginObject()) continue;
          for (let sk = sc.nextKey(true); sk !== undefined; sk = sc.nextKey(false)) {
            if (sk !== 'spans' || !sc.beginArray()) {
              sc.skipValue();
              scope.head.push(field(buf, sk, sc.skippedStart, sc.pos));
              continue;
            }
            for (let firstSpan = true; sc.nextElement(firstSpan); firstSpan = false) {
              sc.skipValue();
              let scopes = current.get(resource);
              if (!scopes) current.set(resource, (scopes = new Map()));
              let spans = scopes.get(scope);
              if (!spans) scopes.set(scope, (spans = []));
              spans.push([sc.skippedStart, sc.pos]);
              if (++count >= maxSpans) yield take();
            }
          }
        }
      }
    }
  }
  if (count > 0) yield take();
}
