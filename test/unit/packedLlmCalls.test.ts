// A run's LLM calls packed as numbers (what every evicted run keeps) give back the calls as
// they were: models, tokens and stated costs, so filters, tokens and costs answer the same.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TokenCounts } from '../../src/core/genai/conventions';
import { Trace } from '../../src/core/model/trace';
import { isPackedLlmCalls, packLlmCalls, unpackLlmCalls, type LlmCallFacts } from '../../src/core/runs/packedLlmCalls';
import { callCostUsd, knownLlmCalls, llmCallsForIndex, llmCallsOf, runFacts, type IndexedLlmCalls } from '../../src/core/runs/runFacts';
import { describeSpan, type SpanConventions } from '../../src/core/genai/conventions';
import type { SpanRecord } from '../../src/core/model/span';
import { traceOf, siblingCallsRun } from './siblingCallsRun';
import { rng } from './fuzzing';


const MODELS = ['gpt-4o', 'claude-sonnet', 'llama-3'];
const FIELDS = ['total', 'input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'] as const;

function randomCalls(next: () => number, n: number): LlmCallFacts[] {
  return Array.from({ length: n }, () => {
    let tokens: TokenCounts | undefined;
    if (next() < 0.8) {
      tokens = {};
      // Counts of any size, fractions too (a numeric string may state one), and zero.
      for (const f of FIELDS) if (next() < 0.6) tokens[f] = next() < 0.1 ? 0 : next() < 0.1 ? 12.5 : Math.floor(next() * 2 ** 40);
    }
    return {
      model: next() < 0.85 ? MODELS[Math.floor(next() * MODELS.length)] : undefined,
      tokens,
      statedUsd: next() < 0.3 ? next() * 3 : next() < 0.1 ? 0 : undefined,
    };
  });
}

test('packed calls unpack to the same models, tokens and stated costs, in order, on random calls', () => {
  for (const seed of [1, 2, 3, 42, 2026]) {
    const next = rng(seed);
    const calls = randomCalls(next, Math.floor(next() * 40));
    const models = [...new Set(calls.flatMap((c) => (c.model === undefined ? [] : [c.model])))];
    const packed = packLlmCalls(calls, models);
    assert.deepEqual(packed.models, models);
    assert.deepEqual([...unpackLlmCalls(packed)], calls, `seed ${seed}`);
    assert.ok(isPackedLlmCalls(JSON.parse(JSON.stringify(packed))), `seed ${seed}: reads as packed after JSON`);
    assert.equal(packed.otherModels, undefined);
  }
  assert.deepEqual([...unpackLlmCalls(packLlmCalls([], []))], []);
});

test('a total that is input + output (as most are) is packed as such and read back the same', () => {
  const calls: LlmCallFacts[] = [
    { model: 'gpt-4o', tokens: { total: 30, input: 10, output: 20 }, statedUsd: undefined },
    { model: 'gpt-4o', tokens: { total: 7, output: 7 }, statedUsd: undefined },
    { model: undefined, tokens: { total: 4, input: 4, cacheRead: 2 }, statedUsd: 0.25 },
    // A stated total that is not the sum stays as stated.
    { model: 'gpt-4o', tokens: { total: 99, input: 10, output: 20 }, statedUsd: undefined },
    { model: 'gpt-4o', tokens: { total: 0 }, statedUsd: undefined },
    { model: 'gpt-4o', tokens: { total: 0.30000000000000004, input: 0.1, output: 0.2 }, statedUsd: undefined },
  ];
  const packed = packLlmCalls(calls, ['gpt-4o']);
  assert.deepEqual([...unpackLlmCalls(packed)], calls);
  assert.ok(isPackedLlmCalls(packed));
  assert.ok(packed.numbers.length < 20, `${packed.numbers.length} numbers for 6 calls`);
});

test('a call naming a model its run does not list (an index that disagrees with itself) keeps that model', () => {
  const calls: LlmCallFacts[] = [
    { model: 'listed', tokens: { total: 3, input: 1, output: 2 }, statedUsd: undefined },
    { model: 'not-listed', tokens: undefined, statedUsd: 0.5 },
    { model: 'not-listed', tokens: undefined, statedUsd: undefined },
    { model: 'also-not', tokens: undefined, statedUsd: undefined },
  ];
  const packed = packLlmCalls(calls, ['listed']);
  assert.deepEqual(packed.otherModels, ['not-listed', 'also-not']);
  assert.deepEqual([...unpackLlmCalls(packed)], calls);
});

test("a run's facts from its spans and from its index (packed either way) give the same models, calls and cost", () => {
  const PRICES = { 'fake-claude-*': { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 } };
  const trace = traceOf(siblingCallsRun());
  const fromSpans = runFacts(trace, PRICES);
  const indexed: IndexedLlmCalls = JSON.parse(JSON.stringify(llmCallsForIndex(trace)));
  // The reference: the calls as objects (`llmCallsOf`), before any packing.
  const described = new Map<SpanRecord, SpanConventions>();
  for (const span of trace.allSpans()) {
    const d = describeSpan(span);
    if (d.kind === 'llm') described.set(span, d);
  }
  const calls = llmCallsOf(described, (id) => trace.span(id), trace.spanCount).sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
  let cost: number | undefined;
  for (const c of calls) {
    const usd = callCostUsd(c, PRICES);
    if (usd !== undefined) cost = (cost ?? 0) + usd;
  }
  assert.equal(fromSpans.costUsd, cost);
  assert.deepEqual(fromSpans.models, [...new Set(calls.flatMap((c) => (c.model === undefined ? [] : [c.model])))]);
  assert.deepEqual([...unpackLlmCalls(indexed)], calls.map((c) => ({ model: c.model, tokens: c.tokens, statedUsd: c.statedUsd })));

  const restored = Trace.restored(trace.traceId, trace.summary(), () => [...trace.allSpans()]);
  knownLlmCalls(restored, indexed);
  assert.deepEqual(runFacts(restored, PRICES), fromSpans);
  assert.deepEqual(runFacts(restored), runFacts(trace));
  assert.deepEqual(llmCallsForIndex(restored), indexed);
  assert.ok(restored.isEvicted, 'not read back');
});

test('an index whose calls are not what this version writes is ignored: the run is worked out from its spans', () => {
  const trace = traceOf(siblingCallsRun());
  const restored = Trace.restored(trace.traceId, trace.summary(), () => [...trace.allSpans()]);
  const good = llmCallsForIndex(trace)!;
  const wrong: unknown[] = [
    { models: 'gpt', numbers: [] },
    { models: good.models, calls: [] },
    { models: good.models, numbers: [...good.numbers, 2 + 8] },
    { models: good.models, numbers: good.numbers.slice(0, -1) },
    { models: [], numbers: good.numbers },
    { models: good.models, numbers: [2 + 4 + 1024] },
    { models: good.models, numbers: [4, 10] },
    { models: good.models, numbers: ['1'] },
    null,
  ];
  for (const w of wrong) {
    const restored = Trace.restored(trace.traceId, trace.summary(), () => [...trace.allSpans()]);
    knownLlmCalls(restored, w as IndexedLlmCalls);
    assert.equal(llmCallsForIndex(restored), undefined, JSON.stringify(w));
    assert.deepEqual(runFacts(restored), runFacts(trace), 'worked out from the spans');
  }
  assert.ok(isPackedLlmCalls(JSON.parse(JSON.stringify(good))));
});
