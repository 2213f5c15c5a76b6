import { isContentEvent, missingContext, missingContextSteps, type ContextSpan, type MissingContextNote } from '../genai/missingContext';
import type { Steps } from '../util/steps';
import type { LogRecordIndex } from '../model/logRecords';
import type { LogRecordSource } from '../ingest/logRecordDetails';
import { SpanFact, type SpanRecord } from '../model/span';
import type { Trace } from '../model/trace';

/** A span's content counts when it came as log records too (openai-v2's EVENT_ONLY). */
function contentInLogRecords(logRecords: LogRecordSource | undefined, span: SpanRecord): boolean {
  return logRecords !== undefined && logRecords.forSpan(span.traceId, span.spanId).some((r) => isContentEvent(r.eventName));
}

/** Whether the span recorded prompt or completion content, as the reader noted it (or its log records carried it); undefined when not known. */
export function spanRecordedContent(span: SpanRecord, logRecords: LogRecordSource | undefined): boolean | undefined {
  const facts = span.facts;
  return facts === undefined ? undefined : (facts & SpanFact.Content) !== 0 || contentInLogRecords(logRecords, span);
}

/** A span as the missing-context notes read it. */
function contextSpan(span: SpanRecord, logRecords: LogRecordIndex | undefined): ContextSpan {
  // `facts` is what the reader noticed; a span made some other way (a test's) says nothing.
  const facts = span.facts;
  return {
    name: span.name,
    kind: span.kind,
    attributes: span.attributes,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    startNs: span.startNs,
    endNs: span.endNs,
    serviceName: span.resource.serviceName,
    scopeName: span.scope?.name,
    recordedContent: spanRecordedContent(span, logRecords),
    hasStack: facts === undefined ? undefined : (facts & SpanFact.Stack) !== 0,
  };
}

function* contextSpans(spans: Iterable<SpanRecord>, logRecords: LogRecordIndex | undefined): Generator<ContextSpan> {
  for (const span of spans) yield contextSpan(span, logRecords);
}

/**
 * What a caller that has read every span of the run already knows (the waterfall, from its
 * flat tree and rows), each list in `allSpans()` order: see `MissingContextOptions`.
 */
export interface KnownContextSpans {
  /** The run's LLM spans. */
  readonly llmSpans: readonly SpanRecord[];
  /** Spans that name a parent the run has not received. */
  readonly orphanCandidates: readonly SpanRecord[];
}

/**
 * What the run lacks that would make it useful (`missingContext`), from the index alone: the
 * reader noted which spans carry content and stacks, and the log records which spans got their
 * content that way. Parents that never arrived are judged once the run is no longer running.
 */
export function runMissingContext(trace: Trace, nowMs: number, logRecords?: LogRecordIndex): MissingContextNote[] {
  return missingContext(contextSpans(trace.allSpans(), logRecords), { settled: trace.state(nowMs) !== 'running' });
}

/** `runMissingContext` in steps, for a big trace's waterfall header. */
export function runMissingContextSteps(trace: Trace, nowMs: number, logRecords?: LogRecordIndex, known?: KnownContextSpans): Steps<MissingContextNote[]> {
  const spans = { [Symbol.iterator]: () => contextSpans(trace.allSpans(), logRecords) };
  return missingContextSteps(spans, {
    settled: trace.state(nowMs) !== 'running',
    has: (id) => trace.span(id) !== undefined,
    reiterable: true,
    llmSpans: known && contextSpans(known.llmSpans, logRecords),
    orphanCandidates: known && contextSpans(known.orphanCandidates, logRecords),
  });
}
