// A run's summary as its file's index keeps it: the root without what the index implies (the
// run's trace id, the index's file), read back to the summary the spans give.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind, StatusCode, type SpanRecord } from '../../src/core/model/span';
import { TraceStore } from '../../src/core/model/traceStore';
import { summaryFromJson, summaryToJson, type JsonSummary } from '../../src/core/history/fileIndex';

const FILES = ['/work/app/.tracerun/otlp-2026-11-01.jsonl', '/work/other/traces/otlp-2026-11-01.jsonl'];

/** Roots of every shape an index meets: with and without resource name, scope, attributes, error, first chunk. */
function rootOf(traceId: string, file: string, k: number): SpanRecord {
  const startNs = 1_790_000_000_000_000_000n + BigInt(k) * 1_000_000_000n;
  return {
    traceId,
    spanId: `root${k}`,
    parentSpanId: '',
    name: `run ${k}`,
    kind: k % 2 ? SpanKind.Server : SpanKind.Internal,
    startNs,
    endNs: k === 5 ? 0n : startNs + 123_456_789n,
    statusCode: k % 3 === 1 ? StatusCode.Error : StatusCode.Unset,
    errorMessage: k % 3 === 1 ? 'boom' : undefined,
    attributes: k % 2 ? { 'input.value': `q${k}`, 'session.id': 's1', nested: { a: [1, 'two', null] } } : undefined,
    resource: { serviceName: k % 4 === 3 ? undefined : 'svc', attributesStart: 10 * k, attributesEnd: 10 * k + 7 },
    scope: k % 3 === 2 ? undefined : { name: 'openinference', version: k % 2 ? '0.1.18' : undefined },
    origin: { file, line: k + 1, lineStart: 100 * k, lineEnd: 100 * k + 99 },
    byteStart: 100 * k + 5,
    byteEnd: 100 * k + 90,
    ...(k % 4 === 0 ? { facts: 1 } : {}),
    ...(k === 6 ? { firstChunkNs: startNs + 1_000_000n } : {}),
  };
}

function childOf(root: SpanRecord, i: number): SpanRecord {
  return { ...root, spanId: `${root.spanId}-${i}`, parentSpanId: root.spanId, name: `child ${i}`, attributes: undefined, resource: { serviceName: `svc${i}`, attributesStart: 0, attributesEnd: 0 }, startNs: root.startNs + BigInt(i), byteStart: root.byteStart + i };
}

/** What JSON keeps of a value (undefined fields dropped), bigints as they are: the summary an index gave before. */
function asKept(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(asKept);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, asKept(x)]));
}

test('a slim summary reads back to the summary of the spans, for roots with and without resource, scope and attributes', () => {
  for (const file of FILES) {
    for (let k = 0; k < 12; k++) {
      const traceId = `${k.toString(16).padStart(2, '0')}${'ab'.repeat(15)}`;
      const store = new TraceStore();
      const root = rootOf(traceId, file, k);
      store.addSpans(file, [root, childOf(root, 1), childOf(root, 2)]);
      const summary = store.trace(traceId)!.summary();
      const text = JSON.stringify(summaryToJson(summary));
      assert.ok(!text.includes(traceId) && !text.includes(file), 'neither the trace id nor the file is written');
      const back = summaryFromJson(JSON.parse(text) as JsonSummary, traceId, file);
      assert.deepEqual(asKept(back), asKept(summary), `${file} root ${k}`);
      assert.equal(back.root?.traceId, traceId);
      assert.equal(back.root?.origin.file, file);
      assert.equal(back.root?.firstChunkNs, root.firstChunkNs);
    }
  }
});

test('runs restored from the indexes of files in two folders have the summaries the files gave', () => {
  const read = new TraceStore();
  for (const [f, file] of FILES.entries()) {
    for (let k = 0; k < 6; k++) {
      const root = rootOf(`${f}${k}${'cd'.repeat(15)}`, file, k);
      read.addSpans(file, [childOf(root, 1), root]);
    }
  }
  const restored = new TraceStore();
  for (const file of FILES) restored.restoreRuns(file, JSON.parse(JSON.stringify(read.indexRuns(file))));
  assert.equal(restored.traceCount, read.traceCount);
  for (const run of read.runs()) {
    const back = restored.trace(run.traceId)!;
    assert.ok(back.isEvicted, 'known from the index, no span read');
    assert.deepEqual(asKept(back.summary()), asKept(run.summary()), run.traceId);
  }
});
