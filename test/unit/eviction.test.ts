// Idle runs' spans leave memory and come back from their lines in the files: every view of a
// run must read the same after an eviction as before it.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import { TraceStore } from '../../src/core/model/traceStore';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { forgetMemorySource, putMemorySource } from '../../src/core/ingest/spanSource';
import type { Trace } from '../../src/core/model/trace';
import type { SpanNode } from '../../src/core/model/trace';
import { otlpLine, T0, type TestSpan } from './otlpBuilder';
import { tempDir, waitFor } from './tempDir';
import { rng as seeded, type Rand } from './fuzzing';

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');

/** A run of `spans` spans over several lines (with spans of other runs between), some nested, one failed. */
function runLines(run: number, spans: number, r: Rand): TestSpan[][] {
  const traceId = hex(run + 1, 16);
  const start = T0 + BigInt(run) * 1_000_000_000n;
  const all: TestSpan[] = [{ traceId, spanId: hex(run * 1000 + 1, 8), name: `run ${run}`, start, end: start + 900_000_000n, attributes: { 'input.value': `question ${run}` } }];
  for (let i = 2; i <= spans; i++) {
    const parent = all[Math.floor(r() * all.length)];
    const s = BigInt(parent.start) + BigInt(Math.floor(r() * 1000)) * 1000n;
    all.push({ traceId, spanId: hex(run * 1000 + i, 8), parentSpanId: parent.spanId, name: `step ${i}`, start: s, end: s + BigInt(1 + Math.floor(r() * 500_000)), status: i === 3 ? { code: 2, message: 'tool failed' } : undefined, attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2 } });
  }
  // Children first, as SDKs export them, cut into lines of a few spans.
  all.reverse();
  const lines: TestSpan[][] = [];
  for (let i = 0; i < all.length; i += 4) lines.push(all.slice(i, i + 4));
  return lines;
}

/** Writes `runs` runs interleaved line by line into `files` files (newest runs in the last file). */
function writeWorkspace(dir: string, runs: number, spans: number, files: number): string[] {
  const rng = seeded(11);
  const paths: string[] = [];
  for (let f = 0; f < files; f++) {
    const file = path.join(dir, '.tracerun', `otlp-2026-11-${String(f + 1).padStart(2, '0')}.jsonl`);
    mkdirSync(path.dirname(file), { recursive: true });
    const perFile = runs / files;
    const byRun = Array.from({ length: perFile }, (_, k) => runLines(f * perFile + k, spans, rng));
    const out: string[] = [];
    for (let round = 0; byRun.some((r) => r.length > 0); round++) for (const r of byRun) if (r.length > 0) out.push(otlpLine(r.shift()!));
    writeFileSync(file, out.join('\n') + '\n');
    // Days apart, oldest first.
    const when = new Date(Date.UTC(2026, 10, f + 1));
    utimesSync(file, when, when);
    paths.push(file);
  }
  return paths;
}

/** Everything a view shows of a run, as one comparable value. */
function picture(trace: Trace): unknown {
  const s = trace.summary();
  const tree = trace.tree();
  const rows: string[] = [];
  const walk = (n: SpanNode) => {
    rows.push(`${'  '.repeat(n.depth)}${n.span.name} ${n.span.spanId} ${n.span.startNs}-${n.span.endNs} ${n.span.statusCode} ${n.span.errorMessage ?? ''} ${n.orphan}`);
    n.children.forEach(walk);
  };
  tree.roots.forEach(walk);
  return { name: s.name, start: s.startNs, end: s.endNs, spans: trace.spanCount, errors: s.errorCount, root: s.root?.spanId, services: s.serviceNames, rows, attrs: [...trace.allSpans()].map((x) => JSON.stringify(x.attributes)).sort() };
}

async function watch(t: TestContext, dir: string, onRead?: (file: string) => void): Promise<TraceWorkspace> {
  const ws = new TraceWorkspace();
  t.after(() => ws.dispose());
  await ws.watch({ folders: [dir], onInitialFileRead: onRead });
  return ws;
}

test('an evicted run reads back the same summary, tree, layout and attributes', async (t) => {
  const dir = tempDir(t);
  writeWorkspace(dir, 40, 30, 2);
  const ws = await watch(t, dir);
  const before = new Map(ws.store.runs().map((r) => [r.traceId, picture(r)]));
  assert.equal(before.size, 40);
  ws.store.evictAll();
  assert.ok(ws.store.runs().every((r) => r.isEvicted), 'every run evicted');
  assert.equal(ws.store.memoryUse().heldSpans, 0);
  // The list reads from summaries alone: nothing is read back for it.
  assert.deepEqual(ws.store.runs().map((r) => [r.summary().name, r.spanCount]), [...before.values()].map((p: any) => [p.name, p.spans]).sort((a, b) => Number(b[0].split(' ')[1]) - Number(a[0].split(' ')[1])));
  assert.ok(ws.store.runs().every((r) => r.isEvicted), 'listing read nothing back');
  for (const run of ws.store.runs()) assert.deepEqual(picture(run), before.get(run.traceId), run.summary().name);
  assert.equal(ws.store.memoryUse().heldSpans, 40 * 30);
});

