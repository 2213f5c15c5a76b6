// Turns the core's model into the plain data the waterfall webview draws. No `vscode` here:
// this is pure mapping, tested in Node.
import type { SpanDetails } from '../core/ingest/spanDetails';
import type { AttributeValue, Attributes, SpanRecord } from '../core/model/span';
import { isInProgress, spanDurationMs, StatusCode } from '../core/model/span';
import { SPAN_KIND_LABELS } from '../core/ingest/otlp/enums';
import { describeSpan } from '../core/genai/conventions';
import { sourceLocationOf } from '../core/source/source';
import { msBetween, nsToIso } from '../core/model/time';
import type { Trace } from '../core/model/trace';
import type { AttributeTable, ConversationMessageView, PayloadView, SpanDetailsView, StackFrameView } from '../protocol/waterfall';

export function statusOf(span: SpanRecord): 'ok' | 'error' | 'unset' {
  return span.statusCode === StatusCode.Error ? 'error' : span.statusCode === StatusCode.Ok ? 'ok' : 'unset';
}


export function formatAttributeValue(value: AttributeValue): string {
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
  readonly loadError?: string;
  readonly notice?: string;
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
    errorMessage: span.errorMessage,
    spanKind: SPAN_KIND_LABELS[span.kind] ?? 'unspecified',
    kind: conventions.kind,
    model: conventions.model,
    tokens: conventions.tokens,
    costUsd: extras.costUsd,
    finishReasons: extras.finishReasons,
    scope: span.scope ? `${span.scope.name}${span.scope.version ? ` ${span.scope.version}` : ''}` : undefined,
    source: source && { path: source.path, line: source.line, function: source.function },
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
