import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { deleteOldReceiverFiles } from '../../src/core/receiver/retention';
import { tempDir } from './tempDir';

test('receiver files older than keepDays are deleted; other files and newer days stay', async (t) => {
  const dir = tempDir(t);
  const names = ['otlp-2026-11-01.jsonl', 'otlp-2026-11-16.jsonl', 'otlp-2026-11-17.jsonl', 'otlp-2026-12-01.jsonl', 'my-run.jsonl', 'otlp-2026-10-01.jsonl.bak'];
  for (const n of names) writeFileSync(path.join(dir, n), '{}\n');
  mkdirSync(path.join(dir, 'otlp-2026-01-01.jsonl'));
  const deleted = await deleteOldReceiverFiles(dir, 14, new Date(2026, 11, 1, 9, 30));
  assert.deepEqual(deleted.map((f) => path.basename(f)), ['otlp-2026-11-01.jsonl', 'otlp-2026-11-16.jsonl']);
  for (const n of ['otlp-2026-11-17.jsonl', 'otlp-2026-12-01.jsonl', 'my-run.jsonl', 'otlp-2026-10-01.jsonl.bak', 'otlp-2026-01-01.jsonl']) assert.ok(existsSync(path.join(dir, n)), n);
  assert.deepEqual(await deleteOldReceiverFiles(dir, 0, new Date(2030, 0, 1)), [], '0 keeps everything');
  assert.deepEqual(await deleteOldReceiverFiles(path.join(dir, 'missing'), 14, new Date()), []);
});
