/**
 * The messages of a LangSmith `llm` run, as OpenInference `llm.input_messages.N.message.*` /
 * `llm.output_messages.N.message.*` attributes, so the conversation view reads them as it
 * reads any LLM span. Shapes (LangChain's run tracer and the langsmith SDK's wrappers):
 * inputs `{"messages": [[msg…]]}` (a batch of chats) or `{"messages": [msg…]}`, or
 * `{"prompts": ["…"]}` for completion models; outputs `{"generations": [[{text, message}]]}`
 * or OpenAI's `{"choices": [{message}]}`. A message is `{role, content}`, LangChain's
 * `{type: "human"|"ai"|"system"|"tool", content}`, or its serialized form
 * `{lc: 1, id: [..., "HumanMessage"], kwargs: {content, type}}`.
 */
import type { Attributes } from '../../model/span';
import { isObject, type JsonObject } from './consoleSpan';

const ROLES: Readonly<Record<string, string>> = {
  human: 'user',
  user: 'user',
  ai: 'assistant',
  assistant: 'assistant',
  system: 'system',
  tool: 'tool',
  function: 'tool',
  humanmessage: 'user',
  aimessage: 'assistant',
  systemmessage: 'system',
  toolmessage: 'tool',
  aimessagechunk: 'assistant',
};

function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const texts = content.map((p) => (typeof p === 'string' ? p : isObject(p) && typeof p.text === 'string' ? p.text : '')).filter((t) => t !== '');
    return texts.join('\n');
  }
  return undefined;
}

function message(raw: unknown): { role: string; content: string } | undefined {
  if (!isObject(raw)) return undefined;
  const m: JsonObject = isObject(raw.kwargs) ? { ...raw.kwargs, id: raw.id } : raw;
  const className = Array.isArray(m.id) ? String(m.id[m.id.length - 1]).toLowerCase() : undefined;
  const role = ROLES[String(m.role ?? m.type ?? '').toLowerCase()] ?? (className ? ROLES[className] : undefined);
  const content = contentText(m.content);
  return role !== undefined && content !== undefined ? { role, content } : undefined;
}

function put(out: Attributes, prefix: string, messages: readonly ({ role: string; content: string } | undefined)[]): void {
  let i = 0;
  for (const m of messages) {
    if (!m) continue;
    out[`${prefix}.${i}.message.role`] = m.role;
    out[`${prefix}.${i}.message.content`] = m.content;
    i++;
  }
}

export function llmRunMessages(inputs: unknown, outputs: unknown, out: Attributes): void {
  if (isObject(inputs)) {
    const raw = inputs.messages;
    // A batch of chats: the first is the one this run answered.
    const chat = Array.isArray(raw) && Array.isArray(raw[0]) ? raw[0] : raw;
    if (Array.isArray(chat)) put(out, 'llm.input_messages', chat.map(message));
    else if (Array.isArray(inputs.prompts)) put(out, 'llm.input_messages', inputs.prompts.map((p) => (typeof p === 'string' ? { role: 'user', content: p } : undefined)));
  }
  if (isObject(outputs)) {
    const generations = Array.isArray(outputs.generations) ? (Array.isArray(outputs.generations[0]) ? outputs.generations[0] : outputs.generations) : undefined;
    if (generations) {
      put(
        out,
        'llm.output_messages',
        generations.map((g: unknown) => (isObject(g) ? (message(g.message) ?? (typeof g.text === 'string' ? { role: 'assistant', content: g.text } : undefined)) : undefined)),
      );
    } else if (Array.isArray(outputs.choices)) {
      put(out, 'llm.output_messages', outputs.choices.map((c: unknown) => (isObject(c) ? message(c.message) : undefined)));
    }
  }
}
