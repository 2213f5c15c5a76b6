import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { loadSpanDetails, type SpanDetails } from '../../src/core/ingest/spanDetails';
import { extractConversation, type Conversation } from '../../src/core/genai/conversation';
import { indexed } from '../../src/core/genai/conversationSources';
import type { ConversationMessage } from '../../src/core/genai/messageParts';

const FIXTURES = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'conversations');

/**
 * Reads a fixture of OTLP JSON lines through the real reader, then each span's details back
 * from the file as the extension does (`loadSpanDetails`). Keyed by the span id's last digits.
 */
async function load(file: string): Promise<Map<number, SpanDetails>> {
  const path = resolve(FIXTURES, file);
  const buf = readFileSync(path);
  const out = new Map<number, SpanDetails>();
  let start = 0;
  let line = 1;
  while (start < buf.length) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    if (end > start) {
      const { spans, problems } = readOtlpJson(buf, start, end, { file: path, line, byteBase: 0 });
      assert.deepEqual(problems, []);
      for (const span of spans) out.set(parseInt(span.spanId, 16), await loadSpanDetails(span));
    }
    start = end + 1;
    line++;
  }
  return out;
}

function conversation(spans: Map<number, SpanDetails>, id: number): Conversation | undefined {
  const details = spans.get(id);
  assert.ok(details, `span ${id} in the fixture`);
  return extractConversation(details);
}

const input = (role: ConversationMessage['role'], content: string, extra: Partial<ConversationMessage> = {}): ConversationMessage => ({
  role,
  direction: 'input',
  content,
  ...extra,
});
const output = (content: string, extra: Partial<ConversationMessage> = {}): ConversationMessage => ({
  role: 'assistant',
  direction: 'output',
  content,
  ...extra,
});

// ---------------------------------------------------------------------------------------
// OpenInference

test('OpenInference: chat with multimodal contents, tool call and tool result', async () => {
  const c = conversation(await load('openinference.jsonl'), 1)!;
  assert.equal(c.convention, 'openinference');
  assert.deepEqual(c.messages, [
    input('system', 'You are a support agent for Acme.'),
    input('user', "What's the status of order 1042?", { media: [{ type: 'image', uri: 'https://example.com/receipt.png' }] }),
    input('assistant', '', { toolCalls: [{ id: 'call_abc', name: 'lookupOrder', arguments: '{"orderId": 1042}' }] }),
    input('tool', '{"status": "shipped", "eta": "2024-05-02"}', { name: 'lookupOrder', toolCallId: 'call_abc' }),
    output('Order 1042 has shipped and should arrive on May 2.'),
  ]);
  assert.equal(c.model, 'gpt-4o-2024-08-06');
  assert.deepEqual(c.tokens, { input: 231, output: 19, total: 250 });
  assert.deepEqual(c.parameters, { model: 'gpt-4o', temperature: 0.2, tool_choice: 'auto' });
  assert.equal(c.finishReasons, undefined);
});

test('OpenInference: reasoning and ordered tool_use contents; roles normalised', async () => {
  const c = conversation(await load('openinference.jsonl'), 2)!;
  assert.deepEqual(c.messages, [
    input('user', 'Weather in Paris?', { sourceRole: 'human' }),
    output('Let me check.', {
      reasoning: 'The user wants current weather; call the tool.',
      toolCalls: [{ id: 'toolu_01', name: 'get_weather', arguments: '{"city": "Paris"}' }],
    }),
  ]);
  assert.deepEqual(c.finishReasons, ['tool_use']);
  assert.deepEqual(c.tokens, { input: 40, output: 55, total: 95 });
});

test('OpenInference: completions API prompts and choices', async () => {
  const c = conversation(await load('openinference.jsonl'), 3)!;
  assert.deepEqual(c.messages, [input('user', 'Say hi in French.'), output('Bonjour !')]);
});

test('a chain span with only input/output values is no conversation', async () => {
  assert.equal(conversation(await load('openinference.jsonl'), 4), undefined);
});

// ---------------------------------------------------------------------------------------
// OpenTelemetry GenAI

