import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReplayAnswer } from '../../src/core/replay/replayAnswer';
import { answersSummary, answersText, answerVariants } from '../../src/core/replay/replayAnswers';

const answer = (text: string, extra: Partial<ReplayAnswer> = {}): ReplayAnswer => ({ text, toolCalls: [], latencyMs: 100, ttftMs: 40, tokens: { input: 10, output: 1 }, startedAtMs: 0, ...extra });

test('answers that say the same share a letter, A the most common; a tie goes to the one first said', () => {
  const call = { name: 'lookup_order', arguments: '{"order_id":"A1"}' };
  const v = answerVariants([
    answer('refunds'),
    answer('orders'),
    answer('orders', { latencyMs: 900 }),
    answer('', { toolCalls: [{ id: 'call_1', ...call }] }),
    answer('', { toolCalls: [{ id: 'call_2', ...call }] }),
  ]);
  // Timing and tool call ids do not make answers differ.
  assert.deepEqual(v.labels, ['C', 'A', 'A', 'B', 'B']);
  assert.deepEqual(v.counts, [
    { label: 'A', count: 2 },
    { label: 'B', count: 2 },
    { label: 'C', count: 1 },
  ]);
});

test('N answers: a header with how many agree and which said what, each answer under its own numbered rule', () => {
  const answers = [answer('orders'), answer('refunds'), answer('orders')];
  assert.equal(answersSummary(answers, [], 3), '2 of 3 answers agree (A ×2, B ×1)');
  assert.equal(answersSummary(answers, ['rate limited'], 4), '2 of 3 answers agree (A ×2, B ×1), 1 failed');
  assert.equal(answersSummary([answer('orders'), answer('orders')], [], 2), '2 of 2 answers agree');
  assert.equal(answersSummary([answer('orders')], [], 3), '1 of 1 answers agree, 2 to come');
  assert.equal(
    answersText(answers, ['rate limited'], 4),
    [
      '━━ answer 1 of 4 · A, as 2 of 3 said · 10 in / 1 out tokens · 100 ms · first token 40 ms',
      'orders',
      '',
      '━━ answer 2 of 4 · B, said once · 10 in / 1 out tokens · 100 ms · first token 40 ms',
      'refunds',
      '',
      '━━ answer 3 of 4 · A, as 2 of 3 said · 10 in / 1 out tokens · 100 ms · first token 40 ms',
      'orders',
      '',
      '⚠ rate limited',
      '',
    ].join('\n'),
  );
});

test('one answer alone is its bare text, so the diff against the recorded answer is line for line', () => {
  assert.equal(answersText([answer('orders')], [], 1), 'orders\n');
  assert.equal(answersSummary([answer('orders')], [], 1), '10 in / 1 out tokens · 100 ms · first token 40 ms');
  assert.equal(answersSummary([], ['401'], 1), 'failed');
});

test('a cancelled replay says after how many of the N answers, and counts no failure for it', () => {
  const answers = [answer('orders'), answer('refunds'), answer('orders')];
  assert.equal(answersSummary(answers, [], 5, true), '2 of 3 answers agree (A ×2, B ×1), cancelled after 3 of 5 answers');
  assert.equal(answersSummary(answers, ['rate limited'], 5, true), '2 of 3 answers agree (A ×2, B ×1), 1 failed, cancelled after 3 of 5 answers');
  assert.equal(answersSummary([], [], 5, true), 'cancelled after 0 of 5 answers');
  assert.equal(answersSummary([], ['rate limited'], 5, true), '1 failed, cancelled after 0 of 5 answers');
  assert.equal(answersSummary([], [], 1, true), 'cancelled');
  assert.equal(answersSummary([answer('orders')], [], 1, true), '10 in / 1 out tokens · 100 ms · first token 40 ms', 'one answer came: its facts');
});
