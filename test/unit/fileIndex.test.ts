// A month of files opens from their indexes: the same runs as reading them, nothing trusted
// that no longer matches its file.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import type { SpanNode, Trace } from '../../src/core/model/trace';
import { deleteUnusedIndexes, indexFileOf } from '../../src/core/history/fileIndex';
import { runList } from '../../src/core/runs/runList';
import { runFacts } from '../../src/core/runs/runFacts';
import { traceTokens } from '../../src/core/genai/traceTokens';
import { buildSpanLocations, spanStatsInRange } from '../../src/core/source/functionSpans';
import { digestWalks, runDigests } from '../../src/core/source/runDigest';
import { runSteps } from '../../src/core/util/steps';
import { NO_FILTER } from '../../src/core/runs/filter';
import { otlpLine, T0, type TestSpan } from './otlpBuilder';
import { tempDir } from './tempDir';

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');

/** Run `r`: a root and `n - 1` children over two lines, the second one failed. */
function run(r: number, n: number, service = 'svc'): string[] {
  const traceId = hex(r + 1, 16);
  const start = T0 + BigInt(r) * 1_000_000_000n;
  const spans: TestSpan[] = [];
  for (let i = 1; i < n; i++) spans.push({ traceId, spanId: hex(r * 100 + i + 1, 8), parentSpanId: hex(r * 100 + 1, 8), name: `child ${i}`, start: start + BigInt(i) * 1000n, end: start + BigInt(i) * 2000n, status: i === 2 ? { code: 2, message: 'boom' } : undefined, attributes: { 'gen_ai.request.model': 'gpt-4o', 'code.filepath': 'agent/tools.py', 'code.lineno': 10 + (i % 3) } });
  spans.push({ traceId, spanId: hex(r * 100 + 1, 8), name: `run ${r}`, start, end: start + 500_000n, attributes: { 'input.value': `q${r}`, ...(r % 3 === 2 ? {} : { 'session.id': `s${r % 3}` }) } });
  return [otlpLine(spans.slice(0, Math.ceil(spans.length / 2)), service), otlpLine(spans.slice(Math.ceil(spans.length / 2)), service)];
}

function writeDays(dir: string): string[] {
  const files: string[] = [];
  for (let day = 0; day < 3; day++) {
    const file = path.join(dir, 'ws', '.tracerun', `otlp-2026-11-0${day + 1}.jsonl`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, [0, 1, 2, 3].flatMap((k) => run(day * 4 + k, 6)).join('\n') + '\n');
    const when = new Date(Date.UTC(2026, 10, day + 1));
    utimesSync(file, when, when);
    files.push(file);
  }
  return files;
}

function picture(t: Trace): unknown {
  const s = t.summary();
  const rows: string[] = [];
  const walk = (n: SpanNode) => {
    rows.push(`${n.depth} ${n.span.name} ${n.span.startNs} ${n.span.endNs} ${n.span.statusCode} ${JSON.stringify(n.span.attributes)}`);
    n.children.forEach(walk);
  };
  t.tree().roots.forEach(walk);
  return { name: s.name, start: s.startNs, end: s.endNs, count: t.spanCount, errors: s.errorCount, root: s.root?.attributes, services: s.serviceNames, rows };
}

async function open(t: TestContext, dir: string, indexDir: string): Promise<{ ws: TraceWorkspace; how: Map<string, string> }> {
  const ws = new TraceWorkspace();
  t.after(() => ws.dispose());
  const how = new Map<string, string>();
  await ws.watch({ folders: [path.join(dir, 'ws')], indexDir, onIndex: (file, h) => how.set(path.basename(file), h) });
  return { ws, how };
}

