// Conversation classes from issue 14, each from attributes as the conventions document them:
// conventions merged rather than first-wins, a tool call recorded twice, text that is a JSON
// list of parts, a tool result inside an assistant message, an empty finish reason, and the
// Langfuse and MLflow input/output dialects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractConversation } from '../../src/core/genai/conversation';
import { mergeToolCalls, type ConversationMessage } from '../../src/core/genai/messageParts';
import { payloadsBeside, spanPayloads } from '../../src/core/genai/payloads';

const input = (role: ConversationMessage['role'], content: string, extra: Partial<ConversationMessage> = {}): ConversationMessage => ({
  role,
  direction: 'input',
  content,
  ...extra,
});
const output = (content: string, extra: Partial<ConversationMessage> = {}): ConversationMessage => ({ role: 'assistant', direction: 'output', content, ...extra });

test('merged: an OpenInference processor that saw only the system message does not hide the Vercel messages', () => {
  // OpenInference's Vercel processor over an AI SDK call span, having mapped just the system
  // prompt; the span's own ai.* attributes hold the whole call.
  const c = extractConversation({
    attributes: {
      'openinference.span.kind': 'LLM',
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'You are terse.',
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.prompt.messages': JSON.stringify([
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather in Berlin?' }] },
      ]),
      'ai.response.text': 'It is 4 °C.',
      'ai.response.finishReason': 'stop',
    },
  })!;
  assert.deepEqual(c.messages, [input('system', 'You are terse.'), input('user', 'Weather in Berlin?'), output('It is 4 °C.', { finishReason: 'stop' })]);
  assert.equal(c.convention, 'vercel-ai');
  assert.deepEqual(c.conventions, ['vercel-ai']);
});

test('merged: system instructions on the span, messages on the operation details event', () => {
  const c = extractConversation({
    attributes: { 'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Be brief.' }]) },
    events: [
      {
        name: 'gen_ai.client.inference.operation.details',
        attributes: {
          'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Ping?' }] }]),
          'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Pong.' }], finish_reason: 'stop' }]),
        },
      },
    ],
  })!;
  assert.deepEqual(c.messages, [input('system', 'Be brief.'), input('user', 'Ping?'), output('Pong.', { finishReason: 'stop' })]);
});

test('merged: one convention without an answer takes it from another', () => {
  // OpenInference recorded the input only; OpenLLMetry's completion attributes hold the answer.
  const c = extractConversation({
    attributes: {
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': 'Say hi.',
      'gen_ai.prompt.0.role': 'user',
      'gen_ai.prompt.0.content': 'Say hi.',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': 'Hi!',
      'gen_ai.completion.0.finish_reason': 'stop',
    },
  })!;
  assert.deepEqual(c.messages, [input('user', 'Say hi.'), output('Hi!', { finishReason: 'stop' })]);
  assert.equal(c.convention, 'openinference');
  assert.deepEqual(c.conventions, ['openinference', 'openllmetry']);
});

test('payloads are shown beside a conversation that lacks that side', () => {
  const attributes = {
    'gen_ai.system_instructions': 'Be brief.',
    'input.value': '{"question":"Weather?","city":"Berlin"}',
    'input.mime_type': 'application/json',
    'output.value': 'Sunny.',
  };
  const conversation = extractConversation({ attributes });
  assert.ok(conversation);
  const beside = payloadsBeside(spanPayloads(attributes), conversation);
  assert.equal(beside.input?.key, 'input.value', 'a system message alone does not stand for the input');
  assert.equal(beside.output?.key, 'output.value', 'nor does a conversation without an answer for the output');
  const full = extractConversation({ attributes: { ...attributes, 'gen_ai.input.messages': '[{"role":"user","content":"Weather?"}]', 'gen_ai.output.messages': '[{"role":"assistant","content":"Sunny."}]' } });
  assert.deepEqual(payloadsBeside(spanPayloads(attributes), full), {});
  assert.equal(payloadsBeside(spanPayloads(attributes), undefined).input?.key, 'input.value');
});

