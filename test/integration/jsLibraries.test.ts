// The JavaScript LLM libraries from npm, run in this process under their real telemetry (the
// Vercel AI SDK's own spans, the official OpenTelemetry OpenAI instrumentation, the Anthropic
// SDK's own spans and OpenInference's Anthropic instrumentation), exporting OTLP/HTTP JSON
// to the core's receivers, against loopback fakes of the model APIs; then what the CLI
// (`tracerun tree --json --messages`) and the details pane (`spanDetailsOf`) report.
//
// Instrumentations hook `require`, and esbuild keeps packages external, so each library is
// `require`d inside its test, after its instrumentation exists.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { context, trace as otelTrace } from '@opentelemetry/api';
import { AnthropicInstrumentation } from '@arizeai/openinference-instrumentation-anthropic';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { JsonLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { runCli } from '../../src/cli/cli';
import { extractConversation } from '../../src/core/genai/conversation';
import { traceTokens } from '../../src/core/genai/traceTokens';
import { withLogRecords } from '../../src/core/ingest/logRecordDetails';
import type { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import type { Trace } from '../../src/core/model/trace';
import { spanDetailsOf } from '../../src/core/waterfall/spanDetailsExtras';
import { runMissingContext } from '../../src/core/runs/runMissingContext';
import type { SpanDetailsView } from '../../src/protocol/waterfall';
import { FakeModelApi } from './fakeModelApi';
import { FakeDelayedChatStream, STREAMED_ANSWER } from './fakeDelayedChatStream';
import { detailsOf, startReceivers, waitFor, watchWorkspace } from './harness';

const SERVICE = 'js-libraries';
const SYSTEM = 'You are a careful support assistant. Policies:\nOrders ship within 2 business days.';
const QUESTION = 'Where is my order #A1042?';
const FIRST_CHUNK_DELAY_MS = 150;

let folder: string;
let fake: FakeModelApi;
let streaming: FakeDelayedChatStream;
let modelUrl: string;
let streamingUrl: string;
let provider: NodeTracerProvider;
let ws: TraceWorkspace;
const problems: string[] = [];
const disposables: { dispose(): void }[] = [];

before(async () => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'tracerun-js-'));
  fake = new FakeModelApi();
  modelUrl = await fake.start();
  streaming = new FakeDelayedChatStream(FIRST_CHUNK_DELAY_MS);
  streamingUrl = await streaming.start();
  const { receivers, httpUrl } = await startReceivers(folder);
  disposables.push(receivers);
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${httpUrl}/v1/traces` }))],
  });
  provider.register();
  ws = await watchWorkspace(folder, problems);
  disposables.push(ws);
});

after(async () => {
  await provider?.shutdown();
  otelTrace.disable();
  context.disable();
  for (const d of disposables.splice(0)) d.dispose();
  fake?.dispose();
  streaming?.dispose();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

interface TreeSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: string;
  status: 'ok' | 'error';
  model?: string;
  tokens?: { input?: number; output?: number; total?: number };
  ttftMs?: number;
  messages?: { role: string; direction: 'input' | 'output'; content?: string; toolCalls?: { id?: string; name: string; arguments?: string }[]; toolCallId?: string }[];
}

interface TreeRun {
  traceId: string;
  name: string;
  status: string;
  spans: TreeSpan[];
}

/** Runs `body` as one run (a root span named `run`), exports it, and returns what `tracerun tree --json --messages` and the workspace show of it. */
async function recordRun(run: string, body: () => Promise<void>): Promise<{ tree: TreeRun; trace: Trace }> {
  const tracer = otelTrace.getTracer('jsLibraries.test');
  await tracer.startActiveSpan(run, async (span) => {
    try {
      await body();
    } finally {
      span.end();
    }
  });
  await provider.forceFlush();
  const trace = await waitFor(`the run ${run} in the workspace`, () => ws.store.runs().find((r) => r.summary().name === run && r.state(Date.now()) === 'complete'));
  let out = '';
  const code = await runCli(['tree', '--json', '--messages', folder], { out: (t) => (out += t), err: (t) => assert.fail(`tracerun tree: ${t}`) });
  assert.equal(code, 0);
  const tree = (JSON.parse(out) as { traces: TreeRun[] }).traces.find((t) => t.traceId === trace.traceId);
  assert.ok(tree, `tracerun tree --json lists ${run}:\n${out}`);
  return { tree, trace };
}

function details(trace: Trace, spanId: string): Promise<SpanDetailsView> {
  return spanDetailsOf(trace, spanId, { prices: {}, frameExists: async () => false, warn: (m) => problems.push(m), logRecords: ws.store.logRecords });
}

const shape = (tree: TreeRun) => tree.spans.map((s) => `${s.name} [${s.kind}]`).join('\n');

/** The span's conversation as the details pane reads it: with the content its log records carried. */
async function conversationOf(trace: Trace, spanId: string) {
  const span = trace.span(spanId)!;
  return extractConversation(await withLogRecords(span, await detailsOf(span), ws.store.logRecords));
}

/** What `tree --json --messages` says of a span's conversation, in the words of the assertions. */
const cliRoles = (s: TreeSpan) => s.messages?.map((m) => `${m.direction}:${m.role}`);

function toolCalls(m: { toolCalls?: readonly { id?: string; name: string; arguments?: string }[] } | undefined) {
  return m?.toolCalls?.map((c) => ({ name: c.name, arguments: JSON.parse(c.arguments ?? 'null') }));
}

const AI_SDKS = [
  { major: 'ai@6', ai: 'ai', openai: '@ai-sdk/openai' },
  { major: 'ai@5', ai: 'ai-v5', openai: 'ai-sdk-openai-v2' },
] as const;

for (const sdk of AI_SDKS) {
  describe(`Vercel AI SDK ${sdk.major} (experimental_telemetry)`, () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = () => ({ ai: require(sdk.ai) as typeof import('ai'), provider: require(sdk.openai) as typeof import('@ai-sdk/openai') });

    test('generateText with a tool call: runs, kinds, models, tokens and the conversation', async () => {
      const { ai, provider: p } = load();
      const openai = p.createOpenAI({ baseURL: `${modelUrl}/v1`, apiKey: 'sk-test-loopback' });
      const answersBefore = fake.answered.length;
      let text = '';
      const { tree, trace } = await recordRun(`${sdk.major} generateText`, async () => {
        const result = await ai.generateText({
          model: openai.chat('fake-gpt-4o'),
          system: SYSTEM,
          prompt: QUESTION,
          tools: {
            lookup_order: ai.tool({
              description: 'Looks an order up by its id',
              inputSchema: ai.jsonSchema<{ order_id: string }>({ type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] }),
              execute: async ({ order_id }) => ({ order_id, status: 'shipped' }),
            }),
          },
          stopWhen: ai.stepCountIs(3),
          experimental_telemetry: { isEnabled: true, functionId: 'support' },
        });
        text = result.text;
      });
      assert.match(text, /Order A1042 is shipped/);
      const answers = fake.answered.slice(answersBefore);
      assert.equal(answers.length, 2, 'the tool call, then the answer after the tool');

      const byName = (name: string) => tree.spans.filter((s) => s.name === name);
      const [top] = byName('ai.generateText');
      assert.equal(top?.kind, 'agent', shape(tree));
      const calls = byName('ai.generateText.doGenerate');
      assert.equal(calls.length, 2, shape(tree));
      assert.deepEqual(calls.map((s) => s.kind), ['llm', 'llm'], shape(tree));
      assert.deepEqual(calls.map((s) => s.model), ['fake-gpt-4o-2024-07-18', 'fake-gpt-4o-2024-07-18']);
      assert.deepEqual(
        calls.map((s) => [s.tokens?.input, s.tokens?.output]),
        answers.map((a) => [a.inputTokens, a.outputTokens]),
        'tokens the fake stated, per call',
      );
      // AI SDK 6 states the steps' total on ai.generateText, 5 the last step's: the run sums the calls either way.
      assertTraceTokens(trace, answers);
      const [toolSpan] = byName('ai.toolCall');
      assert.equal(toolSpan?.kind, 'tool', shape(tree));
      assert.ok(tree.spans.every((s) => s.status === 'ok'));

      const toolView = await details(trace, toolSpan.spanId);
      assert.equal(toolView.kind, 'tool');

      const last = await details(trace, calls[1].spanId);
      assert.equal(last.model, 'fake-gpt-4o-2024-07-18');
      assert.equal(last.provider, 'openai.chat', "the AI SDK's provider id, shown as written");
      assert.deepEqual(last.finishReasons, ['stop']);
      const conversation = await conversationOf(trace, calls[1].spanId);
      assert.ok(conversation, 'the second model call has a conversation');
      const m = conversation.messages;
      assert.deepEqual(
        m.map((x) => `${x.direction}:${x.role}`),
        ['input:system', 'input:user', 'input:assistant', 'input:tool', 'output:assistant'],
        JSON.stringify(m, null, 1),
      );
      assert.equal(m[0].content, SYSTEM);
      assert.equal(m[1].content, QUESTION);
      assert.deepEqual(toolCalls(m[2]), [{ name: 'lookup_order', arguments: { order_id: 'A1042' } }]);
      assert.match(m[3].content, /shipped/);
      assert.equal(m[4].content, text);
      assert.deepEqual(cliRoles(calls[1]), ['input:system', 'input:user', 'input:assistant', 'input:tool', 'output:assistant'], 'tree --messages');
      assert.deepEqual(problems, []);
    });

    test('streamText: time to first token from ai.response.msToFirstChunk', async () => {
      const { ai, provider: p } = load();
      const openai = p.createOpenAI({ baseURL: `${streamingUrl}/v1`, apiKey: 'sk-test-loopback' });
      let text = '';
      const { tree, trace } = await recordRun(`${sdk.major} streamText`, async () => {
        const result = ai.streamText({
          model: openai.chat('fake-gpt-4o-mini'),
          prompt: 'When do orders ship?',
          experimental_telemetry: { isEnabled: true },
        });
        for await (const delta of result.textStream) text += delta;
      });
      assert.equal(text, STREAMED_ANSWER.join(''));
      const [call] = tree.spans.filter((s) => s.name === 'ai.streamText.doStream');
      assert.equal(call?.kind, 'llm', shape(tree));
      assert.equal(call.model, 'fake-gpt-4o-mini-2024-07-18');
      assert.deepEqual([call.tokens?.input, call.tokens?.output], [12, STREAMED_ANSWER.length]);
      const view = await details(trace, call.spanId);
      assert.ok(view.ttftMs !== undefined, 'the details show a time to first token');
      assert.equal(call.ttftMs, view.ttftMs, 'tree --messages gives the same time to first token');
      assert.ok(view.ttftMs >= FIRST_CHUNK_DELAY_MS - 5, `ttft ${view.ttftMs} ms covers the fake's ${FIRST_CHUNK_DELAY_MS} ms wait`);
      assert.ok(view.ttftMs <= view.durationMs, `ttft ${view.ttftMs} ms within the call's ${view.durationMs} ms`);
      const conversation = await conversationOf(trace, call.spanId);
      assert.deepEqual(
        conversation?.messages.map((x) => [x.direction, x.role, x.content]),
        [
          ['input', 'user', 'When do orders ship?'],
          ['output', 'assistant', STREAMED_ANSWER.join('')],
        ],
      );
    });
  });
}

