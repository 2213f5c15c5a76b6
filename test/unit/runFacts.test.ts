// A run's LLM calls (its models and cost, and what its index keeps of them): one model call
// recorded twice, nested or side by side, is one call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { llmCallsForIndex, runFacts } from '../../src/core/runs/runFacts';
import { unpackLlmCalls } from '../../src/core/runs/packedLlmCalls';
import { ms, type TestSpan } from './otlpBuilder';
import { SIBLINGS_MODELS, siblingCallsRun, traceOf } from './siblingCallsRun';

/** $1 an input token, $2 an output one: a cost in dollars reads as the tokens it counts. */
const PRICES = { 'fake-claude-*': { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 } };

test('calls recorded side by side (OpenLLMetry and the Anthropic SDK) count once: three calls, their cost once', () => {
  const trace = traceOf(siblingCallsRun());
  const facts = runFacts(trace, PRICES);
  assert.deepEqual(facts.models, SIBLINGS_MODELS);
  assert.equal(facts.costUsd, 26 * 1 + 42 * 2);
  assert.deepEqual(
    [...unpackLlmCalls(llmCallsForIndex(trace)!)].map((c) => [c.model, c.tokens?.input, c.tokens?.output]),
    [['fake-claude-haiku-20250101', 6, 1], ['fake-claude-sonnet-20250101', 6, 18], ['fake-claude-sonnet-20250101', 14, 23]],
  );
});

test("a call recorded nested counts once too: the outer span's model, the inner span's tokens when the outer states none", () => {
  const TRACE = 'ab'.repeat(16);
  const span = (spanId: string, parentSpanId: string | undefined, name: string, start: number, end: number, attributes: Record<string, unknown>): TestSpan => ({
    traceId: TRACE, spanId, ...(parentSpanId && { parentSpanId }), name, start: ms(start), end: ms(end), attributes,
  });
  const trace = traceOf([
    span('0000000000000001', undefined, 'agent', 0, 100, { 'openinference.span.kind': 'AGENT' }),
    span('0000000000000002', '0000000000000001', 'Anthropic', 1, 50, { 'openinference.span.kind': 'LLM', 'llm.model_name': 'fake-claude-sonnet' }),
    span('0000000000000003', '0000000000000002', 'anthropic.messages.create', 2, 49, { 'gen_ai.operation.name': 'chat', 'gen_ai.response.model': 'fake-claude-sonnet-20250101', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 }),
    span('0000000000000004', '0000000000000001', 'Anthropic', 60, 90, { 'openinference.span.kind': 'LLM', 'llm.model_name': 'fake-claude-haiku', 'llm.token_count.prompt': 3, 'llm.token_count.completion': 1 }),
    span('0000000000000005', '0000000000000004', 'anthropic.messages.create', 61, 89, { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 1 }),
  ]);
  const facts = runFacts(trace, PRICES);
  assert.deepEqual(facts.models, ['fake-claude-sonnet', 'fake-claude-haiku']);
  assert.equal(facts.costUsd, 10 + 5 * 2 + 3 + 1 * 2);
  assert.equal([...unpackLlmCalls(llmCallsForIndex(trace)!)].length, 2);
});

test("a call's recorded cost counts once, twins and all; the user's prices, when they price it, win as in the span's details", () => {
  // The first call (haiku, 6/1 tokens) recorded side by side, both spans stating what it cost.
  const [sdk, ...rest] = siblingCallsRun();
  const chat = rest.find((s) => s.spanId === '53b539fff2a1f497')!;
  sdk.attributes = { ...sdk.attributes, 'langfuse.observation.cost_details': '{"input":0.25,"output":0.25}' };
  chat.attributes = { ...chat.attributes, 'llm.cost.total': 0.5 };
  const trace = traceOf([sdk, ...rest]);
  assert.equal(runFacts(trace, PRICES).costUsd, runFacts(traceOf(siblingCallsRun()), PRICES).costUsd, 'every call priced by the prices set, the recorded cost aside');
  assert.equal(runFacts(trace, { 'gpt-*': { inputPerMTok: 1, outputPerMTok: 1 } }).costUsd, 0.5, 'prices for other models: what was recorded');
  assert.equal(runFacts(trace).costUsd, 0.5, 'no prices: what was recorded');
  assert.deepEqual([...unpackLlmCalls(llmCallsForIndex(trace)!)].map((c) => c.statedUsd), [0.5, undefined, undefined], "the index keeps it, so a restored run's cost is the same");

  // Nested: OpenInference's span states the cost, the SDK's span inside it the tokens.
  const TRACE = 'cd'.repeat(16);
  const nested = traceOf([
    { traceId: TRACE, spanId: '0000000000000001', name: 'Anthropic', start: ms(0), end: ms(50), attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'fake-claude-haiku', 'llm.cost.prompt': 0.125, 'llm.cost.completion': 0.125 } },
    { traceId: TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'anthropic.messages.create', start: ms(1), end: ms(49), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 1 } },
  ]);
  assert.equal(runFacts(nested).costUsd, 0.25);
  assert.equal(runFacts(nested, PRICES).costUsd, 3 + 1 * 2, 'priced by the prices set');
});
