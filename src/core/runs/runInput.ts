/**
 * What a run was about: the first line of its input, and its output, for the Runs view.
 *
 * Input, first found: the root span's payload (`input.value` and the other keys of
 * `payloads.ts`, then Langfuse's `langfuse.trace.input` / `langfuse.observation.input` and
 * MLflow's `mlflow.spanInputs`), else the first user message of the run's first LLM span in
 * any convention `conversation.ts` reads. Output: the root's output payload, else the last
 * message the run's last LLM call answered.
 *
 * Payloads are not in the index (see `indexedAttributes.ts`): the caller loads the few spans
 * `previewSpansOf` names from disk, for the runs on screen only.
 */
import { describeSpan } from '../genai/conventions';
import { extractConversation, type Conversation, type SpanContent } from '../genai/conversation';
import { parsePayload, spanPayloads, type SpanPayload } from '../genai/payloads';
import { SpanFact, type Attributes, type SpanRecord } from '../model/span';
import type { Trace } from '../model/trace';
import { llmCallOf } from './runFacts';

export interface RunPreviewSpans {
  readonly root: SpanRecord | undefined;
  /** A span of the model call that started first, and of the one that started last (may be the same): one the reader saw content in, when the call has one. */
  readonly firstLlm: SpanRecord | undefined;
  readonly lastLlm: SpanRecord | undefined;
}

export interface RunPreview {
  readonly input?: string;
  readonly output?: string;
}

/** Above this many spans only the root is looked at: finding LLM spans would cost a pass per redraw. */
const LLM_SCAN_MAX_SPANS = 10_000;

const previewSpansCache = new WeakMap<Trace, { revision: number; value: RunPreviewSpans }>();

/**
 * The spans whose payloads tell what a run was about; cached per trace revision. A call
 * recorded twice (`llmCallOf`: nested, or side by side) is one call, placed by the span that
 * stands for it, and read from whichever of its spans the reader saw content in: the SDK's
 * own span often records metadata only, and may be the later one to start.
 */
export function previewSpansOf(trace: Trace): RunPreviewSpans {
  const cached = previewSpansCache.get(trace);
  if (cached?.revision === trace.revision) return cached.value;
  const root = trace.summary().root;
  let firstLlm: SpanRecord | undefined;
  let lastLlm: SpanRecord | undefined;
  if (trace.spanCount <= LLM_SCAN_MAX_SPANS) {
    const llmSpans: SpanRecord[] = [];
    for (const span of trace.allSpans()) if (describeSpan(span).kind === 'llm') llmSpans.push(span);
    const callOf = llmCallOf(llmSpans, (id) => trace.span(id), trace.spanCount);
    const calls = new Map<SpanRecord, SpanRecord[]>();
    for (const span of llmSpans) {
      const call = callOf(span);
      const spans = calls.get(call);
      if (spans) spans.push(span);
      else calls.set(call, [span]);
    }
    let firstCall: SpanRecord | undefined;
    let lastCall: SpanRecord | undefined;
    for (const call of calls.keys()) {
      if (!firstCall || call.startNs < firstCall.startNs) firstCall = call;
      if (!lastCall || call.startNs >= lastCall.startNs) lastCall = call;
    }
    firstLlm = firstCall && spanWithContent(firstCall, calls.get(firstCall)!);
    lastLlm = lastCall && spanWithContent(lastCall, calls.get(lastCall)!);
  }
  const value = { root, firstLlm, lastLlm };
  previewSpansCache.set(trace, { revision: trace.revision, value });
  return value;
}

/** Of a call's spans, the one standing for it if the reader saw content in it, else the first that has some, else that one anyway. */
function spanWithContent(call: SpanRecord, spans: readonly SpanRecord[]): SpanRecord {
  const hasContent = (span: SpanRecord) => ((span.facts ?? 0) & SpanFact.Content) !== 0;
  return hasContent(call) ? call : (spans.find(hasContent) ?? call);
}

const EXTRA_INPUT_KEYS = ['langfuse.trace.input', 'langfuse.observation.input', 'mlflow.spanInputs'];
const EXTRA_OUTPUT_KEYS = ['langfuse.trace.output', 'langfuse.observation.output', 'mlflow.spanOutputs'];

