import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import type { Trace } from '../../src/core/model/trace';
import { TraceStore } from '../../src/core/model/traceStore';
import { spanDetailsOf, type DetailsContext } from '../../src/core/waterfall/spanDetailsExtras';
import { notReceivedNotice } from '../../src/core/waterfall/spanDetailsView';
import { maskDetails, maskTraceStart } from '../../src/core/waterfall/maskDetails';
import { waterfallData } from '../../src/core/waterfall/rows';
import { Redactor } from '../../src/core/privacy/redact';
import { attr, ms, otlpLine, type TestSpan } from './otlpBuilder';
import { SIBLING_IDS, siblingCallsRun } from './siblingCallsRun';
import { tempDir } from './tempDir';

const TRACE = 'cccccccccccccccccccccccccccccccc';

/** The spans written to a real file, so their details are read back from it as the panel does. */
function traceOf(t: TestContext, spans: TestSpan[]): Trace {
  const file = path.join(tempDir(t), 'run.jsonl');
  const line = otlpLine(spans);
  writeFileSync(file, line + '\n');
  const buf = Buffer.from(line);
  const store = new TraceStore();
  store.addSpans(file, readOtlpJson(buf, 0, buf.length, { file, line: 1, byteBase: 0 }).spans);
  return store.trace(TRACE)!;
}

const context = (exists: (p: string) => boolean, warnings: string[] = []): DetailsContext => ({
  prices: {},
  frameExists: async (recorded) => exists(recorded),
  warn: (m) => warnings.push(m),
});

test('details of a parent that has not arrived: its stand-in, with the notice saying why', async (t) => {
  const trace = traceOf(t, [
    { traceId: TRACE, spanId: '00000000000000b1', parentSpanId: '00000000000000aa', name: 'step one', start: ms(0), end: ms(5) },
    { traceId: TRACE, spanId: '00000000000000b2', parentSpanId: '00000000000000aa', name: 'step two', start: ms(6), end: ms(9) },
  ]);
  trace.tree();
  // Just after its last span ended, with no root: the run is still running.
  const details = await spanDetailsOf(trace, '00000000000000aa', { ...context(() => false), nowMs: Number(ms(10) / 1_000_000n) });
  assert.equal(details.spanId, '00000000000000aa');
  assert.equal(details.inProgress, true);
  assert.equal(details.notice, notReceivedNotice(2));
  assert.match(details.notice!, /^This span has not arrived: 2 spans name it as their parent/);
  assert.match(notReceivedNotice(1), /^This span has not arrived: 1 span names it as its parent/);
});

test("details of a finished run's stand-in say it was not received, not that it runs, and end with its last child", async (t) => {
  const trace = traceOf(t, [
    { traceId: TRACE, spanId: '0000000000000001', name: 'agent', start: ms(0), end: ms(20) },
    { traceId: TRACE, spanId: '00000000000000b1', parentSpanId: '00000000000000aa', name: 'step one', start: ms(2), end: ms(5) },
    { traceId: TRACE, spanId: '00000000000000b2', parentSpanId: '00000000000000aa', name: 'step two', start: ms(6), end: ms(9) },
  ]);
  const nowMs = Number(ms(21) / 1_000_000n);
  trace.tree();
  const fromTree = await spanDetailsOf(trace, '00000000000000aa', { ...context(() => false), nowMs });
  assert.deepEqual([fromTree.name, fromTree.inProgress, fromTree.durationMs], ['span 00000000 (not received)', undefined, 7]);
  assert.equal(fromTree.notice, notReceivedNotice(2, true));
  assert.match(fromTree.notice!, /^This span was not received: 2 spans name it as their parent, but the run has finished without it/);
  assert.doesNotMatch(fromTree.notice!, /running/);
  // As the panel asks, once the waterfall laid out the flat tree.
  waterfallData(trace, nowMs, 1);
  const fromFlat = await spanDetailsOf(trace, '00000000000000aa', { ...context(() => false), nowMs });
  assert.deepEqual([fromFlat.name, fromFlat.inProgress, fromFlat.durationMs, fromFlat.notice], [fromTree.name, undefined, 7, fromTree.notice]);
});

