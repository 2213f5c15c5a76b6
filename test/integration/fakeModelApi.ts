// A loopback stand-in for the OpenAI Chat Completions and Anthropic Messages APIs, so the
// real Python clients and their instrumentations run without network: deterministic answers
// in the shape of demo/fakeModel.ts (classify → label, an order id → a lookup_order tool call,
// a tool result → the order's status).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Disposable } from '../../src/core/util/event';

interface Message {
  role: string;
  content?: unknown;
  tool_call_id?: string;
}

/** What one request asked for, in words both APIs share. */
interface Turn {
  readonly system: string;
  readonly last: Message;
  /** The text of every message, for matching. */
  readonly prompt: string;
  /** The tool result's text, when the conversation has one. */
  readonly toolResult: string | undefined;
}

interface Reply {
  readonly text: string;
  readonly toolCall?: { id: string; name: string; arguments: Record<string, string> };
  readonly inputTokens: number;
  readonly outputTokens: number;
}

const tokens = (text: string) => Math.max(1, Math.round(text.length / 4));

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b: { type?: string; text?: string; content?: unknown }) => (b.type === 'text' ? (b.text ?? '') : b.type === 'tool_result' ? textOf(b.content) : ''))
    .join('\n');
}

function reply(turn: Turn): Reply {
  const inputTokens = tokens(turn.prompt);
  if (/classify/i.test(turn.system)) {
    const q = textOf(turn.last.content);
    const label = /#[A-Z]\d+/.test(q) ? 'orders' : /refund|damaged/i.test(q) ? 'refunds' : 'policy';
    return { text: label, inputTokens, outputTokens: 1 };
  }
  const order = /#([A-Z]\d+)/.exec(turn.prompt)?.[1];
  if (order && turn.toolResult === undefined) {
    return { text: '', toolCall: { id: `call_${order.toLowerCase()}`, name: 'lookup_order', arguments: { order_id: order } }, inputTokens, outputTokens: 18 };
  }
  const policy = /Policies:\n(.+)/.exec(turn.system)?.[1] ?? 'we are happy to help';
  const text = turn.toolResult
    ? `Thanks for your patience! Order ${order} is ${(JSON.parse(turn.toolResult) as { status: string }).status}; you'll get a tracking email soon.`
    : `Here is what our policy says: ${policy} Anything else I can help with?`;
  return { text, inputTokens, outputTokens: tokens(text) };
}

function openAiChat(body: { model: string; messages: Message[] }): unknown {
  const system = body.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content)).join('\n');
  const tool = body.messages.find((m) => m.role === 'tool');
  const r = reply({ system, last: body.messages[body.messages.length - 1], prompt: body.messages.map((m) => textOf(m.content)).join('\n'), toolResult: tool && textOf(tool.content) });
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: `${body.model}-2024-07-18`,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: r.toolCall ? null : r.text,
          ...(r.toolCall && { tool_calls: [{ id: r.toolCall.id, type: 'function', function: { name: r.toolCall.name, arguments: JSON.stringify(r.toolCall.arguments) } }] }),
        },
        finish_reason: r.toolCall ? 'tool_calls' : 'stop',
      },
    ],
    usage: { prompt_tokens: r.inputTokens, completion_tokens: r.outputTokens, total_tokens: r.inputTokens + r.outputTokens },
  };
}

function anthropicMessages(body: { model: string; system?: unknown; messages: Message[] }): unknown {
  const blocks = body.messages.flatMap((m) => (Array.isArray(m.content) ? (m.content as { type?: string; content?: unknown }[]) : []));
  const result = blocks.find((b) => b.type === 'tool_result');
  const r = reply({
    system: textOf(body.system),
    last: body.messages[body.messages.length - 1],
    prompt: body.messages.map((m) => textOf(m.content)).join('\n'),
    toolResult: result && textOf(result.content),
  });
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: `${body.model}-20250101`,
    content: r.toolCall ? [{ type: 'tool_use', id: r.toolCall.id.replace('call_', 'toolu_'), name: r.toolCall.name, input: r.toolCall.arguments }] : [{ type: 'text', text: r.text }],
    stop_reason: r.toolCall ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: r.inputTokens, output_tokens: r.outputTokens },
  };
}

export class FakeModelApi implements Disposable {
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  /** Every request answered, in order, with the usage the answer stated. */
  readonly answered: { path: string; inputTokens: number; outputTokens: number }[] = [];

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?', 1)[0];
      let answer: unknown;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (path === '/v1/chat/completions') answer = openAiChat(body);
        else if (path === '/v1/messages') answer = anthropicMessages(body);
      } catch (err) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(err) } }));
        return;
      }
      if (answer === undefined) res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no fake for ${path}` } }));
      else {
        const usage = (answer as { usage: Record<string, number> }).usage;
        this.answered.push({ path, inputTokens: usage.prompt_tokens ?? usage.input_tokens, outputTokens: usage.completion_tokens ?? usage.output_tokens });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      }
    });
  }

  dispose(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}
