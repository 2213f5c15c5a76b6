// Readers for the trace files that are not OTLP JSON lines, through the same tailer the live
// view uses: console exporter output in a log, LangSmith runs, the simple format, OTLP in an
// array or wrapped as trace backends return it, and files that are none of these.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { FileTailer, type TailSink } from '../../src/core/ingest/tailer';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import { SpanKind, StatusCode } from '../../src/core/model/span';
import { TraceStore } from '../../src/core/model/traceStore';
import { otlpLine, requestJson } from './otlpBuilder';
import { tempDir } from './tempDir';
import { SpanSink } from './spanSink';

const FIXTURES = path.join(findRoot(), 'test', 'fixtures', 'formats');

function findRoot(): string {
  let dir = __dirname;
  while (!require('node:fs').existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}


async function read(t: TestContext, name: string, text: string, complete = true): Promise<{ sink: SpanSink; file: string; tailer: FileTailer }> {
  const file = path.join(tempDir(t), name);
  writeFileSync(file, text);
  const sink = new SpanSink();
  const tailer = new FileTailer(file, sink, { complete });
  t.after(() => tailer.dispose());
  await tailer.poke();
  return { sink, file, tailer };
}

const CONSOLE_TRACE = '6b3c2e5d7a8f90123456789abcdef012';

test('console exporter objects among log lines: spans read, log lines skipped without a problem', async (t) => {
  const { sink } = await read(t, 'app.log', fixture('console-exporter.log'));
  assert.deepEqual(sink.problems, []);
  assert.deepEqual(sink.spansRead.map((s) => s.name), ['retrieve', 'handle_question']);
  const child = sink.byName('retrieve');
  const root = sink.byName('handle_question');
  assert.equal(child.traceId, CONSOLE_TRACE);
  assert.equal(child.spanId, '1111111111111111');
  assert.equal(child.parentSpanId, '2222222222222222');
  assert.equal(root.parentSpanId, '');
  assert.equal(child.kind, SpanKind.Internal);
  assert.equal(root.kind, SpanKind.Server);
  assert.equal(child.endNs - child.startNs, 250_000_000n, 'ISO times keep their microseconds');
  assert.equal(root.startNs, BigInt(Date.parse('2024-05-01T12:00:00Z')) * 1_000_000n);
  assert.equal(root.statusCode, StatusCode.Error);
  assert.equal(root.errorMessage, 'ValueError: no answer');
  assert.equal(child.resource.serviceName, 'support-backend');
  assert.deepEqual(child.attributes, { 'openinference.span.kind': 'RETRIEVER' }, 'only indexed attributes stay in memory');
  assert.equal(child.origin.line, 2);
});

test('console exporter span details are read back from the file', async (t) => {
  const { sink } = await read(t, 'app.log', fixture('console-exporter.log'));
  const details = await loadSpanDetails(sink.byName('handle_question'));
  assert.equal(details.attributes['http.method'], 'POST');
  assert.equal(details.resourceAttributes['telemetry.sdk.language'], 'python');
  assert.equal(details.events[0].name, 'exception');
  assert.equal(details.events[0].attributes['exception.message'], 'no answer');
  const retrieve = await loadSpanDetails(sink.byName('retrieve'));
  assert.equal(retrieve.attributes['input.value'], 'what is the refund policy?');
});

test('console exporter output without log lines (first line a lone "{") reads every object', async (t) => {
  const text = fixture('console-exporter.log')
    .split('\n')
    .filter((l) => !/^(INFO|WARNING)/.test(l))
    .join('\n');
  const { sink } = await read(t, 'spans.log', text, false);
  assert.deepEqual(sink.problems, []);
  assert.deepEqual(sink.spansRead.map((s) => s.name), ['retrieve', 'handle_question']);
  assert.equal((await loadSpanDetails(sink.byName('retrieve'))).attributes['input.value'], 'what is the refund policy?');
});

test('console exporter live: an object written in two parts is read once it closes', async (t) => {
  const text = fixture('console-exporter.log');
  const cut = text.indexOf('"events": [\n        {');
  const { sink, file, tailer } = await read(t, 'live.log', text.slice(0, cut), false);
  assert.deepEqual(sink.spansRead.map((s) => s.name), ['retrieve']);
  assert.deepEqual(sink.problems, [], 'an object still being written is no problem');
  appendFileSync(file, text.slice(cut));
  await tailer.poke();
  assert.deepEqual(sink.spansRead.map((s) => s.name), ['retrieve', 'handle_question']);
  assert.deepEqual(sink.problems, []);
});

test('a complete file ending inside a console object says where it starts', async (t) => {
  const text = fixture('console-exporter.log');
  const { sink } = await read(t, 'cut.log', text.slice(0, text.indexOf('"links"', text.indexOf('handle_question'))));
  assert.deepEqual(sink.spansRead.map((s) => s.name), ['retrieve']);
  assert.equal(sink.problems.length, 1);
  assert.match(sink.problems[0].message, /ends inside an object/);
  assert.equal(sink.problems[0].line, 33);
});

const LS_ROOT = '0d3b4c1e7f6a4b2c9d8e111111111111';

test('LangSmith runs: children before their parent join under it; run types, models, tokens and errors', async (t) => {
  const { sink, file } = await read(t, 'runs.jsonl', fixture('langsmith-runs.jsonl'));
  assert.deepEqual(sink.problems, []);
  assert.deepEqual(sink.spansRead.map((s) => s.name), ['ChatOpenAI', 'lookup_order', 'support_agent', 'second_question']);
  const store = new TraceStore();
  store.addSpans(file, sink.spansRead);
  assert.equal(store.traceCount, 2);
  const trace = store.trace(LS_ROOT)!;
  const tree = trace.tree();
  assert.equal(tree.roots.length, 1);
  assert.equal(tree.roots[0].span.name, 'support_agent');
  assert.deepEqual(tree.roots[0].children.map((c) => c.span.name), ['ChatOpenAI', 'lookup_order']);
  assert.equal(trace.summary().serviceNames.join(), 'support-agent');
  const llm = sink.byName('ChatOpenAI');
  assert.equal(llm.attributes?.['openinference.span.kind'], 'LLM');
  assert.equal(llm.attributes?.['llm.model_name'], 'gpt-4o-mini');
  assert.equal(llm.attributes?.['llm.token_count.prompt'], 12);
  assert.equal(llm.attributes?.['llm.token_count.total'], 16);
  assert.equal(llm.endNs - llm.startNs, 1_100_000_000n, 'naive ISO times are UTC with microseconds');
  const tool = sink.byName('lookup_order');
  assert.equal(tool.statusCode, StatusCode.Error);
  assert.equal(tool.errorMessage, "KeyError: 'A-17'", 'the first line of the traceback');
  assert.equal(sink.byName('support_agent').statusCode, StatusCode.Ok);
  // No trace_id: the dotted order's first segment names the root.
  assert.equal(sink.byName('second_question').traceId, '9f0e8d7c6b5a49388271222222222221');
  const details = await loadSpanDetails(llm);
  assert.deepEqual(JSON.parse(String(details.attributes['input.value'])), { messages: [{ role: 'user', content: 'What is the refund window?' }] });
  assert.equal(details.attributes['input.mime_type'], 'application/json');
  assert.deepEqual(details.attributes['tag.tags'], ['seq:step:1']);
  assert.deepEqual(details.events.map((e) => e.name), ['start', 'end']);
  const toolDetails = await loadSpanDetails(tool);
  assert.equal(toolDetails.events.at(-1)?.name, 'exception');
});

test('the simple format: ids of any form, epoch-millisecond times, model, tokens, service and attributes', async (t) => {
  const { sink } = await read(t, 'mine.jsonl', fixture('simple-spans.jsonl'));
  assert.deepEqual(sink.problems, []);
  const root = sink.byName('answer_question');
  const llm = sink.byName('draftAnswer');
  assert.equal(llm.traceId, root.traceId);
  assert.equal(llm.parentSpanId, root.spanId);
  assert.match(root.traceId, /^[0-9a-f]{32}$/);
  assert.match(root.spanId, /^[0-9a-f]{16}$/);
  assert.equal(root.endNs - root.startNs, 2_500_000_000n);
  assert.equal(llm.startNs, 1735725600100n * 1_000_000n);
  assert.equal(llm.attributes?.['llm.model_name'], 'claude-3-5-haiku');
  assert.equal(llm.attributes?.['llm.token_count.completion'], 5);
  assert.equal(root.resource.serviceName, 'my-app');
  const details = await loadSpanDetails(llm);
  assert.equal(details.attributes['user.id'], 'u-1');
  assert.equal(details.attributes['input.value'], 'Say hello');
  assert.equal(details.attributes['input.mime_type'], 'text/plain');
});

test('a run record with a parent but no trace id or dotted order is skipped with a reason', async (t) => {
  const { sink } = await read(t, 'orphan.jsonl', JSON.stringify({ id: 'c', parent_id: 'p', name: 'child', start_time: 1 }) + '\n');
  assert.deepEqual(sink.spansRead, []);
  assert.equal(sink.problems.length, 1);
  assert.match(sink.problems[0].message, /run "child" skipped: it has a parent but no trace_id/);
});

const SPAN_A = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'aaaaaaaaaaaaaaaa', name: 'a', start: 1_700_000_000_000_000_000n, end: 1_700_000_001_000_000_000n, attributes: { 'test.name': 'read' } };
const SPAN_B = { ...SPAN_A, spanId: 'bbbbbbbbbbbbbbbb', parentSpanId: 'aaaaaaaaaaaaaaaa', name: 'b' };

