/**
 * Rebuilds the request of a recorded LLM span as a replay document: provider, model,
 * parameters, tools and messages, from whichever convention the span carries. The messages
 * come from `extractConversation`; this file reads what it does not: the tool definitions,
 * tool choice, response format and the request parameters under their several names.
 *
 * Sources (attribute names as documented by each convention):
 * - [OI] OpenInference: `llm.provider` / `llm.system`, `llm.invocation_parameters` (the
 *   provider's own request JSON: temperature, max_tokens, tool_choice, response_format, tools),
 *   `llm.tools.<i>.tool.json_schema`.
 * - [GA] OpenTelemetry GenAI: `gen_ai.provider.name` (older `gen_ai.system`),
 *   `gen_ai.request.{model,temperature,max_tokens,top_p,stop_sequences,seed,frequency_penalty,
 *   presence_penalty}`, `gen_ai.tool.definitions`, `gen_ai.output.type`.
 * - [OL] OpenLLMetry: the `gen_ai.request.*` names above, `llm.request.functions.<i>.{name,
 *   description,parameters}`, `gen_ai.request.structured_output_schema`.
 * - [AI] Vercel AI SDK: `ai.model.provider` (`openai.chat`, `anthropic.messages`, …),
 *   `ai.model.id`, `ai.settings.{temperature,maxOutputTokens (v4: maxTokens),topP,
 *   stopSequences,seed,frequencyPenalty,presencePenalty}`, `ai.prompt.tools` (a list of JSON
 *   tool definitions), `ai.prompt.toolChoice` (JSON `{type, toolName?}`), `ai.schema`,
 *   `ai.schema.name`.
 */
import { extractConversation, type SpanContent } from '../genai/conversation';
import type { ConversationMessage, ToolCall } from '../genai/messageParts';
import { timeToFirstTokenMs, type TimedEvent } from '../genai/timing';
import type { AttributeValue, Attributes } from '../model/span';
import { indexed } from '../genai/conversationSources';
import {
  isRecord,
  type RecordedAnswer,
  type ReplayDocument,
  type ReplayMessage,
  type ReplayParameters,
  type ReplayProvider,
  type ReplayTool,
  type ReplayToolCall,
  type ReplayToolChoice,
} from './replayDocument';

