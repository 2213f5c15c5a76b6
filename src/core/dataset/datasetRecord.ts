/**
 * One evaluation example from one span: what went in, what came out, and where it came from.
 * Plain JSON that evaluation tools load as is (one record a line):
 * `{"input", "output", "expected"?, "metadata": {traceId, spanId, name, kind, model, tokens,
 * durationMs, status, source, addedAt}}`.
 */
import { extractConversation } from '../genai/conversation';
import type { ConversationMessage } from '../genai/messageParts';
import { describeSpan, type TokenCounts } from '../genai/conventions';
import { spanPayloads } from '../genai/payloads';
import type { SpanDetails } from '../ingest/spanDetails';
import { spanDurationMs, StatusCode, type SpanRecord } from '../model/span';

export interface DatasetMetadata {
  readonly traceId: string;
  readonly spanId: string;
  readonly name: string;
  /** The LLM-app kind (`llm`, `tool`, `chain`, … `other`). */
  readonly kind: string;
  readonly model: string | null;
  readonly tokens: TokenCounts | null;
  readonly durationMs: number;
  readonly status: 'ok' | 'error' | 'unset';
  /** The trace file the span was read from and its line, `path:line` (workspace-relative when it can be). */
  readonly source: string;
  /** ISO time the record was added. */
  readonly addedAt: string;
}

export interface DatasetRecord {
  readonly input: unknown;
  readonly output: unknown;
  readonly expected?: unknown;
  readonly metadata: DatasetMetadata;
}

export interface RecordOptions {
  /** Keep the output as `expected` too: the answer this run gave becomes the one to check for. */
  readonly expected?: boolean;
  readonly addedAt: string;
  /** How the trace file is named in `source` (made workspace-relative by the caller). */
  readonly sourceFile?: string;
  /** Tokens to state instead of the span's own (a run's sum over its LLM calls). */
  readonly tokens?: TokenCounts;
}

/** A conversation message as evaluation sets hold them: role and content, tool calls when any. */
function plainMessage(m: ConversationMessage): Record<string, unknown> {
  return {
    role: m.role,
    content: m.content,
    ...(m.name !== undefined && { name: m.name }),
    ...(m.toolCalls !== undefined && m.toolCalls.length > 0 && { tool_calls: m.toolCalls.map((c) => ({ ...(c.id !== undefined && { id: c.id }), name: c.name, arguments: c.arguments ?? '' })) }),
    ...(m.toolCallId !== undefined && { tool_call_id: m.toolCallId }),
  };
}

/**
 * Input and output: the span's structured input/output when recorded (OpenInference
 * `input.value`, tool arguments and results, …), else its conversation: the messages sent
 * in, and the message (or messages) that came out.
 */
export function spanInputOutput(details: SpanDetails): { input: unknown; output: unknown } {
  const payloads = spanPayloads(details.attributes);
  let input: unknown = payloads.input?.value ?? null;
  let output: unknown = payloads.output?.value ?? null;
  if (payloads.input === undefined || payloads.output === undefined) {
    const conversation = extractConversation(details);
    if (conversation) {
      const ins = conversation.messages.filter((m) => m.direction === 'input').map(plainMessage);
      const outs = conversation.messages.filter((m) => m.direction === 'output').map(plainMessage);
      if (payloads.input === undefined && ins.length > 0) input = ins;
      if (payloads.output === undefined && outs.length > 0) output = outs.length === 1 ? outs[0] : outs;
    }
  }
  return { input, output };
}

export function datasetRecord(span: SpanRecord, details: SpanDetails, options: RecordOptions): DatasetRecord {
  const { input, output } = spanInputOutput(details);
  // Kind and model from every attribute the span has, not only the indexed ones.
  const described = describeSpan({ name: span.name, kind: span.kind, attributes: { ...details.attributes, ...span.attributes } });
  const tokens = options.tokens ?? described.tokens;
  return {
    input,
    output,
    ...(options.expected === true && { expected: output }),
    metadata: {
      traceId: span.traceId,
      spanId: span.spanId,
      name: span.name,
      kind: described.kind,
      model: described.model ?? null,
      tokens: tokens ?? null,
      durationMs: Math.round(spanDurationMs(span) * 1000) / 1000,
      status: span.statusCode === StatusCode.Error ? 'error' : span.statusCode === StatusCode.Ok ? 'ok' : 'unset',
      source: `${options.sourceFile ?? span.origin.file}:${span.origin.line}`,
      addedAt: options.addedAt,
    },
  };
}

/** The identity that keeps a span from being added twice to one dataset. */
export function recordKey(traceId: string, spanId: string): string {
  return `${traceId}/${spanId}`;
}
