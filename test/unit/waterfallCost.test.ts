import assert from 'node:assert/strict';
import { test } from 'node:test';
import { costOf, findPrice, type PriceTable } from '../../src/core/genai/cost';

const PRICES: PriceTable = {
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'claude-3-5-sonnet': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-3-5-sonnet-20240620': { inputPerMTok: 3.5, outputPerMTok: 15 },
  'gemini-1.5-*': { inputPerMTok: 1.25, outputPerMTok: 5 },
  'gemini-1.5-flash*': { inputPerMTok: 0.075, outputPerMTok: 0.3 },
  '*llama-3.1-70b*': { inputPerMTok: 0.9, outputPerMTok: 0.9 },
};

test('cost is tokens × price per million, input and output apart', () => {
  const c = costOf('gpt-4o', { input: 1_000_000, output: 500_000, total: 1_500_000 }, PRICES)!;
  assert.deepEqual(c, { inputUsd: 2.5, outputUsd: 5, totalUsd: 7.5, priceKey: 'gpt-4o' });
  const small = costOf('gpt-4o-mini', { input: 1000, output: 200 }, PRICES)!;
  assert.ok(Math.abs(small.totalUsd - (1000 * 0.15 + 200 * 0.6) / 1e6) < 1e-15);
  assert.equal(costOf('gpt-4o', { output: 100 }, PRICES)?.inputUsd, 0, 'a missing side costs nothing');
});

test('exact names first, case-insensitively', () => {
  assert.equal(findPrice('GPT-4o-Mini', PRICES)?.key, 'gpt-4o-mini');
  assert.equal(findPrice('claude-3-5-sonnet-20240620', PRICES)?.key, 'claude-3-5-sonnet-20240620');
});

test('plain names cover dated and versioned snapshots, not other models', () => {
  assert.equal(findPrice('gpt-4o-2024-08-06', PRICES)?.key, 'gpt-4o');
  assert.equal(findPrice('claude-3-5-sonnet@20241022', PRICES)?.key, 'claude-3-5-sonnet');
  assert.equal(findPrice('claude-3-5-sonnet-20241022', PRICES)?.key, 'claude-3-5-sonnet');
  assert.equal(findPrice('gpt-4o-mini-2024-07-18', PRICES)?.key, 'gpt-4o-mini', 'the longer name wins');
  assert.equal(findPrice('gpt-4o-audio-preview', PRICES), undefined, 'gpt-4o does not price gpt-4o-audio-preview');
  assert.equal(findPrice('gpt-4', PRICES), undefined);
});

test('globs match whole names; the most specific wins', () => {
  assert.equal(findPrice('gemini-1.5-pro-002', PRICES)?.key, 'gemini-1.5-*');
  assert.equal(findPrice('gemini-1.5-flash-8b', PRICES)?.key, 'gemini-1.5-flash*');
  assert.equal(findPrice('accounts/fireworks/models/llama-3.1-70b-instruct', PRICES)?.key, '*llama-3.1-70b*');
  assert.equal(findPrice('gemini-2.0-flash', PRICES), undefined);
});

test('a provider prefix is cut off when the full name has no price', () => {
  assert.equal(findPrice('openai/gpt-4o', PRICES)?.key, 'gpt-4o');
  assert.equal(findPrice('models/gemini-1.5-flash-002', PRICES)?.key, 'gemini-1.5-flash*');
});

test('no model, no price, or no split of tokens: no cost', () => {
  assert.equal(costOf(undefined, { input: 1 }, PRICES), undefined);
  assert.equal(costOf('mystery-model', { input: 1, output: 1 }, PRICES), undefined);
  assert.equal(costOf('gpt-4o', { total: 1000 }, PRICES), undefined);
  assert.equal(costOf('gpt-4o', undefined, PRICES), undefined);
});

test('a Map works as a price table too', () => {
  const table = new Map([['o3', { inputPerMTok: 2, outputPerMTok: 8 }]]);
  assert.equal(costOf('o3-2025-04-16', { input: 500_000, output: 0 }, table)?.totalUsd, 1);
});