test('GenAI: system instructions, input and output messages as JSON', async () => {
  const c = conversation(await load('genai.jsonl'), 1)!;
  assert.equal(c.convention, 'genai');
  assert.deepEqual(c.messages, [
    input('system', 'You are a helpful weather bot.'),
    input('user', 'Weather in Paris?'),
    input('assistant', '', { toolCalls: [{ id: 'call_VSPygqKTWdrhaFErNvMV18Yl', name: 'get_weather', arguments: '{"location":"Paris"}' }] }),
    input('tool', 'rainy, 57°F', { toolCallId: 'call_VSPygqKTWdrhaFErNvMV18Yl' }),
    output('The weather in Paris is currently rainy with a temperature of 57°F.', { finishReason: 'stop' }),
  ]);
  assert.equal(c.model, 'gpt-4o-2024-08-06');
  assert.deepEqual(c.tokens, { input: 97, output: 17, total: 114 });
  assert.deepEqual(c.finishReasons, ['stop']);
  assert.deepEqual(c.parameters, { temperature: 0.2, max_tokens: 200 });
});

test('GenAI: structured (AnyValue) messages, several choices, reasoning and a uri part', async () => {
  const c = conversation(await load('genai.jsonl'), 2)!;
  assert.deepEqual(c.messages, [
    input('user', 'Name a colour.', { media: [{ type: 'image', uri: 'gs://bucket/palette.png', mimeType: 'image/png' }] }),
    output('Blue.', { sourceRole: 'model', reasoning: 'Any colour will do.', finishReason: 'stop' }),
    output('Vermil', { sourceRole: 'model', finishReason: 'length' }),
  ]);
  assert.deepEqual(c.finishReasons, ['stop', 'length'], 'from the output messages when the span states none');
});

