// Runs and spans become dataset records: input/output, metadata, no span twice, secrets masked.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/cli';
import { addSpansToDataset } from '../../src/core/dataset/addToDataset';
import { datasetNameProblem, datasetPath, describeAppend, listDatasets, readDatasetLines } from '../../src/core/dataset/datasetFile';
import { runRootSpans, spanNameCounts, spansNamed } from '../../src/core/dataset/datasetSelection';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { Redactor } from '../../src/core/privacy/redact';
import { ms, otlpLine, type TestSpan } from './otlpBuilder';
import { tempDir } from './tempDir';

const KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv';

function run(n: number): TestSpan[] {
  const traceId = n.toString(16).padStart(32, 'a');
  const root = `${n}`.padStart(16, '1');
  return [
    {
      traceId,
      spanId: root,
      name: 'support_agent',
      start: ms(0),
      end: ms(900),
      attributes: { 'openinference.span.kind': 'AGENT', 'input.value': JSON.stringify({ question: `q${n}`, api_key: 'secret-value' }), 'input.mime_type': 'application/json', 'output.value': `answer ${n}`, 'output.mime_type': 'text/plain' },
    },
    {
      traceId,
      spanId: `${n}`.padStart(16, '2'),
      parentSpanId: root,
      name: 'draftAnswer',
      start: ms(100),
      end: ms(600),
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o-mini',
        'llm.token_count.prompt': 10,
        'llm.token_count.completion': 5,
        'llm.input_messages.0.message.role': 'system',
        'llm.input_messages.0.message.content': `You are support. Key ${KEY}`,
        'llm.input_messages.1.message.role': 'user',
        'llm.input_messages.1.message.content': `q${n}`,
        'llm.output_messages.0.message.role': 'assistant',
        'llm.output_messages.0.message.content': `answer ${n}`,
      },
    },
  ];
}

async function loadRuns(dir: string, count: number) {
  const file = path.join(dir, 'traces.jsonl');
  writeFileSync(file, Array.from({ length: count }, (_, i) => otlpLine(run(i + 1), 'agent')).join(''));
  return readTraceFiles([file]);
}

