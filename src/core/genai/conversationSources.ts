/**
 * One reader per instrumentation convention: the messages a span holds as that convention
 * recorded them, read from its full attributes and events; `extractConversation`
 * (`conversation.ts`) merges what they find. The conventions, in order of preference:
 * - [OI] OpenInference (Arize-ai/openinference, spec/semantic_conventions.md):
 *   `llm.input_messages.<i>.message.{role,content,name,tool_call_id}`,
 *   `.message.contents.<j>.message_content.{type,text,image.image.url,…}` (type `tool_use` with
 *   `tool_call.*`), `.message.tool_calls.<k>.tool_call.{id,function.name,function.arguments}`,
 *   legacy `.message.function_call_name` / `function_call_arguments_json`, the same under
 *   `llm.output_messages`; completions API `llm.prompts.<i>.prompt.text` /
 *   `llm.choices.<i>.completion.text`; `llm.invocation_parameters` (JSON); `llm.finish_reason`.
 *   A list may also arrive unflattened, as an array value at `llm.input_messages`.
 *   OpenInference's Anthropic instrumentation keeps the system prompt only in
 *   `llm.invocation_parameters.system`, and writes a user message carrying a tool result as
 *   `role: user` with `message.tool_call_id`.
 * - [GA] OpenTelemetry GenAI (open-telemetry/semantic-conventions(-genai), docs/gen-ai):
 *   `gen_ai.system_instructions`, `gen_ai.input.messages`, `gen_ai.output.messages`, JSON
 *   strings or structured values following gen-ai-input-messages.json /
 *   gen-ai-output-messages.json (`{role, parts:[{type:text,content} | {type:tool_call,id,name,
 *   arguments} | {type:tool_call_response,id,response (older: result)} | {type:reasoning} |
 *   blob/uri/file…], finish_reason}`), on the span or on a
 *   `gen_ai.client.inference.operation.details` event; `gen_ai.response.finish_reasons`.
 * - [OL] OpenLLMetry (traceloop/openllmetry, opentelemetry-instrumentation-openai
 *   shared/chat_wrappers.py `_set_prompts` / `_set_completions`): `gen_ai.prompt.<i>.{role,
 *   content,tool_call_id,tool_calls.<k>.{id,name,arguments}}` (content a JSON list when the
 *   message had parts; `.user` for the completions API), `gen_ai.completion.<i>.{role,content,
 *   finish_reason,refusal,tool_calls.<k>.*}`; before its gen_ai rename, `llm.prompts.<i>.*` /
 *   `llm.completions.<i>.*`.
 * - [GE] The GenAI per-message events, deprecated in semconv 1.37 (model/gen-ai/deprecated/
 *   events-deprecated.yaml): `gen_ai.system.message`, `gen_ai.user.message`,
 *   `gen_ai.assistant.message` (`tool_calls: [{id, type, function:{name, arguments}}]`),
 *   `gen_ai.tool.message` (`id` = the tool call answered), `gen_ai.choice` (`index`,
 *   `finish_reason`, `message`, `tool_calls`). Their body is a log-record body; on a span event
 *   SDKs put its fields in attributes (`content`, `role`, …; Strands writes content blocks as
 *   JSON), in a `body` attribute, or as JSON in `gen_ai.event.content` (Azure). Also the older
 *   `gen_ai.content.prompt` / `gen_ai.content.completion` events (`gen_ai.prompt` /
 *   `gen_ai.completion` as JSON), and those two attributes on the span itself.
 * - [AI] Vercel AI SDK telemetry: `ai.prompt.messages` (JSON, on provider-call spans) or
 *   `ai.prompt` (`{system, prompt, messages}`), `ai.response.text`, `ai.response.toolCalls`
 *   (`[{toolCallId, toolName, args | input}]`), `ai.response.object`, `ai.response.finishReason`.
 * - [LF] Langfuse: `langfuse.observation.input` / `.output` (JSON), messages when they are a
 *   message list (or a generation's plain text).
 * - [ML] MLflow: `mlflow.spanInputs` / `mlflow.spanOutputs` (JSON-encoded; chat models put
 *   `{messages: […]}` in and an OpenAI-style `{choices: [{message, finish_reason}]}` out).
 */
