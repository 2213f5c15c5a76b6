// FakeModelApi's answers, streamed as the real APIs stream them (OpenAI chat.completion.chunk
// SSE with a usage chunk; Anthropic message_start … message_stop events), and the failures a
// replay must report: a status with headers, or a request left hanging. Loopback only.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Disposable } from '../../src/core/util/event';
import { FakeModelApi } from './fakeModelApi';

export interface FakeFailure {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly message?: string;
}

export class FakeStreamingModelApi implements Disposable {
  private readonly answers = new FakeModelApi();
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  /** Every request body received, parsed, with the path and the authorization headers seen. */
  readonly requests: { path: string; body: Record<string, unknown>; authorization?: string; apiKey?: string }[] = [];
  /** Answers the next requests with these, in order, instead of streaming. */
  readonly failures: (FakeFailure | 'hang')[] = [];
  private readonly hanging: http.ServerResponse[] = [];

  async start(): Promise<string> {
    await this.answers.start();
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?', 1)[0];
    const body = JSON.parse(text) as Record<string, unknown>;
    this.requests.push({ path, body, authorization: req.headers.authorization, apiKey: req.headers['x-api-key'] as string | undefined });
    const failure = this.failures.shift();
    if (failure === 'hang') {
      this.hanging.push(res);
      return;
    }
    if (failure) {
      const error = path === '/v1/messages' ? { type: 'error', error: { type: 'error', message: failure.message ?? 'fake failure' } } : { error: { message: failure.message ?? 'fake failure' } };
      res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers }).end(JSON.stringify(error));
      return;
    }
    const upstream = await fetch(this.answers.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: false }) });
    const answer = (await upstream.json()) as Record<string, unknown>;
    if (!upstream.ok || body.stream !== true) {
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const events = path === '/v1/messages' ? anthropicEvents(answer) : openAiChunks(answer);
    for (const e of events) {
      res.write(e);
      await new Promise((r) => setTimeout(r, 5));
    }
    res.end();
  }

  dispose(): void {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
    this.answers.dispose();
  }
}

/** Text in a few pieces, so a stream has more than one delta. */
function pieces(text: string): string[] {
  const words = text.split(/(?<= )/);
  const size = Math.max(1, Math.ceil(words.length / 3));
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''));
  return out;
}

type OpenAiAnswer = {
  id: string;
  model: string;
  choices: { message: { content: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[] }; finish_reason: string }[];
  usage: unknown;
};

function openAiChunks(a: Record<string, unknown>): string[] {
  const answer = a as unknown as OpenAiAnswer;
  const base = { id: answer.id, object: 'chat.completion.chunk', created: 0, model: answer.model };
  const chunk = (choices: unknown[], extra: object = {}) => `data: ${JSON.stringify({ ...base, choices, ...extra })}\n\n`;
  const m = answer.choices[0].message;
  const out = [chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])];
  for (const p of pieces(m.content ?? '')) out.push(chunk([{ index: 0, delta: { content: p }, finish_reason: null }]));
  (m.tool_calls ?? []).forEach((t, i) => {
    out.push(chunk([{ index: 0, delta: { tool_calls: [{ index: i, id: t.id, type: 'function', function: { name: t.function.name, arguments: '' } }] }, finish_reason: null }]));
    const half = Math.ceil(t.function.arguments.length / 2);
    for (const part of [t.function.arguments.slice(0, half), t.function.arguments.slice(half)])
      out.push(chunk([{ index: 0, delta: { tool_calls: [{ index: i, function: { arguments: part } }] }, finish_reason: null }]));
  });
  out.push(chunk([{ index: 0, delta: {}, finish_reason: answer.choices[0].finish_reason }]));
  out.push(chunk([], { usage: answer.usage }));
  out.push('data: [DONE]\n\n');
  return out;
}

type AnthropicAnswer = {
  id: string;
  model: string;
  content: ({ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown })[];
  stop_reason: string;
  usage: { input_tokens: number; output_tokens: number };
};

function anthropicEvents(a: Record<string, unknown>): string[] {
  const answer = a as unknown as AnthropicAnswer;
  const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const out = [
    event('message_start', {
      message: { id: answer.id, type: 'message', role: 'assistant', model: answer.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: answer.usage.input_tokens, output_tokens: 1 } },
    }),
  ];
  answer.content.forEach((b, index) => {
    if (b.type === 'text') {
      out.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      for (const p of pieces(b.text)) out.push(event('content_block_delta', { index, delta: { type: 'text_delta', text: p } }));
    } else {
      out.push(event('content_block_start', { index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } }));
      out.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) } }));
    }
    out.push(event('content_block_stop', { index }));
  });
  out.push(event('message_delta', { delta: { stop_reason: answer.stop_reason, stop_sequence: null }, usage: { output_tokens: answer.usage.output_tokens } }));
  out.push(event('message_stop', {}));
  return out;
}
