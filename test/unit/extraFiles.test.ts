// The bundled sample is read into the trace model as an extra, read-only file: it shows with
// no trace files in the workspace, survives a restart (which forgets every file's spans), and
// is not read twice when a watched folder holds it too.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { WatchOptions } from '../../src/core/ingest/watcher';
import { runsFromFile, runToShow } from '../../src/core/model/runsFromFile';
import { TraceWatch } from '../../src/extension/traceWatch';
import { tempDir } from './tempDir';

const REPO = path.resolve(__dirname, '..', '..', '..');
const SAMPLE = path.join(REPO, 'media', 'sample', 'support-agent.otlp.jsonl');

test('the sample opens in an empty workspace: four runs, the newest failing one shown first', async (t) => {
  const empty = tempDir(t);
  const before = statSync(SAMPLE).mtimeMs;
  const watch = new TraceWatch((): WatchOptions => ({ folders: [empty] }));
  t.after(() => watch.dispose());
  const ws = await watch.addFile(SAMPLE);
  assert.equal(watch.started, true, 'adding a file starts watching');
  const runs = runsFromFile(ws.store, SAMPLE);
  assert.equal(runs.length, 4);
  assert.deepEqual(ws.problems(), []);
  const failing = runs.filter((r) => r.summary().errorCount > 0);
  assert.equal(failing.length, 2, 'two of the runs fail');
  assert.equal(runToShow(ws.store, SAMPLE), failing[0], 'the newest failing run is the one opened');
  assert.equal(watch.isExtraFile(SAMPLE), true);
  assert.equal(statSync(SAMPLE).mtimeMs, before, 'read only');
});

test('the sample is read again after a restart, and not twice when a watched folder holds it', async (t) => {
  const root = tempDir(t);
  const outside = tempDir(t);
  const copy = path.join(outside, 'sample.otlp.jsonl');
  copyFileSync(SAMPLE, copy);
  let folders = [root];
  const watch = new TraceWatch((): WatchOptions => ({ folders, include: ['**/*.otlp.jsonl'] }));
  t.after(() => watch.dispose());
  await watch.ensureStarted();
  assert.equal(watch.store.traceCount, 0);
  await watch.addFile(copy);
  assert.equal(watch.store.traceCount, 4, 'added after the first start');
  await watch.addFile(copy);
  assert.equal(watch.store.traceCount, 4, 'adding it again changes nothing');

  await watch.restart();
  assert.equal(runsFromFile(watch.store, copy).length, 4, 'a restart forgets every file, and reads the sample again');

  folders = [root, outside];
  await watch.restart();
  assert.deepEqual(watch.workspace.watchedFiles(), [copy], 'now the watcher reads it');
  const spans = readFileSync(copy, 'utf8').match(/"spanId"/g)?.length ?? 0;
  const held = runsFromFile(watch.store, copy).reduce((n, r) => n + r.spanCount, 0);
  assert.equal(held, spans, 'each span once');
});

test('a sample added before anything was watched is read by the first start', async (t) => {
  const root = tempDir(t);
  mkdirSync(path.join(root, '.tracerun'));
  const watch = new TraceWatch((): WatchOptions => ({ folders: [root] }));
  t.after(() => watch.dispose());
  const [a, b] = await Promise.all([watch.addFile(SAMPLE), watch.ensureStarted()]);
  assert.equal(a, b);
  assert.equal(runsFromFile(watch.store, SAMPLE).length, 4);
});

test('the sample opens with no folder to watch at all (a window with no folder open watches a folder not made yet)', async (t) => {
  const missing = path.join(tempDir(t), 'global-storage-not-created');
  const watch = new TraceWatch((): WatchOptions => ({ folders: [missing] }));
  t.after(() => watch.dispose());
  const ws = await watch.addFile(SAMPLE);
  assert.equal(runsFromFile(ws.store, SAMPLE).length, 4);
});