import type { Convention } from './conventions';
import type { AttributeValue, Attributes } from '../model/span';
import {
  build,
  isRecord,
  looseMessage,
  optArgs,
  parseJson,
  partsJson,
  partsToMessages,
  pushCall,
  rawToMessages,
  str,
  textOf,
  type ConversationMessage,
  type ConversationRole,
  type Direction,
  type RawMessage,
  type ToolCall,
} from './messageParts';

export type ConversationConvention = Extract<Convention, 'openinference' | 'genai' | 'openllmetry' | 'vercel-ai' | 'langfuse' | 'mlflow'>;

export interface SpanContentEvent {
  readonly name: string;
  readonly attributes: Attributes;
}

export type Found = { messages: ConversationMessage[]; convention: ConversationConvention } | undefined;

// ---------------------------------------------------------------------------------------
// [OI] OpenInference

export function fromOpenInference(a: Attributes): Found {
  const inputs = indexed(a, 'llm.input_messages');
  const outputs = indexed(a, 'llm.output_messages');
  const messages: ConversationMessage[] = [];
  for (const r of inputs) messages.push(...oiMessage(r, 'input'));
  // Anthropic takes the system prompt as a request parameter, and OpenInference's Anthropic
  // instrumentation records it only there: without it the conversation would start mid-way.
  const system = messages.some((m) => m.role === 'system') ? undefined : parameterSystemPrompt(a['llm.invocation_parameters']);
  if (system !== undefined && inputs.length > 0) messages.unshift({ role: 'system', direction: 'input', content: system });
  for (const r of outputs) messages.push(...oiMessage(r, 'output'));
  if (inputs.length === 0 && outputs.length === 0) {
    // The completions API (no chat): prompts in, choices out.
    for (const r of indexed(a, 'llm.prompts')) {
      const text = str(r['prompt.text']) ?? str(r['']);
      if (text !== undefined) messages.push({ role: 'user', direction: 'input', content: text });
    }
    for (const r of indexed(a, 'llm.choices')) {
      const text = str(r['completion.text']) ?? str(r['']);
      if (text !== undefined) messages.push({ role: 'assistant', direction: 'output', content: text });
    }
  }
  return messages.length > 0 ? { messages, convention: 'openinference' } : undefined;
}

function oiMessage(r: Attributes, direction: Direction): ConversationMessage[] {
  // Read into parts like the other conventions' so the same rules apply: text that is a JSON
  // list of parts, tool calls recorded twice, tool results carried inside another message.
  const parts: unknown[] = [];
  const content = str(r['message.content']);
  if (content !== undefined && content !== '') parts.push(content);
  for (const c of indexed(r, 'message.contents')) {
    const type = str(c['message_content.type']) ?? 'text';
    const text = str(c['message_content.text']);
    if (type === 'text') {
      if (text !== undefined && content === undefined) parts.push(text);
    } else if (type === 'reasoning') {
      if (text !== undefined) parts.push({ type: 'reasoning', content: text });
    } else if (type === 'tool_use') {
      const call = oiToolCall(c);
      if (call) parts.push({ type: 'tool_call', id: call.id, name: call.name, arguments: call.arguments });
    } else {
      const uri = str(c[`message_content.${type}.${type}.url`]);
      const mimeType = str(c[`message_content.${type}.${type}.mime_type`]);
      parts.push({ type, ...(uri !== undefined && { uri }), ...(mimeType !== undefined && { mime_type: mimeType }) });
    }
  }
  const toolCalls: ToolCall[] = [];
  for (const t of indexed(r, 'message.tool_calls')) {
    const call = oiToolCall(t);
    if (call) toolCalls.push(call);
  }
  const fnName = str(r['message.function_call_name']);
  if (fnName !== undefined) toolCalls.push({ name: fnName, ...optArgs(r['message.function_call_arguments_json']) });
  const role = str(r['message.role']) ?? '';
  const toolCallId = str(r['message.tool_call_id']);
  if (role === 'user' && toolCallId !== undefined && toolCalls.length === 0) {
    // A user message flattened to the tool result it carried (Anthropic's protocol, as
    // OpenInference's Anthropic instrumentation writes it): a tool result, the carrier kept as source role.
    return rawToMessages({ role: 'tool', parts, toolCalls, toolCallId, name: str(r['message.name']) }, direction).map((m) => (m.role === 'tool' ? { ...m, sourceRole: role } : m));
  }
  return rawToMessages({ role, parts, toolCalls, toolCallId, name: str(r['message.name']) }, direction);
}

