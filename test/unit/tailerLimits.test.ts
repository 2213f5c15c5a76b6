// Hostile or odd trace files: lines over the limit, byte-order marks, FIFOs, times out of
// range, a last line without a newline.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileEdges } from '../../src/core/history/fileIndex';
import { SpanPlaces } from '../../src/core/history/spanPlaces';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { FileTailer, type TailOptions } from '../../src/core/ingest/tailer';
import { otlpLine, requestJson, type TestSpan } from './otlpBuilder';
import { tempDir } from './tempDir';
import { SpanSink } from './spanSink';

const TRACE = '6b8efff798038103d269b633813fc60c';


let nextSpan = 1;
function span(name: string, extra: Partial<TestSpan> = {}): TestSpan {
  const id = nextSpan++;
  return { traceId: TRACE, spanId: id.toString(16).padStart(16, '0'), name, start: 1_000 + id, end: 2_000 + id, ...extra };
}
const line = (name: string, extra: Partial<TestSpan> = {}): string => otlpLine([span(name, extra)]);

function setup(t: TestContext, options?: TailOptions, name = 'traces.jsonl') {
  const dir = tempDir(t);
  const file = path.join(dir, name);
  const sink = new SpanSink();
  const tailer = new FileTailer(file, sink, options);
  t.after(() => tailer.dispose());
  return { dir, file, sink, tailer };
}

