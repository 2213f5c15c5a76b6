import assert from 'node:assert/strict';
import { appendFileSync, renameSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { SpanRecord } from '../../src/core/model/span';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { FileTailer, type TailSink, type TraceProblem } from '../../src/core/ingest/tailer';
import { otlpLine, requestJson, type TestSpan } from './otlpBuilder';
import { tempDir } from './tempDir';

const TRACE = '5b8efff798038103d269b633813fc60c';

/** Records everything a tailer delivers, in order. */
class RecordingSink implements TailSink {
  readonly log: string[] = [];
  /** Every span delivered, ever (to catch double reads). */
  readonly delivered: SpanRecord[] = [];
  /** What a store would hold now: spans since the last reset. */
  current: SpanRecord[] = [];
  readonly problems: TraceProblem[] = [];
  resets = 0;

  spans(_file: string, spans: SpanRecord[]): void {
    this.log.push(`spans ${spans.map((s) => s.name).join(',')}`);
    this.delivered.push(...spans);
    this.current.push(...spans);
  }

  reset(): void {
    this.log.push('reset');
    this.resets++;
    this.current = [];
  }

  problem(problem: TraceProblem): void {
    this.log.push(`problem ${problem.line}`);
    this.problems.push(problem);
  }

  names(): string[] {
    return this.current.map((s) => s.name);
  }
}

let nextSpan = 1;
function span(name: string, extra: Partial<TestSpan> = {}): TestSpan {
  const id = nextSpan++;
  return { traceId: TRACE, spanId: id.toString(16).padStart(16, '0'), name, start: 1_000 + id, end: 2_000 + id, ...extra };
}

function line(name: string, extra: Partial<TestSpan> = {}): string {
  return otlpLine([span(name, extra)]);
}

function setup(t: import('node:test').TestContext, name = 'traces.jsonl') {
  const dir = tempDir(t);
  const file = path.join(dir, name);
  const sink = new RecordingSink();
  const tailer = new FileTailer(file, sink);
  t.after(() => tailer.dispose());
  return { dir, file, sink, tailer };
}

test('a line split across several writes, even inside a multibyte character, is read once complete', async (t) => {
  const { file, sink, tailer } = setup(t);
  const name = 'plan 🚀 计划 — step ✓';
  const bytes = Buffer.from(line(name, { attributes: { 'input.value': '日本語のプロンプト 🎉' } }));
  const emoji = bytes.indexOf(Buffer.from('🚀'));
  const cjk = bytes.indexOf(Buffer.from('计'));
  // Cut inside the 4-byte emoji, inside a 3-byte CJK character, and just before the newline.
  const cuts = [0, 5, emoji + 1, emoji + 3, cjk + 2, bytes.length - 1, bytes.length];
  writeFileSync(file, '');
  for (let i = 1; i < cuts.length; i++) {
    appendFileSync(file, bytes.subarray(cuts[i - 1], cuts[i]));
    await tailer.poke();
    if (i < cuts.length - 1) assert.deepEqual(sink.log, [], `nothing until the newline (after piece ${i})`);
  }
  assert.deepEqual(sink.names(), [name]);
  assert.deepEqual(sink.problems, []);
  const details = await loadSpanDetails(sink.current[0]);
  assert.equal(details.attributes['input.value'], '日本語のプロンプト 🎉', 'the byte range of a span assembled from pieces is right');
});

test('a partial last line is held until its newline arrives, then the next line continues', async (t) => {
  const { file, sink, tailer } = setup(t);
  const first = line('first');
  const second = line('second');
  writeFileSync(file, first + second.slice(0, 40));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['first']);
  await tailer.poke();
  assert.deepEqual(sink.names(), ['first'], 'polling again does not read the partial line');
  appendFileSync(file, second.slice(40, -1));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['first']);
  appendFileSync(file, '\n' + line('third'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['first', 'second', 'third']);
  assert.equal(sink.resets, 0);
  assert.deepEqual(sink.problems, []);
});