test('details of a span no longer in the trace are an error (the channel replies with it)', async (t) => {
  const trace = traceOf(t, [{ traceId: TRACE, spanId: '00000000000000b1', name: 'root', start: ms(0), end: ms(5) }]);
  await assert.rejects(spanDetailsOf(trace, '00000000000000ff', context(() => true)), { message: 'That span is no longer in the trace.' });
  await assert.rejects(spanDetailsOf(undefined, '00000000000000b1', context(() => true)), { message: 'That span is no longer in the trace.' });
});

test('stack frames link only where the injected checker finds the file', async (t) => {
  const stack = ['Traceback (most recent call last):', '  File "/app/agent.py", line 29, in run', '  File "/usr/lib/python3/http.py", line 7, in get', 'TimeoutError: slow'].join('\n');
  const trace = traceOf(t, [
    {
      traceId: TRACE,
      spanId: '00000000000000b1',
      name: 'tool',
      start: ms(0),
      end: ms(5),
      status: { code: 2, message: 'slow' },
      events: [{ name: 'exception', timeUnixNano: String(ms(4)), attributes: [attr('exception.stacktrace', stack)] }],
    },
  ]);
  const checked: string[] = [];
  const details = await spanDetailsOf(trace, '00000000000000b1', context((p) => (checked.push(p), p === '/app/agent.py')));
  assert.deepEqual(checked, ['/app/agent.py', '/usr/lib/python3/http.py']);
  assert.deepEqual(
    details.stack?.filter((f) => f.path).map((f) => [f.path, f.line]),
    [['/app/agent.py', 29]],
  );
  assert.equal(details.stack?.length, 4, 'every line of the trace is kept, linked or not');
});

test('a span whose file is gone still shows, with the read error', async (t) => {
  const trace = traceOf(t, [{ traceId: TRACE, spanId: '00000000000000b1', name: 'root', start: ms(0), end: ms(5) }]);
  const file = trace.span('00000000000000b1')!.origin.file;
  writeFileSync(file, '');
  const warnings: string[] = [];
  const details = await spanDetailsOf(trace, '00000000000000b1', context(() => true, warnings));
  assert.equal(details.name, 'root');
  assert.ok(details.loadError, 'the read error is shown');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^details of span 00000000000000b1: /);
});

test('a failed span with an empty status message says what failed, from its error.type', async (t) => {
  const trace = traceOf(t, [
    { traceId: TRACE, spanId: '00000000000000b1', name: 'POST /v1/chat', start: ms(0), end: ms(5), status: { code: 2 }, attributes: { 'error.type': 'RateLimitError' } },
  ]);
  const details = await spanDetailsOf(trace, '00000000000000b1', context(() => false));
  assert.equal(details.status, 'error');
  assert.equal(details.errorMessage, 'RateLimitError');
});

test('an LLM call whose conversation holds only the system prompt still shows its structured input; first token and provider are stated', async (t) => {
  const trace = traceOf(t, [
    {
      traceId: TRACE,
      spanId: '00000000000000b1',
      name: 'chat gpt-4o',
      start: ms(0),
      end: ms(900),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Be brief.' }]),
        'input.value': JSON.stringify({ question: 'Where is order A1042?' }),
        'input.mime_type': 'application/json',
        'gen_ai.response.time_to_first_chunk': 0.25,
      },
    },
  ]);
  const details = await spanDetailsOf(trace, '00000000000000b1', context(() => false));
  assert.ok(details.conversation?.some((m) => m.role === 'system'), 'the system prompt is a message');
  assert.deepEqual(
    details.payloads.map((p) => p.label),
    ['Input (input.value)'],
  );
  assert.equal(details.ttftMs, 250);
  assert.equal(details.provider, 'openai');
});

