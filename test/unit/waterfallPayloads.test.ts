import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePayload, spanPayloads } from '../../src/core/genai/payloads';

test('OpenInference input/output values follow their mime types', () => {
  const p = spanPayloads({
    'input.value': '{"question": "status?"}',
    'input.mime_type': 'application/json',
    'output.value': '{"not": "parsed"}',
    'output.mime_type': 'text/plain',
  });
  assert.deepEqual(p.input, { key: 'input.value', text: '{"question": "status?"}', value: { question: 'status?' }, json: true, mimeType: 'application/json' });
  assert.deepEqual(p.output, { key: 'output.value', text: '{"not": "parsed"}', value: '{"not": "parsed"}', json: false, mimeType: 'text/plain' });
});

test('without a mime type, JSON-looking text is parsed and anything else kept as text', () => {
  assert.deepEqual(spanPayloads({ 'input.value': '  [1, 2]' }).input?.value, [1, 2]);
  assert.deepEqual(spanPayloads({ 'input.value': 'rotate API key' }).input, { key: 'input.value', text: 'rotate API key', value: 'rotate API key', json: false });
  assert.equal(spanPayloads({ 'input.value': '42' }).input?.json, false, 'bare numbers stay text');
  const cut = spanPayloads({ 'output.value': '{"generations": [[{"text": "trunc' }).output!;
  assert.equal(cut.json, false, 'a value cut short by a length limit stays text');
  assert.equal(cut.value, cut.text);
  const badJson = parsePayload('input.value', '{oops', 'application/json');
  assert.deepEqual(badJson, { key: 'input.value', text: '{oops', value: '{oops', json: false, mimeType: 'application/json' });
});

test('GenAI tool execution arguments and result', () => {
  const p = spanPayloads({ 'gen_ai.tool.call.arguments': '{"location":"Paris"}', 'gen_ai.tool.call.result': 'rainy, 57°F' });
  assert.deepEqual(p.input?.value, { location: 'Paris' });
  assert.equal(p.input?.key, 'gen_ai.tool.call.arguments');
  assert.deepEqual(p.output, { key: 'gen_ai.tool.call.result', text: 'rainy, 57°F', value: 'rainy, 57°F', json: false });
});

test('Traceloop entity input/output are JSON dumps, strings included', () => {
  const p = spanPayloads({ 'traceloop.entity.input': '{"args": [], "kwargs": {"topic": "tracing"}}', 'traceloop.entity.output': '"Arr…"' });
  assert.deepEqual(p.input?.value, { args: [], kwargs: { topic: 'tracing' } });
  assert.deepEqual(p.output, { key: 'traceloop.entity.output', text: '"Arr…"', value: 'Arr…', json: true });
});

test('Vercel AI SDK tool calls and generate spans', () => {
  const tool = spanPayloads({ 'ai.toolCall.args': '{"city":"Berlin"}', 'ai.toolCall.result': '{"tempC":4}' });
  assert.deepEqual([tool.input?.value, tool.output?.value], [{ city: 'Berlin' }, { tempC: 4 }]);
  const gen = spanPayloads({ 'ai.prompt': '{"prompt":"Weather in Berlin?"}', 'ai.response.text': 'It is 4 °C.' });
  assert.deepEqual(gen.input?.value, { prompt: 'Weather in Berlin?' });
  assert.equal(gen.output?.value, 'It is 4 °C.');
  assert.deepEqual(spanPayloads({ 'ai.response.object': '{"title":"x"}' }).output?.value, { title: 'x' });
});

test('OpenInference wins when a span has several; structured values; nothing at all', () => {
  const p = spanPayloads({ 'input.value': 'plain', 'traceloop.entity.input': '{"a":1}', 'gen_ai.tool.call.result': { rows: [1, 2] } });
  assert.equal(p.input?.key, 'input.value');
  assert.deepEqual(p.output, { key: 'gen_ai.tool.call.result', text: '{"rows":[1,2]}', value: { rows: [1, 2] }, json: true });
  assert.deepEqual(spanPayloads({ 'http.request.method': 'GET' }), {});
  assert.deepEqual(parsePayload('output.value', 3), { key: 'output.value', text: '3', value: 3, json: false });
});