const LOOKUP_ORDER_SCHEMA: { type: 'object'; properties: Record<string, { type: string }>; required: string[] } = { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] };

/** Trace-wide tokens, as the Runs view sums them, against what the fake stated. */
function assertTraceTokens(trace: Trace, answers: FakeModelApi['answered']): void {
  const tokens = traceTokens(trace);
  assert.deepEqual(
    [tokens?.input, tokens?.output],
    [answers.reduce((a, r) => a + r.inputTokens, 0), answers.reduce((a, r) => a + r.outputTokens, 0)],
    'the run counts each model call once',
  );
}

describe('OpenAI client under @opentelemetry/instrumentation-openai', () => {
  const logs = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': SERVICE }), processors: [new SimpleLogRecordProcessor({ exporter: logs })] });
  let run: { tree: TreeRun; trace: Trace } | undefined;
  let answers: FakeModelApi['answered'] = [];

  before(async () => {
    const instrumentation = new OpenAIInstrumentation({ captureMessageContent: true });
    instrumentation.setTracerProvider(provider);
    instrumentation.setLoggerProvider(loggerProvider);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { default: OpenAI } = require('openai') as typeof import('openai');
    const client = new OpenAI({ baseURL: `${modelUrl}/v1`, apiKey: 'sk-test-loopback' });
    const answersBefore = fake.answered.length;
    run = await recordRun('openai chat with a tool', async () => {
      const messages: import('openai').OpenAI.ChatCompletionMessageParam[] = [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: QUESTION },
      ];
      const tools: import('openai').OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'lookup_order', parameters: LOOKUP_ORDER_SCHEMA } }];
      const first = await client.chat.completions.create({ model: 'fake-gpt-4o', messages, tools });
      const call = first.choices[0].message.tool_calls?.[0];
      assert.ok(call?.type === 'function', 'the fake asks for the tool');
      messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ order_id: 'A1042', status: 'shipped' }) });
      const second = await client.chat.completions.create({ model: 'fake-gpt-4o', messages, tools });
      assert.match(second.choices[0].message.content ?? '', /Order A1042 is shipped/);
      // The content goes out as log records; a Collector's file exporter writes them next to the spans.
      await loggerProvider.forceFlush();
      const records = logs.getFinishedLogRecords();
      assert.ok(records.some((r) => JSON.stringify(r.body ?? null).includes(QUESTION)), 'content capture put the question in a log record');
      writeFileSync(path.join(folder, 'openai-logs.otlp.jsonl'), Buffer.from(JsonLogsSerializer.serializeRequest(records)!).toString('utf8') + '\n');
    });
    answers = fake.answered.slice(answersBefore);
  });

  after(() => loggerProvider.shutdown());

  test('runs, kinds, models and tokens', () => {
    const { tree, trace } = run!;
    const calls = tree.spans.filter((s) => s.kind === 'llm');
    assert.equal(calls.length, 2, shape(tree));
    assert.deepEqual(calls.map((s) => s.name), ['chat fake-gpt-4o', 'chat fake-gpt-4o']);
    assert.deepEqual(calls.map((s) => s.model), ['fake-gpt-4o-2024-07-18', 'fake-gpt-4o-2024-07-18']);
    assert.deepEqual(
      calls.map((s) => [s.tokens?.input, s.tokens?.output]),
      answers.map((a) => [a.inputTokens, a.outputTokens]),
    );
    assertTraceTokens(trace, answers);
    assert.deepEqual(problems, [], 'the log records beside the spans are no problem');
  });

  test('details: provider and finish reasons', async () => {
    const { tree, trace } = run!;
    const calls = tree.spans.filter((s) => s.kind === 'llm');
    const views = await Promise.all(calls.map((s) => details(trace, s.spanId)));
    assert.deepEqual(views.map((v) => v.provider), ['openai', 'openai']);
    assert.deepEqual(views.map((v) => v.finishReasons), [['tool_calls'], ['stop']]);
  });

  test('the conversation, from the content log records (details and tree --messages)', async () => {
    const { tree, trace } = run!;
    const last = tree.spans.filter((s) => s.kind === 'llm').at(-1)!;
    const roles = ['input:system', 'input:user', 'input:assistant', 'input:tool', 'output:assistant'];
    assert.deepEqual(cliRoles(last), roles, JSON.stringify(last.messages, null, 1));
    await waitFor('the log records indexed', () => ws.store.logRecords.files().some((f) => f.endsWith('openai-logs.otlp.jsonl')));
    const view = await details(trace, last.spanId);
    assert.deepEqual(view.conversation?.map((m) => `${m.direction}:${m.role}`), roles);
    const conversation = await conversationOf(trace, last.spanId);
    assert.deepEqual(conversation?.messages.map((x) => `${x.direction}:${x.role}`), roles);
    assert.equal(conversation?.messages[0].content, SYSTEM);
    assert.equal(conversation?.messages[1].content, QUESTION);
    assert.deepEqual(toolCalls(conversation?.messages[2]), [{ name: 'lookup_order', arguments: { order_id: 'A1042' } }]);
    assert.match(conversation?.messages[3].content ?? '', /shipped/);
    assert.match(conversation?.messages[4].content ?? '', /Order A1042 is shipped/);
  });
});

