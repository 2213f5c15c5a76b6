// What the default globs pick up beyond OTLP JSON lines, and what they must not.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import { otlpLine } from './otlpBuilder';
import { tempDir } from './tempDir';

function write(root: string, rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'formats');
const DATASET_RECORD = JSON.stringify({ input: 'q', output: 'a', metadata: { traceId: 'x', spanId: 'y' } }) + '\n';
const SPAN = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'aaaaaaaaaaaaaaaa', name: 'otlp run', start: 1000, end: 2000 };

test('the default globs read runs, downloads and console logs under .tracerun, and never the datasets there', async (t) => {
  const dir = tempDir(t);
  write(dir, '.tracerun/traces.jsonl', otlpLine([SPAN]));
  write(dir, '.tracerun/imports/runs.jsonl', readFileSync(path.join(FIXTURES, 'langsmith-runs.jsonl'), 'utf8'));
  write(dir, '.tracerun/app.log', readFileSync(path.join(FIXTURES, 'console-exporter.log'), 'utf8'));
  write(dir, '.tracerun/tempo.json', readFileSync(path.join(FIXTURES, 'tempo-batches.json'), 'utf8'));
  write(dir, '.tracerun/datasets/smoke.jsonl', DATASET_RECORD);
  const ws = new TraceWorkspace();
  t.after(() => ws.dispose());
  await ws.watch({ folders: [dir] });
  const names = ws.store.runs().map((r) => r.summary().name).sort();
  assert.deepEqual(names, ['GET /api/answer', 'handle_question', 'otlp run', 'second_question', 'support_agent']);
  assert.deepEqual(ws.problems(), [], 'the dataset file is not read, so it is no problem either');
  assert.ok(!ws.store.files().some((f) => f.includes('datasets')));
});

test('tracerun tree over a folder skips .tracerun/datasets', async (t) => {
  const dir = tempDir(t);
  write(dir, '.tracerun/traces.jsonl', otlpLine([SPAN]));
  write(dir, '.tracerun/datasets/smoke.jsonl', DATASET_RECORD);
  const { files, problems } = await readTraceFiles([dir]);
  assert.deepEqual(files.map((f) => path.relative(dir, f)), [path.join('.tracerun', 'traces.jsonl')]);
  assert.deepEqual(problems, []);
});