test('OTLP wrapped in an array, pretty-printed or on one line', async (t) => {
  const array = [requestJson([SPAN_A]), requestJson([SPAN_B], 'other')];
  const pretty = await read(t, 'array.json', JSON.stringify(array, null, 2));
  assert.deepEqual(pretty.sink.problems, []);
  assert.deepEqual(pretty.sink.spansRead.map((s) => s.name), ['a', 'b']);
  assert.equal(pretty.sink.byName('b').resource.serviceName, 'other');
  assert.equal((await loadSpanDetails(pretty.sink.byName('b'))).resourceAttributes['service.name'], 'other');
  const oneLine = await read(t, 'array.jsonl', JSON.stringify(array) + '\n');
  assert.deepEqual(oneLine.sink.problems, []);
  assert.deepEqual(oneLine.sink.spansRead.map((s) => s.name), ['a', 'b']);
});

test('traces as backends return them: {"batches"} (Tempo v1, base64 ids), {"trace"}, {"result"}, {"data"}', async (t) => {
  const tempo = await read(t, 'tempo.json', fixture('tempo-batches.json'));
  assert.deepEqual(tempo.sink.problems, []);
  const get = tempo.sink.byName('GET /api/answer');
  assert.equal(get.traceId, Buffer.from('a3N4ZkLpQ0Gh0qxN1z1x8w==', 'base64').toString('hex'));
  assert.equal(get.spanId, '0000000000000001');
  assert.equal(get.resource.serviceName, 'frontend');
  assert.equal(get.kind, SpanKind.Client);
  const details = await loadSpanDetails(get);
  assert.equal(details.attributes['http.method'], 'GET', 'the span points at its bytes in the file');
  assert.equal(details.resourceAttributes['service.name'], 'frontend');
  const minified = await read(t, 'tempo-line.json', JSON.stringify(JSON.parse(fixture('tempo-batches.json'))) + '\n');
  assert.deepEqual(minified.sink.spansRead.map((s) => s.name), ['GET /api/answer']);
  assert.equal((await loadSpanDetails(minified.sink.spansRead[0])).attributes['http.method'], 'GET');
  for (const [name, wrapped] of [
    ['trace', { trace: requestJson([SPAN_A, SPAN_B]) }],
    ['result', { result: requestJson([SPAN_A, SPAN_B]) }],
    ['data', { data: [requestJson([SPAN_A]), requestJson([SPAN_B])] }],
  ] as const) {
    const r = await read(t, `${name}.json`, JSON.stringify(wrapped, null, 1));
    assert.deepEqual(r.sink.problems, [], name);
    assert.deepEqual(r.sink.spansRead.map((s) => s.name), ['a', 'b'], name);
    assert.equal((await loadSpanDetails(r.sink.byName('b'))).attributes['test.name'], 'read', name);
  }
});

