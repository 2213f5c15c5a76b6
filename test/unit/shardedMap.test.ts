import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ShardedMap } from '../../src/core/shardedMap';

test('span ids spread over all 16 shards; get, has, delete and iteration behave as a Map', () => {
  const map = new ShardedMap<number>();
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
