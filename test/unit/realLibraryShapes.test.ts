// What real JavaScript instrumentations write that the core read wrongly (found by
// test/integration/jsLibraries.test.ts); the fixtures are those libraries' attributes.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { extractConversation, statedFinishReasons } from '../../src/core/genai/conversation';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { TraceStore } from '../../src/core/model/traceStore';
import { spanDetailsOf } from '../../src/core/waterfall/spanDetailsExtras';
import { ms, otlpLine } from './otlpBuilder';
import { tempDir } from './tempDir';

const SYSTEM = 'You are a careful support assistant.';

test("OpenInference's Anthropic instrumentation: the system prompt from the request parameters, a user-carried tool result as a tool result", () => {
  // @arizeai/openinference-instrumentation-anthropic 0.2.8, the second call of a tool exchange.
  const conversation = extractConversation({
    attributes: {
      'openinference.span.kind': 'LLM',
      'llm.invocation_parameters': JSON.stringify({ model: 'claude', max_tokens: 256, system: SYSTEM }),
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': 'Where is my order #A1042?',
      'llm.input_messages.1.message.role': 'assistant',
      'llm.input_messages.1.message.tool_calls.0.tool_call.id': 'toolu_1',
      'llm.input_messages.1.message.tool_calls.0.tool_call.function.name': 'lookup_order',
      'llm.input_messages.1.message.tool_calls.0.tool_call.function.arguments': '{"order_id":"A1042"}',
      'llm.input_messages.2.message.role': 'user',
      'llm.input_messages.2.message.tool_call_id': 'toolu_1',
      'llm.input_messages.2.message.content': '{"status":"shipped"}',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.contents.0.message_content.type': 'text',
      'llm.output_messages.0.message.contents.0.message_content.text': 'It has shipped.',
    },
  });
  assert.deepEqual(
    conversation?.messages.map((m) => [m.direction, m.role, m.sourceRole, m.toolCallId, m.content]),
    [
      ['input', 'system', undefined, undefined, SYSTEM],
      ['input', 'user', undefined, undefined, 'Where is my order #A1042?'],
      ['input', 'assistant', undefined, undefined, ''],
      ['input', 'tool', 'user', 'toolu_1', '{"status":"shipped"}'],
      ['output', 'assistant', undefined, undefined, 'It has shipped.'],
    ],
  );
});

test('the system prompt as text blocks; a stated system message is not doubled', () => {
  const blocks = extractConversation({
    attributes: {
      'llm.invocation_parameters': JSON.stringify({ system: [{ type: 'text', text: 'One.' }, { type: 'text', text: 'Two.' }] }),
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': 'hi',
    },
  });
  assert.deepEqual(blocks?.messages.map((m) => [m.role, m.content]), [['system', 'One.\nTwo.'], ['user', 'hi']]);
  const stated = extractConversation({
    attributes: {
      'llm.invocation_parameters': JSON.stringify({ system: 'parameter' }),
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'message',
      'llm.input_messages.1.message.role': 'user',
      'llm.input_messages.1.message.content': 'hi',
    },
  });
  assert.deepEqual(stated?.messages.map((m) => [m.role, m.content]), [['system', 'message'], ['user', 'hi']]);
});

test('details: finish reasons the span states, without content capture (no conversation)', async (t) => {
  // @opentelemetry/instrumentation-openai 0.21 with content capture off: no messages on the span.
  const traceId = 'dddddddddddddddddddddddddddddddd';
  const file = path.join(tempDir(t), 'run.jsonl');
  const line = otlpLine([
    {
      traceId,
      spanId: '00000000000000a1',
      name: 'chat gpt-4o',
      kind: 3,
      start: ms(0),
      end: ms(40),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.finish_reasons': { arrayValue: { values: [{ stringValue: 'tool_calls' }] } },
      },
    },
  ]);
  writeFileSync(file, line + '\n');
  const buf = Buffer.from(line);
  const store = new TraceStore();
  store.addSpans(file, readOtlpJson(buf, 0, buf.length, { file, line: 1, byteBase: 0 }).spans);
  const details = await spanDetailsOf(store.trace(traceId), '00000000000000a1', { prices: {}, frameExists: async () => false, warn: assert.fail });
  assert.equal(details.conversation, undefined);
  assert.deepEqual(details.finishReasons, ['tool_calls']);
});

test("the Anthropic SDK's own spans state the stop reason in their own attribute", () => {
  // @anthropic-ai/sdk 1.15, content mode off: no messages, the stop reason still recorded.
  assert.deepEqual(statedFinishReasons({ 'gen_ai.operation.name': 'chat', 'anthropic.message.stop_reason': 'tool_use' }), ['tool_use']);
  assert.deepEqual(statedFinishReasons({ 'gen_ai.response.finish_reasons': ['end_turn'], 'anthropic.message.stop_reason': 'end_turn' }), ['end_turn']);
});
