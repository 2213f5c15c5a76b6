// Sends a replay document to any OpenAI-compatible Chat Completions endpoint (OpenAI, Azure
// OpenAI's v1 API, Ollama, vLLM, LM Studio…) with the official `openai` client, streaming.
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { AnswerClock, type ReplayAnswer, type SendOptions } from './replayAnswer';
import type { ReplayDocument, ReplayToolCall } from './replayDocument';

/** The request body the document becomes (also what `--json` shows as sent). */
export function openAiRequest(doc: ReplayDocument): ChatCompletionCreateParamsStreaming {
  const p = doc.parameters;
  let callCount = 0;
  const messages: ChatCompletionMessageParam[] = doc.messages.map((m): ChatCompletionMessageParam => {
    if (m.role === 'system') return { role: 'system', content: m.content };
    if (m.role === 'user') return { role: 'user', content: m.content, ...(m.name !== undefined && { name: m.name }) };
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId ?? '', content: m.content };
    const calls = m.toolCalls ?? [];
    return {
      role: 'assistant',
      content: m.content === '' && calls.length > 0 ? null : m.content,
      ...(calls.length > 0 && {
        tool_calls: calls.map((c) => ({ id: c.id ?? `call_${++callCount}`, type: 'function' as const, function: { name: c.name, arguments: c.arguments ?? '{}' } })),
      }),
    };
  });
  const tools: ChatCompletionTool[] | undefined = doc.tools?.map((t) => ({
    type: 'function',
    function: { name: t.name, ...(t.description !== undefined && { description: t.description }), parameters: t.parameters ?? { type: 'object', properties: {} } },
  }));
  const choice = p.toolChoice;
  const format = p.responseFormat;
  return {
    model: doc.model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    ...(p.temperature !== undefined && { temperature: p.temperature }),
    ...(p.maxTokens !== undefined && { max_tokens: p.maxTokens }),
    ...(p.topP !== undefined && { top_p: p.topP }),
    ...(p.stop !== undefined && { stop: p.stop }),
    ...(p.seed !== undefined && { seed: p.seed }),
    ...(p.frequencyPenalty !== undefined && { frequency_penalty: p.frequencyPenalty }),
    ...(p.presencePenalty !== undefined && { presence_penalty: p.presencePenalty }),
    ...(tools !== undefined && tools.length > 0 && { tools }),
    ...(choice !== undefined && { tool_choice: typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } } }),
    ...(format !== undefined && {
      response_format:
        format === 'json' ? { type: 'json_object' } : format === 'text' ? { type: 'text' } : { type: 'json_schema', json_schema: { name: format.name ?? 'response', schema: format.schema } },
    }),
  };
}

export async function sendOpenAi(doc: ReplayDocument, options: SendOptions): Promise<ReplayAnswer> {
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 0, ...(options.timeoutMs !== undefined && { timeout: options.timeoutMs }) });
  const clock = new AnswerClock();
  const stream = await client.chat.completions.create(openAiRequest(doc), { signal: options.signal });
  let text = '';
  const calls: { id?: string; name: string; arguments: string }[] = [];
  let tokens: ReplayAnswer['tokens'];
  let model: string | undefined;
  let finishReason: string | undefined;
  for await (const chunk of stream) {
    model ??= chunk.model || undefined;
    if (chunk.usage) tokens = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    if (choice.finish_reason) finishReason = choice.finish_reason;
    const delta = choice.delta;
    if (delta?.content) {
      clock.token();
      text += delta.content;
      options.onText?.(delta.content);
    }
    for (const t of delta?.tool_calls ?? []) {
      clock.token();
      const call = (calls[t.index] ??= { name: '', arguments: '' });
      if (t.id) call.id = t.id;
      if (t.function?.name) call.name += t.function.name;
      if (t.function?.arguments) call.arguments += t.function.arguments;
    }
  }
  const toolCalls: ReplayToolCall[] = calls.filter(Boolean).map((c) => ({ ...(c.id !== undefined && { id: c.id }), name: c.name, arguments: c.arguments }));
  return {
    text,
    toolCalls,
    ...(tokens && { tokens }),
    latencyMs: clock.elapsedMs(),
    ...(clock.ttftMs !== undefined && { ttftMs: clock.ttftMs }),
    ...(model !== undefined && { model }),
    ...(finishReason !== undefined && { finishReason }),
    startedAtMs: clock.startedAtMs,
  };
}
