import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readOtlpJson } from '../../src/core/otlp/otlpJsonReader';
import { TraceStore } from '../../src/core/traceStore';
import { nsToIso } from '../../src/core/time';
import { spanDetailsView, traceView } from '../../src/extension/traceView';
import { ms, otlpLine } from './otlpBuilder';

const TRACE = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

function storeWith(lines: string[]): TraceStore {
  const store = new TraceStore();
  lines.forEach((text, i) => {
    const buf = Buffer.from(text);
    store.addSpans('/t/f.jsonl', readOtlpJson(buf, 0, buf.length, { file: '/t/f.jsonl', line: i + 1, byteBase: 0 }).spans);
  });
  return store;
}

test('waterfall rows are depth-first, children in start order, times relative to the run', () => {
  const store = storeWith([
    otlpLine([{ traceId: TRACE, spanId: '0000000000000003', parentSpanId: '0000000000000001', name: 'second', start: ms(50), end: ms(80) }]),
    otlpLine([{ traceId: TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'first', start: ms(10), end: ms(40), status: { code: 2, message: 'boom' } }]),
    otlpLine([{ traceId: TRACE, spanId: '0000000000000004', parentSpanId: '0000000000000002', name: 'nested', start: ms(12), end: ms(20), attributes: { 'code.filepath': 'a.py' } }]),
    otlpLine([{ traceId: TRACE, spanId: '0000000000000001', name: 'root', start: ms(0), end: ms(100) }]),
  ]);
  const view = traceView(store.trace(TRACE)!, Date.now());
  assert.deepEqual(
    view.rows.map((r) => [r.name, r.depth, r.startMs, r.durationMs]),
    [
      ['root', 0, 0, 100],
      ['first', 1, 10, 30],
      ['nested', 2, 12, 8],
      ['second', 1, 50, 30],
    ],
  );
  assert.equal(view.rows[1].status, 'error');
  assert.equal(view.rows[1].errorMessage, 'boom');
  assert.equal(view.rows[2].hasSource, true);
  assert.equal(view.rows[0].hasSource, false);
  assert.equal(view.header.name, 'root');
  assert.equal(view.header.state, 'complete');
  assert.equal(view.header.errorCount, 1);
  assert.equal(view.header.durationMs, 100);
});

test('span details list attributes sorted, with the source location', () => {
  const store = storeWith([
    otlpLine([{ traceId: TRACE, spanId: '0000000000000001', name: 'root', start: ms(0), end: ms(5), attributes: { 'code.lineno': 7, 'code.filepath': 'agent.py', 'code.function': 'run' } }]),
  ]);
  const trace = store.trace(TRACE)!;
  const d = spanDetailsView(trace, trace.span('0000000000000001')!, undefined);
  assert.deepEqual(d.source, { path: 'agent.py', line: 7, function: 'run' });
  assert.deepEqual(d.attributes.map(([k]) => k), ['code.filepath', 'code.function', 'code.lineno']);
  assert.deepEqual(d.resourceAttributes, [['service.name', 'test-service']]);
});

test('ISO times keep nanoseconds', () => {
  assert.equal(nsToIso(1_700_000_000_123_456_789n), '2023-11-14T22:13:20.123456789Z');
});
