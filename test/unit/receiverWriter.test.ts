import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { TraceFileWriter } from '../../src/core/receiver/traceFileWriter';
import { tempDir } from './tempDir';

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').slice(0, -1);

test('appends one line per request, in order, creating the folder; each promise resolves once its line is in the file', async (t) => {
  const dir = path.join(tempDir(t), 'nested', '.tracerun');
  const writer = new TraceFileWriter({ dir, now: () => new Date(2025, 0, 9, 23, 59) });
  const file = path.join(dir, 'otlp-2025-01-09.jsonl');
  assert.equal(writer.fileFor(new Date(2025, 0, 9, 23, 59)), file);
  await writer.append({ resourceSpans: [], n: 0 });
  assert.deepEqual(lines(file), ['{"resourceSpans":[],"n":0}']);
  // Many at once: queued appends share writes but keep their order, and each resolves
  // only when its own line is there.
  const seen: number[] = [];
  await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      writer.appendLine(JSON.stringify({ n: i + 1 })).then(() => {
        assert.ok(lines(file).includes(JSON.stringify({ n: i + 1 })));
        seen.push(i + 1);
      }),
    ),
  );
  assert.deepEqual(seen, Array.from({ length: 200 }, (_, i) => i + 1));
  assert.deepEqual(
    lines(file).map((l) => JSON.parse(l).n),
    Array.from({ length: 201 }, (_, i) => i),
  );
  assert.equal(writer.lastFile, file);
});

test('the file follows the local date', async (t) => {
  const dir = tempDir(t);
  let now = new Date(2025, 11, 31, 23, 59, 59);
  const writer = new TraceFileWriter({ dir, now: () => now });
  await writer.appendLine('{"day":1}');
  now = new Date(2026, 0, 1, 0, 0, 1);
  await writer.appendLine('{"day":2}');
  assert.deepEqual(readdirSync(dir).sort(), ['otlp-2025-12-31.jsonl', 'otlp-2026-01-01.jsonl']);
  assert.deepEqual(lines(path.join(dir, 'otlp-2026-01-01.jsonl')), ['{"day":2}']);
});

test('a deleted file or folder is recreated; a line with a line break is refused', async (t) => {
  const dir = path.join(tempDir(t), 'traces');
  const writer = new TraceFileWriter({ dir, fsync: true });
  await writer.appendLine('{"a":1}');
  rmSync(dir, { recursive: true });
  await writer.appendLine('{"a":2}');
  assert.deepEqual(lines(writer.lastFile!), ['{"a":2}']);
  await assert.rejects(writer.appendLine('{"a":\n3}'), /line breaks/);
  writer.dispose();
  await assert.rejects(writer.appendLine('{"a":4}'), /closed/);
  await writer.flush();
});

test('a failed write rejects its requests only; the next write starts on a fresh line', async (t) => {
  const root = tempDir(t);
  const dir = path.join(root, 'dir');
  // A file where the folder should be: mkdir fails.
  writeFileSync(dir, 'not a folder');
  const writer = new TraceFileWriter({ dir });
  await assert.rejects(writer.appendLine('{"lost":true}'));
  rmSync(dir);
  await writer.appendLine('{"kept":true}');
  await writer.flush();
  assert.ok(existsSync(writer.lastFile!));
  // The blank line guarding against a partial line is harmless to readers.
  assert.deepEqual(lines(writer.lastFile!).filter((l) => l !== ''), ['{"kept":true}']);
});

test('a file left with a torn last line (a receiver killed mid-write) gets a line break before the next line', async (t) => {
  const dir = tempDir(t);
  const now = () => new Date(2025, 0, 9, 12, 0);
  const writer = new TraceFileWriter({ dir, now });
  const file = writer.fileFor(now());
  writeFileSync(file, '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7');
  await writer.appendLine('{"next":1}');
  await writer.appendLine('{"next":2}');
  assert.deepEqual(lines(file), ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7', '{"next":1}', '{"next":2}']);
  // A file that already ends with a line break gets no blank line.
  writeFileSync(file, '{"whole":true}\n');
  await writer.appendLine('{"next":3}');
  assert.deepEqual(lines(file), ['{"whole":true}', '{"next":3}']);
});