/** Anthropic's API requires max_tokens; used when the span did not record one. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 1024;

export interface ReplaySpan extends SpanContent {
  readonly traceId: string;
  readonly spanId: string;
  readonly name: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly events?: readonly (TimedEvent & { readonly name: string })[];
}

/** The request of a recorded LLM span; throws when the span recorded no messages at all. */
export function buildReplayDocument(span: ReplaySpan): ReplayDocument {
  const a = span.attributes;
  const conversation = extractConversation(span);
  if (conversation === undefined) throw new Error(`span ${span.spanId} ("${span.name}") recorded no messages in any known convention: there is no request to replay`);
  const notes: string[] = [];
  const recordedProvider = firstString(a, ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system', 'ai.model.provider']);
  const provider = providerOf(recordedProvider);
  if (recordedProvider === undefined) notes.push('The provider was not recorded: the request is sent to an OpenAI-compatible endpoint; change "provider" if that is wrong.');
  else if (!recordedProvider.toLowerCase().startsWith(provider)) notes.push(`The span's provider is "${recordedProvider}": the request is sent to an OpenAI-compatible endpoint (set "baseUrl" or the setting to one that serves this model).`);

  const invocation = jsonRecord(a['llm.invocation_parameters']) ?? {};
  const model =
    firstString(a, ['gen_ai.request.model', 'llm.request.model_name']) ?? str(invocation.model) ?? firstString(a, ['ai.model.id', 'llm.model_name']) ?? conversation.model ?? '';
  if (model === '') notes.push('The model was not recorded: fill in "model".');

  const parameters = readParameters(a, invocation);
  const tools = readTools(a, invocation);
  const messages: ReplayMessage[] = [];
  let media = 0;
  for (const m of conversation.messages) {
    if (m.direction !== 'input') continue;
    media += m.media?.length ?? 0;
    messages.push(replayMessage(m));
  }
  if (messages.length === 0) notes.push('No input messages were recorded, only the answer: add the messages to send.');
  else if (!messages.some((m) => m.role === 'system')) notes.push('No system message was recorded (the app may have sent none).');
  if (media > 0) notes.push(`${media} image, audio or file part(s) were recorded but are not replayed: only text is sent.`);

  const called = [...new Set(conversation.messages.flatMap((m) => (m.toolCalls ?? []).map((c) => c.name)))];
  if (tools.length === 0 && (called.length > 0 || parameters.toolChoice !== undefined)) {
    notes.push(`The tools' schemas were not recorded${called.length > 0 ? ` (${called.join(', ')})` : ''}: add them under "tools", or the model cannot call them.`);
  }
  if (parameters.temperature === undefined) notes.push("The temperature was not recorded: the provider's default is used.");
  if (parameters.maxTokens === undefined && provider === 'anthropic') {
    parameters.maxTokens = DEFAULT_ANTHROPIC_MAX_TOKENS;
    notes.push(`The max tokens were not recorded; Anthropic requires them, so ${DEFAULT_ANTHROPIC_MAX_TOKENS} is set.`);
  }

  if (provider === 'anthropic' && parameters.responseFormat !== undefined && parameters.responseFormat !== 'text') {
    notes.push("The span asked for a JSON response format, which Anthropic's Messages API has no parameter for: it is not sent.");
  }

  const recorded = recordedAnswer(span, conversation.messages, conversation.tokens, conversation.model);
  if (recorded === undefined) notes.push('The answer was not recorded: there is nothing to compare the replay with.');
  return {
    notes,
    source: { traceId: span.traceId, spanId: span.spanId, spanName: span.name, conventions: conversation.conventions },
    provider,
    model,
    parameters,
    ...(tools.length > 0 && { tools }),
    messages,
    ...(recorded !== undefined && { recorded }),
  };
}

function providerOf(recorded: string | undefined): ReplayProvider {
  // Bedrock and Vertex serve Claude through their own APIs; only Anthropic's own is spoken here.
  return recorded !== undefined && /^anthropic/i.test(recorded) ? 'anthropic' : 'openai';
}

function replayMessage(m: ConversationMessage): ReplayMessage {
  return {
    role: m.role,
    content: m.content,
    ...(m.name !== undefined && { name: m.name }),
    ...(m.toolCalls !== undefined && { toolCalls: m.toolCalls.map(replayCall) }),
    ...(m.toolCallId !== undefined && { toolCallId: m.toolCallId }),
  };
}

function replayCall(c: ToolCall): ReplayToolCall {
  return { ...(c.id !== undefined && { id: c.id }), name: c.name, ...(c.arguments !== undefined && { arguments: c.arguments }) };
}

function recordedAnswer(
  span: ReplaySpan,
  messages: readonly ConversationMessage[],
  tokens: { input?: number; output?: number } | undefined,
  model: string | undefined,
): RecordedAnswer | undefined {
  const out = messages.filter((m) => m.direction === 'output');
  if (out.length === 0) return undefined;
  const latencyMs = span.endNs > span.startNs ? Number(span.endNs - span.startNs) / 1e6 : undefined;
  const ttftMs = timeToFirstTokenMs({ startNs: span.startNs, attributes: span.attributes, events: span.events });
  return {
    text: out
      .map((m) => m.content)
      .filter((t) => t !== '')
      .join('\n'),
    toolCalls: out.flatMap((m) => (m.toolCalls ?? []).map(replayCall)),
    ...(tokens && { tokens: { ...(tokens.input !== undefined && { input: tokens.input }), ...(tokens.output !== undefined && { output: tokens.output }) } }),
    ...(latencyMs !== undefined && { latencyMs }),
    ...(ttftMs !== undefined && { ttftMs }),
    ...(model !== undefined && { model }),
  };
}

// ---------------------------------------------------------------------------------------
// Parameters

/** Each parameter's names: invocation JSON ([OI], snake case), [GA]/[OL], then [AI]. */
const NUMBER_PARAMETERS: readonly [keyof ReplayParameters, readonly string[], readonly string[]][] = [
  ['temperature', ['temperature'], ['gen_ai.request.temperature', 'ai.settings.temperature']],
  ['maxTokens', ['max_tokens', 'max_completion_tokens', 'max_output_tokens'], ['gen_ai.request.max_tokens', 'ai.settings.maxOutputTokens', 'ai.settings.maxTokens']],
  ['topP', ['top_p'], ['gen_ai.request.top_p', 'ai.settings.topP']],
  ['seed', ['seed'], ['gen_ai.request.seed', 'ai.settings.seed']],
  ['frequencyPenalty', ['frequency_penalty'], ['gen_ai.request.frequency_penalty', 'ai.settings.frequencyPenalty']],
  ['presencePenalty', ['presence_penalty'], ['gen_ai.request.presence_penalty', 'ai.settings.presencePenalty']],
];

function readParameters(a: Attributes, invocation: Record<string, unknown>): ReplayParameters {
  const p: Record<string, unknown> = {};
  for (const [field, jsonKeys, attrKeys] of NUMBER_PARAMETERS) {
    const n = jsonKeys.map((k) => num(invocation[k])).find((v) => v !== undefined) ?? attrKeys.map((k) => num(a[k])).find((v) => v !== undefined);
    if (n !== undefined) p[field] = n;
  }
  const stop = stringList(invocation.stop ?? invocation.stop_sequences) ?? stringList(a['gen_ai.request.stop_sequences']) ?? stringList(a['ai.settings.stopSequences']);
  if (stop !== undefined) p.stop = stop;
  const choice = toolChoice(invocation.tool_choice) ?? toolChoice(jsonish(a['ai.prompt.toolChoice']));
  if (choice !== undefined) p.toolChoice = choice;
  const format = responseFormat(a, invocation);
  if (format !== undefined) p.responseFormat = format;
  return p as ReplayParameters;
}

/** OpenAI `auto|none|required|{type:function,function:{name}}`, Anthropic `{type:auto|any|none|tool,name}`, Vercel `{type, toolName}`. */
function toolChoice(v: unknown): ReplayToolChoice | undefined {
  const type = typeof v === 'string' ? v : isRecord(v) ? str(v.type) : undefined;
  if (type === 'auto' || type === 'none' || type === 'required') return type;
  if (type === 'any') return 'required';
  if (isRecord(v)) {
    const name = (isRecord(v.function) ? str(v.function.name) : undefined) ?? str(v.name) ?? str(v.toolName);
    if (name !== undefined) return { name };
  }
  return undefined;
}

function responseFormat(a: Attributes, invocation: Record<string, unknown>): ReplayParameters['responseFormat'] {
  const rf = invocation.response_format;
  if (isRecord(rf)) {
    if (rf.type === 'json_object') return 'json';
    if (rf.type === 'text') return 'text';
    if (rf.type === 'json_schema' && isRecord(rf.json_schema) && isRecord(rf.json_schema.schema)) {
      const name = str(rf.json_schema.name);
      return { ...(name !== undefined && { name }), schema: rf.json_schema.schema };
    }
  }
  const schema = jsonRecord(a['ai.schema']) ?? jsonRecord(a['gen_ai.request.structured_output_schema']);
  if (schema !== undefined) {
    const name = str(a['ai.schema.name']);
    return { ...(name !== undefined && { name }), schema };
  }
  const type = str(a['gen_ai.output.type']);
  return type === 'json' ? 'json' : type === 'text' ? 'text' : undefined;
}

// ---------------------------------------------------------------------------------------
// Tools

function readTools(a: Attributes, invocation: Record<string, unknown>): ReplayTool[] {
  const found: unknown[] = [];
  for (const r of indexed(a, 'llm.tools')) found.push(jsonish(r['tool.json_schema']) ?? r['']);
  if (found.length === 0 && Array.isArray(invocation.tools)) found.push(...invocation.tools);
  if (found.length === 0) {
    const defs = jsonish(a['gen_ai.tool.definitions']);
    if (Array.isArray(defs)) found.push(...defs);
  }
  if (found.length === 0) {
    for (const r of indexed(a, 'llm.request.functions')) {
      found.push({ name: r.name, description: r.description, parameters: jsonish(r.parameters) });
    }
  }
  if (found.length === 0) {
    const list = a['ai.prompt.tools'];
    if (Array.isArray(list)) found.push(...list.map((t) => jsonish(t)));
    else if (typeof list === 'string') {
      const parsed = jsonish(list);
      if (Array.isArray(parsed)) found.push(...parsed.map((t) => jsonish(t as AttributeValue)));
    }
  }
  return found.map(tool).filter((t): t is ReplayTool => t !== undefined);
}

/** OpenAI `{type:function, function:{…}}`, flat `{name, description, parameters}`, Anthropic `input_schema`, Vercel `inputSchema`. */
function tool(v: unknown): ReplayTool | undefined {
  if (!isRecord(v)) return undefined;
  const t = isRecord(v.function) ? v.function : v;
  const name = str(t.name);
  if (name === undefined) return undefined;
  const description = str(t.description);
  const parameters = [t.parameters, t.input_schema, t.inputSchema].map((s) => (typeof s === 'string' ? jsonish(s) : s)).find(isRecord);
  return { name, ...(description !== undefined && description !== '' && { description }), ...(parameters !== undefined && { parameters }) };
}

// ---------------------------------------------------------------------------------------
// Helpers

function firstString(a: Attributes, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = str(a[k]);
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function stringList(v: unknown): string[] | undefined {
  const parsed = typeof v === 'string' ? (jsonish(v) ?? [v]) : v;
  if (!Array.isArray(parsed)) return undefined;
  const list = parsed.filter((s): s is string => typeof s === 'string');
  return list.length > 0 ? list : undefined;
}

/** JSON text parsed, a structured value as it is; plain text is not JSON here. */
function jsonish(v: AttributeValue | unknown): unknown {
  if (typeof v !== 'string') return v ?? undefined;
  const t = v.trim();
  if (t[0] !== '{' && t[0] !== '[') return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

function jsonRecord(v: unknown): Record<string, unknown> | undefined {
  const parsed = jsonish(v);
  return isRecord(parsed) ? parsed : undefined;
}
