import assert from 'node:assert/strict';
import { test } from 'node:test';
import { msBetween, nsToIso, parseNanos } from '../../src/core/model/time';

test('ISO times keep every nanosecond, also past 2^53', () => {
  assert.equal(nsToIso(parseNanos('1700000000123456789')!), '2023-11-14T22:13:20.123456789Z');
  assert.equal(nsToIso(0n), '1970-01-01T00:00:00.000000000Z');
});

test('a time before 1970 counts its fraction forward from the second before', () => {
  assert.equal(nsToIso(-1n), '1969-12-31T23:59:59.999999999Z');
  assert.equal(nsToIso(-1_500_000_000n), '1969-12-31T23:59:58.500000000Z');
});

test('times a Date cannot hold are shown, never thrown on', () => {
  const huge = parseNanos('99999999999999999999999999')!;
  assert.equal(nsToIso(huge), 'invalid time (99999999999999999999999999 ns)');
  assert.equal(nsToIso(-huge), 'invalid time (-99999999999999999999999999 ns)');
  // The edges of what a Date holds still read as dates, years past 9999 included.
  assert.equal(nsToIso(8_640_000_000_000_000_000_000n), '+275760-09-13T00:00:00.000000000Z');
  assert.equal(nsToIso(8_640_000_001_000_000_000_000n), 'invalid time (8640000001000000000000 ns)');
  assert.equal(nsToIso(253_402_300_800_000_000_000n), '+010000-01-01T00:00:00.000000000Z');
  assert.ok(Number.isFinite(msBetween(0n, huge)));
});
