import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findPrice, globMatches } from '../../src/core/genai/cost';
import { withinMs } from './timeBudget';

const PRICE = { inputPerMTok: 1, outputPerMTok: 2 };

test('a price key of 12 stars against a 36-character model name is decided at once', () => {
  const glob = `${'*a'.repeat(12)}*b`;
  const table = { [glob]: PRICE, 'gpt-4o': PRICE };
  assert.equal(withinMs(5000, () => findPrice('a'.repeat(36), table)), undefined);
  assert.equal(withinMs(5000, () => findPrice(`${'a'.repeat(36)}b`, table))?.key, glob);
  assert.equal(withinMs(5000, () => globMatches('*?'.repeat(200), 'x'.repeat(10_000))), true);
});

test('globs match as the regular expressions they used to be turned into', () => {
  const alphabet = ['a', 'b', '-', '.', '*', '?', '*', '?'];
  let seed = 5;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const word = (max: number, chars: string[]) => Array.from({ length: Math.floor(next() * max) }, () => chars[Math.floor(next() * chars.length)]).join('');
  let matched = 0;
  for (let i = 0; i < 20_000; i++) {
    const glob = word(8, alphabet);
    const name = word(10, alphabet.slice(0, 4));
    const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    const want = re.test(name);
    if (want) matched++;
    assert.equal(globMatches(glob, name), want, `${JSON.stringify(glob)} ~ ${JSON.stringify(name)}`);
  }
  assert.ok(matched > 1000, `only ${matched} matches`);
});
