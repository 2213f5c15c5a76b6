// Fetched traces are held within a byte budget: past it the earliest fetched are let go,
// the one just fetched always stays, and fetching one again makes it the newest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forgetMemorySource, putMemorySource } from '../../src/core/ingest/spanSource';
import type { RemoteSpans } from '../../src/core/remote/jaegerClient';
import { RemoteHoldings } from '../../src/core/remote/remoteHoldings';

function fetched(name: string, bytes: number): RemoteSpans {
  putMemorySource(name, Buffer.alloc(bytes));
  return { sources: [name], spans: [], traceIds: [name], problems: [] };
}

test('past the budget the earliest fetched are let go; the newest always stays', (t) => {
  t.after(() => ['a', 'b', 'c', 'd'].forEach(forgetMemorySource));
  const holdings = new RemoteHoldings(1000);
  assert.deepEqual(holdings.add(fetched('a', 400), ['a']), []);
  assert.deepEqual(holdings.add(fetched('b', 400), ['b']), []);
  // Fetched again: merged, and now the newest, so b is the earliest.
  assert.deepEqual(holdings.add(fetched('a', 400), ['a2']), []);
  const dropped = holdings.add(fetched('c', 400), ['c']);
  assert.deepEqual(dropped.map((h) => h.traceIds), [['b']]);
  assert.deepEqual([...holdings.values()].map((h) => h.traceIds), [['a', 'a2'], ['c']]);
  const huge = holdings.add(fetched('d', 5000), ['d']);
  assert.deepEqual(huge.map((h) => h.traceIds), [['a', 'a2'], ['c']], 'a body over the budget alone still stays');
  assert.deepEqual([...holdings.values()].map((h) => h.traceIds), [['d']]);
});
