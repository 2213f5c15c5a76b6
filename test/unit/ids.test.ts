import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeId } from '../../src/core/model/ids';
import { parseNanos } from '../../src/core/model/time';
import { formatDuration } from '../../src/protocol/format';

test('ids: hex is lowercased, 0x stripped, base64 decoded, zero is empty', () => {
  assert.equal(normalizeId('5B8EFFF798038103D269B633813FC60C', 16), '5b8efff798038103d269b633813fc60c');
  assert.equal(normalizeId('0xEEE19B7EC3C1B174', 8), 'eee19b7ec3c1b174');
  const bytes = Buffer.from('5b8efff798038103d269b633813fc60c', 'hex');
  assert.equal(normalizeId(bytes.toString('base64'), 16), '5b8efff798038103d269b633813fc60c');
  assert.equal(normalizeId(Buffer.from('eee19b7ec3c1b174', 'hex').toString('base64'), 8), 'eee19b7ec3c1b174');
  assert.equal(normalizeId('', 8), '');
  assert.equal(normalizeId('0000000000000000', 8), '');
  assert.equal(normalizeId('AAAAAAAAAAA=', 8), '', 'base64 of eight zero bytes is the invalid id');
});

test('ids: a 16-char hex span id that is also valid base64 reads as hex', () => {
  // "deadbeefcafe1234" is valid base64 of 12 bytes, but 16 hex chars is the span id form.
  assert.equal(normalizeId('deadbeefcafe1234', 8), 'deadbeefcafe1234');
});

test('times: nanoseconds beyond 2^53 keep every digit, from strings or numbers', () => {
  assert.equal(parseNanos('1700000000123456789'), 1700000000123456789n);
  assert.equal(parseNanos(' 1700000000123456789 '), 1700000000123456789n);
  assert.equal(parseNanos('42'), 42n);
  assert.equal(parseNanos('1.5e3'), 1500n);
  assert.equal(parseNanos('abc'), undefined);
});

test('durations format with units that suit their size', () => {
  assert.equal(formatDuration(0.0005), '500ns');
  assert.equal(formatDuration(0.25), '250µs');
  assert.equal(formatDuration(3.456), '3.46ms');
  assert.equal(formatDuration(45.2), '45.2ms');
  assert.equal(formatDuration(450), '450ms');
  assert.equal(formatDuration(4520), '4.52s');
  assert.equal(formatDuration(185_000), '3m 05s');
});