test('a file in no known format says what it looks like and which formats are read, once', async (t) => {
  const json = await read(t, 'events.jsonl', '{"event":"click","x":1}\n{"event":"scroll","x":2}\n');
  assert.equal(json.sink.problems.length, 1);
  assert.match(json.sink.problems[0].message, /not a trace format read here: it looks like a JSON object with keys "event", "x"\. Formats read: OTLP JSON .*LangSmith run records/);
  assert.doesNotMatch(json.sink.problems[0].message, /malformed OTLP/);
  const text = await read(t, 'notes.log', 'just some notes\nmore notes\n');
  assert.equal(text.sink.problems.length, 1);
  assert.match(text.sink.problems[0].message, /it looks like plain text \(line 1: "just some notes"\)\. Formats read:/);
  const doc = await read(t, 'config.json', '{\n  "compilerOptions": {"strict": true}\n}\n');
  assert.equal(doc.sink.problems.length, 1);
  assert.match(doc.sink.problems[0].message, /a JSON object with keys "compilerOptions"/);
});

test('text lines before OTLP lines are still malformed OTLP lines, each with its line number', async (t) => {
  const { sink } = await read(t, 'mixed.jsonl', 'garbage\n' + otlpLine([SPAN_A]) + 'more garbage\n');
  assert.deepEqual(sink.spansRead.map((s) => s.name), ['a']);
  assert.deepEqual(sink.problems.map((p) => p.line), [1, 3]);
  for (const p of sink.problems) assert.match(p.message, /malformed OTLP JSON/);
});

