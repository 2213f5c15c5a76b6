// One rule for which directory entries are trace files, shared by the watcher and
// `tracerun tree <folder>`; and a watched folder that is removed and comes back.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Readable } from 'node:stream';
import { readTraceFiles, STDIN_NAME } from '../../src/core/ingest/readTraceFiles';
import { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import type { TraceStore } from '../../src/core/model/traceStore';
import { otlpLine } from './otlpBuilder';
import { tempDir, waitFor } from './tempDir';

let nextId = 1;
function runLine(name: string): string {
  const id = nextId++;
  return otlpLine([{ traceId: id.toString(16).padStart(32, 'a'), spanId: id.toString(16).padStart(16, '0'), name, start: 1_000 + id, end: 2_000 + id }]);
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const runNames = (store: TraceStore): string[] => store.runs().map((t) => t.summary().name).sort();

test('the watcher and `tree <folder>` read the same entries: linked files yes, linked folders no, FIFOs refused aloud', { timeout: 20_000 }, async (t) => {
  const root = tempDir(t);
  const ws = path.join(root, 'ws');
  const outside = path.join(root, 'outside');
  write(path.join(ws, 'traces/real.jsonl'), runLine('real'));
  write(path.join(outside, 'linked.jsonl'), runLine('linked file'));
  write(path.join(outside, 'sub/inside-linked-folder.jsonl'), runLine('in linked folder'));
  symlinkSync(path.join(outside, 'linked.jsonl'), path.join(ws, 'traces/link.jsonl'));
  symlinkSync(path.join(outside, 'sub'), path.join(ws, 'traces/linkdir'));
  const fifo = process.platform !== 'win32';
  if (fifo) execFileSync('mkfifo', [path.join(ws, 'traces/pipe.jsonl')]);

  const once = await readTraceFiles([ws]);
  assert.deepEqual(runNames(once.store), ['linked file', 'real']);
  if (fifo) assert.deepEqual(once.problems.map((p) => [path.basename(p.file), /not a regular file/.test(p.message)]), [['pipe.jsonl', true]]);

  const errors: string[] = [];
  const live = new TraceWorkspace();
  t.after(() => live.dispose());
  await live.watch({ folders: [ws], onError: (m) => errors.push(m) });
  assert.deepEqual(runNames(live.store), runNames(once.store));
  if (fifo) await waitFor('the FIFO reported', () => errors.some((e) => e.includes('pipe.jsonl') && e.includes('not a regular file')));
});

test('a watched folder removed and created again is watched again', { timeout: 20_000 }, async (t) => {
  const root = tempDir(t);
  const ws = path.join(root, 'ws');
  write(path.join(ws, '.tracerun/a.jsonl'), runLine('before'));
  const live = new TraceWorkspace();
  t.after(() => live.dispose());
  await live.watch({ folders: [ws] });
  assert.deepEqual(runNames(live.store), ['before']);
  rmSync(ws, { recursive: true });
  await waitFor('the removed folder forgotten', () => live.store.traceCount === 0);
  write(path.join(ws, '.tracerun/b.jsonl'), runLine('after'));
  await waitFor('the run in the recreated folder', () => runNames(live.store).join() === 'after', 8000);
});

test('`tree` reads a last line without a newline (json.dump) and a file starting with a byte-order mark', async (t) => {
  const dir = tempDir(t);
  write(path.join(dir, 'dumped.json'), runLine('dumped').trimEnd());
  write(path.join(dir, 'bom.jsonl'), '\uFEFF' + runLine('with bom'));
  const { store, problems } = await readTraceFiles([dir]);
  assert.deepEqual(problems, []);
  assert.deepEqual(runNames(store), ['dumped', 'with bom']);
});

test('`tree -` and `tree /dev/stdin` read standard input, its problems named <stdin> with their line', async () => {
  for (const target of ['-', '/dev/stdin']) {
    const input = Readable.from([runLine('piped one'), 'not json\n', runLine('piped two').trimEnd()]);
    const { store, files, problems } = await readTraceFiles([target], { stdin: input });
    assert.deepEqual(runNames(store), ['piped one', 'piped two'], target);
    assert.deepEqual(files, [STDIN_NAME], target);
    assert.deepEqual(problems.map((p) => [p.file, p.line]), [[STDIN_NAME, 2]], target);
  }
});