test('several lines in one write, blank lines and CRLF endings', async (t) => {
  const { file, sink, tailer } = setup(t);
  const crlf = (s: string) => s.replace(/\n$/, '\r\n');
  writeFileSync(file, '\n  \n' + line('a') + '\n\r\n' + crlf(line('b')) + '\t\n' + crlf(line('c')) + line('d'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['a', 'b', 'c', 'd']);
  assert.equal(sink.problems.length, 0, 'blank and whitespace-only lines are no problem');
  // Line numbers still count the blank lines: a bad line after them is line 10.
  appendFileSync(file, 'not json\r\n');
  await tailer.poke();
  assert.deepEqual(
    sink.problems.map((p) => p.line),
    [10],
  );
  assert.equal(sink.current.find((s) => s.name === 'c')!.origin.line, 8);
});

test('a malformed line between two good ones is reported once, with its line number', async (t) => {
  const { file, sink, tailer } = setup(t);
  writeFileSync(file, line('before') + '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x",}]}]}\n' + line('after'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['before', 'after']);
  assert.equal(sink.problems.length, 1);
  assert.equal(sink.problems[0].line, 2);
  assert.equal(sink.problems[0].file, file);
  assert.match(sink.problems[0].message, /malformed/);
  appendFileSync(file, line('later'));
  await tailer.poke();
  await tailer.poke();
  assert.equal(sink.problems.length, 1, 'not reported again on later reads');
  assert.deepEqual(sink.names(), ['before', 'after', 'later']);
  assert.equal(sink.current[2].origin.line, 4);
});

test('a span without ids is reported for its line while the rest of the line still counts', async (t) => {
  const { file, sink, tailer } = setup(t);
  const req = requestJson([span('good')]);
  ((req.resourceSpans as any)[0].scopeSpans[0].spans as unknown[]).push({ name: 'no ids', startTimeUnixNano: '1' });
  writeFileSync(file, line('first') + JSON.stringify(req) + '\n');
  await tailer.poke();
  assert.deepEqual(sink.names(), ['first', 'good']);
  assert.equal(sink.problems.length, 1);
  assert.equal(sink.problems[0].line, 2);
  assert.match(sink.problems[0].message, /no ids.*no traceId/);
});

test('truncation resets and re-reads from the start', async (t) => {
  const { file, sink, tailer } = setup(t);
  writeFileSync(file, line('one') + line('two') + line('three'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['one', 'two', 'three']);
  truncateSync(file, 0);
  await tailer.poke();
  assert.equal(sink.resets, 1);
  assert.deepEqual(sink.names(), []);
  writeFileSync(file, line('fresh'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['fresh']);
  assert.equal(sink.current[0].origin.line, 1, 'line numbers start again');
  // Shrinking to a shorter file in one step (rewrite before any poll) also counts.
  writeFileSync(file, line('a much longer name so the file is bigger') + line('x'));
  await tailer.poke();
  writeFileSync(file, line('short'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['short']);
  assert.equal(sink.delivered.filter((s) => s.name === 'short').length, 1);
});

test('a file rewritten in place to a larger size before a poll (open with "w" each run) resets and re-reads', async (t) => {
  const { file, sink, tailer } = setup(t);
  writeFileSync(file, line('first run') + line('first run, step 2'));
  await tailer.poke();
  const inode = statSync(file).ino;
  // The next run of the script rewrites the file; by the time we look it is already longer.
  writeFileSync(file, line('second run') + line('second run, step 2') + line('second run, step 3'));
  assert.equal(statSync(file).ino, inode, 'same file, rewritten in place');
  await tailer.poke();
  assert.equal(sink.resets, 1);
  assert.deepEqual(sink.names(), ['second run', 'second run, step 2', 'second run, step 3']);
  assert.deepEqual(sink.problems, [], 'no half-line read from the middle of the new content');
  // A run that writes lines of the same lengths with the same endings (only ids and times
  // differ, a few hundred bytes from the end) is told apart too.
  const sameShape = (run: string) => line(`run ${run}`) + line(`step ${run}`) + line(`step ${run}`);
  writeFileSync(file, sameShape('3') + line('end'));
  await tailer.poke();
  writeFileSync(file, sameShape('4') + line('end') + line('more'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['run 4', 'step 4', 'step 4', 'end', 'more']);
  assert.equal(sink.resets, 3);
  // Plain appends are still appends.
  appendFileSync(file, line('appended'));
  await tailer.poke();
  assert.equal(sink.resets, 3);
  assert.deepEqual(sink.names(), ['run 4', 'step 4', 'step 4', 'end', 'more', 'appended']);
});

test('a file replaced by rename (new inode, same or larger size) resets and re-reads', async (t) => {
  const { dir, file, sink, tailer } = setup(t);
  writeFileSync(file, line('old-1') + line('old-2'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['old-1', 'old-2']);

  // Same size: same-length names and ids.
  const tmp = path.join(dir, 'next.tmp');
  writeFileSync(tmp, line('new-1') + line('new-2'));
  assert.equal(statSync(tmp).size, statSync(file).size);
  renameSync(tmp, file);
  await tailer.poke();
  assert.equal(sink.resets, 1);
  assert.deepEqual(sink.names(), ['new-1', 'new-2']);

  // Larger.
  writeFileSync(tmp, line('big-1') + line('big-2') + line('big-3'));
  renameSync(tmp, file);
  await tailer.poke();
  assert.equal(sink.resets, 2);
  assert.deepEqual(sink.names(), ['big-1', 'big-2', 'big-3']);
});

test('deleting the file resets; re-creating it reads it again', async (t) => {
  const { file, sink, tailer } = setup(t);
  writeFileSync(file, line('here'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['here']);
  rmSync(file);
  await tailer.poke();
  assert.equal(sink.resets, 1);
  assert.deepEqual(sink.names(), []);
  await tailer.poke();
  assert.equal(sink.resets, 1, 'a missing file resets only once');
  writeFileSync(file, line('back'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['back']);
});

test('a file that does not exist yet is no error', async (t) => {
  const { file, sink, tailer } = setup(t);
  await tailer.poke();
  assert.deepEqual(sink.log, []);
  writeFileSync(file, line('created'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['created']);
});

test('a line larger than one read chunk (9 MiB) is read whole, with the lines around it', async (t) => {
  const { file, sink, tailer } = setup(t);
  // Multibyte characters throughout, so the 8 MiB chunk boundary falls inside some of them.
  const payload = 'prompt € 🚀 '.repeat(Math.ceil((9 * 1024 * 1024) / 16));
  const big = line('huge', { attributes: { 'input.value': payload, 'code.lineno': 7 } });
  assert.ok(Buffer.byteLength(big) > 9 * 1024 * 1024);
  writeFileSync(file, line('small-before') + big + line('small-after'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['small-before', 'huge', 'small-after']);
  assert.deepEqual(sink.problems, []);
  const huge = sink.current[1];
  assert.equal(huge.origin.line, 2);
  assert.deepEqual(huge.attributes, { 'code.lineno': 7 }, 'the payload stays out of the index');
  assert.equal(sink.current[2].origin.line, 3);
  const details = await loadSpanDetails(huge);
  assert.equal(details.attributes['input.value'], payload);
  assert.equal((await loadSpanDetails(sink.current[2])).attributes['input.value'], undefined);
});

test('a 9 MiB line appended in pieces across polls is read once complete', async (t) => {
  const { file, sink, tailer } = setup(t);
  const payload = 'x'.repeat(9 * 1024 * 1024);
  const big = Buffer.from(line('huge', { attributes: { 'input.value': payload } }));
  writeFileSync(file, line('first'));
  const third = Math.floor(big.length / 3);
  for (const [from, to] of [
    [0, third],
    [third, 2 * third],
    [2 * third, big.length],
  ]) {
    appendFileSync(file, big.subarray(from, to));
    await tailer.poke();
  }
  assert.deepEqual(sink.names(), ['first', 'huge']);
  assert.equal((await loadSpanDetails(sink.current[1])).attributes['input.value'], payload);
});

function prettyDoc(names: string[]): string {
  return JSON.stringify(requestJson(names.map((n) => span(n))), null, 2);
}

test('a file holding one pretty-printed object is read whole, and re-read when rewritten', async (t) => {
  const { file, sink, tailer } = setup(t, 'trace.otlp.jsonl');
  writeFileSync(file, prettyDoc(['doc-a', 'doc-b']));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['doc-a', 'doc-b']);
  assert.deepEqual(sink.problems, []);
  assert.equal(sink.current[0].origin.line, 1);
  const details = await loadSpanDetails(sink.current[1]);
  assert.equal(details.resourceAttributes['service.name'], 'test-service');

  await tailer.poke();
  assert.equal(sink.delivered.length, 2, 'an unchanged document is not read again');

  // Rewritten in place with a different size.
  writeFileSync(file, prettyDoc(['doc-c', 'doc-d', 'doc-e']));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['doc-c', 'doc-d', 'doc-e']);

  // Rewritten in place with exactly the same size (same-length names and ids), later on.
  const before = statSync(file);
  writeFileSync(file, prettyDoc(['doc-f', 'doc-g', 'doc-h']));
  assert.equal(statSync(file).size, before.size);
  utimesSync(file, before.atime, new Date(before.mtimeMs + 2000));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['doc-f', 'doc-g', 'doc-h']);
});

test('a pretty-printed document with CRLF and leading blank lines is still one document', async (t) => {
  const { file, sink, tailer } = setup(t, 'trace.otlp.jsonl');
  writeFileSync(file, '\r\n\n' + prettyDoc(['crlf-doc']).replace(/\n/g, '\r\n') + '\r\n');
  await tailer.poke();
  assert.deepEqual(sink.names(), ['crlf-doc']);
  assert.deepEqual(sink.problems, []);
});

test('a pretty-printed document still being written reports nothing until it is complete', async (t) => {
  const { file, sink, tailer } = setup(t, 'trace.otlp.jsonl');
  // Literals of every kind, so the cut lands inside `true`, `false`, `null` and numbers too.
  const req = requestJson([
    span('partial-doc', {
      attributes: { flag: true, off: false, ratio: -12.5e-3, count: 12345 },
      status: { code: 2, message: 'boom' },
    }),
  ]);
  const spanJson = (req.resourceSpans as any)[0].scopeSpans[0].spans[0];
  spanJson.droppedAttributesCount = 0;
  spanJson.traceState = null;
  spanJson.links = null;
  spanJson.flags = 256;
  const text = Buffer.from(JSON.stringify(req, null, 2));
  writeFileSync(file, '');
  for (let cut = 1; cut < text.length; cut++) {
    appendFileSync(file, text.subarray(cut - 1, cut));
    await tailer.poke();
    assert.deepEqual(sink.problems, [], `no problem while incomplete (cut at byte ${cut}: …${text.toString('utf8', Math.max(0, cut - 20), cut)})`);
    assert.deepEqual(sink.delivered, [], `no spans while incomplete (cut at byte ${cut})`);
  }
  appendFileSync(file, text.subarray(text.length - 1));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['partial-doc']);
  assert.deepEqual(sink.problems, []);
});

test('a pretty-printed document with a real syntax error is reported at its line', async (t) => {
  const { file, sink, tailer } = setup(t, 'trace.otlp.jsonl');
  const lines = prettyDoc(['bad-doc']).split('\n');
  const nameLine = lines.findIndex((l) => l.includes('"bad-doc"'));
  lines[nameLine] = lines[nameLine].replace('"bad-doc",', '"bad-doc" oops,');
  writeFileSync(file, lines.join('\n'));
  await tailer.poke();
  assert.deepEqual(sink.names(), []);
  assert.equal(sink.problems.length, 1);
  assert.equal(sink.problems[0].line, nameLine + 1);
});

test('concurrent pokes coalesce and never read a line twice', async (t) => {
  const { file, sink, tailer } = setup(t);
  writeFileSync(file, line('l1') + line('l2') + line('l3'));
  const pokes = Array.from({ length: 10 }, () => tailer.poke());
  // Lines appended while the first pass runs are picked up by the coalesced pass.
  appendFileSync(file, line('l4'));
  pokes.push(tailer.poke());
  appendFileSync(file, line('l5') + line('l6').slice(0, 10));
  pokes.push(tailer.poke());
  await Promise.all(pokes);
  assert.deepEqual(
    sink.delivered.map((s) => s.name),
    ['l1', 'l2', 'l3', 'l4', 'l5'],
  );
  // Many rounds of appends interleaved with overlapping pokes.
  appendFileSync(file, line('l6').slice(10));
  const more: Promise<void>[] = [];
  for (let i = 7; i <= 40; i++) {
    appendFileSync(file, line(`l${i}`));
    more.push(tailer.poke(), tailer.poke());
  }
  await Promise.all(more);
  await tailer.poke();
  const names = sink.delivered.map((s) => s.name);
  assert.equal(names.length, 40);
  assert.deepEqual(names, Array.from({ length: 40 }, (_, i) => `l${i + 1}`));
  assert.equal(sink.resets, 0);
});

test('a disposed tailer delivers nothing more', async (t) => {
  const { file, sink, tailer } = setup(t);
  writeFileSync(file, line('before'));
  await tailer.poke();
  tailer.dispose();
  appendFileSync(file, line('after'));
  await tailer.poke();
  assert.deepEqual(sink.names(), ['before']);
});
