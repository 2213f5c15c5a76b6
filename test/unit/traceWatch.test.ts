import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { WatchOptions } from '../../src/core/ingest/watcher';
import type { TraceStoreChange } from '../../src/core/model/traceStore';
import { TraceWatch } from '../../src/extension/traceWatch';
import { hexId, ms, otlpLine } from './otlpBuilder';
import { tempDir } from './tempDir';

function writeRun(root: string, rel: string, name: string): string {
  const traceId = hexId(16);
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, otlpLine([{ traceId, spanId: hexId(8), name, start: ms(0), end: ms(5) }]) + '\n');
  return traceId;
}

test('views subscribe once: a restart re-reads into the same store, which reports what went and came', async (t) => {
  const root = tempDir(t);
  const first = writeRun(root, 'a/.tracerun/one.jsonl', 'first');
  const second = writeRun(root, 'b/other.jsonl', 'second');
  let include = ['**/.tracerun/**/*.jsonl'];
  const watch = new TraceWatch((): WatchOptions => ({ folders: [root], include }));
  t.after(() => watch.dispose());
  const store = watch.store;
  const changes: TraceStoreChange[] = [];
  store.onDidChange((c) => changes.push(c));
  let reads = 0;
  watch.onDidRead(() => reads++);

  assert.equal(watch.ready, false);
  const ws = await watch.ensureStarted();
  assert.equal(ws, watch.workspace);
  assert.equal(watch.ready, true);
  assert.equal(reads, 1);
  assert.deepEqual(store.runs().map((r) => r.traceId), [first]);
  assert.ok(changes.some((c) => c.changed.has(first)), 'the one subscription saw the first read');

  changes.length = 0;
  include = ['**/other.jsonl'];
  await watch.restart();
  assert.equal(watch.store, store, 'the store is never swapped');
  assert.equal(await watch.ensureStarted(), ws, 'nor the workspace');
  assert.equal(reads, 2);
  assert.deepEqual(store.runs().map((r) => r.traceId), [second]);
  assert.ok(changes.some((c) => c.removed.has(first)), 'the subscription saw the old run go');
  assert.ok(changes.some((c) => c.changed.has(second)), 'and the new one come');
});

test('nothing is read before the first start; restarts asked for during a read are one', async (t) => {
  const root = tempDir(t);
  writeRun(root, '.tracerun/one.jsonl', 'one');
  let reads = 0;
  const watch = new TraceWatch(
    (): WatchOptions => ({ folders: [root] }),
    async (read) => {
      reads++;
      await read();
    },
  );
  t.after(() => watch.dispose());
  await watch.restart();
  assert.equal(reads, 0, 'a settings change before anyone looked reads nothing');
  assert.equal(watch.started, false);

  const started = watch.ensureStarted();
  const restarts = [watch.restart(), watch.restart(), watch.restart()];
  await Promise.all([started, ...restarts]);
  assert.equal(reads, 2, 'the first read, then one more for the three restarts');
  assert.equal(watch.store.traceCount, 1);
  assert.deepEqual(watch.workspace.watchedFiles(), [path.join(root, '.tracerun/one.jsonl')]);
});

test('a long history lists once its newest files hold a page of runs; the older files wait for that page to be shown', async (t) => {
  const root = tempDir(t);
  const days = ['01', '02', '03', '04'];
  for (const [i, day] of days.entries()) {
    const file = path.join(root, '.tracerun', `otlp-2026-11-${day}.jsonl`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Array.from({ length: 3 }, (_, k) => otlpLine([{ traceId: hexId(16), spanId: hexId(8), name: `day ${day} run ${k}`, start: ms(i * 100 + k), end: ms(i * 100 + k + 1) }])).join('\n') + '\n');
    const when = new Date(Date.UTC(2026, 10, i + 1));
    utimesSync(file, when, when);
  }
  const watch = new TraceWatch((): WatchOptions => ({ folders: [root] }));
  t.after(() => watch.dispose());
  watch.listedRuns = 5;
  let readSome = 0;
  watch.onDidReadSome(() => readSome++);
  const ws = await watch.ensureListed();
  // The two newest files hold 6 runs: enough for a page of 5; the older two wait.
  assert.equal(watch.ready, false);
  assert.deepEqual(ws.store.runs().map((r) => r.summary().name.slice(0, 6)), ['day 04', 'day 04', 'day 04', 'day 03', 'day 03', 'day 03']);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(ws.store.traceCount, 6, 'the rest waits for the page to be shown');
  watch.shownFirstPage();
  await watch.ensureStarted();
  assert.equal(watch.ready, true);
  assert.equal(ws.store.traceCount, 12);
  assert.equal(readSome, 4);
});
