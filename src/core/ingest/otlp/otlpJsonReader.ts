import { normalizeId } from '../../model/ids';
import { INDEXED_ATTRIBUTE_KEYS } from '../../model/indexedAttributes';
import type { LogRecordRef } from '../../model/logRecords';
import type { Attributes, ResourceInfo, ScopeInfo, SpanOrigin, SpanRecord } from '../../model/span';
import { SpanFact, SpanKind, StatusCode } from '../../model/span';
import { isContentAttributeKey, isContentEvent } from '../../genai/missingContext';
import { FIRST_CHUNK_EVENTS } from '../../genai/timing';
import { parseNanos } from '../../model/time';
import { outOfRangeMessage } from '../../model/timeRange';
import { parseSpanKind, parseStatusCode } from './enums';
import { JsonScanner } from './jsonScanner';
import { spanDefect } from './spanRule';
import { LogRecordReader } from './otlpLogReader';
import { EMPTY_RESOURCE, IdMemo, OtlpValueReader, type ReadContext } from './otlpJsonValues';

export type { ReadContext } from './otlpJsonValues';

export interface ReadResult {
  readonly spans: SpanRecord[];
  /** Spans skipped for missing ids and the like; the rest of the line still counts. */
  readonly problems: string[];
  /** Log records tied to a span (valid trace and span ids), their bodies left in the bytes. */
  readonly logRecords: LogRecordRef[];
  /** Log records with no valid trace and span id: nothing to attach them to. */
  readonly unlinkedLogRecords: number;
  /**
   * structureOnly: places where JSON.parse could see the request otherwise than this reader
   * (a span list, or a span's id or start time, given twice or in both spellings; a null where
   * an object belongs; an id or time that is not a string). Zero means both count and judge
   * the same spans.
   */
  readonly ambiguities?: number;
}

/**
 * Reads one OTLP JSON `ExportTraceServiceRequest` / `TracesData` object from
 * `buf[start, end)`. Accepts what real writers vary: camelCase or proto field names, the
 * old `instrumentationLibrarySpans`, hex/base64/0x ids, int64 as strings or numbers, enums
 * as numbers or names. Throws `JsonSyntaxError` when the text is not valid JSON.
 */
export function readOtlpJson(buf: Buffer, start: number, end: number, ctx: ReadContext): ReadResult {
  const sc = new JsonScanner(buf, start, end, ctx.structureOnly === true);
  const reader = new Reader(sc, ctx, ctx.byteBase + start, ctx.byteBase + end);
  reader.readRequest();
  if (!sc.atEnd()) sc.fail(`unexpected text after the JSON object at column ${sc.column()}`);
  return {
    spans: reader.spans,
    problems: reader.problems,
    logRecords: reader.logs.logRecords,
    unlinkedLogRecords: reader.logs.unlinkedLogRecords,
    ...(ctx.structureOnly ? { ambiguities: reader.ambiguities } : {}),
  };
}

const JUDGED_TRACE_ID = 1;
const JUDGED_SPAN_ID = 2;
const JUDGED_START = 4;

class Reader extends OtlpValueReader {
  readonly spans: SpanRecord[] = [];
  /** See `ReadResult.ambiguities`. */
  ambiguities = 0;
  /** The log records of the same request, read on the same scanner. */
  readonly logs: LogRecordReader;
  private readonly origin: SpanOrigin;
  // A batch repeats its trace id, and siblings their parent's id: one string each, not one
  // per span (at a million spans that is ~100 MB less held, and fewer objects for the GC).
  private readonly traceIds = new IdMemo(16);
  private readonly parentIds = new IdMemo(8);

  constructor(sc: JsonScanner, ctx: ReadContext, lineStart: number, lineEnd: number) {
    super(sc, ctx, []);
    this.origin = { file: ctx.file, line: ctx.line, lineStart, lineEnd };
    this.logs = new LogRecordReader(sc, ctx, this.problems, this.traceIds);
  }

