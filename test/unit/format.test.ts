import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationDeltaText, formatDuration, signedDuration, startedLabel, tokensLabel, tokensText } from '../../src/protocol/format';

test('a run started today shows the time of day; an older one the date too', () => {
  const now = new Date(2026, 10, 24, 15, 30, 0).getTime();
  assert.equal(startedLabel(new Date(2026, 10, 24, 9, 5, 7).getTime(), now, 'en-GB'), '09:05:07');
  assert.equal(startedLabel(new Date(2026, 10, 23, 23, 59, 0).getTime(), now, 'en-GB'), '23 Nov, 23:59');
  assert.equal(startedLabel(new Date(2025, 10, 24, 9, 5, 7).getTime(), now, 'en-GB'), '24 Nov, 09:05', 'same day of another year is not today');
});

test('durations keep the Runs view units', () => {
  assert.deepEqual([0.0005, 0.5, 5, 50, 500, 5000, 65_000, 3_700_000].map(formatDuration), ['500ns', '500µs', '5.00ms', '50.0ms', '500ms', '5.00s', '1m 05s', '1h 01m']);
});

test('a change of duration has a sign always, and an unchanged one says so rather than a signed zero', () => {
  assert.equal(durationDeltaText(120, 35.4), '+120ms (+35%)');
  assert.equal(durationDeltaText(-1200, -12.2), '−1.20s (−12%)', 'a minus sign, not a hyphen');
  assert.equal(durationDeltaText(0.0004), '+400ns', 'no percentage when A took no time');
  assert.equal(durationDeltaText(0, 0), 'same time');
  assert.equal(durationDeltaText(undefined), '', 'a side with no duration');
  assert.deepEqual([150, -2, 0].map(signedDuration), ['+150ms', '−2.00ms', '±0ns']);
});

test('tokens: one formatter for the webview, the Runs view tooltips and the CLI, one for short labels', () => {
  assert.equal(tokensText({ input: 1480, output: 112, total: 1592 }), '1,592 (1,480 in · 112 out)');
  assert.equal(tokensText({ input: 1480, output: 112, total: 1592 }, 'tokens'), '1,592 tokens (1,480 in · 112 out)');
  assert.equal(tokensText({ input: 1480, output: 112 }, 'tokens'), '1,592 tokens (1,480 in · 112 out)', 'total from the split');
  assert.equal(tokensText({ total: 9 }, 'tokens'), '9 tokens', 'no split');
  assert.equal(tokensLabel({ input: 1480, output: 112, total: 1592 }), '1,592 tok');
  assert.equal(tokensLabel({ input: 3 }), undefined);
  assert.equal(tokensLabel(undefined), undefined);
});