test('a second start takes every file from its index: the same runs, summaries and trees, no span read until asked', async (t) => {
  const dir = tempDir(t);
  writeDays(dir);
  const indexDir = path.join(dir, 'index');
  const first = await open(t, dir, indexDir);
  assert.deepEqual([...first.how.values()], ['written', 'written', 'written']);
  assert.equal(readdirSync(indexDir).length, 3);
  const before = new Map(first.ws.store.runs().map((r) => [r.traceId, picture(r)]));
  const facts = (r: Trace) => ({ models: runFacts(r).models, tokens: traceTokens(r) });
  const factsBefore = new Map(first.ws.store.runs().map((r) => [r.traceId, facts(r)]));
  first.ws.dispose();

  const second = await open(t, dir, indexDir);
  assert.deepEqual([...second.how.values()], ['reused', 'reused', 'reused']);
  const runs = second.ws.store.runs();
  assert.deepEqual(runs.map((r) => r.traceId), [...before.keys()], 'same runs, newest first');
  // The Runs view's listing groups by session: answered from the index too.
  const list = runList(runs, NO_FILTER, Date.now());
  assert.equal(list.sessions.size, 2, 'two sessions; the runs of none were not read back to find that out');
  // A page's tokens and filtering by model: from the index too.
  for (const r of runs) assert.deepEqual(facts(r), factsBefore.get(r.traceId));
  assert.ok(runs.every((r) => r.isEvicted), 'listed from the index alone');
  assert.equal(second.ws.store.memoryUse().heldSpans, 0);
  for (const r of runs) assert.deepEqual(picture(r), before.get(r.traceId));
});

