/**
 * An LLM span as a conversation: the messages sent to the model and those it answered, with
 * tool calls and tool results, read from a span's full attributes and events (what
 * `loadSpanDetails` returns; the index keeps none of this).
 *
 * Sources, in order of preference. A span may carry several at once (an OpenInference span
 * processor over Vercel AI SDK spans; an SDK's own attributes under an instrumentation's), and
 * one may hold only part of the call (a system message alone, no answer). So they are merged
 * side by side, not first-wins: the input messages come from the source that recorded most
 * of them (ties to the earlier), a system message from another source fills in when that one
 * has none, and the output from the source that recorded most output (see `merge`):
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
 *
 * Message content comes in many shapes; `partsToMessages` reads the common ones: GenAI parts,
 * OpenAI content parts and `tool_calls`, Anthropic blocks (`tool_use`, `tool_result`),
 * Vercel parts (`tool-call`, `tool-result`), Bedrock/Strands blocks (`text`, `toolUse`,
 * `toolResult`), Gemini parts (`functionCall`, `functionResponse`). Tool results always
 * become messages of their own with role `tool` and the id of the call they answer.
 */
import { describeSpan, type Convention, type TokenCounts } from './conventions';
import type { AttributeValue, Attributes } from '../model/span';
import { SpanKind } from '../model/span';

export type ConversationRole = 'system' | 'user' | 'assistant' | 'tool';
export type ConversationConvention = Extract<Convention, 'openinference' | 'genai' | 'openllmetry' | 'vercel-ai' | 'langfuse' | 'mlflow'>;

export interface ToolCall {
  readonly id?: string;
  readonly name: string;
  /** JSON text as the model produced it (structured arguments are serialised). */
  readonly arguments?: string;
}

export interface MediaPart {
  /** `image`, `audio`, `video`, `file`, or the part's own type. */
  readonly type: string;
  readonly uri?: string;
  readonly mimeType?: string;
}

export interface ConversationMessage {
  readonly role: ConversationRole;
  /** The role as the span wrote it, when that was not one of the four (`human`, `developer`…). */
  readonly sourceRole?: string;
  /** `input`: sent to the model. `output`: what it answered. */
  readonly direction: 'input' | 'output';
  /** Text parts joined by newlines; '' when the message is only tool calls or media. */
  readonly content: string;
  readonly name?: string;
  readonly toolCalls?: readonly ToolCall[];
  /** For a tool result (role `tool`): the id of the call it answers. */
  readonly toolCallId?: string;
  readonly finishReason?: string;
  readonly reasoning?: string;
  readonly media?: readonly MediaPart[];
}