  readRequest(): void {
    const sc = this.sc;
    if (!sc.beginObject()) sc.fail('expected an OTLP JSON object');
    let spanLists = 0;
    for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
      if (key === 'resourceSpans' || key === 'resource_spans') {
        if (spanLists++ > 0) this.ambiguities++;
        this.each(() => this.readResourceSpans());
      }
      else if (key === 'resourceLogs' || key === 'resource_logs') this.each(() => this.logs.readResourceLogs());
      else sc.skipValue(); // other signals (resourceMetrics) share Collector files
    }
  }

  /** Notes a judged field about to be read: an ambiguity when seen before or not a string. */
  private judge(judged: number, field: number): number {
    if ((judged & field) !== 0 || this.sc.peek() !== 0x22 /* " */) this.ambiguities++;
    return judged | field;
  }

  private readResourceSpans(): void {
    const sc = this.sc;
    if (!sc.beginObject()) {
      this.ambiguities++;
      return;
    }
    let resource = EMPTY_RESOURCE;
    let scopeLists = '';
    // `resource` may follow `scopeSpans`: collect spans, then attach the resource.
    const firstSpan = this.spans.length;
    for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
      switch (key) {
        case 'resource':
          resource = this.readResource();
          break;
        case 'scopeSpans':
        case 'scope_spans':
        case 'instrumentationLibrarySpans':
        case 'instrumentation_library_spans':
          // Each spelling once: JSON.parse keeps the last of a repeated key; this reads all.
          if (scopeLists.includes(`|${key}|`)) this.ambiguities++;
          scopeLists += `|${key}|`;
          this.each(() => this.readScopeSpans());
          break;
        default:
          sc.skipValue();
      }
    }
    for (let i = firstSpan; i < this.spans.length; i++) (this.spans[i] as { resource: ResourceInfo }).resource = resource;
  }

  private readScopeSpans(): void {
    const sc = this.sc;
    if (!sc.beginObject()) {
      this.ambiguities++;
      return;
    }
    let scope: ScopeInfo | undefined;
    const firstSpan = this.spans.length;
    let spanLists = 0;
    for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
      switch (key) {
        case 'scope':
        case 'instrumentationLibrary':
        case 'instrumentation_library':
          scope = this.readScope();
          break;
        case 'spans':
          if (spanLists++ > 0) this.ambiguities++;
          this.each(() => this.readSpan());
          break;
        default:
          sc.skipValue();
      }
    }
    if (scope) for (let i = firstSpan; i < this.spans.length; i++) (this.spans[i] as { scope?: ScopeInfo }).scope = scope;
  }

  private readSpan(): void {
    const sc = this.sc;
    // The receivers count an element that is no object as a rejected span; here it costs only itself.
    const spanStart = this.beginElement('a span');
    if (spanStart === undefined) return;
    let traceId = '';
    let spanId = '';
    let parentSpanId = '';
    let name = '';
    let kind = SpanKind.Unspecified;
    let startNs: bigint | undefined;
    let endNs: bigint | undefined;
    let statusCode = StatusCode.Unset;
    let statusMessage: string | undefined;
    let exceptionMessage: string | undefined;
    let attributes: Attributes | undefined;
    let facts = 0;
    let firstChunkNs: bigint | undefined;
    // What the receivers judge a span by, each seen once and as a string (ambiguities).
    let judged = 0;
    for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
      switch (key) {
        case 'traceId':
        case 'trace_id':
          judged = this.judge(judged, JUDGED_TRACE_ID);
          traceId = this.traceIds.normalize(sc.readScalarText());
          break;
        case 'spanId':
        case 'span_id':
          judged = this.judge(judged, JUDGED_SPAN_ID);
          spanId = normalizeId(sc.readScalarText(), 8);
          break;
        case 'parentSpanId':
        case 'parent_span_id':
          parentSpanId = this.parentIds.normalize(sc.readScalarText());
          break;
        case 'name':
          if (this.ctx.structureOnly) {
            // A name can be megabytes; only a problem message needs (the start of) it.
            const [from, to] = sc.passString();
            name = sc.buf.toString('utf8', from, Math.min(to, from + 200));
          } else name = internName(sc.readString());
          break;
        case 'kind':
          kind = parseSpanKind(sc.readScalarText());
          break;
        case 'startTimeUnixNano':
        case 'start_time_unix_nano':
          judged = this.judge(judged, JUDGED_START);
          startNs = parseNanos(sc.readScalarText());
          break;
        case 'endTimeUnixNano':
        case 'end_time_unix_nano':
          endNs = parseNanos(sc.readScalarText());
          break;
        case 'attributes':
          attributes = this.readKeyValues((k) => {
            if (contentKey(k)) facts |= SpanFact.Content;
            return INDEXED_ATTRIBUTE_KEYS.has(k);
          });
          break;
        case 'events': {
          const read = this.readEvents();
          exceptionMessage = read.exceptionMessage;
          facts |= read.facts;
          firstChunkNs = read.firstChunkNs;
          break;
        }
        case 'status':
          [statusCode, statusMessage] = this.readStatus();
          break;
        default:
          sc.skipValue();
      }
    }
    const defect = spanDefect(traceId, spanId, startNs, endNs);
    if (defect !== undefined || startNs === undefined) {
      this.problems.push(
        defect === 'start-out-of-range'
          ? outOfRangeMessage(name, spanId, 'startTimeUnixNano', startNs!)
          : defect === 'end-out-of-range'
            ? outOfRangeMessage(name, spanId, 'endTimeUnixNano', endNs!)
            : defect === 'no-start' || defect === undefined
              ? `span "${name}" (${spanId}) skipped: it has no startTimeUnixNano`
              : `span "${name}" skipped: it has no ${defect === 'no-span-id' ? 'spanId' : 'traceId'}`,
      );
      return;
    }
    const record: SpanRecord = {
      traceId,
      spanId,
      parentSpanId,
      name,
      kind,
      startNs,
      // No end (absent or 0, OTLP's unset): the span was exported before it ended; kept as 0.
      endNs: endNs === undefined || endNs === 0n ? 0n : endNs >= startNs ? endNs : startNs,
      statusCode,
      errorMessage: statusMessage || exceptionMessage,
      attributes,
      resource: EMPTY_RESOURCE,
      scope: undefined,
      origin: this.origin,
      byteStart: this.ctx.byteBase + spanStart,
      byteEnd: this.ctx.byteBase + sc.pos,
      facts,
    };
    // Only streamed calls have one: other spans keep the shape they always had (no spread in the hot path).
    if (firstChunkNs !== undefined) (record as { firstChunkNs?: bigint }).firstChunkNs = firstChunkNs;
    this.spans.push(record);
  }

  private readStatus(): [StatusCode, string | undefined] {
    const sc = this.sc;
    let code = StatusCode.Unset;
    let message: string | undefined;
    if (!sc.beginObject()) return [code, message];
    for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
      if (key === 'code') code = parseStatusCode(sc.readScalarText());
      else if (key === 'message') message = sc.readString() || undefined;
      else sc.skipValue();
    }
    return [code, message];
  }

  /**
   * The first `exception` event's "type: message", for rows that show why a span failed, and
   * whether any event carries content or a stack trace.
   */
  private readEvents(): { exceptionMessage: string | undefined; facts: number; firstChunkNs: bigint | undefined } {
    const sc = this.sc;
    let found: string | undefined;
    let facts = 0;
    let firstChunkNs: bigint | undefined;
    this.each(() => {
      if (!sc.beginObject()) return;
      let name = '';
      let attrs: Attributes | undefined;
      let stack = false;
      let content = false;
      // The time is parsed only for the first first-chunk event (a stream may record one per chunk).
      let time: string | undefined;
      for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
        if (key === 'name') name = sc.readString();
        else if ((key === 'timeUnixNano' || key === 'time_unix_nano') && firstChunkNs === undefined) time = sc.readScalarText();
        else if (key === 'attributes') {
          attrs = this.readKeyValues((k) => {
            if (k === 'exception.stacktrace') stack = true;
            else if (contentKey(k)) content = true;
            return found === undefined && (k === 'exception.message' || k === 'exception.type');
          });
        } else sc.skipValue();
      }
      if (name === 'exception' && stack) facts |= SpanFact.Stack;
      if (content || isContentEvent(name)) facts |= SpanFact.Content;
      if (firstChunkNs === undefined && time !== undefined && FIRST_CHUNK_EVENTS.has(name)) {
        const ns = parseNanos(time);
        if (ns !== undefined && ns > 0n) firstChunkNs = ns;
      }
      if (found === undefined && name === 'exception' && attrs) {
        const type = attrs['exception.type'];
        const message = attrs['exception.message'];
        found = [type, message].filter((x) => x !== undefined && x !== '').join(': ') || undefined;
      }
    });
    return { exceptionMessage: found, facts, firstChunkNs };
  }

}

const contentKeys = new Map<string, boolean>();
/** `isContentAttributeKey`, remembered: keys repeat across spans, and every key of every span asks. */
function contentKey(key: string): boolean {
  let known = contentKeys.get(key);
  if (known === undefined) {
    if (contentKeys.size >= MAX_INTERNED) contentKeys.clear();
    contentKeys.set(key, (known = isContentAttributeKey(key)));
  }
  return known;
}

const MAX_INTERNED = 50_000;
/** Longer names are rare and would stay held by the table after their spans are gone. */
const MAX_INTERNED_LENGTH = 1024;
const internedNames = new Map<string, string>();

/** Span names repeat across thousands of spans; share one string per name. */
function internName(name: string): string {
  if (name.length > MAX_INTERNED_LENGTH) return name;
  const known = internedNames.get(name);
  if (known !== undefined) return known;
  if (internedNames.size >= MAX_INTERNED) internedNames.clear();
  internedNames.set(name, name);
  return name;
}