/** The Anthropic tool-call exchange: the model asks for lookup_order, then answers with its result. */
async function anthropicExchange(client: import('@anthropic-ai/sdk').default): Promise<string> {
  const tools = [{ name: 'lookup_order', description: 'Looks an order up by its id', input_schema: LOOKUP_ORDER_SCHEMA }];
  const messages: import('@anthropic-ai/sdk').default.MessageParam[] = [{ role: 'user', content: QUESTION }];
  const first = await client.messages.create({ model: 'fake-claude', max_tokens: 256, system: SYSTEM, messages, tools });
  const use = first.content.find((b) => b.type === 'tool_use');
  assert.ok(use?.type === 'tool_use', 'the fake asks for the tool');
  messages.push({ role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: JSON.stringify({ order_id: 'A1042', status: 'shipped' }) }] });
  const second = await client.messages.create({ model: 'fake-claude', max_tokens: 256, system: SYSTEM, messages, tools });
  const text = second.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  assert.match(text, /Order A1042 is shipped/);
  return text;
}

describe('Anthropic SDK', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = () => require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk');

  test('its own spans (content mode on)', async () => {
    const { default: Anthropic } = load();
    const client = new Anthropic({ baseURL: modelUrl, apiKey: 'sk-ant-test-loopback', openTelemetry: { traces: { contentMode: 'content' } } });
    const answersBefore = fake.answered.length;
    let text = '';
    const { tree, trace } = await recordRun('anthropic own spans', async () => {
      text = await anthropicExchange(client);
    });
    const answers = fake.answered.slice(answersBefore);
    const calls = tree.spans.filter((s) => s.kind === 'llm');
    assert.equal(calls.length, 2, shape(tree));
    assert.deepEqual(calls.map((s) => s.name), ['anthropic.messages.create', 'anthropic.messages.create']);
    assert.deepEqual(calls.map((s) => s.model), ['fake-claude-20250101', 'fake-claude-20250101']);
    assert.deepEqual(calls.map((s) => [s.tokens?.input, s.tokens?.output]), answers.map((a) => [a.inputTokens, a.outputTokens]));
    assertTraceTokens(trace, answers);
    const view = await details(trace, calls[1].spanId);
    assert.equal(view.provider, 'anthropic');
    const conversation = await conversationOf(trace, calls[1].spanId);
    assert.deepEqual(
      conversation?.messages.map((x) => `${x.direction}:${x.role}`),
      ['input:system', 'input:user', 'input:assistant', 'input:tool', 'output:assistant'],
      JSON.stringify(conversation, null, 1),
    );
    assert.equal(conversation?.messages[0].content, SYSTEM);
    assert.deepEqual(toolCalls(conversation?.messages[2]), [{ name: 'lookup_order', arguments: { order_id: 'A1042' } }]);
    assert.equal(conversation?.messages[4].content, text);
  });

  test('its own spans, content mode off (the default): no conversation, yet model, tokens and finish reasons', async () => {
    const { default: Anthropic } = load();
    const client = new Anthropic({ baseURL: modelUrl, apiKey: 'sk-ant-test-loopback' });
    const answersBefore = fake.answered.length;
    const { tree, trace } = await recordRun('anthropic own spans, metadata only', async () => {
      await anthropicExchange(client);
    });
    const answers = fake.answered.slice(answersBefore);
    const calls = tree.spans.filter((s) => s.kind === 'llm');
    assert.deepEqual(calls.map((s) => s.model), ['fake-claude-20250101', 'fake-claude-20250101'], shape(tree));
    assertTraceTokens(trace, answers);
    const views = await Promise.all(calls.map((s) => details(trace, s.spanId)));
    assert.deepEqual(views.map((v) => v.conversation), [undefined, undefined], 'no content recorded');
    assert.deepEqual(views.map((v) => v.finishReasons), [['tool_use'], ['end_turn']]);
    // What the details and the run's header say about it: the SDK's own switch.
    for (const v of views) {
      assert.match(v.contentMissing?.message ?? '', /The Anthropic SDK leaves content out/);
      assert.match(v.contentMissing?.fix ?? '', /ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE=content/);
    }
    const noContent = runMissingContext(trace, Date.now(), ws.store.logRecords).filter((n) => n.kind === 'no-content');
    assert.deepEqual(noContent.map((n) => n.spanIds.length), [2]);
    assert.match(noContent[0].fix, /ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE=content/);
  });

  test('under @arizeai/openinference-instrumentation-anthropic: one model call is one call', async () => {
    const module = load();
    const instrumentation = new AnthropicInstrumentation();
    instrumentation.setTracerProvider(provider);
    // Typed as the client class, but it patches what `require` returns, as its require hook does.
    instrumentation.manuallyInstrument(module as unknown as Parameters<AnthropicInstrumentation['manuallyInstrument']>[0]);
    const client = new module.default({ baseURL: modelUrl, apiKey: 'sk-ant-test-loopback' });
    const answersBefore = fake.answered.length;
    let text = '';
    const { tree, trace } = await recordRun('anthropic under openinference', async () => {
      text = await anthropicExchange(client);
    });
    instrumentation.disable();
    const answers = fake.answered.slice(answersBefore);
    const outer = tree.spans.filter((s) => s.name === 'Anthropic Messages');
    assert.equal(outer.length, 2, shape(tree));
    // The SDK still makes its own span, inside the instrumentation's: one call, two nested LLM spans.
    const inner = tree.spans.filter((s) => s.name === 'anthropic.messages.create');
    assert.deepEqual(inner.map((s) => [s.kind, s.parentSpanId]), outer.map((s) => ['llm', s.spanId]), shape(tree));
    assert.deepEqual(outer.map((s) => s.kind), ['llm', 'llm']);
    assert.deepEqual(outer.map((s) => s.model), ['fake-claude-20250101', 'fake-claude-20250101']);
    assert.deepEqual(outer.map((s) => [s.tokens?.input, s.tokens?.output]), answers.map((a) => [a.inputTokens, a.outputTokens]));
    assertTraceTokens(trace, answers);
    const conversation = await conversationOf(trace, outer[1].spanId);
    assert.deepEqual(
      conversation?.messages.map((x) => `${x.direction}:${x.role}`),
      ['input:system', 'input:user', 'input:assistant', 'input:tool', 'output:assistant'],
      JSON.stringify(conversation, null, 1),
    );
    assert.equal(conversation?.messages[0].content, SYSTEM);
    assert.deepEqual(toolCalls(conversation?.messages[2]), [{ name: 'lookup_order', arguments: { order_id: 'A1042' } }]);
    assert.equal(conversation?.messages[4].content, text);
    // The SDK's span keeps no content (its default), the instrumentation's holds it: nothing is missing.
    assert.deepEqual((await Promise.all(inner.map((s) => details(trace, s.spanId)))).map((v) => v.contentMissing), [undefined, undefined]);
    assert.deepEqual(runMissingContext(trace, Date.now(), ws.store.logRecords).filter((n) => n.kind === 'no-content'), []);
  });
});
