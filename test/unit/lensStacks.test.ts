// Lenses place a failed span without code.* where its stack trace says it failed, as Go to
// Source does: the error text kept in memory first, else its details read back from its file
// (a few per build, each once); a stack that names nothing here leaves it at its name's place.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadSpanDetails, type SpanOnDisk } from '../../src/core/ingest/spanDetails';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import { StackPlaces } from '../../src/core/source/failedSpanStacks';
import { buildSpanLocations, failedSpanKey, rangeLenses, type CodeRange } from '../../src/core/source/functionSpans';
import { digestsToJson, knownDigest, runDigests, type RunDigest } from '../../src/core/source/runDigest';
import { sourceFileKey } from '../../src/core/source/sourceIndex';
import { runSteps } from '../../src/core/util/steps';
import { TraceStore } from '../../src/core/model/traceStore';
import { attr, ms, otlpLine } from './otlpBuilder';
import { tempDir } from './tempDir';

const TRACE = 'cd'.repeat(16);
const id = (n: number) => String(n).padStart(16, '0');
// Recorded in a container: /build/app is the workspace.
const STACK = ['Error: order 42 not found', '    at lookupOrder (/build/app/src/orders.ts:7:23)', '    at answer (/build/app/src/agent.ts:8:60)', '    at run (/build/app/node_modules/runner/index.js:3:1)'].join('\n');
const FUNCTIONS: CodeRange[] = [
  { name: 'lookupOrder', startLine: 5, endLine: 10, nameLine: 5 },
  { name: 'cancelOrder', startLine: 12, endLine: 14, nameLine: 12 },
];

async function setUp(t: import('node:test').TestContext) {
  const ws = tempDir(t, 'tracerun-ws-');
  mkdirSync(path.join(ws, 'src'));
  for (const f of ['orders.ts', 'agent.ts']) writeFileSync(path.join(ws, 'src', f), '\n');
  const file = path.join(ws, 'traces.jsonl');
  writeFileSync(
    file,
    otlpLine([
      { traceId: TRACE, spanId: id(1), name: 'support_agent.run', start: ms(0), end: ms(900), attributes: { 'code.filepath': 'src/agent.ts', 'code.lineno': 8 } },
      { traceId: TRACE, spanId: id(2), parentSpanId: id(1), name: 'lookup cached', start: ms(10), end: ms(110), attributes: { 'code.filepath': 'src/orders.ts', 'code.lineno': 6 } },
      // The stack only in an exception event, left on disk: read back.
      {
        traceId: TRACE,
        spanId: id(3),
        parentSpanId: id(1),
        name: 'execute_tool lookup',
        start: ms(600),
        end: ms(650),
        status: { code: 2, message: 'order 42 not found' },
        events: [{ name: 'exception', timeUnixNano: String(ms(640)), attributes: [attr('exception.message', 'order 42 not found'), attr('exception.stacktrace', STACK)] }],
      },
      // The stack in its status message, kept in memory: no read.
      { traceId: TRACE, spanId: id(4), parentSpanId: id(1), name: 'tool', start: ms(700), end: ms(710), status: { code: 2, message: STACK } },
      // Failed, no stack: where its name points (cancelOrder).
      { traceId: TRACE, spanId: id(5), parentSpanId: id(1), name: 'execute_tool cancelOrder', start: ms(720), end: ms(730), status: { code: 2, message: 'refused' } },
    ]),
  );
  const { store } = await readTraceFiles([file]);
  return { ws, file, store };
}

const exists = async (file: string) => (await fs.stat(file).catch(() => undefined))?.isFile() === true;

async function lensesOf(ws: string, digests: RunDigest[], stacks: StackPlaces | undefined) {
  const cancel = { file: path.join(ws, 'src', 'orders.ts'), line: 12 };
  const places = {
    path: (recorded: string) => path.join(ws, recorded),
    name: (key: string) => (key.startsWith('execute_tool cancelOrder\u0000') ? cancel : undefined),
    ...(stacks ? { stack: (spanKey: string) => stacks.get(spanKey) ?? undefined } : {}),
  };
  const locations = runSteps(buildSpanLocations(digests, places));
  return rangeLenses(locations.get(sourceFileKey(path.join(ws, 'src', 'orders.ts'))) ?? [], FUNCTIONS).map((l) => [l.name, l.stats.count, l.stats.failed, l.stats.recent.map((r) => r.name)]);
}

