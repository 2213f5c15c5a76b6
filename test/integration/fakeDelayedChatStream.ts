// A loopback stand-in for streamed OpenAI Chat Completions (`stream: true`): server-sent
// chunks of a fixed answer, the first one held back `firstChunkDelayMs`, so a client's time to
// first token is known to be at least that. Usage comes in a last chunk, as with
// `stream_options.include_usage`.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Disposable } from '../../src/core/util/event';

export const STREAMED_ANSWER = ['Orders ship ', 'within 2 ', 'business days.'];

export class FakeDelayedChatStream implements Disposable {
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  /** The usage each streamed answer stated. */
  readonly answered: { inputTokens: number; outputTokens: number }[] = [];

  constructor(private readonly firstChunkDelayMs: number) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { model?: string; stream?: boolean };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(err) } }));
        return;
      }
      if ((req.url ?? '').split('?', 1)[0] !== '/v1/chat/completions' || body.stream !== true) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'only streamed chat completions here' } }));
        return;
      }
      void this.stream(`${body.model}-2024-07-18`, res);
    });
  }

  private async stream(model: string, res: http.ServerResponse): Promise<void> {
    const chunk = (choices: unknown[], usage?: unknown) =>
      `data: ${JSON.stringify({ id: 'chatcmpl-fake-stream', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices, ...(usage !== undefined && { usage }) })}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    await new Promise((r) => setTimeout(r, this.firstChunkDelayMs));
    for (const [i, text] of STREAMED_ANSWER.entries()) {
      res.write(chunk([{ index: 0, delta: i === 0 ? { role: 'assistant', content: text } : { content: text }, finish_reason: null }]));
      await new Promise((r) => setTimeout(r, 20));
    }
    res.write(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
    const usage = { prompt_tokens: 12, completion_tokens: STREAMED_ANSWER.length, total_tokens: 12 + STREAMED_ANSWER.length };
    this.answered.push({ inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens });
    res.write(chunk([], usage));
    res.end('data: [DONE]\n\n');
  }

  dispose(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}
