/**
 * One run as a nested JSON document to paste into a chat with a model, or keep: each span
 * with its name, kind, timing, status and error, model, tokens, input, output and
 * conversation, children inside their parent. Payloads are read back from the trace files
 * and long strings shortened, so the document stays small enough to paste.
 */
import { describeSpan, type TokenCounts } from '../genai/conventions';
import { spanPayloads, type SpanPayload } from '../genai/payloads';
import { spanErrorText } from '../genai/spanError';
import { traceTokens } from '../genai/traceTokens';
import { loadSpanDetails, type SpanDetails } from '../ingest/spanDetails';
import { SPAN_KIND_LABELS } from '../ingest/otlp/enums';
import { isInProgress, spanDurationMs, StatusCode, type SpanRecord } from '../model/span';
import { msBetween, nsToIso } from '../model/time';
import type { SpanNode, Trace, TraceTree } from '../model/trace';
import { spanDetailsExtras } from '../waterfall/spanDetailsExtras';
import type { ConversationMessageView } from '../../protocol/waterfall';
import { runFacts } from '../runs/runFacts';

export interface RunJsonOptions {
  /** Longest string kept whole in inputs, outputs and messages; 0 keeps everything. */
  readonly maxPayloadChars: number;
  /** Reads a span's full attributes (default: from its trace file). */
  readonly load?: (span: SpanRecord) => Promise<SpanDetails>;
  /** The span tree; default `trace.tree()` (the extension passes a sliced build). */
  readonly tree?: TraceTree;
}

export interface RunJsonMessage {
  role: string;
  direction: 'input' | 'output';
  content?: string;
  toolCalls?: { id?: string; name: string; arguments?: string }[];
  toolCallId?: string;
}

export interface RunJsonSpan {
  name: string;
  spanId: string;
  kind: string;
  spanKind: string;
  /** From the run's start. */
  startMs: number;
  durationMs: number;
  inProgress?: true;
  /** A stand-in for a parent span that has not arrived. */
  notReceived?: true;
  status: 'ok' | 'error' | 'unset';
  error?: string;
  model?: string;
  tokens?: TokenCounts;
  input?: unknown;
  output?: unknown;
  messages?: RunJsonMessage[];
  /** Set when the span's attributes could not be read back from its file. */
  detailsError?: string;
  children?: RunJsonSpan[];
}

export interface RunJson {
  traceId: string;
  name: string;
  startTime: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  models?: string[];
  tokens?: TokenCounts;
  spans: RunJsonSpan[];
}

/** `text` cut to `max` characters with a note of how much was left out; 0 keeps it whole. */
export function shorten(text: string, max: number): string {
  if (max <= 0 || text.length <= max) return text;
  return `${text.slice(0, max)}… [${(text.length - max).toLocaleString('en-US')} more characters]`;
}

/** Every string inside a JSON value shortened; the structure kept. */
export function shortenDeep(value: unknown, max: number): unknown {
  if (typeof value === 'string') return shorten(value, max);
  if (Array.isArray(value)) return value.map((v) => shortenDeep(v, max));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shortenDeep(v, max)]));
  return value;
}

function payloadValue(p: SpanPayload | undefined, max: number): unknown {
  if (!p) return undefined;
  return p.json ? shortenDeep(p.value, max) : typeof p.value === 'string' ? shorten(p.value, max) : p.value;
}

function messageJson(m: ConversationMessageView, max: number): RunJsonMessage {
  return omitUndefined({
    role: m.role,
    direction: m.direction,
    content: m.content === undefined ? undefined : shorten(m.content, max),
    toolCalls: m.toolCalls?.map((c) => omitUndefined({ id: c.id, name: c.name, arguments: c.arguments === undefined ? undefined : shorten(c.arguments, max) })),
    toolCallId: m.toolCallId,
  });
}

function omitUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function statusOf(span: SpanRecord): 'ok' | 'error' | 'unset' {
  return span.statusCode === StatusCode.Error ? 'error' : span.statusCode === StatusCode.Ok ? 'ok' : 'unset';
}

/** The conversation as the details pane shows it (same mapping), no frames or prices needed. */
async function messagesOf(span: SpanRecord, details: SpanDetails): Promise<readonly ConversationMessageView[] | undefined> {
  const extras = await spanDetailsExtras(span, details, {}, async () => false);
  return extras.conversation;
}

async function spanJson(node: SpanNode, runStartNs: bigint, options: RunJsonOptions): Promise<RunJsonSpan> {
  const span = node.span;
  const d = describeSpan(span);
  const max = options.maxPayloadChars;
  const out: RunJsonSpan = {
    name: span.name,
    spanId: span.spanId,
    kind: d.kind,
    spanKind: SPAN_KIND_LABELS[span.kind] ?? 'unspecified',
    startMs: msBetween(runStartNs, span.startNs),
    durationMs: spanDurationMs(span),
    status: statusOf(span),
  };
  if (isInProgress(span)) out.inProgress = true;
  if (node.notReceived) out.notReceived = true;
  // Many instrumentations set the ERROR status alone: the reason from error.type, the HTTP status, the exception.
  if (span.statusCode === StatusCode.Error) out.error = spanErrorText(span.errorMessage, span.attributes) ?? 'error';
  if (d.model) out.model = d.model;
  if (d.tokens) out.tokens = d.tokens;
  if (!node.notReceived) {
    try {
      const details = await (options.load ?? loadSpanDetails)(span);
      // The exception event is in the details only.
      if (out.error !== undefined) out.error = spanErrorText(span.errorMessage, details.attributes, details.events) ?? out.error;
      const messages = await messagesOf(span, details);
      if (messages && messages.length > 0) {
        out.messages = messages.map((m) => messageJson(m, max));
      } else {
        // An LLM span's input and output are its messages; as in the details pane, not twice.
        const payloads = spanPayloads(details.attributes);
        const input = payloadValue(payloads.input, max);
        const output = payloadValue(payloads.output, max);
        if (input !== undefined) out.input = input;
        if (output !== undefined) out.output = output;
      }
    } catch (err) {
      out.detailsError = err instanceof Error ? err.message : String(err);
    }
  }
  return out;
}

/** The run as one JSON document (see `RunJson`), spans depth-first in the tree's order. */
export async function runJson(trace: Trace, options: RunJsonOptions): Promise<RunJson> {
  const s = trace.summary();
  const tree = options.tree ?? trace.tree();
  const top: RunJsonSpan[] = [];
  // Depth-first without recursion: a run may nest thousands deep.
  const stack: { node: SpanNode; into: RunJsonSpan[] }[] = tree.roots.map((node) => ({ node, into: top })).reverse();
  while (stack.length > 0) {
    const { node, into } = stack.pop()!;
    const json = await spanJson(node, s.startNs, options);
    into.push(json);
    if (node.children.length > 0) {
      json.children = [];
      for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], into: json.children });
    }
  }
  const models = runFacts(trace).models;
  const tokens = traceTokens(trace);
  return omitUndefined({
    traceId: trace.traceId,
    name: s.name,
    startTime: nsToIso(s.startNs),
    durationMs: msBetween(s.startNs, s.endNs),
    spanCount: s.spanCount,
    errorCount: s.errorCount,
    models: models.length > 0 ? [...models] : undefined,
    tokens,
    spans: top,
  });
}