test('a line over the limit is reported with its file and line number and skipped; the lines around it are read', async (t) => {
  const { file, sink, tailer } = setup(t, { maxLineBytes: 2000 });
  const long = line('too-long', { attributes: { 'input.value': 'x'.repeat(5000) } });
  writeFileSync(file, line('before') + long + line('after'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['before', 'after']);
  assert.deepEqual(sink.lines(), [1, 3]);
  assert.equal(sink.problems.length, 1);
  assert.equal(sink.problems[0].file, file);
  assert.equal(sink.problems[0].line, 2);
  assert.match(sink.problems[0].message, /longer than 2000 bytes.*tracerun\.maxLineMB.*skipped/);
});

test('a line over the limit arriving in pieces across polls is reported once, never held, and the next line is read', async (t) => {
  const { file, sink, tailer } = setup(t, { maxLineBytes: 2000 });
  writeFileSync(file, line('first'));
  await tailer.poke();
  const long = Buffer.from(line('too-long', { attributes: { 'input.value': 'y'.repeat(9000) } }));
  for (let at = 0; at < long.length; at += 1500) {
    appendFileSync(file, long.subarray(at, Math.min(long.length, at + 1500)));
    await tailer.poke();
  }
  appendFileSync(file, line('third'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['first', 'third']);
  assert.deepEqual(sink.lines(), [1, 3]);
  assert.deepEqual(sink.problems.map((p) => p.line), [2]);
});

/**
 * Counts the bytes `Buffer.concat` and `Buffer.from(<bytes>)` copy while `op` runs: the work a
 * held line costs, measured without a clock.
 */
async function copiedBytes(op: () => Promise<void>): Promise<{ joins: number; bytes: number }> {
  const concat = Buffer.concat;
  const from = Buffer.from;
  const counted = { joins: 0, bytes: 0 };
  Buffer.concat = function (this: unknown, ...args: Parameters<typeof concat>) {
    const out = concat.apply(Buffer, args);
    counted.joins++;
    counted.bytes += out.length;
    return out;
  } as typeof concat;
  Buffer.from = function (this: unknown, ...args: unknown[]) {
    const out = (from as (...a: unknown[]) => Buffer).apply(Buffer, args);
    if (args[0] instanceof Uint8Array) counted.bytes += out.length;
    return out;
  } as typeof from;
  try {
    await op();
  } finally {
    Buffer.concat = concat;
    Buffer.from = from;
  }
  return counted;
}

test('a long line arriving in many small pieces is joined once: the bytes copied grow with the line, not with its square', async (t) => {
  const { file, sink, tailer } = setup(t);
  writeFileSync(file, '');
  await tailer.poke();
  const long = Buffer.from(line('long', { attributes: { 'input.value': 'z'.repeat(1_600_000) } }));
  const piece = 8192; // over the 4 KiB the tailer keeps of what it read last
  let pieces = 0;
  const copied = await copiedBytes(async () => {
    for (let at = 0; at < long.length; at += piece, pieces++) {
      appendFileSync(file, long.subarray(at, Math.min(long.length, at + piece)));
      await tailer.poke();
    }
  });
  assert.deepEqual(sink.names(), ['long']);
  assert.deepEqual(sink.problems, []);
  assert.ok(pieces > 150, `${pieces} pieces`);
  // One join of the whole line, plus the last 4 KiB of each read kept to tell an append from a
  // rewrite. Joining the held part with every piece copied ~pieces/2 times the line (~100×).
  assert.ok(copied.joins <= 2, `${copied.joins} joins`);
  assert.ok(copied.bytes <= 2 * long.length + pieces * 4096, `${copied.bytes} bytes copied for a line of ${long.length} in ${pieces} pieces`);
});

test('a pretty-printed document over the limit is reported, not read', async (t) => {
  const { file, sink, tailer } = setup(t, { maxLineBytes: 200 });
  writeFileSync(file, JSON.stringify(requestJson([span('doc-a'), span('doc-b')]), null, 2));
  await tailer.poke();
  assert.deepEqual(sink.names(), []);
  assert.deepEqual(sink.problems.map((p) => [p.line, /larger than 200 bytes/.test(p.message)]), [[1, true]]);
});

test('a UTF-8 byte-order mark before line 1, or before a pretty-printed document, is skipped', async (t) => {
  const lines = setup(t);
  writeFileSync(lines.file, '\uFEFF' + line('first') + line('second'));
  await lines.tailer.poke();
  assert.deepEqual(lines.sink.names(), ['first', 'second']);
  assert.deepEqual(lines.sink.problems, []);
  assert.equal(lines.sink.spansRead[0].byteStart > 3, true, 'byte offsets still count the mark');

  const doc = setup(t, undefined, 'doc.otlp.jsonl');
  writeFileSync(doc.file, '\uFEFF' + JSON.stringify(requestJson([span('doc-a'), span('doc-b')]), null, 2));
  await doc.tailer.poke();
  assert.deepEqual(doc.sink.names(), ['doc-a', 'doc-b']);
  assert.deepEqual(doc.sink.problems, []);
});

test('a span whose time is out of range is reported by name; the rest of its line is read', async (t) => {
  const { file, sink, tailer } = setup(t);
  writeFileSync(file, otlpLine([span('fine'), span('far-future', { start: '99999999999999999999999999' }), span('far-end', { end: '1' + '0'.repeat(30) })]));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['fine']);
  assert.equal(sink.problems.length, 2);
  assert.match(sink.problems[0].message, /span "far-future" \([0-9a-f]{16}\) skipped: its startTimeUnixNano 99999999999999999999999999 is out of range/);
  assert.match(sink.problems[1].message, /span "far-end" .*endTimeUnixNano/);
  assert.equal(sink.problems[0].line, 1);
});

test('a FIFO named like a trace file is refused with a message, never opened for a blocking read', { timeout: 10_000 }, async (t) => {
  if (process.platform === 'win32') return t.skip('no mkfifo');
  const { file, sink, tailer } = setup(t);
  execFileSync('mkfifo', [file]);
  await assert.rejects(tailer.poke(), /not a regular file/);
  assert.deepEqual(sink.names(), []);
});

/**
 * Whether `op` waited on the FIFO at `fifo` to get a writer. A helper process opens it for
 * writing, non-blocking, half a second after it starts: that succeeds only while a reader
 * holds it open (one blocked in open()), and releases that reader, so a regression fails
 * here rather than hanging the test process (or, for a synchronous `op`, its main thread).
 */
async function waitsOnFifo(fifo: string, op: () => unknown): Promise<{ waited: boolean; result: PromiseSettledResult<unknown> }> {
  const releaser = `setTimeout(() => {
    const fs = require('node:fs');
    try { fs.closeSync(fs.openSync(process.argv[1], fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)); console.log('a reader waited'); }
    catch (e) { console.log(e.code); }
  }, 500);`;
  const child = spawn(process.execPath, ['-e', releaser, fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'close');
  const settled = Promise.allSettled([(async () => op())()]);
  await exited;
  const [result] = await settled;
  assert.match(out, /a reader waited|ENXIO/);
  return { waited: out.includes('a reader waited'), result };
}

test('a trace file swapped for a FIFO after it was read: reading it back (details, run, index check, resume) refuses it, never waits on it', { timeout: 30_000 }, async (t) => {
  if (process.platform === 'win32') return t.skip('no mkfifo');
  const { file, sink, tailer } = setup(t);
  writeFileSync(file, otlpLine([span('a'), span('b')]));
  await tailer.poke();
  const places = new SpanPlaces();
  for (const s of sink.spansRead) places.add(s);
  assert.equal(places.read(TRACE).length, 2);
  const position = tailer.position()!;
  const size = statSync(file).size;
  const a = sink.byName('a');
  await loadSpanDetails(a);
  await fileEdges(file, size);

  unlinkSync(file);
  execFileSync('mkfifo', [file]);
  const refused = (r: PromiseSettledResult<unknown>) => r.status === 'rejected' && /not a regular file/.test(String(r.reason));
  const details = await waitsOnFifo(file, () => loadSpanDetails(a));
  assert.ok(!details.waited && refused(details.result), `span details: ${JSON.stringify(details)}`);
  const run = await waitsOnFifo(file, () => places.read(TRACE));
  assert.ok(!run.waited, 'a run read back on the main thread');
  assert.deepEqual(run.result, { status: 'fulfilled', value: [] });
  const edges = await waitsOnFifo(file, () => fileEdges(file, size));
  assert.ok(!edges.waited && refused(edges.result), `index check: ${JSON.stringify(edges)}`);
  const resumed = await waitsOnFifo(file, () => new FileTailer(file, new SpanSink()).resumeAt(position.offset, position.lines, position.inode));
  assert.ok(!resumed.waited && refused(resumed.result), `resume from an index: ${JSON.stringify(resumed)}`);
});

test('a complete file: the last line without a newline is read; a document that ends early is reported', async (t) => {
  const live = setup(t);
  writeFileSync(live.file, line('first') + line('last').trimEnd());
  await live.tailer.poke();
  assert.deepEqual(live.sink.names(), ['first'], 'a live file may still be writing its last line');

  const once = setup(t, { complete: true }, 'once.jsonl');
  writeFileSync(once.file, line('first') + line('last').trimEnd());
  await once.tailer.poke();
  assert.deepEqual(once.sink.names(), ['first', 'last']);
  assert.deepEqual(once.sink.lines(), [1, 2]);

  const cut = setup(t, { complete: true }, 'cut.otlp.jsonl');
  writeFileSync(cut.file, JSON.stringify(requestJson([span('doc-a')]), null, 2).slice(0, -20));
  await cut.tailer.poke();
  assert.deepEqual(cut.sink.names(), []);
  assert.equal(cut.sink.problems.length, 1);
  assert.match(cut.sink.problems[0].message, /malformed OTLP JSON/);
});

test('a zstd or gzip file is named as compressed once, with how to get one that is read; its bytes are never read as lines', async (t) => {
  const { gzipSync } = await import('node:zlib');
  const zstd = setup(t, undefined, 'zstd.jsonl');
  // A zstd frame starts with its magic number 28 B5 2F FD; the Collector's file exporter puts
  // a 4-byte length before each compressed batch.
  writeFileSync(zstd.file, Buffer.concat([Buffer.from([0, 0, 0, 0x2a, 0x28, 0xb5, 0x2f, 0xfd]), Buffer.from('\x00\x58\n\x11garbage\nmore\n', 'latin1')]));
  await zstd.tailer.poke();
  appendFileSync(zstd.file, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x0a, 0x41, 0x0a]));
  await zstd.tailer.poke();
  assert.equal(zstd.sink.problems.length, 1, zstd.sink.problems.map((p) => p.message).join('\n'));
  assert.match(zstd.sink.problems[0].message, /compressed with zstd .*compression.*Remove `compression`/);
  assert.deepEqual(zstd.sink.names(), []);

  const gz = setup(t, undefined, 'old.jsonl');
  writeFileSync(gz.file, gzipSync(line('compressed') + '\n'));
  await gz.tailer.poke();
  assert.equal(gz.sink.problems.length, 1);
  assert.match(gz.sink.problems[0].message, /compressed with gzip.*gunzip/);

  // Replaced by an uncompressed file (the exporter's compression turned off): read as usual.
  writeFileSync(gz.file, line('plain') + '\n');
  await gz.tailer.poke();
  assert.deepEqual(gz.sink.names(), ['plain']);
});