test('GenAI: parallel tool results in one message become one tool message each (older `result` field)', async () => {
  const c = conversation(await load('genai.jsonl'), 3)!;
  assert.deepEqual(c.messages, [
    input('assistant', '', {
      toolCalls: [
        { id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
        { id: 'call_2', name: 'get_weather', arguments: '{"location":"Rome"}' },
      ],
    }),
    input('tool', 'rainy', { toolCallId: 'call_1' }),
    input('tool', '{"sky":"sunny","tempC":24}', { toolCallId: 'call_2' }),
  ]);
});

test('GenAI: messages on the inference operation details event', async () => {
  const c = conversation(await load('genai.jsonl'), 4)!;
  assert.deepEqual(c.messages, [input('user', 'Ping?'), output('Pong.', { finishReason: 'stop' })]);
  assert.deepEqual(c.tokens, { input: 12, output: 3, total: 15 });
});

test('GenAI: messages cut short by a length limit are shown as text', async () => {
  const c = conversation(await load('genai.jsonl'), 5)!;
  assert.equal(c.messages.length, 1);
  assert.equal(c.messages[0].role, 'user');
  assert.match(c.messages[0].content, /^\[\{"role":"user".*very long doc$/);
});

test('GenAI: a tool execution span is no conversation', async () => {
  assert.equal(conversation(await load('genai.jsonl'), 6), undefined);
});

test('GenAI per-message events: system, user, assistant tool call, tool result, choice', async () => {
  const c = conversation(await load('genai-events.jsonl'), 1)!;
  assert.equal(c.convention, 'genai');
  assert.deepEqual(c.messages, [
    input('system', 'You are terse.'),
    input('user', 'Weather in Paris?'),
    input('assistant', '', { toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"location": "Paris"}' }] }),
    input('tool', 'rainy, 57°F', { toolCallId: 'call_1' }),
    output("It's rainy.", { finishReason: 'stop' }),
  ]);
  assert.deepEqual(c.finishReasons, ['stop']);
  assert.deepEqual(c.tokens, { input: 60, output: 8, total: 68 });
});

test('GenAI events as Strands writes them: content blocks as JSON', async () => {
  const c = conversation(await load('genai-events.jsonl'), 2)!;
  assert.deepEqual(c.messages, [
    input('user', 'What is 2+2?'),
    input('assistant', '', { toolCalls: [{ id: 'tooluse_1', name: 'calculator', arguments: '{"expression":"2+2"}' }] }),
    input('tool', '4', { toolCallId: 'tooluse_1' }),
    output('2+2 is 4.', { finishReason: 'end_turn' }),
  ]);
  assert.equal(c.model, 'us.anthropic.claude-3-7-sonnet-20250219-v1:0');
});

test('GenAI events with the body in gen_ai.event.content (Azure)', async () => {
  const c = conversation(await load('genai-events.jsonl'), 3)!;
  assert.deepEqual(c.messages, [input('user', 'Hi there'), input('assistant', 'Hello from the agent')]);
});

test('GenAI ≤ 1.26: gen_ai.content.prompt / completion events', async () => {
  const c = conversation(await load('genai-events.jsonl'), 4)!;
  assert.deepEqual(c.messages, [input('user', 'Tell me a joke'), output('Why did the span cross the trace?')]);
});

// ---------------------------------------------------------------------------------------
// OpenLLMetry

test('OpenLLMetry: indexed prompts with tool calls and a tool result', async () => {
  const c = conversation(await load('openllmetry.jsonl'), 1)!;
  assert.equal(c.convention, 'openllmetry');
  assert.deepEqual(c.messages, [
    input('system', 'You help with orders.'),
    input('user', 'Where is order 7?'),
    input('assistant', '', { toolCalls: [{ id: 'call_7', name: 'lookupOrder', arguments: '{"id": 7}' }] }),
    input('tool', '{"status": "packed"}', { toolCallId: 'call_7' }),
    output('Order 7 is packed.', { finishReason: 'stop' }),
  ]);
  assert.deepEqual(c.tokens, { input: 88, output: 6, total: 94 });
  assert.deepEqual(c.finishReasons, ['stop']);
  assert.deepEqual(c.parameters, { temperature: 0 });
});

test('OpenLLMetry: content parts as JSON; a completion that only calls a tool', async () => {
  const c = conversation(await load('openllmetry.jsonl'), 2)!;
  assert.deepEqual(c.messages, [
    input('user', 'What is in this image?', { media: [{ type: 'image', uri: 'https://example.com/cat.png' }] }),
    output('', { toolCalls: [{ id: 'call_v', name: 'describe_image', arguments: '{"detail": "high"}' }], finishReason: 'tool_calls' }),
  ]);
});

test('OpenLLMetry with Anthropic blocks: tool_use, and tool_result inside a user message', async () => {
  const c = conversation(await load('openllmetry.jsonl'), 3)!;
  assert.deepEqual(c.messages, [
    input('user', 'What is 6*7?'),
    input('assistant', 'Let me calculate.', { toolCalls: [{ id: 'toolu_1', name: 'calc', arguments: '{"expr":"6*7"}' }] }),
    input('tool', '42', { sourceRole: 'user', toolCallId: 'toolu_1' }),
    output('6*7 = 42', { finishReason: 'end_turn' }),
  ]);
});

test('OpenLLMetry: completions API (`.user`) and the names before the gen_ai rename', async () => {
  const spans = await load('openllmetry.jsonl');
  assert.deepEqual(conversation(spans, 4)!.messages, [input('user', 'add a signature to the joke:'), output('— Arr, the pirate', { finishReason: 'stop' })]);
  const old = conversation(spans, 5)!;
  assert.equal(old.convention, 'openllmetry');
  assert.deepEqual(old.messages, [input('user', 'Tell me a joke about OpenTelemetry'), output('Why did the collector…', { finishReason: 'stop' })]);
  assert.equal(conversation(spans, 6), undefined, 'a workflow task has inputs, not messages');
});

// ---------------------------------------------------------------------------------------
// Vercel AI SDK

test('Vercel: outer generateText span from ai.prompt and ai.response.text', async () => {
  const c = conversation(await load('vercel-ai.jsonl'), 1)!;
  assert.equal(c.convention, 'vercel-ai');
  assert.deepEqual(c.messages, [input('system', 'You are terse.'), input('user', 'Weather in Berlin?'), output('It is 4 °C in Berlin.', { finishReason: 'stop' })]);
  assert.deepEqual(c.finishReasons, ['stop']);
  assert.deepEqual(c.tokens, { input: 245, output: 61, total: 306 });
  assert.deepEqual(c.parameters, { maxRetries: 2 });
});

test('Vercel: doGenerate with response tool calls (AI SDK 5 `input`)', async () => {
  const c = conversation(await load('vercel-ai.jsonl'), 2)!;
  assert.deepEqual(c.messages, [
    input('system', 'You are terse.'),
    input('user', 'Weather in Berlin?'),
    output('', { toolCalls: [{ id: 'call_1', name: 'getWeather', arguments: '{"city":"Berlin"}' }], finishReason: 'tool-calls' }),
  ]);
  assert.deepEqual(c.finishReasons, ['tool-calls']);
});

test('Vercel: tool-call and tool-result parts in the prompt; tool spans are no conversation', async () => {
  const spans = await load('vercel-ai.jsonl');
  assert.deepEqual(conversation(spans, 4)!.messages, [
    input('system', 'You are terse.'),
    input('user', 'Weather in Berlin?'),
    input('assistant', '', { toolCalls: [{ id: 'call_1', name: 'getWeather', arguments: '{"city":"Berlin"}' }] }),
    input('tool', '{"tempC":4}', { toolCallId: 'call_1', name: 'getWeather' }),
    output('It is 4 °C in Berlin.', { finishReason: 'stop' }),
  ]);
  assert.equal(conversation(spans, 3), undefined);
});

// ---------------------------------------------------------------------------------------
// Direct cases

test('no messages, no conversation; OpenInference wins over others on the same span', () => {
  assert.equal(extractConversation({ attributes: {} }), undefined);
  assert.equal(extractConversation({ attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 3 } }), undefined);
  const both = extractConversation({
    attributes: {
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': 'hi',
      'gen_ai.prompt.0.role': 'user',
      'gen_ai.prompt.0.content': 'hi',
    },
  })!;
  assert.equal(both.convention, 'openinference');
  assert.equal(both.messages.length, 1);
});

test('OpenInference lists sent unflattened (an array of maps) read the same', () => {
  const c = extractConversation({
    attributes: {
      'llm.input_messages': [{ 'message.role': 'user', 'message.content': 'hello' }],
      'llm.output_messages': [{ 'message.role': 'assistant', 'message.content': 'hi', 'message.function_call_name': 'wave', 'message.function_call_arguments_json': '{}' }],
    },
  })!;
  assert.deepEqual(c.messages, [input('user', 'hello'), output('hi', { toolCalls: [{ name: 'wave', arguments: '{}' }] })]);
});

test('GenAI system instructions in their other shapes', () => {
  const sys = (v: string) => extractConversation({ attributes: { 'gen_ai.system_instructions': v } })!.messages[0];
  assert.deepEqual(sys('Be brief.'), input('system', 'Be brief.'));
  assert.deepEqual(sys('{"role":"system","content":"Be brief."}'), input('system', 'Be brief.'));
  assert.deepEqual(sys('{"role":"system","message":{"type":"text","content":"Be brief."}}'), input('system', 'Be brief.'));
  assert.deepEqual(sys('[{"type":"text","content":"One."},{"type":"text","content":"Two."}]'), input('system', 'One.\nTwo.'));
});

test('Gemini parts and OpenAI Responses items in GenAI messages', () => {
  const c = extractConversation({
    attributes: {
      'gen_ai.input.messages': JSON.stringify([
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 'x' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { hits: 1 } } }] },
        { role: 'assistant', content: [{ type: 'function_call', call_id: 'fc_1', name: 'search', arguments: '{"q":"y"}' }] },
        { role: 'tool', content: [{ type: 'function_call_output', call_id: 'fc_1', output: 'found' }] },
      ]),
    },
  })!;
  assert.deepEqual(c.messages, [
    input('assistant', '', { sourceRole: 'model', toolCalls: [{ name: 'lookup', arguments: '{"q":"x"}' }] }),
    input('tool', '{"hits":1}', { sourceRole: 'user', name: 'lookup' }),
    input('assistant', '', { toolCalls: [{ id: 'fc_1', name: 'search', arguments: '{"q":"y"}' }] }),
    input('tool', 'found', { toolCallId: 'fc_1' }),
  ]);
});

test('indexed groups flattened keys by index, in index order', () => {
  assert.deepEqual(indexed({ 'p.10.a': 1, 'p.2.a': 2, 'p.2.b.c': 3, 'p.x': 4, 'px.1.a': 5, 'p.3': 6 }, 'p'), [{ a: 2, 'b.c': 3 }, { '': 6 }, { a: 1 }]);
});
