import { normalizeId } from '../model/ids';
import { decodeKeyValues } from './otlp/anyValue';
import { foreignSpanDetails } from './formats/foreignDetails';
import type { Attributes, SpanRecord } from '../model/span';
import { parseNanos } from '../model/time';
import { NotRegularFileError } from './regularFile';
import { openSpanSource, type RangeReader } from './spanSource';

export interface SpanEventDetails {
  readonly name: string;
  readonly timeNs: bigint | undefined;
  readonly attributes: Attributes;
}

export interface SpanLinkDetails {
  readonly traceId: string;
  readonly spanId: string;
  readonly attributes: Attributes;
}

/** Everything about a span that the index leaves on disk. */
export interface SpanDetails {
  readonly attributes: Attributes;
  readonly resourceAttributes: Attributes;
  readonly events: SpanEventDetails[];
  readonly links: SpanLinkDetails[];
  readonly traceState: string | undefined;
}

async function readRange(handle: RangeReader, start: number, end: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.max(0, end - start));
  const { bytesRead } = await handle.read(buf, 0, buf.length, start);
  return buf.subarray(0, bytesRead);
}

/** What reading a span's details back needs of it: a `SpanRecord`, or a light reference to one (`SpanRef`). */
export type SpanOnDisk = Pick<SpanRecord, 'spanId' | 'origin' | 'byteStart' | 'byteEnd' | 'resource'>;

/**
 * Reads a span's full JSON back from its file. Fails with a clear message when the file
 * changed since it was indexed (the bytes no longer hold that span).
 */
export async function loadSpanDetails(span: SpanOnDisk): Promise<SpanDetails> {
  let handle: RangeReader;
  try {
    handle = await openSpanSource(span.origin.file);
  } catch (err) {
    if (err instanceof NotRegularFileError) throw new Error(`${span.origin.file} is ${err.message}`);
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new Error(`${span.origin.file} no longer exists; the span's details were in it`);
  }
  try {
    return await readSpanDetails(handle, span);
  } finally {
    await handle.close();
  }
}

/** `loadSpanDetails` from a source already open: for a walk over many spans of one file (an export). */
export async function readSpanDetails(handle: RangeReader, span: SpanOnDisk): Promise<SpanDetails> {
  const spanText = (await readRange(handle, span.byteStart, span.byteEnd)).toString('utf8');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(spanText) as Record<string, unknown>;
  } catch {
    throw new Error(`${span.origin.file} changed since it was read; the span's details are no longer there`);
  }
  // Console exporter objects and run records carry their details in their own shape.
  const foreign = foreignSpanDetails(raw, span.spanId, span.resource.serviceName);
  if (foreign && 'details' in foreign) {
    const { attributesStart, attributesEnd } = span.resource;
    if (attributesEnd <= attributesStart) return foreign.details;
    // A Jaeger process's tags: `{key, type, value}` decode as OTLP KeyValues do.
    try {
      const tags = decodeKeyValues(JSON.parse((await readRange(handle, attributesStart, attributesEnd)).toString('utf8')));
      return { ...foreign.details, resourceAttributes: { ...foreign.details.resourceAttributes, ...tags } };
    } catch {
      return foreign.details;
    }
  }
  if (foreign || normalizeId(String(raw.spanId ?? raw.span_id ?? ''), 8) !== span.spanId) {
    throw new Error(`${span.origin.file} changed since it was read; the span's details are no longer there`);
  }
  let resourceAttributes: Attributes = {};
  const { attributesStart, attributesEnd } = span.resource;
  if (attributesEnd > attributesStart) {
    try {
      resourceAttributes = decodeKeyValues(JSON.parse((await readRange(handle, attributesStart, attributesEnd)).toString('utf8')));
    } catch {
      // The span itself read fine; missing resource attributes are not worth failing for.
    }
  }
  const events = Array.isArray(raw.events) ? raw.events : [];
  const links = Array.isArray(raw.links) ? raw.links : [];
  return {
    attributes: decodeKeyValues(raw.attributes),
    resourceAttributes,
    events: events.map((e: Record<string, unknown>) => ({
      name: String(e.name ?? ''),
      timeNs: parseNanos(String(e.timeUnixNano ?? e.time_unix_nano ?? '')),
      attributes: decodeKeyValues(e.attributes),
    })),
    links: links.map((l: Record<string, unknown>) => ({
      traceId: normalizeId(String(l.traceId ?? l.trace_id ?? ''), 16),
      spanId: normalizeId(String(l.spanId ?? l.span_id ?? ''), 8),
      attributes: decodeKeyValues(l.attributes),
    })),
    traceState: typeof raw.traceState === 'string' && raw.traceState ? raw.traceState : undefined,
  };
}

