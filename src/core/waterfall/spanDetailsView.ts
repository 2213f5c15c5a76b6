// The details pane's view model: the core's span as the plain data the waterfall webview draws.
import type { SpanDetails } from '../ingest/spanDetails';
import type { AttributeValue, Attributes, SpanRecord } from '../model/span';
import { isInProgress, spanDurationMs, StatusCode } from '../model/span';
import { SPAN_KIND_LABELS } from '../ingest/otlp/enums';
import { describeSpan } from '../genai/conventions';
import { sourceLocationOf } from '../source/source';
import { msBetween, nsToIso } from '../model/time';
import type { Trace } from '../model/trace';
import type { AttributeTable, ConversationMessageView, PayloadView, SpanDetailsView, StackFrameView } from '../../protocol/waterfall';

function statusOf(span: SpanRecord): 'ok' | 'error' | 'unset' {
  return span.statusCode === StatusCode.Error ? 'error' : span.statusCode === StatusCode.Ok ? 'ok' : 'unset';
}


function formatAttributeValue(value: AttributeValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}

function table(attrs: Attributes): AttributeTable {
  return Object.entries(attrs)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => [k, formatAttributeValue(v)] as const);
}

/** What the details pane shows beyond the span's own data, worked out by the caller. */
export interface DetailsExtras {
  readonly conversation?: readonly ConversationMessageView[];
  readonly finishReasons?: readonly string[];
  readonly payloads?: readonly PayloadView[];
  readonly stack?: readonly StackFrameView[];
  readonly costUsd?: number;
  readonly costRecordedIn?: string;
  readonly loadError?: string;
  readonly notice?: string;
  /** The failure in words, from wherever the span recorded it (status, exception, error.type, HTTP status). */
  readonly errorMessage?: string;
  /** Milliseconds from the LLM call's start to its first token, where recorded. */
  readonly ttftMs?: number;
  /** The model provider (`gen_ai.provider.name` or the deprecated `gen_ai.system`). */
  readonly provider?: string;
  readonly streamed?: boolean;
  readonly prompt?: SpanDetailsView['prompt'];
  readonly evaluations?: SpanDetailsView['evaluations'];
  readonly metadata?: Attributes;
  readonly contentMissing?: SpanDetailsView['contentMissing'];
  /** Where the source chain found the span's code (replaces what `code.*` records). */
  readonly source?: SpanDetailsView['source'];
  /** Why the source chain found no code for the span. */
  readonly sourceMissing?: string;
  readonly sourceChoices?: SpanDetailsView['sourceChoices'];
}

/** Why a parent span that has not arrived stands in the tree, for the `count` spans that name it. */
export function notReceivedNotice(count: number, settled = false): string {
  const named = `${count} span${count === 1 ? ' names' : 's name'} it as ${count === 1 ? 'its' : 'their'} parent`;
  return settled
    ? `This span was not received: ${named}, but the run has finished without it (the app may have exited before exporting it, or sent it elsewhere). It is drawn from its first child's start to its last one's end.`
    : `This span has not arrived: ${named}. SDKs export a span when it ends, so it is most likely still running; it is drawn from its first child's start.`;
}

export function spanDetailsView(trace: Trace, span: SpanRecord, details: SpanDetails | undefined, extras: DetailsExtras = {}): SpanDetailsView {
  const traceStart = trace.summary().startNs;
  const source = sourceLocationOf(span.attributes);
  const conventions = describeSpan(span);
  return {
    spanId: span.spanId,
    name: span.name,
    startTime: nsToIso(span.startNs),
    startOffsetMs: msBetween(traceStart, span.startNs),
    durationMs: spanDurationMs(span),
    inProgress: isInProgress(span) || undefined,
    status: statusOf(span),
    errorMessage: extras.errorMessage ?? span.errorMessage,
    spanKind: SPAN_KIND_LABELS[span.kind] ?? 'unspecified',
    kind: conventions.kind,
    model: conventions.model,
    provider: extras.provider,
    ttftMs: extras.ttftMs,
    tokens: conventions.tokens,
    costUsd: extras.costUsd,
    costRecordedIn: extras.costRecordedIn,
    finishReasons: extras.finishReasons,
    streamed: extras.streamed,
    prompt: extras.prompt,
    evaluations: extras.evaluations,
    metadata: extras.metadata && table(extras.metadata),
    contentMissing: extras.contentMissing,
    scope: span.scope ? `${span.scope.name}${span.scope.version ? ` ${span.scope.version}` : ''}` : undefined,
    // Without the chain (or when it found nothing) the details show what `code.*` records.
    source: extras.source ?? (source && { path: source.path, line: source.line, function: source.function }),
    sourceMissing: extras.sourceMissing,
    sourceChoices: extras.sourceChoices,
    conversation: extras.conversation,
    payloads: extras.payloads ?? [],
    stack: extras.stack,
    attributes: table(details?.attributes ?? span.attributes ?? {}),
    resourceAttributes: table(details?.resourceAttributes ?? (span.resource.serviceName ? { 'service.name': span.resource.serviceName } : {})),
    events: (details?.events ?? []).map((e) => ({
      name: e.name,
      offsetMs: e.timeNs === undefined ? undefined : msBetween(span.startNs, e.timeNs),
      attributes: table(e.attributes),
    })),
    links: (details?.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: table(l.attributes) })),
    loadError: extras.loadError,
    notice: extras.notice,
  };
}