test('the details say where the span came from through the Go to Source chain, and why not when nothing finds it', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'agent.py');
  writeFileSync(file, 'def lookup_order():\n    raise KeyError("A1042")\n');
  const stack = ['Traceback (most recent call last):', '  File "/app/agent.py", line 2, in lookup_order', 'KeyError: A1042'].join('\n');
  const trace = traceOf(t, [
    {
      traceId: TRACE,
      spanId: '00000000000000b1',
      name: 'execute_tool lookup_order',
      start: ms(0),
      end: ms(5),
      status: { code: 2, message: 'A1042' },
      events: [{ name: 'exception', timeUnixNano: String(ms(4)), attributes: [attr('exception.type', 'KeyError'), attr('exception.stacktrace', stack)] }],
    },
    { traceId: TRACE, spanId: '00000000000000b2', name: 'plain step', start: ms(6), end: ms(9) },
  ]);
  const exists = async (f: string) => (await import('node:fs/promises')).stat(f).then((st) => st.isFile(), () => false);
  const withSource: DetailsContext = { ...context(() => true), source: () => ({ folders: [dir], exists }) };
  const found = await spanDetailsOf(trace, '00000000000000b1', withSource);
  assert.deepEqual(found.source, { path: 'agent.py', line: 2, function: 'lookup_order', via: 'stacktrace' }, 'the path relative to its workspace folder');
  assert.equal(found.sourceMissing, undefined);
  const missing = await spanDetailsOf(trace, '00000000000000b2', withSource);
  assert.equal(missing.source, undefined);
  assert.match(missing.sourceMissing ?? '', /No source found for span "plain step": it has no code\.file\.path .*it carries no stack trace/);
});

test('several workspace functions fit and none was chosen: the details say how many, and that Go to Source asks which', async (t) => {
  const dir = tempDir(t);
  const trace = traceOf(t, [{ traceId: TRACE, spanId: '00000000000000c1', name: 'execute_tool cancelOrder', start: ms(0), end: ms(5) }]);
  const at = (file: string, line: number) => ({ name: 'cancelOrder', container: undefined, kind: 'function' as const, path: path.join(dir, file), line, column: 1 });
  const withSymbols: DetailsContext = {
    ...context(() => true),
    source: () => ({ folders: [dir], exists: async () => false, findSymbols: async () => [at('orders.ts', 12), at('agent.ts', 12)], remembered: () => undefined }),
  };
  const details = await spanDetailsOf(trace, '00000000000000c1', withSymbols);
  assert.equal(details.source, undefined);
  assert.equal(details.sourceChoices, 2, 'the pane offers Go to Source');
  assert.equal(details.sourceMissing, '2 functions fit — Go to Source asks which.');
});

test('details are masked by the redact rules until Reveal: attributes, conversation and payloads alike', async (t) => {
  const key = 'sk-proj-' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';
  const trace = traceOf(t, [
    {
      traceId: TRACE,
      spanId: '00000000000000b1',
      name: 'chat gpt-4o',
      start: ms(0),
      end: ms(5),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `my key is ${key}` }] }]),
        'app.note': `key=${key}`,
        'input.value': JSON.stringify({ apiKey: key }),
      },
    },
    { traceId: TRACE, spanId: '00000000000000b2', name: 'plain', start: ms(6), end: ms(9), attributes: { 'app.note': 'nothing secret' } },
  ]);
  const r = new Redactor();
  const view = await spanDetailsOf(trace, '00000000000000b1', context(() => false));
  assert.ok(JSON.stringify(view).includes(key), 'the host reads the key from the file');
  const masked = maskDetails(view, r);
  assert.equal(masked.secretsMasked, true);
  assert.ok(!JSON.stringify(masked).includes(key), 'no trace of the key once masked');
  assert.match(masked.conversation?.[0].content ?? '', /my key is ‹redacted: /);
  assert.match(masked.attributes.find(([k]) => k === 'app.note')?.[1] ?? '', /^key=‹redacted: /);
  const plain = await spanDetailsOf(trace, '00000000000000b2', context(() => false));
  assert.equal(maskDetails(plain, r), plain, 'nothing to mask: the view as it is, no Reveal');
});

