import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../src/cli/cli';
import { extractConversation } from '../../src/core/genai/conversation';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { FakeStreamingModelApi } from '../integration/fakeStreamingModelApi';
import { attr, hexId, ms, otlpLine } from './otlpBuilder';

const FIXTURES = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'replay');
const KEY = 'sk-cli-secret-9876543210';
let fake: FakeStreamingModelApi;
let traceFile: string;
let spanId: string;
let traceId: string;

before(async () => {
  fake = new FakeStreamingModelApi();
  await fake.start();
  // The OpenInference fixture's span, in a trace under a parent, as an app would have recorded it.
  const f = JSON.parse(readFileSync(join(FIXTURES, 'openinference.json'), 'utf8')) as { name: string; attributes: Record<string, unknown> };
  traceId = hexId(16);
  spanId = hexId(8);
  const attributes = Object.fromEntries(Object.entries(f.attributes).map(([k, v]) => [k, (attr('', v) as { value: unknown }).value]));
  traceFile = join(mkdtempSync(join(tmpdir(), 'cli-replay-')), 'app.jsonl');
  writeFileSync(traceFile, otlpLine([{ traceId, spanId, name: f.name, start: ms(0), end: ms(900), kind: 3, attributes }], 'support-agent'));
});
after(() => fake.dispose());

async function cli(args: string[], env: Record<string, string> = { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY }) {
  const out: string[] = [];
  const err: string[] = [];
  const cwd = mkdtempSync(join(tmpdir(), 'cli-replay-cwd-'));
  const code = await runCli(['replay', traceFile, ...args], { out: (t) => out.push(t), err: (t) => err.push(t), env, cwd });
  for (const line of [...out, ...err]) assert.ok(!line.includes(KEY), 'the key is never printed');
  return { code, out: out.join('\n'), err: err.join('\n'), cwd };
}

test('replay --json: the rebuilt request, the recorded answer, the new answer with timing, and a replay run in .tracerun/', async () => {
  const r = await cli(['--span', spanId, '--base-url', `${fake.url}/v1`, '--json']);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out) as {
    request: { provider: string; model: string; messages: unknown[]; tools: { name: string }[] };
    recorded: { text: string };
    answers: { text: string; latencyMs: number; ttftMs: number; tokens: { input: number; output: number } }[];
    replayTraceId: string;
  };
  assert.equal(doc.request.provider, 'openai');
  assert.equal(doc.request.model, 'gpt-4o-mini');
  assert.equal(doc.request.messages.length, 4);
  assert.deepEqual(doc.request.tools.map((t) => t.name), ['lookup_order']);
  assert.equal(doc.recorded.text, 'Order A1042 has shipped.');
  assert.equal(doc.answers.length, 1);
  assert.equal(doc.answers[0].text, "Thanks for your patience! Order A1042 is shipped; you'll get a tracking email soon.");
  assert.ok(doc.answers[0].ttftMs > 0 && doc.answers[0].ttftMs <= doc.answers[0].latencyMs);
  assert.ok(doc.answers[0].tokens.input > 0);

  // The replay run reads back as a run: root linked to the replayed span, one chat span with the answer.
  assert.ok(!readFileSync(join(r.cwd, '.tracerun', 'replays.jsonl'), 'utf8').includes(KEY), 'the key is not in the replay run');
  const { store, problems } = await readTraceFiles([join(r.cwd, '.tracerun')]);
  assert.deepEqual(problems, []);
  const run = store.trace(doc.replayTraceId)!;
  assert.ok(run, 'the replay run is in .tracerun/');
  const spans = [...run.allSpans()];
  const root = spans.find((s) => s.parentSpanId === '')!;
  assert.equal(root.name, 'replay of ChatOpenAI');
  assert.deepEqual((await loadSpanDetails(root)).links.map((l) => [l.traceId, l.spanId]), [[traceId, spanId]]);
  const chat = spans.find((s) => s.parentSpanId === root.spanId)!;
  const conversation = extractConversation(await loadSpanDetails(chat))!;
  assert.equal(conversation.messages.at(-1)?.content, doc.answers[0].text);
  assert.equal(conversation.messages[0].content, "You are Acme's support agent.");
});