/** The `system` request parameter (Anthropic's): text, or a list of text blocks. */
function parameterSystemPrompt(parameters: AttributeValue | undefined): string | undefined {
  const system = typeof parameters === 'string' ? (parseJson(parameters) as { system?: unknown } | undefined)?.system : undefined;
  if (typeof system === 'string') return system === '' ? undefined : system;
  if (!Array.isArray(system)) return undefined;
  const texts = system.filter((b): b is { text: string } => isRecord(b) && typeof b.text === 'string').map((b) => b.text);
  return texts.length > 0 ? texts.join('\n') : undefined;
}

function oiToolCall(r: Attributes): ToolCall | undefined {
  const name = str(r['tool_call.function.name']);
  if (name === undefined) return undefined;
  const id = str(r['tool_call.id']);
  return { ...(id !== undefined && { id }), name, ...optArgs(r['tool_call.function.arguments']) };
}

// ---------------------------------------------------------------------------------------
// [GA] GenAI input/output messages

const OPERATION_DETAILS_EVENT = 'gen_ai.client.inference.operation.details';

export function fromGenAiAttributes(source: Attributes): Found {
  if (!hasAny(source, ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions'])) return undefined;
  const messages: ConversationMessage[] = [];
  const system = systemInstructions(source['gen_ai.system_instructions']);
  if (system !== undefined) messages.push({ role: 'system', direction: 'input', content: system });
  messages.push(...messageList(source['gen_ai.input.messages'], 'input'));
  messages.push(...messageList(source['gen_ai.output.messages'], 'output'));
  return messages.length > 0 ? { messages, convention: 'genai' } : undefined;
}

/** The same three attributes on the `gen_ai.client.inference.operation.details` event. */
export function fromGenAiDetailsEvent(events: readonly SpanContentEvent[]): Found {
  const details = events.find((e) => e.name === OPERATION_DETAILS_EVENT);
  return details ? fromGenAiAttributes(details.attributes) : undefined;
}

/** A list of messages in any loose shape, as JSON text or a structured value. */
function messageList(value: AttributeValue | undefined, direction: Direction): ConversationMessage[] {
  if (value === undefined || value === null || value === '') return [];
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  if (parsed === undefined) {
    // Not JSON: most often an attribute cut short by a length limit. Show it as it is.
    return [{ role: direction === 'input' ? 'user' : 'assistant', direction, content: String(value) }];
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const out: ConversationMessage[] = [];
  for (const m of list) out.push(...looseMessage(m, direction, direction === 'input' ? 'user' : 'assistant'));
  return out;
}

/**
 * `gen_ai.system_instructions`: a list of parts in current semconv; an object (`{role,
 * content}` or `{role, message}`) in early drafts; plain text from some SDKs.
 */
function systemInstructions(value: AttributeValue | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  if (parsed === undefined || typeof parsed === 'string') return String(parsed ?? value);
  const texts: string[] = [];
  const list = Array.isArray(parsed) ? parsed : [parsed];
  for (const item of list) {
    if (typeof item === 'string') texts.push(item);
    else if (isRecord(item)) {
      const inner = item.parts ?? item.content ?? item.message ?? item;
      for (const m of partsToMessages(Array.isArray(inner) ? inner : [inner], 'system', 'input')) if (m.content) texts.push(m.content);
    }
  }
  return texts.length > 0 ? texts.join('\n') : undefined;
}

// ---------------------------------------------------------------------------------------
// [OL] OpenLLMetry

export function fromOpenLlmetry(a: Attributes): Found {
  const messages: ConversationMessage[] = [];
  for (const [prompts, completions] of [
    ['gen_ai.prompt', 'gen_ai.completion'],
    ['llm.prompts', 'llm.completions'],
  ] as const) {
    for (const r of indexed(a, prompts)) messages.push(...olMessage(r, 'input'));
    for (const r of indexed(a, completions)) messages.push(...olMessage(r, 'output'));
    if (messages.length > 0) return { messages, convention: 'openllmetry' };
  }
  return undefined;
}

function olMessage(r: Attributes, direction: Direction): ConversationMessage[] {
  // OpenInference's `llm.prompts.<i>.prompt.text` is not this convention's.
  if (!hasAny(r, ['role', 'content', 'user', 'tool_calls', 'finish_reason', 'refusal']) && indexed(r, 'tool_calls').length === 0) return [];
  const toolCalls: ToolCall[] = [];
  for (const t of indexed(r, 'tool_calls')) {
    const name = str(t.name);
    if (name === undefined) continue;
    const id = str(t.id);
    toolCalls.push({ ...(id !== undefined && { id }), name, ...optArgs(t.arguments) });
  }
  const fnName = str(r['function_call.name']);
  if (fnName !== undefined && toolCalls.length === 0) toolCalls.push({ name: fnName, ...optArgs(r['function_call.arguments']) });
  const raw = r.content ?? r.user;
  const fallbackRole = str(r.user) !== undefined ? 'user' : direction === 'input' ? 'user' : 'assistant';
  const role = str(r.role) ?? fallbackRole;
  const finishReason = str(r.finish_reason);
  const refusal = str(r.refusal);
  // Content is text, or JSON of the message's parts (OpenAI content parts, Anthropic blocks).
  const parts = typeof raw === 'string' ? partsJson(raw) : Array.isArray(raw) ? raw : undefined;
  const base: RawMessage = {
    role,
    parts: parts ?? (raw === undefined || raw === null ? [] : [textOf(raw)]),
    toolCalls,
    toolCallId: str(r.tool_call_id),
    name: str(r.name),
    finishReason,
  };
  if (refusal !== undefined) base.parts.push(refusal);
  return rawToMessages(base, direction);
}

// ---------------------------------------------------------------------------------------
// [GE] GenAI per-message events (deprecated) and their predecessors

const EVENT_ROLES: ReadonlyMap<string, ConversationRole> = new Map([
  ['gen_ai.system.message', 'system'],
  ['gen_ai.user.message', 'user'],
  ['gen_ai.assistant.message', 'assistant'],
  ['gen_ai.tool.message', 'tool'],
]);

export function fromGenAiEvents(a: Attributes, events: readonly SpanContentEvent[]): Found {
  const messages: ConversationMessage[] = [];
  for (const event of events) {
    const role = EVENT_ROLES.get(event.name);
    if (role !== undefined) {
      const body = eventBody(event.attributes);
      messages.push(...looseMessage(body, 'input', role));
    } else if (event.name === 'gen_ai.choice') {
      messages.push(...choice(eventBody(event.attributes)));
    } else if (event.name === 'gen_ai.content.prompt') {
      messages.push(...messageList(event.attributes['gen_ai.prompt'], 'input'));
    } else if (event.name === 'gen_ai.content.completion') {
      messages.push(...messageList(event.attributes['gen_ai.completion'], 'output'));
    }
  }
  if (messages.length === 0) {
    // The same two JSON attributes, set on the span itself.
    messages.push(...messageList(jsonish(a['gen_ai.prompt']), 'input'));
    messages.push(...messageList(jsonish(a['gen_ai.completion']), 'output'));
  }
  return messages.length > 0 ? { messages, convention: 'genai' } : undefined;
}

/** Only a JSON value counts here: a bare `gen_ai.prompt` string may be anything. */
function jsonish(value: AttributeValue | undefined): AttributeValue | undefined {
  if (typeof value !== 'string') return value;
  return parseJson(value) !== undefined ? value : undefined;
}

/** The event's body: a `body` attribute, Azure's `gen_ai.event.content` JSON, or the attributes. */
function eventBody(attrs: Attributes): unknown {
  for (const key of ['body', 'gen_ai.event.content']) {
    const v = attrs[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return v;
    const parsed = parseJson(v);
    if (isRecord(parsed)) return parsed;
  }
  return attrs;
}

/** `gen_ai.choice`: `{index, finish_reason, message: {role, content, tool_calls}, tool_calls}`. */
function choice(body: unknown): ConversationMessage[] {
  if (!isRecord(body)) return [];
  let message = body.message;
  if (typeof message === 'string') message = parseJson(message) ?? message;
  let raw: Record<string, unknown>;
  if (isRecord(message)) raw = { ...message };
  else if (Array.isArray(message) || typeof message === 'string') raw = { content: message };
  else raw = { content: body.content };
  if (raw.tool_calls === undefined && body.tool_calls !== undefined) raw.tool_calls = body.tool_calls;
  if (raw.finish_reason === undefined && body.finish_reason !== undefined) raw.finish_reason = body.finish_reason;
  return looseMessage(raw, 'output', 'assistant');
}

// ---------------------------------------------------------------------------------------
// [AI] Vercel AI SDK

export function fromVercel(a: Attributes): Found {
  const messages: ConversationMessage[] = [];
  if (a['ai.prompt.messages'] !== undefined) {
    messages.push(...messageList(a['ai.prompt.messages'], 'input'));
  } else if (typeof a['ai.prompt'] === 'string') {
    const prompt = parseJson(a['ai.prompt']);
    if (isRecord(prompt)) {
      if (typeof prompt.system === 'string') messages.push({ role: 'system', direction: 'input', content: prompt.system });
      if (typeof prompt.prompt === 'string') messages.push({ role: 'user', direction: 'input', content: prompt.prompt });
      else if (Array.isArray(prompt.prompt)) messages.push(...messageList(prompt.prompt as AttributeValue, 'input'));
      if (Array.isArray(prompt.messages)) messages.push(...messageList(prompt.messages as AttributeValue, 'input'));
    }
  }
  const text = str(a['ai.response.text']) ?? str(a['ai.response.object']);
  const calls = a['ai.response.toolCalls'];
  const parsedCalls = typeof calls === 'string' ? parseJson(calls) : calls;
  const toolCalls: ToolCall[] = [];
  if (Array.isArray(parsedCalls)) for (const c of parsedCalls) pushCall(toolCalls, c);
  if (text !== undefined || toolCalls.length > 0) {
    messages.push(
      build({ role: 'assistant', direction: 'output', content: text ?? '', toolCalls, finishReason: str(a['ai.response.finishReason']) }),
    );
  }
  return messages.length > 0 ? { messages, convention: 'vercel-ai' } : undefined;
}

// ---------------------------------------------------------------------------------------
// [LF] Langfuse and [ML] MLflow: a span's input and output, when they hold messages

export function fromLangfuse(a: Attributes): Found {
  const isLlm = str(a['langfuse.observation.type'])?.toLowerCase() === 'generation';
  return fromInputOutput(a['langfuse.observation.input'], a['langfuse.observation.output'], isLlm, 'langfuse');
}

export function fromMlflow(a: Attributes): Found {
  const type = jsonText(a['mlflow.spanType']);
  const isLlm = typeof type === 'string' && (type.toUpperCase() === 'LLM' || type.toUpperCase() === 'CHAT_MODEL');
  return fromInputOutput(a['mlflow.spanInputs'], a['mlflow.spanOutputs'], isLlm, 'mlflow');
}

/**
 * Messages from free-form input and output values: a message list, `{messages: […]}`, one
 * message (`{role, content}`), an OpenAI-style response (`{choices: [{message,
 * finish_reason}]}`); plain text only on a model call's span (elsewhere it is a function's
 * argument or result, which the payloads show).
 */
function fromInputOutput(input: AttributeValue | undefined, output: AttributeValue | undefined, isLlm: boolean, convention: ConversationConvention): Found {
  const messages: ConversationMessage[] = [];
  const inValue = jsonText(input);
  const inList = Array.isArray(inValue) ? inValue : isRecord(inValue) && Array.isArray(inValue.messages) ? inValue.messages : isRecord(inValue) && 'role' in inValue ? [inValue] : undefined;
  if (inList !== undefined && inList.every((m) => isRecord(m) && typeof m.role === 'string')) {
    for (const m of inList) messages.push(...looseMessage(m, 'input', 'user'));
  } else if (isLlm && typeof inValue === 'string' && inValue !== '') {
    messages.push({ role: 'user', direction: 'input', content: inValue });
  }
  const outValue = jsonText(output);
  if (isRecord(outValue) && Array.isArray(outValue.choices)) {
    for (const c of outValue.choices) messages.push(...choice(c));
  } else if (isRecord(outValue) && typeof outValue.role === 'string') {
    const raw = outValue.stop_reason !== undefined && outValue.finish_reason === undefined ? { ...outValue, finish_reason: outValue.stop_reason } : outValue;
    messages.push(...looseMessage(raw, 'output', 'assistant'));
  } else if (Array.isArray(outValue) && outValue.length > 0 && outValue.every((m) => isRecord(m) && typeof m.role === 'string')) {
    for (const m of outValue) messages.push(...looseMessage(m, 'output', 'assistant'));
  } else if (isLlm && typeof outValue === 'string' && outValue !== '') {
    messages.push({ role: 'assistant', direction: 'output', content: outValue });
  }
  return messages.length > 0 ? { messages, convention } : undefined;
}

/** A value that may be JSON text (both vendors serialise): parsed when it is, else as it is. */
function jsonText(value: AttributeValue | undefined): unknown {
  if (typeof value !== 'string') return value;
  const parsed = parseJson(value);
  return parsed === undefined ? value : parsed;
}

/**
 * Groups flattened `prefix.<i>.<rest>` keys by index, in index order, as records of `rest` →
 * value (`''` when the key ends at the index). An array value at `prefix` itself (the list
 * sent unflattened) counts too.
 */
export function indexed(a: Attributes, prefix: string): Attributes[] {
  const groups = new Map<number, Attributes>();
  const whole = a[prefix];
  if (Array.isArray(whole)) whole.forEach((v, i) => groups.set(i, isRecord(v) ? (v as Attributes) : { '': v }));
  const p = prefix + '.';
  for (const key in a) {
    if (key.length <= p.length || !key.startsWith(p)) continue;
    let j = p.length;
    let index = 0;
    while (j < key.length && key.charCodeAt(j) >= 48 && key.charCodeAt(j) <= 57 && j - p.length < 9) index = index * 10 + key.charCodeAt(j++) - 48;
    if (j === p.length || (j < key.length && key[j] !== '.')) continue;
    let group = groups.get(index);
    if (!group) groups.set(index, (group = {}));
    group[j < key.length ? key.slice(j + 1) : ''] = a[key];
  }
  return [...groups.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]);
}

function hasAny(a: Attributes, keys: readonly string[]): boolean {
  return keys.some((k) => a[k] !== undefined && a[k] !== null && a[k] !== '');
}