test('beyond the memory budget the least recently used runs are evicted, the one in use never', async (t) => {
  const dir = tempDir(t);
  writeWorkspace(dir, 40, 30, 1);
  const ws = await watch(t, dir);
  const runs = ws.store.runs();
  // Use the oldest run last: it must be the one kept.
  const oldest = runs[runs.length - 1];
  oldest.tree();
  // 1 MB is about 1,700 spans: ~56 runs of 30 fit, so make it tighter.
  ws.store.setMemoryBudget(0.2);
  const use = ws.store.memoryUse();
  assert.ok(use.heldSpans <= use.budgetSpans, `${use.heldSpans} spans held, budget ${use.budgetSpans}`);
  assert.ok(use.evictions > 0);
  assert.equal(oldest.isEvicted, false, 'the run used last stays');
  // Using an evicted run brings it back and evicts others. Run 1's spans were added first of
  // all the runs kept by their last lines (the file interleaves them), so it went first.
  const early = runs.find((r) => r.summary().name === 'run 1')!;
  assert.equal(early.isEvicted, true);
  assert.equal(early.tree().roots[0].span.name, 'run 1');
  await new Promise((r) => setImmediate(r));
  assert.equal(early.isEvicted, false);
  assert.equal(oldest.isEvicted, false, 'the budget holds both runs in use');
  assert.ok(ws.store.memoryUse().heldSpans <= ws.store.memoryUse().budgetSpans);
});

test('spans appended to an evicted run join it; a rewritten file is forgotten, its other files stay', async (t) => {
  const dir = tempDir(t);
  const [a, b] = writeWorkspace(dir, 4, 8, 2);
  const ws = await watch(t, dir);
  const run = ws.store.trace(hex(1, 16))!;
  assert.equal(run.spanCount, 8);
  ws.store.evictAll();
  // A late span of run 0 lands in the newer file.
  appendFileSync(b, otlpLine([{ traceId: hex(1, 16), spanId: 'ffffffffffffff01', parentSpanId: hex(1, 8), name: 'late', start: T0 + 5n, end: T0 + 6n }]) + '\n');
  await waitFor('the late span', () => ws.store.trace(hex(1, 16))?.spanCount === 9);
  assert.ok(run.tree().nodes.has('ffffffffffffff01'));
  ws.store.evictAll();
  // The older file goes away: the run keeps only its late span.
  rmSync(a);
  await waitFor('the file forgotten', () => ws.store.trace(hex(1, 16))?.spanCount === 1);
  assert.equal(ws.store.trace(hex(1, 16))!.summary().name, 'late');
  assert.equal(ws.store.trace(hex(2, 16)), undefined, 'run 1 lived only in the deleted file');
});

test('files found at start are read newest first', async (t) => {
  const dir = tempDir(t);
  const files = writeWorkspace(dir, 8, 4, 4);
  const order: string[] = [];
  await watch(t, dir, (file) => order.push(path.basename(file)));
  assert.deepEqual(order, files.map((f) => path.basename(f)).reverse());
});

test('with a budget, the first read of each file at start keeps no span once indexed; every run reads back the same', async (t) => {
  const dir = tempDir(t);
  writeWorkspace(dir, 24, 20, 3);
  const plain = await watch(t, dir);
  const before = new Map(plain.store.runs().map((r) => [r.traceId, picture(r)]));
  assert.equal(plain.store.memoryUse().heldSpans, 24 * 20, 'no budget, no index: every span stays as read');

  const ws = new TraceWorkspace();
  t.after(() => ws.dispose());
  ws.store.setMemoryBudget(64);
  let read = 0;
  await ws.watch({ folders: [dir], indexDir: path.join(tempDir(t), 'index'), onInitialFileRead: () => void read++ });
  assert.equal(read, 3);
  // Well under the budget, yet nothing is held: being read at start is no use of a run.
  assert.equal(ws.store.memoryUse().heldSpans, 0);
  assert.ok(ws.store.runs().every((r) => r.isEvicted));
  assert.equal(ws.store.runs().length, 24);
  for (const run of ws.store.runs()) assert.deepEqual(picture(run), before.get(run.traceId), run.summary().name);
  assert.equal(ws.store.memoryUse().heldSpans, 24 * 20, 'each run read back when used');
});

test('a run fetched from a backend (held in memory under a name) is evicted and read back from memory', () => {
  const store = new TraceStore();
  const name = 'jaeger:team/trace/test-eviction';
  const body = Buffer.from(otlpLine([
    { traceId: hex(7, 16), spanId: hex(70, 8), name: 'remote root', start: T0, end: T0 + 1000n },
    { traceId: hex(7, 16), spanId: hex(71, 8), parentSpanId: hex(70, 8), name: 'remote child', start: T0 + 10n, end: T0 + 20n },
  ]));
  putMemorySource(name, body);
  try {
    store.addSpans(name, readOtlpJson(body, 0, body.length, { file: name, line: 1, byteBase: 0 }).spans);
    const run = store.trace(hex(7, 16))!;
    const before = picture(run);
    store.evictAll();
    assert.equal(run.isEvicted, true);
    assert.deepEqual(picture(run), before);
  } finally {
    forgetMemorySource(name);
  }
});