test('a tool call recorded as message tool_calls and as a tool_use content part is shown once (OpenInference)', () => {
  const p = 'llm.output_messages.0.message';
  const c = extractConversation({
    attributes: {
      [`${p}.role`]: 'assistant',
      [`${p}.contents.0.message_content.type`]: 'text',
      [`${p}.contents.0.message_content.text`]: 'Checking.',
      [`${p}.contents.1.message_content.type`]: 'tool_use',
      [`${p}.contents.1.tool_call.id`]: 'toolu_01',
      [`${p}.contents.1.tool_call.function.name`]: 'get_weather',
      [`${p}.contents.1.tool_call.function.arguments`]: '{"city": "Paris"}',
      [`${p}.tool_calls.0.tool_call.id`]: 'toolu_01',
      [`${p}.tool_calls.0.tool_call.function.name`]: 'get_weather',
      [`${p}.tool_calls.0.tool_call.function.arguments`]: '{"city": "Paris"}',
    },
  })!;
  assert.deepEqual(c.messages, [output('Checking.', { toolCalls: [{ id: 'toolu_01', name: 'get_weather', arguments: '{"city": "Paris"}' }] })]);
});

test('a tool call recorded twice in an Anthropic-style message (tool_calls and a tool_use block) is shown once', () => {
  const c = extractConversation({
    attributes: {
      'gen_ai.output.messages': JSON.stringify([
        {
          role: 'assistant',
          tool_calls: [{ id: 'toolu_9', type: 'function', function: { name: 'calc', arguments: '{"expr":"6*7"}' } }],
          content: [
            { type: 'text', text: 'Let me calculate.' },
            { type: 'tool_use', id: 'toolu_9', name: 'calc', input: { expr: '6*7' } },
          ],
        },
      ]),
    },
  })!;
  assert.deepEqual(c.messages, [output('Let me calculate.', { toolCalls: [{ id: 'toolu_9', name: 'calc', arguments: '{"expr":"6*7"}' }] })]);
});

test('mergeToolCalls: by id, else by name and arguments as JSON; different calls stay apart', () => {
  assert.deepEqual(
    mergeToolCalls([
      { name: 'lookup', arguments: '{"q": "x"}' },
      { id: 'c1', name: 'lookup', arguments: '{"q":"x"}' },
      { name: 'lookup', arguments: '{"q":"y"}' },
      { id: 'c2', name: 'lookup', arguments: '{"q":"x"}' },
    ]),
    [
      { id: 'c1', name: 'lookup', arguments: '{"q": "x"}' },
      { name: 'lookup', arguments: '{"q":"y"}' },
      { id: 'c2', name: 'lookup', arguments: '{"q":"x"}' },
    ],
  );
});

test('text that is itself a JSON list of content parts shows its text', () => {
  // OpenInference message.content, and a GenAI text part, each holding a serialised part list.
  const oi = extractConversation({
    attributes: {
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': '[{"type":"text","text":"What is in the box?"}]',
    },
  })!;
  assert.deepEqual(oi.messages, [input('user', 'What is in the box?')]);
  const ga = extractConversation({
    attributes: {
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: '[{"type":"text","text":"One."},{"type":"text","text":"Two."}]' }] }]),
    },
  })!;
  assert.deepEqual(ga.messages, [input('user', 'One.\nTwo.')]);
});