test('a failed span without code.* counts in the lens of the function its stack trace fails in; one without a stack where its name points', async (t) => {
  const { ws, store } = await setUp(t);
  const digests = runSteps(runDigests(store.runs()));
  const reads: string[] = [];
  const load = (span: SpanOnDisk) => (reads.push(span.spanId), loadSpanDetails(span));
  const stacks = new StackPlaces();
  assert.deepEqual(await stacks.resolve(digests.flatMap((d) => d.failed), { folders: [ws], exists }, load), { more: false });
  assert.deepEqual(reads.sort(), [id(3), id(5)], 'the stack in the status message needed no read');
  assert.deepEqual(stacks.get(failedSpanKey({ traceId: TRACE, spanId: id(3) })), { file: path.join(ws, 'src', 'orders.ts'), line: 7 });
  assert.equal(stacks.get(failedSpanKey({ traceId: TRACE, spanId: id(5) })), null);
  assert.deepEqual(await lensesOf(ws, digests, stacks), [
    ['lookupOrder', 3, 2, ['tool', 'execute_tool lookup', 'lookup cached']],
    ['cancelOrder', 1, 1, ['execute_tool cancelOrder']],
  ]);
  // Known spans are not read again.
  await stacks.resolve(digests.flatMap((d) => d.failed), { folders: [ws], exists }, load);
  assert.equal(reads.length, 2);
  // A restored run's digest (from its file's index) places them the same.
  const restored = new TraceStore();
  const spans = [...store.runs()[0].allSpans()];
  restored.addSpans(spans[0].origin.file, spans);
  knownDigest(restored.runs()[0], spans[0].origin.file, JSON.parse(JSON.stringify(digestsToJson(digests)))[0]);
  assert.deepEqual(await lensesOf(ws, runSteps(runDigests(restored.runs())), stacks), await lensesOf(ws, digests, stacks));
});

test('stacks are read a few per build: the rest are left for the next one', async (t) => {
  const { ws, store } = await setUp(t);
  const failed = runSteps(runDigests(store.runs())).flatMap((d) => d.failed);
  const stacks = new StackPlaces();
  assert.deepEqual(await stacks.resolve(failed, { folders: [ws], exists }, loadSpanDetails, 1), { more: true });
  assert.deepEqual(await stacks.resolve(failed, { folders: [ws], exists }, loadSpanDetails, 1), { more: false });
});

test('past the cap of answers kept, no build reads again what the last one read: the rest count by name, and a run gone lets its answers go', async (t) => {
  const { ws, store } = await setUp(t);
  const failed = runSteps(runDigests(store.runs())).flatMap((d) => d.failed);
  assert.ok(failed.length >= 2);
  let reads = 0;
  const counting = (span: SpanOnDisk) => (reads++, loadSpanDetails(span));
  const stacks = new StackPlaces(1);
  for (let build = 0; build < 4; build++) assert.deepEqual(await stacks.resolve(failed, { folders: [ws], exists }, counting, 1), { more: false }, `build ${build}`);
  assert.ok(reads <= 1, `${reads} reads: answers were dropped and read again`);
  assert.notEqual(stacks.get(failedSpanKey(failed[0].ref)), undefined);
  await stacks.resolve([], { folders: [ws], exists }, counting);
  assert.equal(stacks.get(failedSpanKey(failed[0].ref)), undefined, 'no run holds it: let go');
});

test('a run’s failed spans at one line are one part of it: a run that fails often does not make its lens slow', async (t) => {
  const ws = tempDir(t, 'tracerun-ws-');
  mkdirSync(path.join(ws, 'src'));
  writeFileSync(path.join(ws, 'src', 'orders.ts'), '\n');
  const file = path.join(ws, 'traces.jsonl');
  const failures = Array.from({ length: 30 }, (_, i) => ({ traceId: TRACE, spanId: id(100 + i), name: 'tool', start: ms(i * 10), end: ms(i * 10 + 1 + i), status: { code: 2, message: STACK } }));
  writeFileSync(file, otlpLine(failures));
  const { store } = await readTraceFiles([file]);
  const digests = runSteps(runDigests(store.runs()));
  const stacks = new StackPlaces();
  await stacks.resolve(digests.flatMap((d) => d.failed), { folders: [ws], exists }, loadSpanDetails);
  const lines = runSteps(buildSpanLocations(digests, { path: () => undefined, name: () => undefined, stack: (k) => stacks.get(k) ?? undefined })).get(sourceFileKey(path.join(ws, 'src', 'orders.ts')))!;
  assert.deepEqual(lines.map((l) => [l.line, l.parts.length]), [[7, 1]]);
  const [lens] = rangeLenses(lines, FUNCTIONS);
  assert.equal(lens.stats.count, 30);
  assert.equal(lens.stats.failed, 30);
  assert.equal(lens.stats.p50Ms, 15.5, 'the durations of all of them (1…30 ms)');
  assert.deepEqual(lens.stats.recent.slice(0, 2).map((r) => r.spanId), [id(129), id(128)]);
});
