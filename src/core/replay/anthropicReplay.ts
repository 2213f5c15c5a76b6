// Sends a replay document to Anthropic's Messages API with the official `@anthropic-ai/sdk`
// client, streaming.
// The base client and the one resource used: `Anthropic` itself brings every resource and
// tool of the SDK into the bundle (~300 KB minified more).
import { BaseAnthropic } from '@anthropic-ai/sdk/client';
import { Messages } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ContentBlockParam, MessageCreateParamsStreaming, MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { DEFAULT_ANTHROPIC_MAX_TOKENS } from './buildReplay';
import { AnswerClock, type ReplayAnswer, type SendOptions } from './replayAnswer';
import type { ReplayDocument, ReplayToolCall } from './replayDocument';

/**
 * The request body the document becomes. System messages become `system`; a tool result is a
 * `tool_result` block in a user turn, and consecutive turns of one role are joined, as the
 * Messages API wants user and assistant turns to alternate. `responseFormat` has no
 * counterpart here and is left out.
 */
export function anthropicRequest(doc: ReplayDocument): MessageCreateParamsStreaming {
  const p = doc.parameters;
  const system = doc.messages.filter((m) => m.role === 'system').map((m) => m.content);
  const messages: MessageParam[] = [];
  let callCount = 0;
  for (const m of doc.messages) {
    if (m.role === 'system') continue;
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks: ContentBlockParam[] = [];
    if (m.role === 'tool') blocks.push({ type: 'tool_result', tool_use_id: m.toolCallId ?? '', content: m.content });
    else if (m.content !== '') blocks.push({ type: 'text', text: m.content });
    for (const c of m.toolCalls ?? []) blocks.push({ type: 'tool_use', id: c.id ?? `toolu_${++callCount}`, name: c.name, input: parseArguments(c.arguments) });
    const last = messages[messages.length - 1];
    if (last !== undefined && last.role === role) (last.content as ContentBlockParam[]).push(...blocks);
    else messages.push({ role, content: blocks });
  }
  const tools: Tool[] | undefined = doc.tools?.map((t) => ({
    name: t.name,
    ...(t.description !== undefined && { description: t.description }),
    input_schema: (t.parameters ?? { type: 'object', properties: {} }) as Tool['input_schema'],
  }));
  const choice = p.toolChoice;
  return {
    model: doc.model,
    max_tokens: p.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages,
    stream: true,
    ...(system.length > 0 && { system: system.join('\n\n') }),
    ...(p.temperature !== undefined && { temperature: p.temperature }),
    ...(p.topP !== undefined && { top_p: p.topP }),
    ...(p.stop !== undefined && { stop_sequences: p.stop }),
    ...(tools !== undefined && tools.length > 0 && { tools }),
    ...(choice !== undefined && {
      tool_choice: typeof choice !== 'string' ? { type: 'tool', name: choice.name } : choice === 'required' ? { type: 'any' } : { type: choice },
    }),
  };
}

function parseArguments(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    // Arguments cut short by an attribute length limit still go, as text the model can read.
    return { text };
  }
}

export async function sendAnthropic(doc: ReplayDocument, options: SendOptions): Promise<ReplayAnswer> {
  const client = new BaseAnthropic({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 0, ...(options.timeoutMs !== undefined && { timeout: options.timeoutMs }) });
  const clock = new AnswerClock();
  const stream = await new Messages(client).create(anthropicRequest(doc), { signal: options.signal });
  let text = '';
  const blocks: ({ kind: 'text' } | { kind: 'tool'; id: string; name: string; json: string })[] = [];
  let input: number | undefined;
  let output: number | undefined;
  let model: string | undefined;
  let finishReason: string | undefined;
  // Text blocks after the first are joined with a newline, as the span's text parts are.
  let newline = false;
  for await (const event of stream) {
    switch (event.type) {
      case 'message_start':
        model = event.message.model;
        input = event.message.usage?.input_tokens;
        output = event.message.usage?.output_tokens;
        break;
      case 'content_block_start':
        if (event.content_block.type === 'tool_use') {
          clock.token();
          blocks[event.index] = { kind: 'tool', id: event.content_block.id, name: event.content_block.name, json: '' };
        } else {
          blocks[event.index] = { kind: 'text' };
          newline = text !== '';
        }
        break;
      case 'content_block_delta': {
        const block = blocks[event.index];
        if (event.delta.type === 'text_delta') {
          clock.token();
          const piece = (newline ? '\n' : '') + event.delta.text;
          newline = false;
          text += piece;
          options.onText?.(piece);
        } else if (event.delta.type === 'input_json_delta' && block?.kind === 'tool') block.json += event.delta.partial_json;
        break;
      }
      case 'message_delta':
        if (event.delta.stop_reason) finishReason = event.delta.stop_reason;
        if (event.usage?.output_tokens !== undefined) output = event.usage.output_tokens;
        if (event.usage?.input_tokens != null) input = event.usage.input_tokens;
        break;
    }
  }
  const toolCalls: ReplayToolCall[] = blocks
    .filter((b): b is Extract<(typeof blocks)[number], { kind: 'tool' }> => b?.kind === 'tool')
    .map((b) => ({ id: b.id, name: b.name, arguments: b.json === '' ? '{}' : b.json }));
  return {
    text,
    toolCalls,
    ...((input !== undefined || output !== undefined) && { tokens: { ...(input !== undefined && { input }), ...(output !== undefined && { output }) } }),
    latencyMs: clock.elapsedMs(),
    ...(clock.ttftMs !== undefined && { ttftMs: clock.ttftMs }),
    ...(model !== undefined && { model }),
    ...(finishReason !== undefined && { finishReason }),
    startedAtMs: clock.startedAtMs,
  };
}