test('a tool result carried inside an assistant message is a tool result', () => {
  // A provider-executed tool: the AI SDK records its result as a part of the assistant message.
  const c = extractConversation({
    attributes: {
      'ai.operationId': 'ai.streamText.doStream',
      'ai.prompt.messages': JSON.stringify([
        { role: 'user', content: [{ type: 'text', text: 'Search the web for OTel.' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool-call', toolCallId: 'ws_1', toolName: 'web_search', input: { query: 'OTel' } },
            { type: 'tool-result', toolCallId: 'ws_1', toolName: 'web_search', output: { type: 'text', value: '3 results' } },
          ],
        },
      ]),
    },
  })!;
  assert.deepEqual(c.messages, [
    input('user', 'Search the web for OTel.'),
    input('assistant', '', { toolCalls: [{ id: 'ws_1', name: 'web_search', arguments: '{"query":"OTel"}' }] }),
    input('tool', '3 results', { toolCallId: 'ws_1', name: 'web_search' }),
  ]);
});

test('an empty finish reason ("") is not shown', () => {
  const c = extractConversation({
    attributes: {
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Partial' }], finish_reason: '' }]),
      'gen_ai.response.finish_reasons': [''],
    },
  })!;
  assert.deepEqual(c.messages, [output('Partial')]);
  assert.equal(c.finishReasons, undefined);
  const oi = extractConversation({ attributes: { 'llm.output_messages.0.message.role': 'assistant', 'llm.output_messages.0.message.content': 'x', 'llm.finish_reason': '' } })!;
  assert.equal(oi.finishReasons, undefined);
});

test('Langfuse: a generation\'s input messages and output message', () => {
  const c = extractConversation({
    attributes: {
      'langfuse.observation.type': 'generation',
      'langfuse.observation.input': JSON.stringify([
        { role: 'system', content: 'You answer in French.' },
        { role: 'user', content: 'Hello' },
      ]),
      'langfuse.observation.output': JSON.stringify({ role: 'assistant', content: 'Bonjour' }),
    },
  })!;
  assert.equal(c.convention, 'langfuse');
  assert.deepEqual(c.messages, [input('system', 'You answer in French.'), input('user', 'Hello'), output('Bonjour')]);
  // A generation with plain text in and out is still a call; a span's plain input is not.
  assert.deepEqual(
    extractConversation({ attributes: { 'langfuse.observation.type': 'generation', 'langfuse.observation.input': '"Hi"', 'langfuse.observation.output': '"Hey"' } })!.messages,
    [input('user', 'Hi'), output('Hey')],
  );
  assert.equal(extractConversation({ attributes: { 'langfuse.observation.type': 'span', 'langfuse.observation.input': '{"order":7}' } }), undefined);
});

test('MLflow: a chat model span\'s inputs and OpenAI-style outputs', () => {
  const c = extractConversation({
    attributes: {
      'mlflow.spanType': '"CHAT_MODEL"',
      'mlflow.spanInputs': JSON.stringify({ messages: [{ role: 'user', content: 'What is MLflow?' }], model: 'gpt-4o-mini' }),
      'mlflow.spanOutputs': JSON.stringify({
        id: 'chatcmpl-1',
        choices: [{ index: 0, message: { role: 'assistant', content: 'An ML platform.' }, finish_reason: 'stop' }],
      }),
    },
  })!;
  assert.equal(c.convention, 'mlflow');
  assert.deepEqual(c.messages, [input('user', 'What is MLflow?'), output('An ML platform.', { finishReason: 'stop' })]);
});

test('payloads: Langfuse and MLflow inputs and outputs, GenAI tool call arguments and result', () => {
  const lf = spanPayloads({ 'langfuse.observation.input': '{"orderId":7}', 'langfuse.observation.output': '"shipped"' });
  assert.deepEqual([lf.input?.key, lf.input?.value, lf.output?.key, lf.output?.value], ['langfuse.observation.input', { orderId: 7 }, 'langfuse.observation.output', 'shipped']);
  const ml = spanPayloads({ 'mlflow.spanInputs': '{"query": "otel"}', 'mlflow.spanOutputs': '[1, 2]' });
  assert.deepEqual([ml.input?.value, ml.output?.value], [{ query: 'otel' }, [1, 2]]);
  // Structured (AnyValue) tool arguments, as the GenAI registry prefers on spans.
  const tool = spanPayloads({ 'gen_ai.tool.call.arguments': { location: 'Paris' }, 'gen_ai.tool.call.result': '{"conditions":"sunny"}' });
  assert.deepEqual([tool.input?.json, tool.input?.value, tool.output?.value], [true, { location: 'Paris' }, { conditions: 'sunny' }]);
});