test('one trace id across files and services joins into one run listing both services', async (t) => {
  const dir = tempDir(t);
  // A TypeScript front end exporting OTLP, a Python back end printing console spans.
  const front = { traceId: CONSOLE_TRACE, spanId: '3333333333333333', name: 'click ask', start: BigInt(Date.parse('2024-05-01T11:59:59.900Z')) * 1_000_000n, end: BigInt(Date.parse('2024-05-01T12:00:01.100Z')) * 1_000_000n };
  writeFileSync(path.join(dir, 'frontend.jsonl'), otlpLine([front], 'web-frontend'));
  const backend = fixture('console-exporter.log').replace('"parent_id": null', '"parent_id": "0x3333333333333333"');
  writeFileSync(path.join(dir, 'backend.json'), backend);
  const { store, problems } = await readTraceFiles([path.join(dir, 'frontend.jsonl'), path.join(dir, 'backend.json')]);
  assert.deepEqual(problems, []);
  assert.equal(store.traceCount, 1);
  const trace = store.trace(CONSOLE_TRACE)!;
  assert.deepEqual([...trace.summary().serviceNames].sort(), ['support-backend', 'web-frontend']);
  const root = trace.tree().roots[0];
  assert.equal(root.span.name, 'click ask');
  assert.equal(root.children[0].span.name, 'handle_question');
  assert.equal(root.children[0].children[0].span.name, 'retrieve');
  assert.equal(root.children[0].span.resource.serviceName, 'support-backend');
});

