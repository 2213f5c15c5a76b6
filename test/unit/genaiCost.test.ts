import assert from 'node:assert/strict';
import { test } from 'node:test';
import { costOf, statedCost, type PriceTable } from '../../src/core/genai/cost';

test('a cached-input price prices cache reads apart from the rest of the input', () => {
  const table: PriceTable = { 'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 } };
  const c = costOf('gpt-4o', { input: 1_000_000, output: 100_000, total: 1_100_000, cacheRead: 800_000, reasoning: 40_000 }, table)!;
  // 200k uncached × 2.5 + 800k cached × 1.25; reasoning is part of output, billed as output.
  assert.equal(c.inputUsd, 0.5 + 1.0);
  assert.equal(c.cachedInputUsd, 1.0);
  assert.equal(c.outputUsd, 1.0);
  assert.equal(c.totalUsd, 2.5);
});

test('without a cached price every input token costs the input price (as before)', () => {
  const table: PriceTable = { 'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 } };
  const c = costOf('gpt-4o', { input: 1_000_000, output: 0, cacheRead: 800_000 }, table)!;
  assert.equal(c.inputUsd, 2.5);
  assert.equal(c.cachedInputUsd, undefined);
});

test('cache writes at their own price; cached counts never exceed the input stated', () => {
  const table: PriceTable = { claude: { inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 0.3, cacheWriteInputPerMTok: 3.75 } };
  const c = costOf('claude', { input: 1_000_000, output: 0, cacheRead: 500_000, cacheWrite: 500_000 }, table)!;
  assert.ok(Math.abs(c.inputUsd - (0.15 + 1.875)) < 1e-12, String(c.inputUsd));
  const capped = costOf('claude', { input: 100, output: 0, cacheRead: 1000 }, table)!;
  assert.ok(Math.abs(capped.inputUsd - (100 * 0.3) / 1e6) < 1e-15, 'a span counting cached tokens apart from input is not charged twice');
});

test('statedCost: OpenInference llm.cost.* and Langfuse cost_details', () => {
  assert.deepEqual(statedCost({ 'llm.cost.prompt': 0.0021, 'llm.cost.completion': 0.0045, 'llm.cost.total': 0.0066 }), {
    inputUsd: 0.0021,
    outputUsd: 0.0045,
    totalUsd: 0.0066,
    key: 'llm.cost.total',
  });
  assert.deepEqual(statedCost({ 'llm.cost.prompt': 0.5, 'llm.cost.completion': 0.25 }), { inputUsd: 0.5, outputUsd: 0.25, totalUsd: 0.75, key: 'llm.cost.total' });
  assert.deepEqual(statedCost({ 'langfuse.observation.cost_details': '{"input":0.001,"output":0.002,"total":0.003}' }), {
    inputUsd: 0.001,
    outputUsd: 0.002,
    totalUsd: 0.003,
    key: 'langfuse.observation.cost_details',
  });
  assert.equal(statedCost({ 'langfuse.observation.cost_details': 'not json' }), undefined);
  assert.equal(statedCost({ 'llm.cost.total': 'n/a' }), undefined);
  assert.equal(statedCost({}), undefined);
});
