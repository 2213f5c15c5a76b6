import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_FRAME_CHARS, parseStackTrace } from '../../src/core/source/stackFrames';
import { withinMs } from './timeBudget';

test('stack frames of Python, Node, Java and Go point at their file and line', () => {
  const frames = parseStackTrace(
    [
      'Traceback (most recent call last):',
      '  File "/app/support_agent.py", line 29, in lookup_order',
      '    return orders_api.get(order_id)',
      'Error: OrdersAPIError: not found',
      '    at lookupOrder (/work/demo/supportAgent.ts:67:23)',
      '    at async inSpan (demo/telemetry.ts:28:12)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at com.acme.Agent.run(Agent.java:42)',
      '\t/home/me/agent/main.go:88 +0x1d',
    ].join('\n'),
  );
  assert.deepEqual(
    frames.filter((f) => f.path).map((f) => [f.path, f.line]),
    [
      ['/app/support_agent.py', 29],
      ['/work/demo/supportAgent.ts', 67],
      ['demo/telemetry.ts', 28],
      ['Agent.java', 42],
      ['/home/me/agent/main.go', 88],
    ],
  );
  assert.equal(frames.length, 9, 'every line is kept, linked or not');
});

/** The patterns the frames were read with before they were replaced by scans: the reference. */
const REFERENCE_PATTERNS: RegExp[] = [
  /File "([^"]+)", line (\d+)/,
  /\(?((?:file:\/\/)?(?:[A-Za-z]:)?[^\s():]+\.[A-Za-z0-9]+):(\d+)(?::\d+)?\)?\s*$/,
  /\(([^():\s]+\.(?:java|kt|scala)):(\d+)\)/,
  /^\s*((?:[A-Za-z]:)?\/[^\s:]+\.go):(\d+)/,
];

function referenceFrame(text: string): { path?: string; line?: number } {
  for (const re of REFERENCE_PATTERNS) {
    const m = re.exec(text);
    if (m && !m[1].startsWith('node:') && !m[1].startsWith('<')) return { path: m[1].replace(/^file:\/\//, ''), line: Number(m[2]) };
  }
  return {};
}

test('a traceback ending in 100 KB of base64, or 40,000 characters without a colon, parses at once', () => {
  const base64 = Buffer.alloc(75_000, 'image bytes').toString('base64');
  const traceback = [
    'Traceback (most recent call last):',
    '  File "/app/vision.py", line 12, in describe',
    '    return client.chat.completions.create(messages=messages)',
    `openai.BadRequestError: invalid image ${base64}`,
  ].join('\n');
  const frames = withinMs(5000, () => parseStackTrace(traceback));
  assert.deepEqual(frames.map((f) => f.path), [undefined, '/app/vision.py', undefined, undefined]);
  assert.equal(frames[3].text.length, traceback.split('\n')[3].length, 'the long line is kept whole for display');

  const noColon = withinMs(5000, () => parseStackTrace('word.'.repeat(8_000)));
  assert.deepEqual(noColon.map((f) => f.path), [undefined]);
  const dots = withinMs(5000, () => parseStackTrace(`${'a.b'.repeat(14_000)}:1`));
  assert.equal(dots.length, 1);
});

test('a frame past the first MAX_FRAME_CHARS characters of a line is not looked for', () => {
  const [frame] = parseStackTrace(`${' '.repeat(MAX_FRAME_CHARS)}  File "/app/a.py", line 3, in f`);
  assert.equal(frame.path, undefined);
  const [early] = parseStackTrace(`  File "/app/a.py", line 3, in f ${'='.repeat(MAX_FRAME_CHARS)}`);
  assert.deepEqual([early.path, early.line], ['/app/a.py', 3]);
});

test('frames read the same as with the old patterns on generated lines, bar junk those linked', () => {
  const pieces = ['x.js', 'a.ts', ':1', ':22', ':7:3', 'e', 'p:', '//', '/', '\\', 'A.java', 'B.kt', 'x.py', 'm.go', '.', ':', '(', ')', ' ', '\t', '"', 'File "', '", line ', 'file://', 'C:', 'node:', '<', 'at ', '+0x1d', '9', 'Z'];
  let seed = 15;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  let linked = 0;
  for (let i = 0; i < 50_000; i++) {
    let text = '';
    for (let n = 1 + Math.floor(next() * 10); n > 0; n--) text += pieces[Math.floor(next() * pieces.length)];
    const want = referenceFrame(text);
    const [got] = parseStackTrace(text);
    if (want.path !== undefined) linked++;
    // The old patterns linked a few paths that cannot be files: a scheme's last letter taken
    // for a drive (`node:x.js` → `e:x.js`), `<anonymous>` behind `file://`, an empty path.
    const before = want.path === undefined ? '' : text.slice(0, text.lastIndexOf(want.path));
    const junk = want.path !== undefined && (want.path === '' || want.path.startsWith('<') || (/^[A-Za-z]:/.test(want.path) && /[^\s():/]$/.test(before)));
    if (junk && got.path === undefined) continue;
    assert.deepEqual([got.path, got.line], [want.path, want.line], JSON.stringify(text));
  }
  assert.ok(linked > 1000, `only ${linked} generated lines were frames`);
});