test('a run becomes one record of its root span: structured input/output, metadata, secrets masked', async (t) => {
  const dir = tempDir(t);
  const { store } = await loadRuns(dir, 1);
  const runs = store.runs();
  const result = await addSpansToDataset({ root: dir, name: 'smoke', spans: runRootSpans(runs), redactor: new Redactor(), loadDetails: loadSpanDetails, now: new Date('2025-01-01T00:00:00Z') });
  assert.equal(result.added, 1);
  const lines = readFileSync(datasetPath(dir, 'smoke'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 1);
  const record = JSON.parse(lines[0]);
  assert.deepEqual(record.input, { question: 'q1', api_key: '‹redacted: secret attribute›' });
  assert.equal(record.output, 'answer 1');
  assert.ok(!('expected' in record));
  assert.deepEqual(record.metadata, {
    traceId: 'a'.repeat(31) + '1',
    spanId: '1111111111111111',
    name: 'support_agent',
    kind: 'agent',
    model: null,
    tokens: null,
    durationMs: 900,
    status: 'unset',
    source: 'traces.jsonl:1',
    addedAt: '2025-01-01T00:00:00.000Z',
  });
});

test('spans without structured input/output give their conversation; --expected keeps the output', async (t) => {
  const dir = tempDir(t);
  const { store } = await loadRuns(dir, 2);
  const spans = spansNamed(store.runs(), 'draftAnswer');
  assert.equal(spans.length, 2);
  const result = await addSpansToDataset({ root: dir, name: 'drafts', spans, expected: true, redactor: new Redactor(), loadDetails: loadSpanDetails });
  assert.equal(result.added, 2);
  const records = (await readDatasetLines(datasetPath(dir, 'drafts'))).map((l) => l.record!);
  const first = records.find((r) => r.input && JSON.stringify(r.input).includes('q1'))!;
  assert.deepEqual(first.input, [
    { role: 'system', content: 'You are support. Key ‹redacted: api key›' },
    { role: 'user', content: 'q1' },
  ]);
  assert.deepEqual(first.output, { role: 'assistant', content: 'answer 1' });
  assert.deepEqual(first.expected, first.output);
  assert.equal(first.metadata?.kind, 'llm');
  assert.equal(first.metadata?.model, 'gpt-4o-mini');
  assert.deepEqual(first.metadata?.tokens, { input: 10, output: 5, total: 15 });
  assert.ok(!readFileSync(datasetPath(dir, 'drafts'), 'utf8').includes(KEY), 'the key never reaches the file');
});

test('the same span is never written twice: "2 already in smoke, 3 added"', async (t) => {
  const dir = tempDir(t);
  const { store } = await loadRuns(dir, 5);
  const roots = runRootSpans(store.runs());
  const redactor = new Redactor();
  const first = await addSpansToDataset({ root: dir, name: 'smoke', spans: roots.slice(0, 2), redactor, loadDetails: loadSpanDetails });
  assert.equal(describeAppend(first), '2 added to smoke');
  const second = await addSpansToDataset({ root: dir, name: 'smoke', spans: [...roots, roots[4]], redactor, loadDetails: loadSpanDetails });
  assert.equal(describeAppend(second), '2 already in smoke, 3 added');
  const again = await addSpansToDataset({ root: dir, name: 'smoke', spans: roots, redactor, loadDetails: loadSpanDetails });
  assert.equal(describeAppend(again), 'all 5 are already in smoke');
  assert.equal((await readDatasetLines(datasetPath(dir, 'smoke'))).length, 5);
  assert.deepEqual(await listDatasets(dir), [{ name: 'smoke', file: datasetPath(dir, 'smoke'), records: 5 }]);
  assert.deepEqual(spanNameCounts(store.runs()).map((c) => `${c.name}×${c.count}`), ['draftAnswer×5', 'support_agent×5']);
});

test('a hand-edited dataset without a final newline gets one before new records', async (t) => {
  const dir = tempDir(t);
  const { store } = await loadRuns(dir, 2);
  const roots = runRootSpans(store.runs());
  await addSpansToDataset({ root: dir, name: 'd', spans: [roots[0]], redactor: new Redactor(), loadDetails: loadSpanDetails });
  const file = datasetPath(dir, 'd');
  writeFileSync(file, readFileSync(file, 'utf8').trimEnd());
  await addSpansToDataset({ root: dir, name: 'd', spans: roots, redactor: new Redactor(), loadDetails: loadSpanDetails });
  const lines = await readDatasetLines(file);
  assert.equal(lines.length, 2);
  assert.ok(lines.every((l) => l.record !== undefined));
});

test('dataset names become file names: no paths, no dots first', () => {
  assert.equal(datasetNameProblem('smoke-v2.1'), undefined);
  for (const bad of ['../x', 'a/b', '.hidden', '', 'x.jsonl', 'a b']) assert.ok(datasetNameProblem(bad), bad);
});

test('tracerun dataset add: runs or spans by name, into ./.tracerun/datasets, output masked', async (t) => {
  const dir = tempDir(t);
  await loadRuns(dir, 3);
  const cwd = process.cwd();
  process.chdir(dir);
  t.after(() => process.chdir(cwd));
  const lines: string[] = [];
  const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(`ERR ${s}`) };
  assert.equal(await runCli(['dataset', 'add', 'traces.jsonl', '--name', 'smoke'], io), 0);
  assert.equal(await runCli(['dataset', 'add', '.', '--name', 'smoke', '--span', 'draftAnswer', '--expected'], io), 0);
  assert.equal(await runCli(['dataset', 'add', '.', '--name', 'smoke'], io), 0);
  assert.deepEqual(lines, [
    `3 added to smoke (${path.join('.tracerun', 'datasets', 'smoke.jsonl')})`,
    `3 added to smoke (${path.join('.tracerun', 'datasets', 'smoke.jsonl')})`,
    `all 3 are already in smoke (${path.join('.tracerun', 'datasets', 'smoke.jsonl')})`,
  ]);
  const records = (await readDatasetLines(datasetPath(dir, 'smoke'))).map((l) => l.record!);
  assert.equal(records.length, 6);
  assert.equal(records.filter((r) => 'expected' in r).length, 3);
  assert.deepEqual(records[0].metadata?.tokens, { input: 10, output: 5, total: 15 }, "a run's tokens are its LLM calls'");
  assert.equal(await runCli(['dataset', 'add', '.', '--name', '../evil'], io), 2);
  assert.equal(await runCli(['dataset', 'add', '.', '--name', 'x', '--span', 'nope'], io), 1);
  assert.match(lines.at(-1)!, /no span named "nope"/);
  // What the CLI prints is masked too.
  writeFileSync(path.join(dir, 'bad.jsonl'), `not json ${KEY}\n`);
  lines.length = 0;
  await runCli(['tree', 'bad.jsonl'], io);
  assert.ok(lines.some((l) => l.includes('‹redacted: api key›')), lines.join('\n'));
  assert.ok(!lines.some((l) => l.includes(KEY)));
});

