// Turns the core's model into the plain data the waterfall webview draws. No `vscode` here:
// this is pure mapping, tested in Node.
import type { SpanDetails } from '../core/spanDetails';
import type { AttributeValue, Attributes, SpanRecord } from '../core/span';
import { StatusCode } from '../core/span';
import { SPAN_KIND_LABELS } from '../core/otlp/enums';
import { describeSpan, runTokens } from '../core/conventions';
import { sourceLocationOf } from '../core/source';
import { nsToIso } from '../core/time';
import type { Trace } from '../core/trace';
import type { AttributeTable, SpanDetailsView, TraceView, WaterfallRow } from '../protocol/waterfall';

export function statusOf(span: SpanRecord): 'ok' | 'error' | 'unset' {
  return span.statusCode === StatusCode.Error ? 'error' : span.statusCode === StatusCode.Ok ? 'ok' : 'unset';
}

const msBetween = (from: bigint, to: bigint): number => Number(to - from) / 1e6;

export function traceView(trace: Trace, nowMs: number): TraceView {
  const summary = trace.summary();
  const state = trace.state(nowMs);
  const rows: WaterfallRow[] = [];
  const stack = [...trace.tree().roots].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    const s = node.span;
    const conventions = describeSpan(s);
    rows.push({
      spanId: s.spanId,
      parentSpanId: s.parentSpanId,
      name: s.name,
      depth: node.depth,
      startMs: msBetween(summary.startNs, s.startNs),
      durationMs: msBetween(s.startNs, s.endNs),
      status: statusOf(s),
      errorMessage: s.errorMessage,
      spanKind: SPAN_KIND_LABELS[s.kind] ?? 'unspecified',
      kind: conventions.kind,
      model: conventions.model,
      tokens: conventions.tokens,
      service: s.resource.serviceName,
      hasChildren: node.children.length > 0,
      hasSource: sourceLocationOf(s.attributes) !== undefined,
      orphan: node.orphan,
    });
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  const durationMs = state === 'running' ? Math.max(0, nowMs - Number(summary.startNs / 1_000_000n)) : msBetween(summary.startNs, summary.endNs);
  return {
    header: {
      traceId: trace.traceId,
      name: summary.name,
      startTime: nsToIso(summary.startNs),
      durationMs,
      spanCount: summary.spanCount,
      errorCount: summary.errorCount,
      services: summary.serviceNames,
      tokens: runTokens(trace.allSpans()),
      state,
    },
    rows,
  };
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

export function spanDetailsView(trace: Trace, span: SpanRecord, details: SpanDetails | undefined, loadError?: string): SpanDetailsView {
  const traceStart = trace.summary().startNs;
  const source = sourceLocationOf(span.attributes);
  const conventions = describeSpan(span);
  return {
    spanId: span.spanId,
    name: span.name,
    startTime: nsToIso(span.startNs),
    startOffsetMs: msBetween(traceStart, span.startNs),
    durationMs: msBetween(span.startNs, span.endNs),
    status: statusOf(span),
    errorMessage: span.errorMessage,
    spanKind: SPAN_KIND_LABELS[span.kind] ?? 'unspecified',
    kind: conventions.kind,
    model: conventions.model,
    tokens: conventions.tokens,
    scope: span.scope ? `${span.scope.name}${span.scope.version ? ` ${span.scope.version}` : ''}` : undefined,
    source: source && { path: source.path, line: source.line, function: source.function },
    attributes: table(details?.attributes ?? span.attributes ?? {}),
    resourceAttributes: table(details?.resourceAttributes ?? (span.resource.serviceName ? { 'service.name': span.resource.serviceName } : {})),
    events: (details?.events ?? []).map((e) => ({
      name: e.name,
      offsetMs: e.timeNs === undefined ? undefined : msBetween(span.startNs, e.timeNs),
      attributes: table(e.attributes),
    })),
    loadError,
  };
}
