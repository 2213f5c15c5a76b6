/**
 * A message's parts as conversation messages: text, reasoning, media, tool calls and tool
 * results, the roles' many names, and the small JSON readings they need.
 *
 * Message content comes in many shapes; `partsToMessages` reads the common ones: GenAI parts,
 * OpenAI content parts and `tool_calls`, Anthropic blocks (`tool_use`, `tool_result`),
 * Vercel parts (`tool-call`, `tool-result`), Bedrock/Strands blocks (`text`, `toolUse`,
 * `toolResult`), Gemini parts (`functionCall`, `functionResponse`). Tool results always
 * become messages of their own with role `tool` and the id of the call they answer.
 */

export type ConversationRole = 'system' | 'user' | 'assistant' | 'tool';

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

export type Direction = ConversationMessage['direction'];

// ---------------------------------------------------------------------------------------
// Loose messages and parts

export interface RawMessage {
  role: string;
  parts: unknown[];
  toolCalls: ToolCall[];
  toolCallId?: string;
  name?: string;
  finishReason?: string;
}

/** One message object in any of the shapes the conventions write (`conversationSources.ts`), or a bare string. */
export function looseMessage(m: unknown, direction: Direction, fallbackRole: string): ConversationMessage[] {
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
export function rawToMessages(raw: RawMessage, direction: Direction): ConversationMessage[] {
  return partsToMessages(raw.parts, raw.role, direction, raw);
}

export function partsToMessages(parts: readonly unknown[], roleText: string, direction: Direction, raw?: RawMessage): ConversationMessage[] {
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
export function textOf(part: unknown): string {
  if (typeof part === 'string') return part;
  if (!isRecord(part)) return part === null || part === undefined ? '' : String(part);
  if (typeof part.text === 'string') return part.text;
  if (isRecord(part.text) && typeof part.text.value === 'string') return part.text.value;
  if (typeof part.content === 'string') return part.content;
  if (isRecord(part.content)) return textOf(part.content);
  return JSON.stringify(part);
}

/** A tool call in any of the known shapes; pushed when recognised. */
export function pushCall(calls: ToolCall[], part: unknown, type = isRecord(part) ? str(part.type) : undefined): boolean {
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
export function build(m: {
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

export function optArgs(value: unknown): { arguments?: string } {
  if (value === undefined || value === null) return {};
  return { arguments: typeof value === 'string' ? value : JSON.stringify(value) };
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseJson(text: string): unknown {
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
export function partsJson(text: string): unknown[] | undefined {
  if (text.charCodeAt(0) !== 0x5b /* [ */) return undefined;
  const parsed = parseJson(text);
  if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
  const looksLikeParts = parsed.every(
    (p) => isRecord(p) && (typeof p.type === 'string' || 'text' in p || 'toolUse' in p || 'toolResult' in p || 'functionCall' in p || 'functionResponse' in p),
  );
  return looksLikeParts ? parsed : undefined;
}
