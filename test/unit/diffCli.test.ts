// `tracerun diff`: the JSON shape the issue gives, the text form, and its usage errors.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { runCli } from '../../src/cli/cli';
import { hexId, ms, otlpLine, type TestSpan } from './otlpBuilder';
import { tempDir } from './tempDir';

const A = 'a1'.repeat(16);
const B = 'b2'.repeat(16);

/** A good run (A) and one whose tool call failed and that retried its model call (B). */
function writeRuns(t: TestContext): { file: string; ids: Record<string, string> } {
  const ids: Record<string, string> = {};
  const span = (trace: string, key: string, parent: string, name: string, start: number, end: number, more: Partial<TestSpan> = {}): TestSpan => {
    ids[key] = hexId(8);
    return { traceId: trace, spanId: ids[key], parentSpanId: parent ? ids[parent] : '', name, start: ms(start), end: ms(end), ...more };
  };
  const args = { 'gen_ai.tool.call.arguments': '{"order_id":"A1042"}' };
  const a = [
    span(A, 'aRoot', '', 'agent', 0, 100, { attributes: { 'input.value': 'Where is A1042?', 'output.value': 'Out for delivery.' } }),
    span(A, 'aLlm', 'aRoot', 'chat', 1, 20),
    span(A, 'aTool', 'aRoot', 'lookup_order', 21, 40, { attributes: { ...args, 'gen_ai.tool.call.result': '{"status":"out for delivery"}' } }),
  ];
  const b = [
    span(B, 'bRoot', '', 'agent', 0, 150, { attributes: { 'input.value': 'Where is A1042?', 'output.value': 'Sorry.' }, status: { code: 2, message: 'failed' } }),
    span(B, 'bLlm', 'bRoot', 'chat', 1, 30),
    span(B, 'bTool', 'bRoot', 'lookup_order', 31, 60, { attributes: args, status: { code: 2, message: 'OrdersAPIError: timeout (504)' } }),
    span(B, 'bLlm2', 'bRoot', 'chat', 61, 80),
  ];
  const file = path.join(tempDir(t), 'runs.jsonl');
  writeFileSync(file, otlpLine(a) + otlpLine(b));
  return { file, ids };
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('diff --json: pairs in the order A ran, spans only in B where they fall, and the first divergence', async (t) => {
  const { file, ids } = writeRuns(t);
  const r = await run(['diff', file, '--trace', A, '--trace', B.slice(0, 12), '--json']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.a, A);
  assert.equal(doc.b, B);
  assert.deepEqual(doc.pairs, [
    { a: { spanId: ids.aRoot, name: 'agent' }, b: { spanId: ids.bRoot, name: 'agent' }, durationDeltaMs: 50, statusChanged: true, inputDiffers: false, outputDiffers: true, messagesDiffer: false },
    { a: { spanId: ids.aLlm, name: 'chat' }, b: { spanId: ids.bLlm, name: 'chat' }, durationDeltaMs: 10, statusChanged: false, inputDiffers: false, outputDiffers: false, messagesDiffer: false },
    { a: { spanId: ids.aTool, name: 'lookup_order' }, b: { spanId: ids.bTool, name: 'lookup_order' }, durationDeltaMs: 10, statusChanged: true, inputDiffers: false, outputDiffers: true, messagesDiffer: false },
    { a: null, b: { spanId: ids.bLlm2, name: 'chat' }, durationDeltaMs: null, statusChanged: null, inputDiffers: null, outputDiffers: null, messagesDiffer: null },
  ]);
  assert.deepEqual(doc.firstDivergence, { a: ids.aTool, b: ids.bTool, name: 'lookup_order', reason: 'status', summary: '`lookup_order` failed in B only: OrdersAPIError: timeout (504)' });
});

test('diff as text: the first difference, then the aligned tree with what changed', async (t) => {
  const { file } = writeRuns(t);
  const r = await run(['diff', file, '--trace', A, '--trace', B]);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(lines[2], 'first difference: `lookup_order` failed in B only: OrdersAPIError: timeout (504)');
  assert.deepEqual(lines.slice(4), [
    '  agent  +50.0ms (+50%)  status ok → error  output differs',
    '    chat  +10.0ms (+53%)',
    '▶   lookup_order  +10.0ms (+53%)  status ok → error  output differs',
    '    + chat  (only in B)',
  ]);
});

test('diff needs two runs that exist', async (t) => {
  const { file } = writeRuns(t);
  const one = await run(['diff', file, '--trace', A]);
  assert.equal(one.code, 2);
  assert.match(one.err, /diff needs two runs: --trace A --trace B \(got 1\)/);
  const missing = await run(['diff', file, '--trace', A, '--trace', 'ffff']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no run with trace id ffff/);
});

test('diff as text: a span that took the same time in both runs says so, with no sign that reads as slower', async (t) => {
  const span = (trace: string, id: string, parent: string, name: string, start: number, end: number): TestSpan => ({ traceId: trace, spanId: id, parentSpanId: parent, name, start: ms(start), end: ms(end) });
  const file = path.join(tempDir(t), 'same.jsonl');
  const [aRoot, aStep, bRoot, bStep] = [hexId(8), hexId(8), hexId(8), hexId(8)];
  writeFileSync(file, otlpLine([span(A, aRoot, '', 'agent', 0, 100), span(A, aStep, aRoot, 'plan', 10, 40)]) + otlpLine([span(B, bRoot, '', 'agent', 0, 120), span(B, bStep, bRoot, 'plan', 10, 40)]));
  const r = await run(['diff', file, '--trace', A, '--trace', B]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.split('\n').slice(4), ['  agent  +20.0ms (+20%)', '    plan  same time']);
});
