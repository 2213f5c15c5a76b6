/** A value of an OTLP attribute after decoding its `AnyValue` wrapper. */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

/** OTLP `Span.SpanKind` numbers. */
export const enum SpanKind {
  Unspecified = 0,
  Internal = 1,
  Server = 2,
  Client = 3,
  Producer = 4,
  Consumer = 5,
}

/** OTLP `Status.StatusCode` numbers. */
export const enum StatusCode {
  Unset = 0,
  Ok = 1,
  Error = 2,
}

/** Where a span's full JSON lives, so its large payloads stay on disk until asked for. */
export interface SpanOrigin {
  readonly file: string;
  /** 1-based line of the file the span was read from (first line of a pretty-printed file). */
  readonly line: number;
  /**
   * Byte range of that line (or JSON document) in the file, when the reader can read the span
   * from it again on its own: the store drops idle runs' spans and reads them back from here.
   */
  readonly lineStart?: number;
  readonly lineEnd?: number;
}

/** The resource (process/service) a batch of spans came from; shared by those spans. */
export interface ResourceInfo {
  readonly serviceName: string | undefined;
  /** Byte range of the resource's `attributes` array in the file, read on demand. */
  readonly attributesStart: number;
  readonly attributesEnd: number;
}

export interface ScopeInfo {
  readonly name: string;
  readonly version: string | undefined;
}

/**
 * The indexed form of one span: what the runs tree and the waterfall need.
 * Attributes, events and links stay in the file; `byteStart`/`byteEnd` locate them.
 */
export interface SpanRecord {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startNs: bigint;
  /** 0n while the span has not ended (see `isInProgress`); otherwise ≥ `startNs`. */
  readonly endNs: bigint;
  readonly statusCode: StatusCode;
  /** Status message, or the message of the span's exception event when the status has none. */
  readonly errorMessage: string | undefined;
  /** The few attributes the index keeps (see `indexedAttributes`). */
  readonly attributes: Attributes | undefined;
  readonly resource: ResourceInfo;
  readonly scope: ScopeInfo | undefined;
  readonly origin: SpanOrigin;
  readonly byteStart: number;
  readonly byteEnd: number;
  /** What the reader noticed in the parts left on disk (`SpanFact` bits); 0 or absent for none. */
  readonly facts?: number;
  /**
   * When the span's first streamed chunk arrived, from its first-chunk event (`FIRST_CHUNK_EVENTS`
   * in `genai/timing`), which stays on disk: so a bar can show its wait for the first token
   * without reading the span back. Absent when it has none.
   */
  readonly firstChunkNs?: bigint;
}

/** Bits of `SpanRecord.facts`: enough to say what a run lacks without reading every span back. */
export const enum SpanFact {
  /** An attribute or event carries prompt or completion content (`isContentAttributeKey`, `isContentEvent`). */
  Content = 1,
  /** An exception event carries a stack trace. */
  Stack = 2,
}

/** Milliseconds from start to end; 0 for a span that has not ended. */
export function spanDurationMs(span: Pick<SpanRecord, 'startNs' | 'endNs'>): number {
  return span.endNs > span.startNs ? Number(span.endNs - span.startNs) / 1e6 : 0;
}

/** The span was exported before it ended (some SDKs and exporters do, to show it live). */
export function isInProgress(span: Pick<SpanRecord, 'endNs'>): boolean {
  return span.endNs === 0n;
}