export interface Conversation {
  readonly messages: readonly ConversationMessage[];
  readonly model?: string;
  readonly tokens?: TokenCounts;
  readonly finishReasons?: readonly string[];
  /** Request settings: `llm.invocation_parameters`, else `gen_ai.request.*` / `ai.settings.*`. */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** The convention the input messages came from (else the output's). */
  readonly convention: ConversationConvention;
  /** Every convention that gave part of the messages, `convention` first. */
  readonly conventions: readonly ConversationConvention[];
}

export interface SpanContentEvent {
  readonly name: string;
  readonly attributes: Attributes;
}

/** What `extractConversation` reads; a `SpanDetails` is one. */
export interface SpanContent {
  readonly attributes: Attributes;
  readonly events?: readonly SpanContentEvent[];
}

/** The span's conversation, or undefined when it carries no messages in any known form. */
export function extractConversation(span: SpanContent): Conversation | undefined {
  const a = span.attributes;
  const events = span.events ?? [];
  const sources = [
    fromOpenInference(a),
    fromGenAiAttributes(a),
    fromGenAiDetailsEvent(events),
    fromOpenLlmetry(a),
    fromGenAiEvents(a, events),
    fromVercel(a),
    fromLangfuse(a),
    fromMlflow(a),
  ].filter((f): f is NonNullable<Found> => f !== undefined && f.messages.length > 0);
  const merged = merge(sources);
  if (merged === undefined) return undefined;
  const { model, tokens } = describeSpan({ name: '', kind: SpanKind.Unspecified, attributes: a });
  const finishReasons = statedFinishReasons(a) ?? outputFinishReasons(merged.messages);
  const parameters = requestParameters(a);
  return {
    messages: merged.messages,
    ...(model !== undefined && { model }),
    ...(tokens !== undefined && { tokens }),
    ...(finishReasons !== undefined && { finishReasons }),
    ...(parameters !== undefined && { parameters }),
    convention: merged.conventions[0],
    conventions: merged.conventions,
  };
}

type Found = { messages: ConversationMessage[]; convention: ConversationConvention } | undefined;
type Direction = ConversationMessage['direction'];

/**
 * Side by side, not first-wins. Input: the source with most non-system input messages (ties
 * to the earlier source, the more deliberate convention); when it has no system message, the
 * first source that has one lends it. Output: the source with most output messages. A source
 * that holds only a system message, or no answer, therefore no longer hides another's.
 */
function merge(sources: readonly NonNullable<Found>[]): { messages: ConversationMessage[]; conventions: ConversationConvention[] } | undefined {
  if (sources.length === 0) return undefined;
  if (sources.length === 1) return { messages: sources[0].messages, conventions: [sources[0].convention] };
  const split = sources.map((f) => {
    const input = f.messages.filter((m) => m.direction === 'input');
    return {
      f,
      input,
      turns: input.filter((m) => m.role !== 'system').length,
      system: input.filter((m) => m.role === 'system'),
      output: f.messages.filter((m) => m.direction === 'output'),
    };
  });
  const most = (count: (s: (typeof split)[number]) => number): (typeof split)[number] | undefined => {
    let best: (typeof split)[number] | undefined;
    for (const s of split) if (count(s) > 0 && (best === undefined || count(s) > count(best))) best = s;
    return best;
  };
  const inputs = most((s) => s.turns);
  const outputs = most((s) => s.output.length);
  const systems = inputs !== undefined && inputs.system.length > 0 ? inputs : most((s) => (s.system.length > 0 ? 1 : 0));
  const messages: ConversationMessage[] = [];
  const conventions: ConversationConvention[] = [];
  const used = (s: (typeof split)[number] | undefined): void => {
    if (s !== undefined && !conventions.includes(s.f.convention)) conventions.push(s.f.convention);
  };
  used(inputs);
  if (systems !== inputs) {
    used(systems);
    if (systems) messages.push(...systems.system);
  }
  if (inputs) messages.push(...inputs.input);
  used(outputs);
  if (outputs) messages.push(...outputs.output);
  return { messages, conventions };
}

// ---------------------------------------------------------------------------------------
// [OI] OpenInference

function fromOpenInference(a: Attributes): Found {
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

function fromGenAiAttributes(source: Attributes): Found {
  if (!hasAny(source, ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions'])) return undefined;
  const messages: ConversationMessage[] = [];
  const system = systemInstructions(source['gen_ai.system_instructions']);
  if (system !== undefined) messages.push({ role: 'system', direction: 'input', content: system });
  messages.push(...messageList(source['gen_ai.input.messages'], 'input'));
  messages.push(...messageList(source['gen_ai.output.messages'], 'output'));
  return messages.length > 0 ? { messages, convention: 'genai' } : undefined;
}

/** The same three attributes on the `gen_ai.client.inference.operation.details` event. */
function fromGenAiDetailsEvent(events: readonly SpanContentEvent[]): Found {
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

function fromOpenLlmetry(a: Attributes): Found {
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

function fromGenAiEvents(a: Attributes, events: readonly SpanContentEvent[]): Found {
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

function fromVercel(a: Attributes): Found {
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

function fromLangfuse(a: Attributes): Found {
  const isLlm = str(a['langfuse.observation.type'])?.toLowerCase() === 'generation';
  return fromInputOutput(a['langfuse.observation.input'], a['langfuse.observation.output'], isLlm, 'langfuse');
}

function fromMlflow(a: Attributes): Found {
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

// ---------------------------------------------------------------------------------------
// Loose messages and parts

interface RawMessage {
  role: string;
  parts: unknown[];
  toolCalls: ToolCall[];
  toolCallId?: string;
  name?: string;
  finishReason?: string;
}

/** One message object in any of the shapes listed at the top (or a bare string). */
function looseMessage(m: unknown, direction: Direction, fallbackRole: string): ConversationMessage[] {
  if (typeof m === 'string') return rawToMessages({ role: fallbackRole, parts: [m], toolCalls: [] }, direction);
  if (!isRecord(m)) return [];
  const role = str(m.role) ?? fallbackRole;
  let parts: unknown[];
  if (Array.isArray(m.parts)) parts = m.parts;
  else if (Array.isArray(m.content)) parts = m.content;
  else if (typeof m.content === 'string') parts = partsJson(m.content) ?? [m.content];
  else if (m.content !== undefined && m.content !== null) parts = [m.content];
  else parts = [];
  const toolCalls: ToolCall[] = [];
  let rawCalls = m.tool_calls ?? m.toolCalls;
  if (typeof rawCalls === 'string') rawCalls = parseJson(rawCalls);
  if (Array.isArray(rawCalls)) for (const c of rawCalls) pushCall(toolCalls, c);
  if (isRecord(m.function_call)) pushCall(toolCalls, m.function_call);
  // A tool message names the call it answers: `tool_call_id` (OpenAI), `id` (GenAI events).
  const toolCallId = str(m.tool_call_id) ?? str(m.toolCallId) ?? (role === 'tool' || role === 'function' ? str(m.id) : undefined);
  return rawToMessages(
    { role, parts, toolCalls, toolCallId, name: str(m.name), finishReason: str(m.finish_reason) ?? str(m.finishReason) },
    direction,
  );
}

/**
 * Turns parts into messages: text, reasoning, media and tool calls gather into one message;
 * each tool result becomes a `tool` message of its own, in order.
 */
function rawToMessages(raw: RawMessage, direction: Direction): ConversationMessage[] {
  return partsToMessages(raw.parts, raw.role, direction, raw);
}

function partsToMessages(parts: readonly unknown[], roleText: string, direction: Direction, raw?: RawMessage): ConversationMessage[] {
  const { role, sourceRole } = normalizeRole(roleText, direction);
  const out: ConversationMessage[] = [];
  let texts: string[] = [];
  let reasoning: string[] = [];
  let media: MediaPart[] = [];
  let calls: ToolCall[] = [...(raw?.toolCalls ?? [])];
  const flush = (): void => {
    if (texts.length === 0 && reasoning.length === 0 && media.length === 0 && calls.length === 0) return;
    out.push(
      build({
        role,
        sourceRole,
        direction,
        content: texts.join('\n'),
        name: raw?.name,
        toolCalls: calls,
        toolCallId: role === 'tool' ? raw?.toolCallId : undefined,
        reasoning: reasoning.length > 0 ? reasoning.join('\n') : undefined,
        media,
      }),
    );
    texts = [];
    reasoning = [];
    media = [];
    calls = [];
  };
  const queue = [...parts];
  for (let i = 0; i < queue.length; i++) {
    const part = queue[i];
    if (typeof part === 'string') {
      // Text that is itself a JSON list of content parts is read as those parts. Each
      // nesting is shorter than the text it came from, so this ends.
      const nested = partsJson(part);
      if (nested) queue.splice(i + 1, 0, ...nested);
      else texts.push(part);
      continue;
    }
    if (!isRecord(part)) {
      if (part !== null && part !== undefined) texts.push(String(part));
      continue;
    }
    const type = str(part.type);
    const result = toolResult(part, type);
    if (result) {
      flush();
      // Carried by a user message (Anthropic's protocol), the carrier is kept as the source
      // role. An assistant never answers a tool call itself: a result inside its message is a
      // provider-run tool's, so it shows as a tool result and nothing else.
      out.push(build({ role: 'tool', ...(role !== 'tool' && role !== 'assistant' && { sourceRole: roleText }), direction, ...result }));
      continue;
    }
    if (pushCall(calls, part, type)) continue;
    if (type === 'reasoning' || type === 'thinking') {
      const t = str(part.content) ?? str(part.thinking) ?? str(part.text);
      if (t !== undefined) reasoning.push(t);
      continue;
    }
    const text = type === undefined || type === 'text' || type === 'input_text' || type === 'output_text' ? textOf(part) : undefined;
    if (text !== undefined) {
      const nested = partsJson(text);
      if (nested) queue.splice(i + 1, 0, ...nested);
      else texts.push(text);
      continue;
    }
    media.push(mediaOf(part, type));
  }
  flush();
  // A message with nothing in it still happened (an empty assistant turn): keep it.
  if (out.length === 0) out.push(build({ role, sourceRole, direction, content: '', name: raw?.name, toolCallId: role === 'tool' ? raw?.toolCallId : undefined }));
  if (raw?.finishReason !== undefined && raw.finishReason !== '') {
    const last = out.length - 1;
    out[last] = { ...out[last], finishReason: raw.finishReason };
  }
  if (role === 'tool' && raw?.toolCallId !== undefined) {
    for (let k = 0; k < out.length; k++) if (out[k].role === 'tool' && out[k].toolCallId === undefined) out[k] = { ...out[k], toolCallId: raw.toolCallId };
  }
  return out;
}

/** Text of a text-ish part: `text`, `content`, Azure's `{text: {value}}`. */
function textOf(part: unknown): string {
  if (typeof part === 'string') return part;
  if (!isRecord(part)) return part === null || part === undefined ? '' : String(part);
  if (typeof part.text === 'string') return part.text;
  if (isRecord(part.text) && typeof part.text.value === 'string') return part.text.value;
  if (typeof part.content === 'string') return part.content;
  if (isRecord(part.content)) return textOf(part.content);
  return JSON.stringify(part);
}

/** A tool call in any of the known shapes; pushed when recognised. */
function pushCall(calls: ToolCall[], part: unknown, type = isRecord(part) ? str(part.type) : undefined): boolean {
  if (!isRecord(part)) return false;
  let id: string | undefined;
  let name: string | undefined;
  let args: unknown;
  if (isRecord(part.function) && (type === undefined || type === 'function')) {
    // OpenAI chat `tool_calls` / GenAI events: {id, type: function, function: {name, arguments}}
    id = str(part.id);
    name = str(part.function.name);
    args = part.function.arguments;
  } else if (type === 'tool_call' || type === 'tool_use' || type === 'function_call') {
    // GenAI part {id, name, arguments}; Anthropic {id, name, input}; OpenAI Responses {call_id, name, arguments}
    id = str(part.id) ?? str(part.call_id);
    name = str(part.name);
    args = part.arguments ?? part.input;
  } else if (type === 'tool-call' || (type === undefined && str(part.toolName) !== undefined)) {
    // Vercel part / ai.response.toolCalls: {toolCallId, toolName, args | input}
    id = str(part.toolCallId);
    name = str(part.toolName);
    args = part.args ?? part.input;
  } else if (type === undefined && isRecord(part.toolUse)) {
    // Bedrock / Strands block {toolUse: {toolUseId, name, input}}
    id = str(part.toolUse.toolUseId);
    name = str(part.toolUse.name);
    args = part.toolUse.input;
  } else if (type === undefined && isRecord(part.functionCall)) {
    // Gemini {functionCall: {id?, name, args}}
    id = str(part.functionCall.id);
    name = str(part.functionCall.name);
    args = part.functionCall.args;
  } else if (type === undefined && str(part.name) !== undefined && 'arguments' in part) {
    // A bare {name, arguments} (OpenAI's legacy function_call).
    name = str(part.name);
    args = part.arguments;
  }
  if (name === undefined) return false;
  calls.push({ ...(id !== undefined && { id }), name, ...optArgs(args) });
  return true;
}

/** A tool result part, as the fields of a `tool` message. */
function toolResult(part: Record<string, unknown>, type: string | undefined): { content: string; toolCallId?: string; name?: string } | undefined {
  let id: string | undefined;
  let name: string | undefined;
  let value: unknown;
  if (type === 'tool_call_response') {
    id = str(part.id);
    value = 'response' in part ? part.response : part.result;
  } else if (type === 'tool_result') {
    id = str(part.tool_use_id) ?? str(part.id);
    value = part.content;
  } else if (type === 'tool-result') {
    id = str(part.toolCallId);
    name = str(part.toolName);
    value = 'output' in part ? part.output : part.result;
    // AI SDK 5 wraps outputs: {type: 'text' | 'json' | …, value}.
    if (isRecord(value) && 'value' in value && typeof value.type === 'string') value = value.value;
  } else if (type === 'function_call_output') {
    id = str(part.call_id);
    value = part.output;
  } else if (type === undefined && isRecord(part.toolResult)) {
    id = str(part.toolResult.toolUseId);
    value = part.toolResult.content;
  } else if (type === undefined && isRecord(part.functionResponse)) {
    id = str(part.functionResponse.id);
    name = str(part.functionResponse.name);
    value = part.functionResponse.response;
  } else {
    return undefined;
  }
  return { content: resultText(value), ...(id !== undefined && { toolCallId: id }), ...(name !== undefined && { name }) };
}

/** A tool result's text: strings as they are, text blocks joined, anything else as JSON. */
function resultText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (Array.isArray(value) && value.every((b) => typeof b === 'string' || (isRecord(b) && typeof b.text === 'string'))) {
    return value.map((b) => (typeof b === 'string' ? b : (b as { text: string }).text)).join('\n');
  }
  return JSON.stringify(value);
}

function mediaOf(part: Record<string, unknown>, type: string | undefined): MediaPart {
  const imageUrl = isRecord(part.image_url) ? str(part.image_url.url) : str(part.image_url);
  const source = isRecord(part.source) ? part.source : undefined;
  const uri = str(part.uri) ?? str(part.url) ?? imageUrl ?? str(part.file_id) ?? (source ? str(source.url) : undefined);
  const mimeType = str(part.mime_type) ?? str(part.mimeType) ?? str(part.mediaType) ?? (source ? str(source.media_type) : undefined);
  const kind = str(part.modality) ?? (type === 'image_url' ? 'image' : type) ?? 'unknown';
  return { type: kind, ...(uri !== undefined && { uri }), ...(mimeType !== undefined && { mimeType }) };
}

// ---------------------------------------------------------------------------------------
// Span-level facts

/**
 * Finish reasons the span states: GenAI's list, OpenInference's, Vercel's or the Anthropic SDK's
 * own spans' single value (`anthropic.message.stop_reason`, written with content capture off too).
 */
export function statedFinishReasons(a: Attributes): string[] | undefined {
  const list = a['gen_ai.response.finish_reasons'];
  const parsed = typeof list === 'string' ? (parseJson(list) ?? [list]) : list;
  if (Array.isArray(parsed)) {
    // An empty reason ("") says nothing: some SDKs write one while a stream is unfinished.
    const reasons = parsed.filter((r): r is string => typeof r === 'string' && r !== '');
    if (reasons.length > 0) return reasons;
  }
  const one = str(a['llm.finish_reason']) || str(a['ai.response.finishReason']) || str(a['anthropic.message.stop_reason']);
  return one ? [one] : undefined;
}

function outputFinishReasons(messages: readonly ConversationMessage[]): string[] | undefined {
  const reasons = messages.filter((m) => m.direction === 'output' && m.finishReason !== undefined).map((m) => m.finishReason!);
  return reasons.length > 0 ? reasons : undefined;
}

const PARAMETER_PREFIXES = ['gen_ai.request.', 'ai.settings.'];

function requestParameters(a: Attributes): Record<string, unknown> | undefined {
  const invocation = a['llm.invocation_parameters'];
  if (invocation !== undefined) {
    const parsed = typeof invocation === 'string' ? parseJson(invocation) : invocation;
    if (isRecord(parsed)) return parsed;
  }
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(a)) {
    const prefix = PARAMETER_PREFIXES.find((p) => key.startsWith(p));
    if (prefix === undefined || key === 'gen_ai.request.model') continue;
    (out ??= {})[key.slice(prefix.length)] = a[key];
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Helpers

const ROLE_ALIASES: ReadonlyMap<string, ConversationRole> = new Map([
  ['system', 'system'],
  ['developer', 'system'],
  ['instruction', 'system'],
  ['user', 'user'],
  ['human', 'user'],
  ['customer', 'user'],
  ['assistant', 'assistant'],
  ['ai', 'assistant'],
  ['model', 'assistant'],
  ['bot', 'assistant'],
  ['chatbot', 'assistant'],
  ['tool', 'tool'],
  ['function', 'tool'],
  ['ipython', 'tool'],
]);

function normalizeRole(raw: string | undefined, direction: Direction): { role: ConversationRole; sourceRole?: string } {
  const role = raw === undefined ? undefined : ROLE_ALIASES.get(raw.toLowerCase());
  if (role !== undefined) return raw === role ? { role } : { role, sourceRole: raw };
  const fallback: ConversationRole = direction === 'input' ? 'user' : 'assistant';
  return raw === undefined || raw === '' ? { role: fallback } : { role: fallback, sourceRole: raw };
}

/** Builds a message, leaving out empty optional fields. */
function build(m: {
  role: ConversationRole;
  sourceRole?: string;
  direction: Direction;
  content: string;
  name?: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
  finishReason?: string;
  reasoning?: string;
  media?: MediaPart[];
}): ConversationMessage {
  return {
    role: m.role,
    ...(m.sourceRole !== undefined && { sourceRole: m.sourceRole }),
    direction: m.direction,
    content: m.content,
    ...(m.name !== undefined && { name: m.name }),
    ...(m.toolCalls !== undefined && m.toolCalls.length > 0 && { toolCalls: mergeToolCalls(m.toolCalls) }),
    ...(m.toolCallId !== undefined && { toolCallId: m.toolCallId }),
    ...(m.finishReason !== undefined && m.finishReason !== '' && { finishReason: m.finishReason }),
    ...(m.reasoning !== undefined && { reasoning: m.reasoning }),
    ...(m.media !== undefined && m.media.length > 0 && { media: m.media }),
  };
}

/**
 * One call recorded twice in a message (in its `tool_calls` and as a `tool_use` content part)
 * is one call: the same id, or without ids the same name and arguments (compared as JSON, so
 * spacing does not matter). The copy that knows more (an id, arguments) is kept.
 */
export function mergeToolCalls(calls: readonly ToolCall[]): ToolCall[] {
  const out: ToolCall[] = [];
  for (const call of calls) {
    const i = out.findIndex((o) => sameCall(o, call));
    if (i < 0) {
      out.push(call);
      continue;
    }
    const kept = out[i];
    const id = kept.id ?? call.id;
    const args = kept.arguments ?? call.arguments;
    out[i] = { ...(id !== undefined && { id }), name: kept.name, ...(args !== undefined && { arguments: args }) };
  }
  return out;
}

function sameCall(x: ToolCall, y: ToolCall): boolean {
  if (x.id !== undefined && y.id !== undefined) return x.id === y.id;
  return x.name === y.name && canonicalArgs(x.arguments) === canonicalArgs(y.arguments);
}

function canonicalArgs(args: string | undefined): string | undefined {
  if (args === undefined) return undefined;
  const parsed = parseJson(args);
  return parsed === undefined ? args.trim() : JSON.stringify(parsed);
}

function optArgs(value: unknown): { arguments?: string } {
  if (value === undefined || value === null) return {};
  return { arguments: typeof value === 'string' ? value : JSON.stringify(value) };
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

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(text: string): unknown {
  const t = text.trim();
  const c = t.charCodeAt(0);
  // Only text that starts like JSON is tried: parse errors are slow and most text is not JSON.
  if (c !== 0x7b /* { */ && c !== 0x5b /* [ */ && c !== 0x22 /* " */) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** Content that is JSON of a list of parts (objects with a type, or provider blocks). */
function partsJson(text: string): unknown[] | undefined {
  if (text.charCodeAt(0) !== 0x5b /* [ */) return undefined;
  const parsed = parseJson(text);
  if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
  const looksLikeParts = parsed.every(
    (p) => isRecord(p) && (typeof p.type === 'string' || 'text' in p || 'toolUse' in p || 'toolResult' in p || 'functionCall' in p || 'functionResponse' in p),
  );
  return looksLikeParts ? parsed : undefined;
}
