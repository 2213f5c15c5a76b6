// `tracerun tree`: golden files over the fixtures (text and --json), and the defects of its output.
// Regenerate the golden files after a meant change of the output: UPDATE_GOLDEN=1 npm run test:unit
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/cli';
import { processIo } from '../../src/cli/processIo';
import { firstLine, terminalSafe } from '../../src/cli/terminalText';
import { hexId, ms, otlpLine, type TestSpan } from './otlpBuilder';
import { tempDir } from './tempDir';
import { SIBLING_IDS, SIBLINGS_TRACE, siblingCallsRun } from './siblingCallsRun';

const CHILD_ARGS = 'TRACERUN_CLI_TEST_CHILD_ARGS';

if (process.env[CHILD_ARGS]) {
  // The CLI as dist/cli.js runs it, on the real stdout: for what only a real pipe shows.
  void runCli(JSON.parse(process.env[CHILD_ARGS]) as string[], processIo()).then((code) => {
    process.exitCode = code;
  });
} else {
  tests();
}

function findRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'test', 'fixtures'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the repository root above ${__dirname}`);
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `tracerun <args>` in this process, its output collected as the terminal would get it. */
async function cli(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { out: (t) => (stdout += t + '\n'), err: (t) => (stderr += t + '\n') });
  return { code, stdout, stderr };
}

function writeTrace(dir: string, name: string, spans: TestSpan[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, otlpLine(spans));
  return file;
}

function tests(): void {
  const root = findRoot();
  const goldenDir = path.join(root, 'test', 'unit', 'golden');
  const update = process.env.UPDATE_GOLDEN === '1';

  function matchesGolden(name: string, actual: string): void {
    const file = path.join(goldenDir, name);
    if (update) {
      mkdirSync(goldenDir, { recursive: true });
      writeFileSync(file, actual);
      return;
    }
    assert.ok(existsSync(file), `no golden file ${path.relative(root, file)}: write it with UPDATE_GOLDEN=1 npm run test:unit`);
    assert.equal(actual, readFileSync(file, 'utf8'), `${name} differs from the golden file; if the change is meant, regenerate with UPDATE_GOLDEN=1 npm run test:unit and review the diff`);
  }

  for (const fixtures of ['conventions', 'conversations']) {
    const dir = path.join(root, 'test', 'fixtures', fixtures);
    test(`tree ${fixtures}/: text output matches the golden file`, async () => {
      const run = await cli('tree', dir);
      assert.equal(run.stderr, '');
      assert.equal(run.code, 0);
      matchesGolden(`tree-${fixtures}.txt`, run.stdout);
    });
    test(`tree ${fixtures}/ --json: JSON output matches the golden file`, async () => {
      const run = await cli('tree', dir, '--json');
      assert.equal(run.stderr, '');
      assert.equal(run.code, 0);
      JSON.parse(run.stdout);
      matchesGolden(`tree-${fixtures}.json`, run.stdout);
    });
  }

  test("tree conversations/ --json --messages: each span's conversation as the details pane shows it, matching the golden file", async () => {
    const run = await cli('tree', path.join(root, 'test', 'fixtures', 'conversations'), '--json', '--messages');
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
    const json = JSON.parse(run.stdout) as { traces: { spans: { messages?: { role: string; toolCalls?: unknown[]; toolCallId?: string }[] }[] }[] };
    const messages = json.traces.flatMap((t) => t.spans.flatMap((s) => s.messages ?? []));
    assert.ok(messages.some((m) => m.toolCalls && m.toolCalls.length > 0), 'tool calls are listed');
    assert.ok(messages.some((m) => m.role === 'tool' && m.toolCallId), 'tool results name their call');
    matchesGolden('tree-conversations-messages.json', run.stdout);
  });

  test('tree --json --messages: content sent as log records and the time to first token; --messages alone is a usage error', async (t) => {
    const dir = tempDir(t);
    const traceId = hexId(16);
    const spanId = hexId(8);
    const file = writeTrace(dir, 'run.jsonl', [
      { traceId, spanId, name: 'chat gpt-4o', start: ms(0), end: ms(900), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.time_to_first_chunk': 0.25 } },
    ]);
    const record = (eventName: string, at: number, body: object) => ({ traceId, spanId, eventName, timeUnixNano: String(ms(at)), body });
    const text = (s: string) => ({ stringValue: s });
    const kv = (o: Record<string, unknown>) => ({ kvlistValue: { values: Object.entries(o).map(([key, value]) => ({ key, value })) } });
    const logs = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                record('gen_ai.user.message', 1, kv({ content: text('Weather in Paris?') })),
                record('gen_ai.choice', 800, kv({ index: { intValue: '0' }, finish_reason: text('tool_calls'), message: kv({ role: text('assistant') }), tool_calls: { arrayValue: { values: [kv({ id: text('call_1'), type: text('function'), function: kv({ name: text('get_weather'), arguments: text('{"city":"Paris"}') }) })] } } })),
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(file, readFileSync(file, 'utf8') + JSON.stringify(logs) + '\n');
    const run = await cli('tree', file, '--json', '--messages');
    assert.equal(run.stderr, '');
    const span = (JSON.parse(run.stdout) as { traces: { spans: Record<string, unknown>[] }[] }).traces[0].spans[0];
    assert.equal(span.ttftMs, 250);
    assert.deepEqual(span.messages, [
      { role: 'user', direction: 'input', content: 'Weather in Paris?' },
      { role: 'assistant', direction: 'output', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    ]);
    const plain = (JSON.parse((await cli('tree', file, '--json')).stdout) as { traces: { spans: Record<string, unknown>[] }[] }).traces[0].spans[0];
    assert.equal(plain.messages, undefined, 'only with --messages');
    const usage = await cli('tree', file, '--messages');
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--messages goes with --json/);
  });

  test('tree over failures, running spans, missing parents, cycles and ties matches the golden files', async (t) => {
    const run = '4bf92f3577b34da6a3ce929d0e0e4736';
    const rootless = '5b8efff798038103d269b633813fc60c';
    const id = (n: number) => `c0ffee${n.toString(16).padStart(10, '0')}`;
    const code = (line: number, fn: string) => ({ 'code.filepath': 'agent/run.py', 'code.lineno': line, 'code.function': fn });
    const file = writeTrace(tempDir(t), 'edge.jsonl', [
      { traceId: run, spanId: id(1), name: 'agent.run', start: ms(0), end: ms(900), attributes: code(10, 'run'), status: { code: 2, message: 'tool failed' } },
      // Recorded to the millisecond: the step and the call right after it start together.
      { traceId: run, spanId: id(3), parentSpanId: id(1), name: 'chat gpt-4o', start: ms(100), end: ms(400), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 80 } },
      { traceId: run, spanId: id(2), parentSpanId: id(1), name: 'plan step', start: ms(100), end: ms(100) },
      { traceId: run, spanId: id(4), parentSpanId: id(1), name: 'execute_tool lookup', start: ms(400), end: ms(650), attributes: { 'gen_ai.operation.name': 'execute_tool', ...code(42, 'lookup') }, status: { code: 2, message: 'KeyError: order\nTraceback (most recent call last):\n  File "agent/run.py", line 42' } },
      { traceId: run, spanId: id(5), parentSpanId: id(1), name: 'stream answer', start: ms(700), end: 0 },
      // Two spans naming each other as parent: cut at the earlier.
      { traceId: run, spanId: id(6), parentSpanId: id(7), name: 'cycle a', start: ms(710), end: ms(720) },
      { traceId: run, spanId: id(7), parentSpanId: id(6), name: 'cycle b', start: ms(715), end: ms(718) },
      // A run whose root has not arrived: its spans gather under a stand-in for it.
      { traceId: rootless, spanId: id(11), parentSpanId: id(10), name: 'retrieve', start: ms(2000), end: ms(2100) },
      { traceId: rootless, spanId: id(12), parentSpanId: id(10), name: 'rerank', start: ms(2100), end: ms(2150) },
    ]);
    const text = await cli('tree', file);
    assert.equal(text.stderr, '');
    matchesGolden('tree-edge-cases.txt', text.stdout);
    const json = await cli('tree', file, '--json');
    assert.equal(json.stderr, '');
    matchesGolden('tree-edge-cases.json', json.stdout);
  });

  test('tree folds one model call recorded twice, nested or side by side, into one line as the Runs view does; --json keeps every span, saying which it folds into', async (t) => {
    const nested = 'd1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1';
    const id = (n: number) => `d1d1d1d1d1d1d1${n.toString(16).padStart(2, '0')}`;
    // LangChain's ChatOpenAI around the OpenAI SDK's own span, the inner one failing and stating the tokens.
    const nestedRun: TestSpan[] = [
      { traceId: nested, spanId: id(1), name: 'agent', start: ms(0), end: ms(500), attributes: { 'openinference.span.kind': 'CHAIN' } },
      { traceId: nested, spanId: id(2), parentSpanId: id(1), name: 'ChatOpenAI', start: ms(10), end: ms(400), attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o' } },
      { traceId: nested, spanId: id(3), parentSpanId: id(2), name: 'openai.chat', start: ms(20), end: ms(390), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 50, 'gen_ai.usage.output_tokens': 5 }, status: { code: 2, message: 'RateLimitError: 429' } },
      { traceId: nested, spanId: id(4), parentSpanId: id(3), name: 'POST /v1/chat/completions', start: ms(25), end: ms(385), attributes: { 'http.request.method': 'POST' } },
    ];
    const dir = tempDir(t);
    writeFileSync(path.join(dir, 'twice.jsonl'), otlpLine(siblingCallsRun()) + otlpLine(nestedRun));
    const text = await cli('tree', dir);
    assert.equal(text.stderr, '');
    const lines = text.stdout.split('\n');
    const chats = lines.filter((l) => /anthropic\.(chat|messages\.create)/.test(l));
    assert.equal(chats.length, 3, `each call once:\n${text.stdout}`);
    assert.ok(chats.every((l) => /anthropic\.chat .*\+ anthropic\.messages\.create$/.test(l)), chats.join('\n'));
    const call = lines.find((l) => l.includes('ChatOpenAI'));
    assert.match(call ?? '', /ChatOpenAI .*llm gpt-4o {2}55 tokens \(50 in · 5 out\) {2}\+ openai\.chat {2}ERROR RateLimitError: 429$/, "the inner span's tokens and failure on the outer's line");
    assert.ok(!lines.some((l) => /[└├]─ openai\.chat/.test(l)), 'the inner span has no line of its own');
    assert.match(text.stdout, / {2}\s+└─ POST \/v1\/chat\/completions/, 'what the inner span holds is listed under the call');
    matchesGolden('tree-llm-calls-twice.txt', text.stdout);

    const json = await cli('tree', dir, '--json');
    assert.equal(json.stderr, '');
    const traces = (JSON.parse(json.stdout) as { traces: { traceId: string; spanCount: number; spans: { spanId: string; foldedInto?: string }[] }[] }).traces;
    for (const trace of traces) assert.equal(trace.spans.length, trace.spanCount, 'every span');
    const folded = (traceId: string) => Object.fromEntries(traces.find((tr) => tr.traceId === traceId)!.spans.filter((s) => s.foldedInto).map((s) => [s.spanId, s.foldedInto]));
    assert.deepEqual(folded(SIBLINGS_TRACE), Object.fromEntries(SIBLING_IDS.sdks.map((sdk, i) => [sdk, SIBLING_IDS.chats[i]])));
    assert.deepEqual(folded(nested), { [id(3)]: id(2) });
    matchesGolden('tree-llm-calls-twice.json', json.stdout);
  });

  test('tree: usage errors exit 2, nothing readable exits 1 naming the problem', async (t) => {
    const none = await cli('tree');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /tree needs at least one file or folder/);
    const dir = tempDir(t);
    const missing = await cli('tree', path.join(dir, 'nope.jsonl'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.jsonl: cannot read: no such file or folder/);
    writeFileSync(path.join(dir, 'bad.jsonl'), '{"resourceSpans": [\n');
    const bad = await cli('tree', path.join(dir, 'bad.jsonl'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.jsonl:1: /);
  });

  test('tree --jaeger: usage errors exit 2 before anything is contacted', async () => {
    const cases: [string[], RegExp][] = [
      [['--jaeger', 'jaeger:16686', '--trace', 'ab'], /--jaeger must be the http\(s\) URL of Jaeger's query service/],
      [['--jaeger', 'http://127.0.0.1:9'], /--jaeger needs --trace ID or --service NAME/],
      [['--jaeger', 'http://127.0.0.1:9', '--trace', 'ab', '--service', 'x'], /--jaeger needs --trace ID or --service NAME/],
      [['--jaeger', 'http://127.0.0.1:9', '--trace', 'xyz'], /--trace must be a trace id \(hex\)/],
      [['--jaeger', 'http://127.0.0.1:9', '--service', 'x', '--since', '1 week'], /--since must be a span of time like 30m, 1h or 2d/],
      [['--jaeger', 'http://127.0.0.1:9', '--service', 'x', '--limit', '0'], /--limit must be a whole number above 0/],
      [['some.jsonl', '--jaeger', 'http://127.0.0.1:9', '--trace', 'ab'], /tree reads files or --jaeger, not both/],
    ];
    for (const [args, message] of cases) {
      const run = await cli('tree', ...args);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, message);
    }
  });

  test('tree: a multi-line status message shows its first line in text and whole in --json', async (t) => {
    const traceId = hexId(16);
    const message = 'ValueError: invalid literal for int()\nTraceback (most recent call last):\n  File "agent.py", line 12, in run\n    int("x")';
    const file = writeTrace(tempDir(t), 'trace.jsonl', [
      { traceId, spanId: hexId(8, 1), name: 'agent', start: ms(0), end: ms(100) },
      { traceId, spanId: hexId(8, 2), parentSpanId: hexId(8, 1), name: 'parse', start: ms(10), end: ms(20), status: { code: 2, message } },
      { traceId, spanId: hexId(8, 3), parentSpanId: hexId(8, 1), name: 'answer', start: ms(30), end: ms(90) },
    ]);
    const text = await cli('tree', file);
    assert.equal(text.code, 0);
    const lines = text.stdout.split('\n');
    assert.equal(lines.length, 1 + 3 + 2, `a header, a line a span, a blank line: ${JSON.stringify(lines)}`);
    assert.match(lines[2], /^ {2}├─ parse {2}10\.0ms {2}other {2}ERROR ValueError: invalid literal for int\(\) …$/);
    assert.match(lines[3], /^ {2}└─ answer /);
    assert.doesNotMatch(text.stdout, /Traceback/);
    const json = JSON.parse((await cli('tree', file, '--json')).stdout) as { traces: { spans: { name: string; error?: string }[] }[] };
    assert.equal(json.traces[0].spans.find((s) => s.name === 'parse')?.error, message);
  });

  test('tree: escape sequences and control characters in trace text do not reach the terminal; --json keeps them', async (t) => {
    const traceId = hexId(16);
    const name = '\x1b]0;owned\x07step \x1b[31mred\x1b[0m\x07\x00';
    const error = '\x1b[2J\x1b[Hcleared\x9b31m screen\rback';
    const filePath = '/src/\x1b[8mhidden\x1b[0m.py';
    const file = writeTrace(tempDir(t), 'trace.jsonl', [
      { traceId, spanId: hexId(8, 1), name, start: ms(0), end: ms(10), status: { code: 2, message: error }, attributes: { 'code.filepath': filePath, 'gen_ai.request.model': 'gpt\x1b[5m-4o' } },
    ]);
    const text = await cli('tree', file);
    assert.equal(text.code, 0);
    assert.doesNotMatch(text.stdout, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, 'no control character but the line breaks');
    assert.match(text.stdout, /^▶ step red {2}/);
    assert.match(text.stdout, /ERROR cleared screen … {2}\/src\/hidden\.py/, 'a carriage return ends the first line too');
    assert.match(text.stdout, /gpt-4o/);
    const json = JSON.parse((await cli('tree', file, '--json')).stdout) as { traces: { name: string; spans: { name: string; error?: string; source?: { path: string } }[] }[] };
    assert.equal(json.traces[0].name, name);
    assert.equal(json.traces[0].spans[0].error, error);
    assert.equal(json.traces[0].spans[0].source?.path, filePath);
  });

  test('tree: a failed span with an empty status message says why from its error.type, in text and --json', async (t) => {
    const traceId = hexId(16);
    const file = writeTrace(tempDir(t), 'trace.jsonl', [
      { traceId, spanId: hexId(8, 1), name: 'agent', start: ms(0), end: ms(1000) },
      { traceId, spanId: hexId(8, 2), parentSpanId: hexId(8, 1), name: 'POST /v1/chat', start: ms(10), end: ms(20), status: { code: 2 }, attributes: { 'error.type': 'RateLimitError' } },
    ]);
    const text = await cli('tree', file);
    assert.match(text.stdout, /POST \/v1\/chat .*ERROR RateLimitError/);
    const json = JSON.parse((await cli('tree', file, '--json')).stdout) as { traces: { spans: { name: string; error?: string }[] }[] };
    assert.equal(json.traces[0].spans.find((s) => s.name === 'POST /v1/chat')?.error, 'RateLimitError');
  });

  test('tree: a span with a time out of range is reported by name and skipped; the rest of its run prints', async (t) => {
    const traceId = hexId(16);
    const file = writeTrace(tempDir(t), 'trace.jsonl', [
      { traceId, spanId: hexId(8, 1), name: 'agent', start: ms(0), end: ms(1000) },
      { traceId, spanId: hexId(8, 2), parentSpanId: hexId(8, 1), name: 'far future', start: '99999999999999999999999999', end: '99999999999999999999999999' },
    ]);
    const text = await cli('tree', file);
    assert.equal(text.code, 0);
    assert.match(text.stderr, /trace\.jsonl:1: span "far future" \(0000000000000002\) skipped: its startTimeUnixNano 99999999999999999999999999 is out of range/);
    assert.match(text.stdout, /^▶ agent /m);
    assert.doesNotMatch(text.stdout, /far future/);
    const json = await cli('tree', file, '--json');
    assert.equal(json.code, 0);
    assert.equal((JSON.parse(json.stdout) as { traces: { spanCount: number }[] }).traces[0].spanCount, 1);
  });

  test('tree … | head: a reader that stops early ends the command quietly, exit code 0', async (t) => {
    // Far more output than a pipe buffers (64 KB), so the command is still writing when the reader goes.
    const traceId = hexId(16);
    const spans: TestSpan[] = [{ traceId, spanId: hexId(8, 1), name: 'agent', start: ms(0), end: ms(10_000) }];
    for (let k = 2; k <= 5000; k++) spans.push({ traceId, spanId: hexId(8, k), parentSpanId: hexId(8, 1), name: `step number ${k}`, start: ms(k), end: ms(k + 1) });
    const file = writeTrace(tempDir(t), 'big.jsonl', spans);
    const child = spawn(process.execPath, [__filename], { env: { ...process.env, [CHILD_ARGS]: JSON.stringify(['tree', file]) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let first = '';
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString('utf8');
      child.stdout.destroy(); // as `head` does once it has its lines
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 20_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.match(first, /^▶ agent/);
    assert.equal(stderr, '', 'nothing on stderr');
    assert.equal(code, 0);
  });

  test('terminalSafe drops escape sequences whole and other control characters; plain text is returned as is', () => {
    const plain = 'chat gpt-4o → café 東京';
    assert.equal(terminalSafe(plain), plain);
    assert.equal(terminalSafe('a\x1b[1;31mb\x1b[0mc'), 'abc', 'CSI');
    assert.equal(terminalSafe('a\x1b]8;;https://x.test\x1b\\link\x1b]8;;\x1b\\b'), 'alinkb', 'OSC 8 hyperlink, ended by ST');
    assert.equal(terminalSafe('a\x1b]0;title\x07b'), 'ab', 'OSC ended by BEL');
    assert.equal(terminalSafe('a\x1bPq#0;2;0;0;0\x1b\\b'), 'ab', 'DCS (sixel)');
    assert.equal(terminalSafe('a\x9b2Jb\x9d0;t\x9cc'), 'abc', 'C1 CSI and OSC');
    assert.equal(terminalSafe('a\x1bcb\x1b'), 'ab', 'two-character escape; a lone ESC at the end');
    assert.equal(terminalSafe('a\tb\nc\r\nd'), 'a b c  d', 'tabs and line breaks become spaces');
    assert.equal(terminalSafe('a\x00\x08\x7f\x85b'), 'ab', 'NUL, backspace, DEL, C1 NEL');
    assert.equal(terminalSafe('a\x1b[12;\x1b[31mb'), 'ab', 'a CSI cut short by another');
    const hostile = '\x1b[' + '1;'.repeat(200_000) + 'x\x1b]' + 'y'.repeat(200_000);
    assert.equal(terminalSafe(hostile), '', 'long unterminated sequences are dropped to the end');
  });

  test('firstLine keeps the first line with text and marks what it left out', () => {
    assert.equal(firstLine('one line'), 'one line');
    assert.equal(firstLine('first\nsecond'), 'first …');
    assert.equal(firstLine('\r\n  \nfirst  \r\n\n'), 'first');
    assert.equal(firstLine('first\r\nsecond'), 'first …');
    assert.equal(firstLine(''), '');
  });
}