function extraPayload(a: Attributes, keys: readonly string[]): SpanPayload | undefined {
  for (const key of keys) {
    const value = a[key];
    if (value !== undefined && value !== null && value !== '') return parsePayload(key, value);
  }
  return undefined;
}

const USER_ROLE = /^(user|human)$/i;

/** Keys of a structured input that hold the question itself, most telling first. */
const TEXT_KEYS = ['question', 'query', 'input', 'prompt', 'text', 'content', 'message', 'messages', 'args', 'kwargs', 'inputs'];

/**
 * The text a structured payload is about: `{"question": "…"}` → the question, a message list
 * → its first user message, `{"args": ["…"]}` (OpenLLMetry) → the first text argument.
 */
export function payloadText(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined || depth > 4) return undefined;
  if (Array.isArray(value)) {
    const user = value.find((m) => isRecord(m) && typeof m.role === 'string' && USER_ROLE.test(m.role));
    if (user) return payloadText((user as Record<string, unknown>).content, depth + 1) ?? payloadText(user, depth + 1);
    // LangChain writes messages as [role, content] pairs.
    const pair = value.find((m): m is unknown[] => Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && USER_ROLE.test(m[0]));
    if (pair) return payloadText(pair[1], depth + 1);
    for (const item of value) {
      const text = payloadText(item, depth + 1);
      if (text !== undefined) return text;
    }
    return undefined;
  }
  if (isRecord(value)) {
    for (const key of TEXT_KEYS) {
      const text = key in value ? payloadText(value[key], depth + 1) : undefined;
      if (text !== undefined) return text;
    }
    const values = Object.values(value);
    const onlyString = values.length === 1 ? payloadText(values[0], depth + 1) : undefined;
    return onlyString ?? JSON.stringify(value);
  }
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function textOfPayload(p: SpanPayload | undefined): string | undefined {
  if (!p) return undefined;
  return p.json ? payloadText(p.value) : payloadText(p.text);
}

function firstUserMessage(c: Conversation | undefined): string | undefined {
  const m = c?.messages.find((m) => m.direction === 'input' && m.role === 'user' && m.content.trim() !== '');
  return m?.content;
}

function lastAnswer(c: Conversation | undefined): string | undefined {
  const outputs = c?.messages.filter((m) => m.direction === 'output') ?? [];
  for (let i = outputs.length - 1; i >= 0; i--) {
    const m = outputs[i];
    if (m.content.trim() !== '') return m.content;
    if (m.toolCalls && m.toolCalls.length > 0) return `→ ${m.toolCalls.map((t) => t.name).join(', ')}`;
  }
  return undefined;
}

/** The preview, from the loaded contents of the spans `previewSpansOf` named. */
export function runPreviewFrom(spans: { root?: SpanContent; firstLlm?: SpanContent; lastLlm?: SpanContent }): RunPreview {
  const rootAttrs = spans.root?.attributes;
  const rootPayloads = rootAttrs ? spanPayloads(rootAttrs) : {};
  const rootConversation = spans.root && extractConversation(spans.root);
  const input =
    textOfPayload(rootPayloads.input) ??
    textOfPayload(rootAttrs && extraPayload(rootAttrs, EXTRA_INPUT_KEYS)) ??
    firstUserMessage(rootConversation) ??
    firstUserMessage(spans.firstLlm && extractConversation(spans.firstLlm));
  const output =
    textOfPayload(rootPayloads.output) ??
    textOfPayload(rootAttrs && extraPayload(rootAttrs, EXTRA_OUTPUT_KEYS)) ??
    lastAnswer(rootConversation) ??
    lastAnswer(spans.lastLlm && extractConversation(spans.lastLlm));
  return { ...(input !== undefined && { input }), ...(output !== undefined && { output }) };
}

/** The first non-blank line of `text`, whitespace squeezed, cut to `max` characters with an ellipsis. */
export function firstLineOf(text: string, max: number): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const squeezed = line.replace(/\s+/g, ' ').trim();
  return squeezed.length > max ? `${squeezed.slice(0, Math.max(1, max - 1)).trimEnd()}…` : squeezed;
}
