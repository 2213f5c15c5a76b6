// Open Trace File…: a file outside the watched folders is read into the same model, and
// stays there across a restart of the watch (which clears every file's runs).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { WatchOptions } from '../../src/core/ingest/watcher';
import { TraceWatch } from '../../src/extension/traceWatch';
import { hexId, ms, otlpLine } from './otlpBuilder';
import { tempDir } from './tempDir';

test('a trace file from anywhere is read into the model, once, and again after a restart', async (t) => {
  const workspace = tempDir(t);
  const elsewhere = tempDir(t);
  mkdirSync(path.join(workspace, '.tracerun'));
  const watched = hexId(16);
  writeFileSync(path.join(workspace, '.tracerun', 'a.jsonl'), otlpLine([{ traceId: watched, spanId: hexId(8), name: 'watched', start: ms(0), end: ms(1) }]));
  const opened = hexId(16);
  const file = path.join(elsewhere, 'saved.otlp.jsonl');
  // As Save Run As writes it; a file without a final newline reads too (taken as complete).
  writeFileSync(file, otlpLine([{ traceId: opened, spanId: hexId(8), name: 'saved run', start: ms(5), end: ms(6) }]).trimEnd());
  const watch = new TraceWatch((): WatchOptions => ({ folders: [workspace] }));
  t.after(() => watch.dispose());

  await watch.addFile(file);
  assert.deepEqual(new Set(watch.store.runs().map((r) => r.traceId)), new Set([watched, opened]), 'started on demand, then the file read');
  await watch.addFile(file);
  assert.equal(watch.store.trace(opened)?.spanCount, 1, 'opened twice: read once');

  await watch.restart();
  assert.deepEqual(new Set(watch.store.runs().map((r) => r.traceId)), new Set([watched, opened]), 'a restart keeps the opened file');
});
