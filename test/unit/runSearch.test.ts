// Text search across runs not in memory: their lines are sifted first, and only lines holding
// the text are read as spans; the runs found are the same as searching every span in memory.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import { searchRuns } from '../../src/core/runs/runSearch';
import { otlpLine, T0, type TestSpan } from './otlpBuilder';
import { tempDir } from './tempDir';

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');

/** Run `r`'s spans: a root and two children; a few carry words the queries look for. */
function run(r: number): TestSpan[] {
  const traceId = hex(r + 1, 16);
  const start = T0 + BigInt(r) * 1_000_000_000n;
  const root = hex(r * 10 + 1, 8);
  return [
    { traceId, spanId: hex(r * 10 + 2, 8), parentSpanId: root, name: r === 7 ? 'Refund Lookup' : 'lookup', start: start + 10n, end: start + 20n, attributes: { 'input.value': r % 5 === 0 ? `order "A${r}" delivered` : 'nothing here' } },
    { traceId, spanId: hex(r * 10 + 3, 8), parentSpanId: root, name: 'chat', start: start + 30n, end: start + 40n, attributes: { 'output.value': r === 11 ? 'Kettle ON' : 'fine' } },
    { traceId, spanId: root, name: `run ${r}`, start, end: start + 100n },
  ];
}

test('runs not in memory are sifted by their lines: the same runs found, none read back', async (t) => {
  const dir = tempDir(t);
  // Two files; runs 0-9 in the first, 10-19 in the second, run 12 in both; two runs share each line, as a busy exporter writes.
  const files = [0, 1].map((f) => path.join(dir, '.tracerun', `otlp-2026-11-0${f + 1}.jsonl`));
  mkdirSync(path.dirname(files[0]), { recursive: true });
  const lines: string[][] = [[], []];
  for (let r = 0; r < 20; r += 2) lines[r < 10 ? 0 : 1].push(otlpLine([...run(r), ...run(r + 1)]));
  const twelve = run(12);
  lines[0].push(otlpLine([twelve[0]]));
  lines[1] = lines[1].map((l) => (l.includes(hex(13, 16)) ? otlpLine([...twelve.slice(1), ...run(13)]) : l));
  files.forEach((f, i) => writeFileSync(f, lines[i].join('\n') + '\n'));
  const ws = new TraceWorkspace();
  t.after(() => ws.dispose());
  await ws.watch({ folders: [dir] });
  const runs = ws.store.runs();
  assert.equal(runs.length, 20);
  const linesOf = (tr: (typeof runs)[number]) => ws.store.linesOf(tr.traceId);
  const names = (ids: Set<string>) => runs.filter((r) => ids.has(r.traceId)).map((r) => r.summary().name).sort();

  for (const [query, expected] of [
    ['DELIVERED', ['run 0', 'run 10', 'run 15', 'run 5']],
    ['order "a1', ['run 10', 'run 15']],
    ['refund', ['run 7']],
    ['kettle on', ['run 11']],
    ['run 12', ['run 12']],
    ['lookup', runs.map((r) => r.summary().name).sort()],
    ['absent', []],
  ] as const) {
    const inMemory = names(await searchRuns(runs, query));
    assert.deepEqual(inMemory, [...expected].sort(), `in memory: ${query}`);
    ws.store.evictAll();
    const done: number[] = [];
    const sifted = names(await searchRuns(runs, query, { linesOf, onProgress: (p) => done.push(p.done / p.total) }));
    assert.deepEqual(sifted, inMemory, `sifted: ${query}`);
    assert.equal(done.at(-1), 1, 'progress ends at every span');
    assert.deepEqual(done, [...done].sort((a, b) => a - b), 'progress only goes forward');
    // Only the lines holding the text are read, as spans: no run is read back.
    assert.deepEqual(runs.filter((r) => !r.isEvicted).map((r) => r.summary().name), [], `read back for ${query}`);
  }
});