test('a second start counts every run in the code lenses from the indexes, none read back', async (t) => {
  const dir = tempDir(t);
  writeDays(dir);
  const indexDir = path.join(dir, 'index');
  const lenses = (ws: TraceWorkspace) => {
    const index = runSteps(buildSpanLocations(runSteps(runDigests(ws.store.runs())), { path: (p) => `/app/${p}`, name: () => undefined }));
    const lines = index.get(path.normalize('/app/agent/tools.py'))!;
    return { all: spanStatsInRange(lines, 1, 100), perLine: lines.map((l) => [l.line, spanStatsInRange(lines, l.line, l.line)]) };
  };
  const first = await open(t, dir, indexDir);
  const before = lenses(first.ws);
  assert.equal(before.all!.count, 12 * 5);
  first.ws.dispose();

  const second = await open(t, dir, indexDir);
  const runs = second.ws.store.runs();
  assert.ok(runs.every((r) => r.isEvicted));
  const walks = digestWalks.count;
  // Only what the lenses show: a reference read back from an index drops nothing they use.
  const shown = (l: ReturnType<typeof lenses>) => JSON.parse(JSON.stringify(l, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  assert.deepEqual(shown(lenses(second.ws)), shown(before));
  assert.equal(digestWalks.count, walks, 'no run walked');
  assert.ok(runs.every((r) => r.isEvicted), 'no run read back');
});

test('an index that no longer matches its file is not trusted: appended, touched, rewritten, corrupt, another version', async (t) => {
  const dir = tempDir(t);
  const [a, b, c] = writeDays(dir);
  const indexDir = path.join(dir, 'index');
  (await open(t, dir, indexDir)).ws.dispose();

  appendFileSync(a, run(50, 3).join('\n') + '\n');
  const cStat = statSync(c);
  // Same size and time, other bytes: only the content check catches it.
  writeFileSync(c, readFileSync(c, 'utf8').replace('"run 8"', '"run X"'));
  utimesSync(c, cStat.atime, cStat.mtime);
  writeFileSync(indexFileOf(indexDir, b), '{"version": 1, "file": "trunc');
  const again = await open(t, dir, indexDir);
  assert.deepEqual(Object.fromEntries(again.how), { 'otlp-2026-11-03.jsonl': 'written', 'otlp-2026-11-02.jsonl': 'written', 'otlp-2026-11-01.jsonl': 'written' });
  assert.ok(again.ws.store.runs().some((r) => r.summary().name === 'run X'), 'the rewritten file read again');
  assert.equal(again.ws.store.traceCount, 13, 'the appended run is in');
  again.ws.dispose();

  const index = JSON.parse(readFileSync(indexFileOf(indexDir, a), 'utf8'));
  writeFileSync(indexFileOf(indexDir, a), JSON.stringify({ ...index, version: 0 }));
  const third = await open(t, dir, indexDir);
  assert.equal(third.how.get('otlp-2026-11-01.jsonl'), 'written');
  assert.equal(third.how.get('otlp-2026-11-02.jsonl'), 'reused');
});

test('a run whose spans are in two files joins them from both indexes; a restored run takes spans appended later', async (t) => {
  const dir = tempDir(t);
  const [a, b] = writeDays(dir);
  // Run 0 (in the first day's file) gets a late span in the second day's file.
  const late: TestSpan = { traceId: hex(1, 16), spanId: 'ffffffffffffff01', parentSpanId: hex(1, 8), name: 'late', start: T0 + 9000n, end: T0 + 9500n };
  appendFileSync(b, otlpLine([late]) + '\n');
  const indexDir = path.join(dir, 'index');
  const first = await open(t, dir, indexDir);
  const whole = picture(first.ws.store.trace(hex(1, 16))!);
  first.ws.dispose();
  const second = await open(t, dir, indexDir);
  assert.equal(second.how.get(path.basename(a)), 'reused');
  const joined = second.ws.store.trace(hex(1, 16))!;
  assert.equal(joined.spanCount, 7);
  assert.deepEqual(picture(joined), whole);
  second.ws.store.evictAll();
  appendFileSync(a, otlpLine([{ ...late, spanId: 'ffffffffffffff02', name: 'later' }]) + '\n');
  const deadline = Date.now() + 5000;
  while (second.ws.store.trace(hex(1, 16))!.spanCount !== 8 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(second.ws.store.trace(hex(1, 16))!.spanCount, 8);
  assert.ok(second.ws.store.trace(hex(1, 16))!.tree().nodes.has('ffffffffffffff02'));
});

test('indexes unused for long are deleted; one used is touched and kept', async (t) => {
  const dir = tempDir(t);
  writeDays(dir);
  const indexDir = path.join(dir, 'index');
  (await open(t, dir, indexDir)).ws.dispose();
  const old = new Date(Date.now() - 90 * 86_400_000);
  for (const name of readdirSync(indexDir)) utimesSync(path.join(indexDir, name), old, old);
  // A start uses the three indexes: touched, so none is old any more.
  const used = await open(t, dir, indexDir);
  assert.deepEqual([...used.how.values()], ['reused', 'reused', 'reused']);
  assert.equal(await deleteUnusedIndexes(indexDir, 60), 0);
  for (const name of readdirSync(indexDir)) utimesSync(path.join(indexDir, name), old, old);
  writeFileSync(path.join(indexDir, 'notes.txt'), 'not an index');
  assert.equal(await deleteUnusedIndexes(indexDir, 60), 3);
  assert.deepEqual(readdirSync(indexDir), ['notes.txt']);
});

test('runs evicted while their file is first read keep their tokens, models, session and lenses in its index', async (t) => {
  const dir = tempDir(t);
  writeDays(dir);
  const indexDir = path.join(dir, 'index');
  const ws = new TraceWorkspace();
  t.after(() => ws.dispose());
  // A file bigger than the budget, as a day of a busy receiver is: runs go while it is read.
  ws.store.setMemoryBudget(0.005);
  await ws.watch({ folders: [path.join(dir, 'ws')], indexDir });
  assert.ok(ws.store.memoryUse().evictions > 0, 'runs were evicted during the read');
  const facts = (r: Trace) => ({ models: runFacts(r).models, tokens: traceTokens(r) });
  ws.store.setMemoryBudget(undefined);
  const factsBefore = new Map(ws.store.runs().map((r) => [r.traceId, facts(r)]));
  ws.dispose();

  const second = await open(t, dir, indexDir);
  const runs = second.ws.store.runs();
  assert.equal(runList(runs, NO_FILTER, Date.now()).sessions.size, 2);
  for (const r of runs) assert.deepEqual(facts(r), factsBefore.get(r.traceId));
  const walks = digestWalks.count;
  runSteps(runDigests(runs));
  assert.equal(digestWalks.count, walks, 'lens digests from the index');
  assert.deepEqual(runs.filter((r) => !r.isEvicted).map((r) => r.summary().name), [], 'no run read back');
});