test('replay --edit with a changed system prompt, --times 3 against Anthropic: answers, agreement and a diff', async () => {
  const edited = join(mkdtempSync(join(tmpdir(), 'cli-edit-')), 'x.tracerun-replay.json');
  writeFileSync(
    edited,
    JSON.stringify({ provider: 'openai', model: 'claude-sonnet-4-5', parameters: {}, messages: [{ role: 'system', content: 'Classify the ticket.' }, { role: 'user', content: 'Where is order #A1042?' }] }),
  );
  const r = await cli(['--span', spanId, '--edit', edited, '--provider', 'anthropic', '--base-url', fake.url, '--times', '3']);
  assert.equal(r.code, 0, r.err);
  assert.equal(fake.requests.at(-1)?.body.system, 'Classify the ticket.');
  assert.match(r.out, /Replaying "ChatOpenAI" \([0-9a-f]{16}\): anthropic claude-sonnet-4-5 at http:\/\/127\.0\.0\.1:\d+/);
  assert.equal(r.out.match(/── answer \d\/3 \(\d+ in \/ 1 out tokens · \d+ ms · first token \d+ ms\)\norders/g)?.length, 3);
  assert.match(r.out, /── diff: recorded \(120 in \/ 7 out tokens · 900 ms\) → replay\n-Order A1042 has shipped\.\n\+orders/);
  assert.match(r.out, /3 of 3 answers agree/);
});

test('replay: a 429 fails with its message and exit 1, a missing key and a missing span are said plainly', async () => {
  fake.failures.push({ status: 429, headers: { 'retry-after': '20' }, message: 'slow down' });
  const limited = await cli(['--span', spanId, '--base-url', `${fake.url}/v1`]);
  assert.equal(limited.code, 1);
  assert.match(limited.err, /attempt 1: .* is rate limiting \(429: slow down\): retry after 20 s\./);

  const noKey = await cli(['--span', spanId, '--base-url', 'https://api.example.invalid/v1'], {});
  assert.equal(noKey.code, 1);
  assert.match(noKey.err, /set OPENAI_API_KEY to send to https:\/\/api\.example\.invalid\/v1/);

  const missing = await cli(['--span', 'ffffffffffffffff', '--base-url', `${fake.url}/v1`]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no span with id ffffffffffffffff in 1 file/);
});

test('replay of a span whose prompt came only as log records (openai-v2 with content capture) sends that prompt', async () => {
  // The span bare; its messages are log records in the same file, as the Collector writes them.
  const logSpan = hexId(8);
  const text = (s: string) => ({ stringValue: s });
  const kv = (o: Record<string, unknown>) => ({ kvlistValue: { values: Object.entries(o).map(([key, value]) => ({ key, value })) } });
  const record = (eventName: string, at: number, body: unknown) => ({ timeUnixNano: String(ms(at)), traceId, spanId: logSpan, eventName, attributes: [{ key: 'gen_ai.system', value: text('openai') }], body });
  const logs = {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: text('support-agent') }] },
        scopeLogs: [
          {
            scope: { name: 'opentelemetry.instrumentation.openai_v2' },
            logRecords: [
              record('gen_ai.system.message', 1, kv({ content: text('Classify the ticket.') })),
              record('gen_ai.user.message', 2, kv({ content: text('Where is order #A1042?') })),
              record('gen_ai.choice', 30, kv({ index: { intValue: '0' }, finish_reason: text('stop'), message: kv({ role: text('assistant'), content: text('orders') }) })),
            ],
          },
        ],
      },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'cli-replay-logs-')), 'app.jsonl');
  const span = otlpLine([{ traceId, spanId: logSpan, name: 'chat gpt-4o', start: ms(0), end: ms(40), kind: 3, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' } }]);
  writeFileSync(file, `${JSON.stringify(logs)}\n${span}`);
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['replay', file, '--span', logSpan, '--base-url', `${fake.url}/v1`, '--json'], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: { OPENAI_API_KEY: KEY },
    cwd: mkdtempSync(join(tmpdir(), 'cli-replay-cwd-')),
  });
  assert.equal(code, 0, err.join('\n'));
  const doc = JSON.parse(out.join('\n')) as { request: { messages: unknown[] }; recorded: { text: string }; answers: { text: string }[] };
  assert.deepEqual(doc.request.messages, [
    { role: 'system', content: 'Classify the ticket.' },
    { role: 'user', content: 'Where is order #A1042?' },
  ]);
  assert.equal(doc.recorded.text, 'orders');
  assert.equal(doc.answers[0].text, 'orders');
});
