import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import { searchSpans } from '../../src/core/waterfall/spanSearch';
import { otlpLine } from './otlpBuilder';

const TRACE = 'abababababababababababababababab';

test('search finds spans by attribute values, inputs and outputs, case-insensitively, and nothing else', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tracerun-search-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'a.jsonl');
  writeFileSync(
    file,
    otlpLine([
      { traceId: TRACE, spanId: '0000000000000001', name: 'root', start: 1, end: 9, attributes: { 'input.value': 'Where is order "A1042"?\nThanks' } },
      { traceId: TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'tool', start: 2, end: 3, attributes: { 'output.value': '{"status":"Delivered to NEIGHBOUR"}' } },
      { traceId: TRACE, spanId: '0000000000000003', parentSpanId: '0000000000000001', name: 'llm', start: 3, end: 4, attributes: { 'gen_ai.request.model': 'gpt-4o' } },
    ], 'svc-neighbour') + otlpLine([{ traceId: TRACE, spanId: '0000000000000004', parentSpanId: '0000000000000001', name: 'late', start: 5, end: 6, attributes: { note: 'delivered late' } }]),
  );
  const { store } = await readTraceFiles([file]);
  const spans = [...store.trace(TRACE)!.allSpans()];
  assert.deepEqual((await searchSpans(spans, 'delivered')).sort(), ['0000000000000002', '0000000000000004']);
  assert.deepEqual(await searchSpans(spans, 'neighbour'), ['0000000000000002'], 'the resource between spans does not count');
  assert.deepEqual(await searchSpans(spans, 'order "A1042"?\nthanks'), ['0000000000000001'], 'quotes and newlines match their JSON escapes');
  assert.deepEqual(await searchSpans(spans, 'nowhere'), []);
});
