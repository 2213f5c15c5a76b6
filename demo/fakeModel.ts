// A deterministic stand-in for a chat model: no network, same answer for the same input.
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  toolCallId?: string;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, string>;
}

export interface ChatResult {
  text: string;
  toolCalls: ToolCall[];
  inputTokens: number;
  outputTokens: number;
  finishReason: 'stop' | 'tool_calls';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tokens = (text: string) => Math.max(1, Math.round(text.length / 4));

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export async function fakeChat(model: string, messages: ChatMessage[], speed: number): Promise<ChatResult> {
  const prompt = messages.map((m) => m.content).join('\n');
  const h = hash(model + prompt);
  await sleep((120 + (h % 400)) * speed);
  const last = messages[messages.length - 1];
  const inputTokens = tokens(prompt);
  if (last.role === 'user' && /classify/i.test(messages[0].content)) {
    const label = /#[A-Z]\d+/.test(last.content) ? 'orders' : /refund|damaged/i.test(last.content) ? 'refunds' : 'policy';
    return { text: label, toolCalls: [], inputTokens, outputTokens: 1, finishReason: 'stop' };
  }
  const order = /#([A-Z]\d+)/.exec(prompt)?.[1];
  if (order && !messages.some((m) => m.role === 'tool')) {
    return { text: '', toolCalls: [{ id: `call_${h.toString(36)}`, name: 'lookup_order', arguments: { order_id: order } }], inputTokens, outputTokens: 18, finishReason: 'tool_calls' };
  }
  const tool = messages.find((m) => m.role === 'tool')?.content;
  const policy = /Policies:\n(.+)/.exec(messages[0].content)?.[1] ?? 'we are happy to help';
  // An over-eager promise for some questions, so the safety check has something to catch.
  const eager = /blender/i.test(last.content) ? ' We guarantee a full refund immediately!' : '';
  const text = tool
    ? `Thanks for your patience! Order ${order} is ${JSON.parse(tool).status}; you'll get a tracking email soon.`
    : `Here is what our policy says: ${policy}${eager} Anything else I can help with?`;
  return { text, toolCalls: [], inputTokens, outputTokens: tokens(text), finishReason: 'stop' };
}