test("Jaeger's JSON trace ({\"data\": [{traceID, spans, processes}]}): references, µs times, tags, logs, processes", async (t) => {
  const { sink } = await read(t, 'jaeger.json', fixture('jaeger-trace.json'));
  assert.deepEqual(sink.problems, []);
  const llm = sink.byName('chat gpt-4o');
  const root = sink.byName('POST /answer');
  assert.equal(llm.traceId, '00000000000000006b3c2e5d7a8f9012', 'a 64-bit trace id is padded as OTLP does');
  assert.equal(llm.parentSpanId, root.spanId);
  assert.equal(llm.kind, SpanKind.Client);
  assert.equal(llm.endNs - llm.startNs, 650_000_000n);
  assert.equal(llm.statusCode, StatusCode.Error);
  assert.equal(llm.errorMessage, 'RateLimitError: 429');
  assert.equal(llm.resource.serviceName, 'llm-worker');
  assert.equal(root.resource.serviceName, 'gateway');
  assert.equal(llm.attributes?.['gen_ai.request.model'], 'gpt-4o');
  const details = await loadSpanDetails(llm);
  assert.equal(details.attributes['gen_ai.usage.input_tokens'], 42);
  assert.equal(details.events[0].name, 'exception');
  assert.equal(details.events[0].attributes['exception.message'], '429');
  assert.equal(details.resourceAttributes['telemetry.sdk.language'], 'python');
  assert.equal(details.resourceAttributes['service.name'], 'llm-worker');
  assert.equal((await loadSpanDetails(root)).resourceAttributes.hostname, 'gw-1');
});

test('run records live: appended lines are read as they come; a complete file needs no final newline', async (t) => {
  const lines = fixture('langsmith-runs.jsonl').trimEnd().split('\n');
  const { sink, file, tailer } = await read(t, 'live.jsonl', lines[0] + '\n' + lines[1].slice(0, 50), false);
  assert.deepEqual(sink.spansRead.map((s) => s.name), ['ChatOpenAI'], 'a half-written line waits');
  appendFileSync(file, lines[1].slice(50) + '\n' + lines[2] + '\n');
  await tailer.poke();
  assert.deepEqual(sink.spansRead.map((s) => s.name), ['ChatOpenAI', 'lookup_order', 'support_agent']);
  assert.deepEqual(sink.problems, []);
  const once = await read(t, 'once.jsonl', fixture('simple-spans.jsonl').trimEnd());
  assert.deepEqual(once.sink.spansRead.map((s) => s.name), ['answer_question', 'draftAnswer']);
  assert.deepEqual(once.sink.problems, []);
});

test('tracerun tree reads these formats and joins one trace id across the files it is given', async (t) => {
  const { runCli } = await import('../../src/cli/cli');
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'runs.jsonl'), fixture('langsmith-runs.jsonl'));
  const front = { traceId: CONSOLE_TRACE, spanId: '2222222222222222', name: 'handle_question', start: 1, end: 2 };
  writeFileSync(path.join(dir, 'app.log'), fixture('console-exporter.log'));
  writeFileSync(path.join(dir, 'other.jsonl'), otlpLine([{ ...front, spanId: '4444444444444444', parentSpanId: '1111111111111111', name: 'rerank', start: BigInt(Date.parse('2024-05-01T12:00:00.200Z')) * 1_000_000n, end: BigInt(Date.parse('2024-05-01T12:00:00.300Z')) * 1_000_000n }], 'reranker'));
  let out = '';
  let err = '';
  const code = await runCli(['tree', '--json', path.join(dir, 'runs.jsonl'), path.join(dir, 'app.log'), path.join(dir, 'other.jsonl')], { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') });
  assert.equal(code, 0, err);
  assert.equal(err, '');
  const traces = JSON.parse(out).traces as { name: string; spanCount: number }[];
  assert.deepEqual(traces.map((tr) => `${tr.name}:${tr.spanCount}`).sort(), ['handle_question:3', 'second_question:1', 'support_agent:3']);
});

test('the line quoted for a plain-text file has its secrets masked', async (t) => {
  const { sink } = await read(t, 'secret.log', 'export SOME_RATHER_LONG_VARIABLE_NAME_FOR_THE_KEY=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv\n');
  assert.equal(sink.problems.length, 1);
  assert.match(sink.problems[0].message, /KEY=‹redacted/, 'masked before cut to 60 characters');
  assert.doesNotMatch(sink.problems[0].message, /sk-proj/);
});