test('an LLM call that recorded no prompt or answer says so in its details, with the switch of the instrumentation that wrote it', async (t) => {
  const trace = traceOf(t, [
    {
      traceId: TRACE,
      spanId: '00000000000000b1',
      name: 'chat gpt-4o',
      start: ms(0),
      end: ms(900),
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12 },
    },
    { traceId: TRACE, spanId: '00000000000000b2', name: 'ChatOpenAI', start: ms(0), end: ms(900), attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o' } },
    {
      traceId: TRACE,
      spanId: '00000000000000b3',
      name: 'chat gpt-4o',
      start: ms(0),
      end: ms(900),
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]) },
    },
    { traceId: TRACE, spanId: '00000000000000b4', name: 'lookup_order', start: ms(0), end: ms(9), attributes: { 'gen_ai.operation.name': 'execute_tool' } },
  ]);
  const genai = await spanDetailsOf(trace, '00000000000000b1', context(() => false));
  assert.match(genai.contentMissing?.message ?? '', /^This LLM call recorded no prompt or completion: /);
  assert.match(genai.contentMissing?.fix ?? '', /OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=SPAN_AND_EVENT/);
  const openInference = await spanDetailsOf(trace, '00000000000000b2', context(() => false));
  assert.match(openInference.contentMissing?.message ?? '', /OpenInference leaves content out/);
  assert.match(openInference.contentMissing?.fix ?? '', /OPENINFERENCE_HIDE_INPUTS/);
  assert.equal((await spanDetailsOf(trace, '00000000000000b3', context(() => false))).contentMissing, undefined, 'a call with its messages lacks nothing');
  assert.equal((await spanDetailsOf(trace, '00000000000000b4', context(() => false))).contentMissing, undefined, 'a tool call is no LLM call');
});

test('details state whether the call streamed, its managed prompt, its evaluations and the vendor metadata, masked like the rest', async (t) => {
  const key = 'sk-proj-' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';
  const trace = traceOf(t, [
    {
      traceId: TRACE,
      spanId: '00000000000000b1',
      name: 'generation',
      start: ms(0),
      end: ms(900),
      attributes: {
        'langfuse.observation.type': 'generation',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.request.stream': true,
        'langfuse.observation.input': JSON.stringify([{ role: 'user', content: 'hi' }]),
        'langfuse.observation.prompt.name': 'support-answer',
        'langfuse.observation.prompt.version': 7,
        'langfuse.observation.metadata.customer': 'acme',
        'langfuse.observation.metadata.api_key': key,
        'evaluations.0.evaluation.name': 'relevance',
        'evaluations.0.evaluation.score': 0.95,
        'evaluations.0.evaluation.explanation': `cites the docs; the key ${key} was not used`,
      },
    },
  ]);
  const view = await spanDetailsOf(trace, '00000000000000b1', context(() => false));
  assert.equal(view.streamed, true);
  assert.deepEqual(view.prompt, { name: 'support-answer', version: '7' });
  assert.deepEqual(view.evaluations, [{ name: 'relevance', score: 0.95, explanation: `cites the docs; the key ${key} was not used` }]);
  assert.deepEqual(view.metadata, [
    ['api_key', key],
    ['customer', 'acme'],
  ]);
  const masked = maskDetails(view, new Redactor());
  assert.ok(!JSON.stringify(masked).includes(key), 'no trace of the key once masked');
  assert.equal(masked.evaluations?.[0].explanation, 'cites the docs; the key ‹redacted: api key› was not used');
  assert.deepEqual(masked.metadata?.[1], ['customer', 'acme']);
});

