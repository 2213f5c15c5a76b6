import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ReplayCancelled } from '../../src/core/replay/providerErrors';
import type { ReplayDocument } from '../../src/core/replay/replayDocument';
import { sendReplay } from '../../src/core/replay/sendReplay';
import { FakeStreamingModelApi } from '../integration/fakeStreamingModelApi';

const KEY = 'sk-test-secret-0123456789';
let fake: FakeStreamingModelApi;
before(async () => {
  fake = new FakeStreamingModelApi();
  await fake.start();
});
after(() => fake.dispose());

const orderDoc: ReplayDocument = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  parameters: { temperature: 0.3, maxTokens: 256, toolChoice: { name: 'lookup_order' } },
  tools: [{ name: 'lookup_order', description: 'Look an order up', parameters: { type: 'object', properties: { order_id: { type: 'string' } } } }],
  messages: [
    { role: 'system', content: "You are Acme's support agent." },
    { role: 'user', content: 'Where is order #A1042?' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_a1042', name: 'lookup_order', arguments: '{"order_id":"A1042"}' }] },
    { role: 'tool', content: '{"status": "shipped"}', toolCallId: 'call_a1042' },
  ],
};

test('OpenAI-compatible: the request as the document says, streamed text, tokens, latency and time to first token', async () => {
  const deltas: string[] = [];
  const answer = await sendReplay(orderDoc, { baseUrl: `${fake.url}/v1`, apiKey: KEY, onText: (d) => deltas.push(d) });
  assert.equal(answer.text, "Thanks for your patience! Order A1042 is shipped; you'll get a tracking email soon.");
  assert.ok(deltas.length > 1, 'the answer arrived in pieces');
  assert.equal(deltas.join(''), answer.text);
  assert.deepEqual(answer.toolCalls, []);
  assert.equal(answer.model, 'gpt-4o-mini-2024-07-18');
  assert.equal(answer.finishReason, 'stop');
  assert.ok(answer.tokens?.input && answer.tokens.output);
  assert.ok(answer.ttftMs !== undefined && answer.ttftMs <= answer.latencyMs);
  const sent = fake.requests.at(-1)!;
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.authorization, `Bearer ${KEY}`);
  assert.deepEqual(sent.body.tool_choice, { type: 'function', function: { name: 'lookup_order' } });
  assert.equal(sent.body.temperature, 0.3);
  assert.equal(sent.body.max_tokens, 256);
  assert.deepEqual(sent.body.messages, [
    { role: 'system', content: "You are Acme's support agent." },
    { role: 'user', content: 'Where is order #A1042?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_a1042', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"A1042"}' } }] },
    { role: 'tool', tool_call_id: 'call_a1042', content: '{"status": "shipped"}' },
  ]);
});

test('OpenAI-compatible: a streamed tool call is put back together', async () => {
  const doc: ReplayDocument = { ...orderDoc, messages: orderDoc.messages.slice(0, 2) };
  const answer = await sendReplay(doc, { baseUrl: `${fake.url}/v1`, apiKey: KEY });
  assert.equal(answer.text, '');
  assert.deepEqual(answer.toolCalls, [{ id: 'call_a1042', name: 'lookup_order', arguments: '{"order_id":"A1042"}' }]);
  assert.equal(answer.finishReason, 'tool_calls');
});

