// One model call recorded twice side by side (OpenLLMetry's `anthropic.chat` beside the
// Anthropic SDK's `anthropic.messages.create`): recognised by parent, response id and time,
// and its tokens counted once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeSpan } from '../../src/core/genai/conventions';
import { runTokens } from '../../src/core/genai/runTokens';
import { areSiblingLlmCalls, RESPONSE_ID_KEYS, siblingTwinsOf } from '../../src/core/genai/siblingLlmCalls';
import { traceTokens } from '../../src/core/genai/traceTokens';
import type { SpanRecord } from '../../src/core/model/span';
import { INDEXED_ATTRIBUTE_KEYS } from '../../src/core/model/indexedAttributes';
import type { Trace } from '../../src/core/model/trace';
import type { TestSpan } from './otlpBuilder';
import { SIBLING_IDS, SIBLINGS_TOKENS, SIBLINGS_TRACE, siblingCallsRun, traceOf } from './siblingCallsRun';

const llmSpans = (trace: Trace): SpanRecord[] => [...trace.allSpans()].filter((s) => describeSpan(s).kind === 'llm');

test('the response id is kept in memory: the index reads it for every span', () => {
  for (const key of RESPONSE_ID_KEYS) assert.ok(INDEXED_ATTRIBUTE_KEYS.has(key), key);
});

test("each SDK span beside OpenLLMetry's span of the same call is its twin; consecutive calls repeating an id are not", () => {
  const trace = traceOf(siblingCallsRun());
  const twins = siblingTwinsOf(llmSpans(trace));
  assert.deepEqual(
    [...twins].map(([twin, call]) => [twin.spanId, call.spanId]).sort(),
    SIBLING_IDS.sdks.map((sdk, i) => [sdk, SIBLING_IDS.chats[i]]).sort(),
    'the SDK span folds into the anthropic.chat that started first and wraps it',
  );
  const [chat1, chat2] = SIBLING_IDS.chats.slice(1).map((id) => trace.span(id)!);
  assert.equal(areSiblingLlmCalls(chat1, chat2), false, 'the same id, one after the other: two calls');
  assert.equal(areSiblingLlmCalls(trace.span(SIBLING_IDS.sdks[1])!, chat2), false);
  assert.equal(areSiblingLlmCalls(trace.span(SIBLING_IDS.sdks[2])!, chat2), true);
});

test('no response id, another parent, no overlap or still running: not twins', () => {
  const [sdk, , , chat] = siblingCallsRun();
  const withoutId = (s: TestSpan): TestSpan => ({ ...s, attributes: { ...s.attributes, 'gen_ai.response.id': undefined } });
  const cases: [string, TestSpan[]][] = [
    ['no response id on either', [withoutId(sdk), withoutId(chat)]],
    ['no response id on one', [withoutId(sdk), chat]],
    ['other response ids', [{ ...sdk, attributes: { ...sdk.attributes, 'gen_ai.response.id': 'msg_2' } }, chat]],
    ['another parent', [{ ...sdk, parentSpanId: SIBLING_IDS.draft }, chat]],
    ['one after the other', [{ ...sdk, start: BigInt(chat.end) + 1n, end: BigInt(chat.end) + 5_000_000n }, chat]],
    // The JS SDK cuts start times to the millisecond, not end times: a call started within a
    // millisecond of the last one's end seems to start before it ended (seen in CI).
    ['one starting the instant the other ended', [{ ...sdk, start: BigInt(chat.end), end: BigInt(chat.end) + 5_000_000n }, chat]],
    ['one cut to the millisecond before the other ended', [{ ...sdk, start: BigInt(chat.end) - 800_000n, end: BigInt(chat.end) + 60_000_000n }, chat]],
    ['one still running', [{ ...sdk, end: 0 }, chat]],
  ];
  for (const [what, spans] of cases) {
    const trace = traceOf(spans.map((s) => ({ ...s, attributes: Object.fromEntries(Object.entries(s.attributes ?? {}).filter(([, v]) => v !== undefined)) })));
    assert.equal(siblingTwinsOf(llmSpans(trace)).size, 0, what);
    assert.deepEqual(traceTokens(trace), { input: 12, output: 2, total: 14, cacheRead: 0, cacheWrite: 0 }, `${what}: counted twice`);
  }
});

test("a run's tokens count each call recorded side by side once: 26/42, not 52/84", () => {
  const trace = traceOf(siblingCallsRun());
  assert.equal(trace.traceId, SIBLINGS_TRACE);
  const tokens = traceTokens(trace);
  assert.deepEqual({ input: tokens?.input, output: tokens?.output }, SIBLINGS_TOKENS);
  assert.deepEqual(runTokens(trace.allSpans()), tokens, 'runTokens with its own index of the spans agrees');
});

test('of three spans of one call side by side, one counts; spans without times (no way to tell) all count', () => {
  const [sdk, , , chat] = siblingCallsRun();
  const third: TestSpan = { ...sdk, spanId: 'aaaaaaaaaaaaaaaa', name: 'chat fake-claude-haiku', start: BigInt(sdk.start) + 1_000_000n };
  assert.deepEqual(traceTokens(traceOf([sdk, chat, third]))?.input, 6);
  const untimed = [...traceOf([sdk, chat]).allSpans()].map(({ name, kind, attributes, spanId, parentSpanId }) => ({ name, kind, attributes, spanId, parentSpanId }));
  assert.equal(runTokens(untimed)?.input, 12);
});

test('calls that follow one another under one repeated id are compared with the calls still running only', () => {
  // 20,000 calls in a row answered with one id (a local server's constant id): every pair
  // compared would be 200 million comparisons; the sweep makes it one pass.
  const calls = Array.from({ length: 20_000 }, (_, i) => ({
    attributes: { 'gen_ai.response.id': 'chatcmpl-local' },
    parentSpanId: 'p',
    startNs: BigInt(i) * 10_000_000n,
    endNs: BigInt(i) * 10_000_000n + 9_000_000n,
  }));
  let compared = 0;
  const counted = calls.map((c) => ({
    ...c,
    get endNs() {
      compared++;
      return c.endNs;
    },
  }));
  assert.equal(siblingTwinsOf(counted).size, 0);
  assert.ok(compared < 10 * calls.length, `${compared} reads of an end for ${calls.length} calls`);
});