test("the waterfall's span names and run name are masked as they are sent; a trace with nothing to mask is sent as it is", async (t) => {
  const key = 'sk-proj-' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';
  const trace = traceOf(t, [
    { traceId: TRACE, spanId: '00000000000000b1', name: `sync for ${key}`, start: ms(0), end: ms(50) },
    { traceId: TRACE, spanId: '00000000000000b2', parentSpanId: '00000000000000b1', name: `GET /v1/balance?key=${key}`, start: ms(1), end: ms(9) },
    { traceId: TRACE, spanId: '00000000000000b3', parentSpanId: '00000000000000b1', name: 'plain step', start: ms(10), end: ms(20) },
  ]);
  const start = waterfallData(trace, Date.now(), 1).start;
  const masked = maskTraceStart(start, new Redactor());
  assert.ok(!JSON.stringify(masked).includes(key), 'no trace of the key in what is sent');
  assert.equal(masked.header.name, 'sync for ‹redacted: api key›');
  assert.deepEqual([...masked.names].sort(), ['GET /v1/balance?key=‹redacted: api key›', 'plain step', 'sync for ‹redacted: api key›']);
  assert.equal(masked.rowCount, start.rowCount);
  // The details of such a span quote its name where they say why no source was found: masked too.
  const details = await spanDetailsOf(trace, '00000000000000b2', { ...context(() => false), source: () => ({ folders: [], exists: async () => false }) });
  assert.ok(details.sourceMissing?.includes(key), 'the host words it with the name as recorded');
  assert.ok(!JSON.stringify(maskDetails(details, new Redactor())).includes(key), 'no trace of the key in the masked details');
  const plain = traceOf(t, [{ traceId: TRACE, spanId: '00000000000000c1', name: 'plain', start: ms(0), end: ms(5) }]);
  const plainStart = waterfallData(plain, Date.now(), 1).start;
  assert.equal(maskTraceStart(plainStart, new Redactor()), plainStart);
});

test('the cost an instrumentation recorded shows when no price of tracerun.modelPrices gives one', async (t) => {
  const trace = traceOf(t, [
    {
      traceId: TRACE,
      spanId: '00000000000000b1',
      name: 'ChatOpenAI',
      start: ms(0),
      end: ms(900),
      attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o', 'llm.token_count.prompt': 1000, 'llm.token_count.completion': 100, 'llm.cost.prompt': 0.0025, 'llm.cost.completion': 0.001 },
    },
    { traceId: TRACE, spanId: '00000000000000b2', name: 'generation', start: ms(0), end: ms(900), attributes: { 'langfuse.observation.type': 'generation', 'langfuse.observation.cost_details': '{"input":0.01,"output":0.02,"total":0.03}' } },
  ]);
  const recorded = await spanDetailsOf(trace, '00000000000000b1', context(() => false));
  assert.ok(Math.abs((recorded.costUsd ?? 0) - 0.0035) < 1e-12);
  assert.equal(recorded.costRecordedIn, 'llm.cost.total');
  const langfuse = await spanDetailsOf(trace, '00000000000000b2', context(() => false));
  assert.deepEqual([langfuse.costUsd, langfuse.costRecordedIn], [0.03, 'langfuse.observation.cost_details']);
  // A price of the user's is what they asked for: it wins.
  const priced = await spanDetailsOf(trace, '00000000000000b1', { ...context(() => false), prices: { 'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 } } });
  assert.ok(Math.abs((priced.costUsd ?? 0) - 0.0035) < 1e-12);
  assert.equal(priced.costRecordedIn, undefined);
});

test("the SDK's own span of a call whose instrumentation span holds the messages lacks nothing", async (t) => {
  const sdk: Pick<TestSpan, 'attributes'> = { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude' } };
  const trace = traceOf(t, [
    {
      traceId: TRACE,
      spanId: '00000000000000b1',
      name: 'Anthropic Messages',
      start: ms(0),
      end: ms(900),
      attributes: { 'openinference.span.kind': 'LLM', 'llm.input_messages.0.message.role': 'user', 'llm.input_messages.0.message.content': 'hi' },
    },
    { traceId: TRACE, spanId: '00000000000000b2', parentSpanId: '00000000000000b1', name: 'anthropic.messages.create', start: ms(1), end: ms(899), ...sdk },
  ]);
  trace.tree();
  assert.equal((await spanDetailsOf(trace, '00000000000000b2', context(() => false))).contentMissing, undefined, 'the call’s content is on the span around it');
  assert.equal((await spanDetailsOf(trace, '00000000000000b1', context(() => false))).contentMissing, undefined);
});

test("the SDK's own span beside OpenLLMetry's span of the same call, which holds the messages, lacks nothing", async (t) => {
  const trace = traceOf(t, siblingCallsRun().map((s) => ({ ...s, traceId: TRACE })));
  trace.tree();
  for (const sdk of SIBLING_IDS.sdks) assert.equal((await spanDetailsOf(trace, sdk, context(() => false))).contentMissing, undefined, 'the call’s content is on the span beside it');
});
