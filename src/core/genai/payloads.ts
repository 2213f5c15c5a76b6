/**
 * A span's input and output payloads, for a details panel: which attribute holds them, and
 * their parsed JSON when they are JSON.
 *
 * Keys, in order of preference (the first present wins):
 * - [OI] OpenInference `input.value` / `output.value`, typed by `input.mime_type` /
 *   `output.mime_type` (`application/json` or `text/plain`).
 * - [GA] GenAI tool execution: `gen_ai.tool.call.arguments` / `gen_ai.tool.call.result`.
 * - [OL] OpenLLMetry (Traceloop SDK decorators): `traceloop.entity.input` /
 *   `traceloop.entity.output`, written with json.dumps (`{"args": […], "kwargs": {…}}` in).
 * - [LF] Langfuse: `langfuse.observation.input` / `langfuse.observation.output` (JSON).
 * - [ML] MLflow: `mlflow.spanInputs` / `mlflow.spanOutputs` (JSON-encoded).
 * - [AI] Vercel AI SDK: `ai.toolCall.args` / `ai.toolCall.result` on tool spans; `ai.prompt`
 *   (JSON `{system, prompt, messages}`) and `ai.response.text` / `ai.response.object` on
 *   generate spans.
 */
import type { AttributeValue, Attributes } from '../model/span';
import type { Conversation } from './conversation';

export interface SpanPayload {
  /** The attribute it came from. */
  readonly key: string;
  /** As recorded; structured values (AnyValue arrays and maps) as JSON. */
  readonly text: string;
  /** The parsed JSON when `json`, else the recorded value (text, number or boolean). */
  readonly value: unknown;
  readonly json: boolean;
  readonly mimeType?: string;
}

export interface SpanPayloads {
  readonly input?: SpanPayload;
  readonly output?: SpanPayload;
}

const INPUT_KEYS = [
  'input.value',
  'gen_ai.tool.call.arguments',
  'traceloop.entity.input',
  'langfuse.observation.input',
  'mlflow.spanInputs',
  'ai.toolCall.args',
  'ai.prompt',
] as const;
const OUTPUT_KEYS = [
  'output.value',
  'gen_ai.tool.call.result',
  'traceloop.entity.output',
  'langfuse.observation.output',
  'mlflow.spanOutputs',
  'ai.toolCall.result',
  'ai.response.text',
  'ai.response.object',
] as const;
const MIME_KEYS: Readonly<Record<string, string>> = { 'input.value': 'input.mime_type', 'output.value': 'output.mime_type' };

export function spanPayloads(attributes: Attributes): SpanPayloads {
  const input = pick(attributes, INPUT_KEYS);
  const output = pick(attributes, OUTPUT_KEYS);
  return { ...(input && { input }), ...(output && { output }) };
}

/**
 * The payloads a details pane shows beside a conversation: an input or output the conversation
 * already holds is not shown twice, but one it lacks is. A conversation of only a system
 * message does not stand for the input, nor one without an answer for the output.
 */
export function payloadsBeside(payloads: SpanPayloads, conversation: Conversation | undefined): SpanPayloads {
  if (conversation === undefined) return payloads;
  const hasInput = conversation.messages.some((m) => m.direction === 'input' && m.role !== 'system');
  const hasOutput = conversation.messages.some((m) => m.direction === 'output');
  return {
    ...(payloads.input && !hasInput && { input: payloads.input }),
    ...(payloads.output && !hasOutput && { output: payloads.output }),
  };
}

function pick(a: Attributes, keys: readonly string[]): SpanPayload | undefined {
  for (const key of keys) {
    const value = a[key];
    if (value === undefined || value === null) continue;
    const mimeKey = MIME_KEYS[key];
    const mime = mimeKey !== undefined ? a[mimeKey] : undefined;
    return parsePayload(key, value, typeof mime === 'string' ? mime : undefined);
  }
  return undefined;
}

/**
 * A JSON mime type means parse (falling back to the text if it does not parse); `text/…`
 * means keep the text. Without one, text that starts like a JSON object, array or string is
 * tried, and kept as text if it is not valid JSON (a payload cut short by a length limit).
 */
export function parsePayload(key: string, value: AttributeValue, mimeType?: string): SpanPayload {
  const mime = mimeType !== undefined ? { mimeType } : {};
  if (typeof value !== 'string') {
    const structured = typeof value === 'object' && value !== null;
    return { key, text: structured ? JSON.stringify(value) : String(value), value, json: structured, ...mime };
  }
  const m = mimeType?.toLowerCase();
  const wantsJson = m !== undefined && (m === 'application/json' || m.endsWith('+json'));
  const isText = m !== undefined && !wantsJson;
  if (!isText && (wantsJson || looksLikeJson(value))) {
    try {
      return { key, text: value, value: JSON.parse(value), json: true, ...mime };
    } catch {
      // fall through: not JSON after all
    }
  }
  return { key, text: value, value, json: false, ...mime };
}

function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b /* { */ || c === 0x5b /* [ */ || c === 0x22 /* " */;
  }
  return false;
}