test('LangSmith llm runs carry their messages for the conversation view, in each shape LangChain writes', async (t) => {
  const { extractConversation } = await import('../../src/core/genai/conversation');
  const { sink } = await read(t, 'runs.jsonl', fixture('langsmith-runs.jsonl'));
  const conversation = extractConversation(await loadSpanDetails(sink.byName('ChatOpenAI')));
  assert.deepEqual(conversation?.messages.map((m) => [m.direction, m.role, m.content]), [
    ['input', 'user', 'What is the refund window?'],
    ['output', 'assistant', '30 days.'],
  ]);
  const serialized = {
    id: 'r1',
    name: 'ChatAnthropic',
    run_type: 'llm',
    start_time: '2024-05-01T12:00:00',
    inputs: { messages: [[{ lc: 1, type: 'constructor', id: ['langchain', 'schema', 'messages', 'SystemMessage'], kwargs: { content: 'Be brief.', type: 'system' } }, { lc: 1, type: 'constructor', id: ['langchain', 'schema', 'messages', 'HumanMessage'], kwargs: { content: [{ type: 'text', text: 'Hi' }] } }]] },
    outputs: { generations: [[{ text: 'Hello', message: { lc: 1, type: 'constructor', id: ['langchain', 'schema', 'messages', 'AIMessage'], kwargs: { content: 'Hello', type: 'ai' } } }]] },
  };
  const completion = { id: 'r2', name: 'OpenAI', run_type: 'llm', start_time: '2024-05-01T12:00:01', inputs: { prompts: ['Say hi'] }, outputs: { choices: [{ message: { role: 'assistant', content: 'hi' } }] } };
  const more = await read(t, 'more.jsonl', JSON.stringify(serialized) + '\n' + JSON.stringify(completion) + '\n');
  assert.deepEqual(extractConversation(await loadSpanDetails(more.sink.byName('ChatAnthropic')))?.messages.map((m) => `${m.role}:${m.content}`), ['system:Be brief.', 'user:Hi', 'assistant:Hello']);
  assert.deepEqual(extractConversation(await loadSpanDetails(more.sink.byName('OpenAI')))?.messages.map((m) => `${m.role}:${m.content}`), ['user:Say hi', 'assistant:hi']);
});

test('a pretty-printed JSON array of run records reads as the lines do', async (t) => {
  const runs = fixture('langsmith-runs.jsonl').trim().split('\n').map((l) => JSON.parse(l));
  const { sink } = await read(t, 'runs.json', JSON.stringify(runs, null, 2));
  assert.deepEqual(sink.problems, []);
  assert.deepEqual(sink.spansRead.map((s) => s.name), ['ChatOpenAI', 'lookup_order', 'support_agent', 'second_question']);
  assert.equal((await loadSpanDetails(sink.byName('lookup_order'))).attributes['openinference.span.kind'], 'TOOL');
});

test('console exporter output starting with "{" is read whole once, then only what is appended', async (t) => {
  const objects = fixture('console-exporter.log')
    .split('\n')
    .filter((l) => !/^(INFO|WARNING)/.test(l))
    .join('\n');
  const cut = objects.indexOf('{\n    "name": "handle_question"');
  const file = path.join(tempDir(t), 'live.log');
  writeFileSync(file, objects.slice(0, cut + 40));
  let resets = 0;
  const sink = new SpanSink();
  const counting: TailSink = { spans: (f, s) => sink.spans(f, s), reset: () => void resets++, problem: (p) => sink.problem(p) };
  const tailer = new FileTailer(file, counting);
  t.after(() => tailer.dispose());
  await tailer.poke();
  assert.deepEqual(sink.spansRead.map((s) => s.name), ['retrieve']);
  const resetsAfterFirstRead = resets;
  appendFileSync(file, objects.slice(cut + 40) + 'INFO:app:between\n{ broken\n}\n');
  await tailer.poke();
  assert.deepEqual(sink.spansRead.map((s) => s.name), ['retrieve', 'handle_question'], 'each span delivered once');
  assert.equal(resets, resetsAfterFirstRead, 'appends are not read by reading the whole file again');
  assert.equal(sink.problems.length, 1);
  assert.match(sink.problems[0].message, /malformed JSON/);
  assert.equal(sink.problems[0].line, objects.split('\n').length + 1, 'line numbers go on from the whole read');
  assert.equal((await loadSpanDetails(sink.byName('handle_question'))).events[0].name, 'exception');
});
