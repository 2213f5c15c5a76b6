import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShardedMap } from '../../src/core/util/shardedMap';

test('a big map splits, span ids spread over all 16 shards; get, has, delete and iteration behave as a Map', () => {
  const map = new ShardedMap<number>(100);
  const ids = Array.from({ length: 1600 }, (_, i) => (i * 2654435761 >>> 0).toString(16).padStart(16, '0'));
  ids.forEach((id, i) => map.set(id, i));
  ids.push('UPPERCASEF', 'not-hex-z');
  map.set('UPPERCASEF', -1).set('not-hex-z', -2);
  assert.equal(map.size, ids.length);
  const shardSizes = (map as unknown as { shards: Map<string, number>[] }).shards.map((s) => s.size);
  assert.ok(shardSizes.every((n) => n > 50), `every shard holds a share: ${shardSizes.join(' ')}`);
  assert.equal(map.get(ids[7]), 7);
  assert.equal(map.has('nope'), false);
  for (const [id, value] of map.entries()) if (value % 2 === 0) map.delete(id);
  assert.equal([...map.values()].every((v) => v % 2 !== 0), true);
  assert.equal(map.size, ids.length / 2);
});

test('a small map stays one Map', () => {
  const map = new ShardedMap<number>(100);
  for (let i = 0; i < 100; i++) map.set(`id${i}`, i);
  map.set('id5', 55);
  assert.equal((map as unknown as { shards: unknown }).shards, undefined);
  assert.equal(map.get('id5'), 55);
  map.set('id100', 100);
  assert.equal((map as unknown as { shards: unknown[] }).shards.length, 16, 'split at the 101st key');
  assert.deepEqual([...map.values()].sort((a, b) => a - b).slice(0, 3), [0, 1, 2]);
  assert.equal(map.size, 101);
});