test('tracerun --no-redact prints and writes secrets as they are', async (t) => {
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'named.jsonl'), otlpLine([{ traceId: 'c'.repeat(32), spanId: 'c'.repeat(16), name: `login ${KEY}`, start: ms(0), end: ms(1) }]));
  let out = '';
  await runCli(['tree', path.join(dir, 'named.jsonl')], { out: (s) => (out += s), err: () => undefined });
  assert.ok(out.includes('login ‹redacted: api key›') && !out.includes(KEY), out);
  out = '';
  await runCli(['tree', path.join(dir, 'named.jsonl'), '--no-redact'], { out: (s) => (out += s), err: () => undefined });
  assert.ok(out.includes(KEY), out);
  await loadRuns(dir, 1);
  const cwd = process.cwd();
  process.chdir(dir);
  t.after(() => process.chdir(cwd));
  assert.equal(await runCli(['dataset', 'add', 'traces.jsonl', '--name', 'raw', '--span', 'draftAnswer', '--no-redact'], { out: () => undefined, err: () => undefined }), 0);
  assert.ok(readFileSync(datasetPath(dir, 'raw'), 'utf8').includes(KEY));
});

test('tracerun dataset add: a model call whose messages came only as log records (openai-v2 with content capture) keeps them', async (t) => {
  const dir = tempDir(t);
  const traceId = 'd'.repeat(32);
  const spanId = 'e'.repeat(16);
  const text = (s: string) => ({ stringValue: s });
  const kv = (o: Record<string, unknown>) => ({ kvlistValue: { values: Object.entries(o).map(([key, value]) => ({ key, value })) } });
  const record = (eventName: string, at: number, body: unknown) => ({ timeUnixNano: String(ms(at)), traceId, spanId, eventName, attributes: [{ key: 'gen_ai.system', value: text('openai') }], body });
  const logs = {
    resourceLogs: [
      {
        scopeLogs: [
          {
            scope: { name: 'opentelemetry.instrumentation.openai_v2' },
            logRecords: [
              record('gen_ai.user.message', 2, kv({ content: text('Where is order #A1042?') })),
              record('gen_ai.choice', 30, kv({ index: { intValue: '0' }, finish_reason: text('stop'), message: kv({ role: text('assistant'), content: text('It ships today.') }) })),
            ],
          },
        ],
      },
    ],
  };
  const span = otlpLine([{ traceId, spanId, name: 'chat gpt-4o', start: ms(0), end: ms(40), kind: 3, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' } }]);
  writeFileSync(path.join(dir, 'app.jsonl'), `${JSON.stringify(logs)}\n${span}\n`);
  const cwd = process.cwd();
  process.chdir(dir);
  t.after(() => process.chdir(cwd));
  const io = { out: () => undefined, err: (s: string) => assert.fail(s) };
  assert.equal(await runCli(['dataset', 'add', 'app.jsonl', '--name', 'calls', '--span', 'chat gpt-4o', '--expected'], io), 0);
  const [line] = await readDatasetLines(datasetPath(dir, 'calls'));
  const json = JSON.stringify(line.record);
  assert.ok(json.includes('Where is order #A1042?'), json);
  assert.ok(json.includes('It ships today.'), json);
});