test('Anthropic: system apart, tool calls as tool_use, tool results as tool_result in a user turn; the answer streamed', async () => {
  const doc: ReplayDocument = { ...orderDoc, provider: 'anthropic', model: 'claude-sonnet-4-5' };
  const deltas: string[] = [];
  const answer = await sendReplay(doc, { baseUrl: fake.url, apiKey: KEY, onText: (d) => deltas.push(d) });
  assert.equal(answer.text, "Thanks for your patience! Order A1042 is shipped; you'll get a tracking email soon.");
  assert.ok(deltas.length > 1);
  assert.equal(answer.model, 'claude-sonnet-4-5-20250101');
  assert.equal(answer.finishReason, 'end_turn');
  assert.ok(answer.tokens?.input && answer.tokens.output && answer.tokens.output > 1, 'output tokens from message_delta');
  const sent = fake.requests.at(-1)!;
  assert.equal(sent.path, '/v1/messages');
  // This client version sends the key as a bearer token; older ones as x-api-key.
  assert.ok(sent.apiKey === KEY || sent.authorization === `Bearer ${KEY}`);
  assert.equal(sent.body.system, "You are Acme's support agent.");
  assert.equal(sent.body.max_tokens, 256);
  assert.deepEqual(sent.body.tool_choice, { type: 'tool', name: 'lookup_order' });
  assert.deepEqual(sent.body.tools, [{ name: 'lookup_order', description: 'Look an order up', input_schema: { type: 'object', properties: { order_id: { type: 'string' } } } }]);
  assert.deepEqual(sent.body.messages, [
    { role: 'user', content: [{ type: 'text', text: 'Where is order #A1042?' }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'call_a1042', name: 'lookup_order', input: { order_id: 'A1042' } }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_a1042', content: '{"status": "shipped"}' }] },
  ]);

  const call = await sendReplay({ ...doc, messages: doc.messages.slice(0, 2) }, { baseUrl: fake.url, apiKey: KEY });
  assert.deepEqual(call.toolCalls, [{ id: 'toolu_a1042', name: 'lookup_order', arguments: '{"order_id":"A1042"}' }]);
});

async function failure(doc: ReplayDocument, options: { timeoutMs?: number; baseUrl?: string; signal?: AbortSignal } = {}): Promise<string> {
  const base = options.baseUrl ?? (doc.provider === 'openai' ? `${fake.url}/v1` : fake.url);
  try {
    await sendReplay(doc, { baseUrl: base, apiKey: KEY, keyHint: "'Trace Run: Set Replay API Key' or OPENAI_API_KEY", ...options });
  } catch (err) {
    assert.ok(!(err as Error).message.includes(KEY), 'the key is never in a message');
    return (err as Error).message;
  }
  assert.fail('the request should have failed');
}

test('provider errors read as what to do: 401, 404, 429 with retry-after, 5xx; the key never shown', async () => {
  fake.failures.push({ status: 401, message: `Incorrect API key provided: ${KEY}` });
  assert.match(await failure(orderDoc), /OpenAI-compatible endpoint at http:\/\/127\.0\.0\.1:\d+\/v1 refused the API key \(401: Incorrect API key provided: \*\*\*\)\. Set the key with 'Trace Run: Set Replay API Key' or OPENAI_API_KEY\./);
  fake.failures.push({ status: 404, message: 'The model `gpt-9` does not exist' });
  assert.match(await failure({ ...orderDoc, model: 'gpt-9' }), /answered 404: The model `gpt-9` does not exist: check the model "gpt-9" and the base URL/);
  fake.failures.push({ status: 429, headers: { 'retry-after': '7' }, message: 'Rate limit reached' });
  assert.match(await failure(orderDoc), /is rate limiting \(429: Rate limit reached\): retry after 7 s\./);
  fake.failures.push({ status: 529, message: 'Overloaded' });
  assert.match(await failure({ ...orderDoc, provider: 'anthropic' }), /^Anthropic at http:\/\/127\.0\.0\.1:\d+ failed with 529: .*Overloaded.*; try again later\./);
  fake.failures.push({ status: 401, message: 'invalid x-api-key' });
  assert.match(await failure({ ...orderDoc, provider: 'anthropic' }), /^Anthropic at .* refused the API key \(401/);
});

test('a timeout, a refused connection and a cancel each say so', async () => {
  fake.failures.push('hang');
  assert.match(await failure(orderDoc, { timeoutMs: 300 }), /^The OpenAI-compatible endpoint at http:\/\/127\.0\.0\.1:\d+\/v1 did not answer within 0\.3 s\.$/);

  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  assert.match(await failure(orderDoc, { baseUrl: `http://127.0.0.1:${port}/v1` }), /Nothing is listening at http:\/\/127\.0\.0\.1:\d+\/v1 \(connection refused\)/);

  fake.failures.push('hang');
  const controller = new AbortController();
  const pending = sendReplay(orderDoc, { baseUrl: `${fake.url}/v1`, apiKey: KEY, signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(pending, (err: Error) => err instanceof ReplayCancelled);
});
