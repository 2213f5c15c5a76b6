// The support agent in Python (test/python) under each instrumentation people use, against a
// loopback fake of the model API, exporting the way each library's users do; then what a user
// would see through the core: runs, kinds, models, tokens, the conversation, errors with their
// Python frames, running spans and Go to Source.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { describeSpan } from '../../src/core/genai/conventions';
import { extractConversation, type Conversation } from '../../src/core/genai/conversation';
import { traceTokens } from '../../src/core/genai/traceTokens';
import { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import { withLogRecords } from '../../src/core/ingest/logRecordDetails';
import type { SpanRecord } from '../../src/core/model/span';
import type { Trace } from '../../src/core/model/trace';
import { resolveSpanSource, type SourceContext } from '../../src/core/source/resolveSpanSource';
import { sourceLocationOf } from '../../src/core/source/source';
import { buildSourceIndex, sourceFileKey } from '../../src/core/source/sourceIndex';
import { runSteps } from '../../src/core/util/steps';
import { parseStackTrace } from '../../src/core/source/stackFrames';
import type { SymbolCandidate, SymbolQuery } from '../../src/core/source/symbolMatch';
import { FakeModelApi } from './fakeModelApi';
import { assertConversation, isLlm, llmSpans } from './supportConversation';
import { PYTHON_DIR, REPO, detailsOf, runAgent, setup, spansOf, start, startReceivers, waitFor, watchWorkspace } from './harness';

const AGENT_SOURCE = path.join(PYTHON_DIR, 'support_agent.py');

/** The line of support_agent.py that holds `text` (so the tests follow edits of the agent). */
function agentLine(text: string): number {
  const index = readFileSync(AGENT_SOURCE, 'utf8').split('\n').findIndex((l) => l.includes(text));
  assert.ok(index >= 0, `support_agent.py has ${text}`);
  return index + 1;
}

let python: string;
let fake: FakeModelApi;
let modelUrl: string;
const folders: string[] = [];
const disposables: { dispose(): void }[] = [];

before(async () => {
  python = await setup('setup-python.sh');
  fake = new FakeModelApi();
  modelUrl = await fake.start();
});

after(() => {
  for (const d of disposables.splice(0)) d.dispose();
  fake?.dispose();
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

function workspace(name: string): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), `tracerun-py-${name}-`));
  folders.push(folder);
  return folder;
}

function modelEnv(): NodeJS.ProcessEnv {
  return { OPENAI_BASE_URL: `${modelUrl}/v1`, OPENAI_API_KEY: 'sk-test-loopback', ANTHROPIC_BASE_URL: modelUrl, ANTHROPIC_API_KEY: 'sk-ant-test-loopback' };
}

interface SupportRuns {
  readonly ok: Trace;
  readonly failed: Trace;
  /** The fake's answers for each run, in order: three for the good run, two for the failing one. */
  readonly okAnswers: FakeModelApi['answered'];
}

/** Runs an agent and waits until the workspace shows its two support runs, both complete. */
async function runSupportAgent(agent: string, folder: string, env: NodeJS.ProcessEnv): Promise<{ ws: TraceWorkspace; runs: SupportRuns; problems: string[] }> {
  const firstAnswer = fake.answered.length;
  await runAgent(python, agent, { ...modelEnv(), ...env });
  return readSupportRuns(folder, fake.answered.slice(firstAnswer));
}

/** The workspace once it shows the agent's two support runs, both complete. */
async function readSupportRuns(folder: string, answers: FakeModelApi['answered']): Promise<{ ws: TraceWorkspace; runs: SupportRuns; problems: string[] }> {
  assert.equal(answers.length, 5, 'classify + draft + draft after the tool, then classify + draft for the failing run');
  const problems: string[] = [];
  const ws = await watchWorkspace(folder, problems);
  disposables.push(ws);
  const support = await waitFor('two complete support runs', () => {
    const runs = ws.store.runs().filter((r) => r.summary().name === 'support_agent.run' && r.state(Date.now()) === 'complete');
    return runs.length === 2 && runs;
  });
  const [ok, failed] = [...support].sort((a, b) => (a.summary().startNs < b.summary().startNs ? -1 : 1));
  return { ws, runs: { ok, failed, okAnswers: answers.slice(0, 3) }, problems };
}

/** Runs, kinds, models and tokens: what the Runs view and the waterfall rows show. */
const GPT_MODELS = ['fake-gpt-4o-mini-2024-07-18', 'fake-gpt-4o-2024-07-18', 'fake-gpt-4o-2024-07-18'];

function assertRunsAndModels(runs: SupportRuns, service: string, models = GPT_MODELS): void {
  assert.deepEqual(runs.ok.summary().serviceNames, [service]);
  assert.equal(runs.ok.summary().errorCount, 0);
  assert.ok(runs.failed.summary().errorCount > 0, 'the run whose tool failed shows an error');
  const llm = llmSpans(runs.ok);
  assert.equal(llm.length, 3, `three model calls in the good run: ${spansOf(runs.ok).map((s) => s.name).join(', ')}`);
  assert.deepEqual(
    llm.map((s) => describeSpan(s).model),
    models,
    'the model that answered',
  );
  const input = runs.okAnswers.reduce((a, r) => a + r.inputTokens, 0);
  const output = runs.okAnswers.reduce((a, r) => a + r.outputTokens, 0);
  const tokens = traceTokens(runs.ok);
  assert.equal(tokens?.input, input, 'input tokens the fake stated');
  assert.equal(tokens?.output, output, 'output tokens the fake stated');
}

/** The last model call of the good run, as the conversation view shows it. */
async function finalConversation(runs: SupportRuns, ws?: TraceWorkspace, calls = llmSpans(runs.ok)): Promise<Conversation | undefined> {
  const last = calls.at(-1)!;
  // With the workspace: the span's log records too, as the details pane reads them.
  return extractConversation(await withLogRecords(last, await detailsOf(last), ws?.store.logRecords));
}

/** The failing tool's exception, with its Python frames pointing at support_agent.py. */
async function assertPythonError(runs: SupportRuns, toolSpan = 'execute_tool lookup_order'): Promise<void> {
  const tool = spansOf(runs.failed).find((s) => s.name === toolSpan);
  assert.ok(tool, 'the failing run has the tool span');
  assert.equal(tool.errorMessage?.includes('order Z9999 not found (404)'), true, tool.errorMessage);
  const exception = (await detailsOf(tool)).events.find((e) => e.name === 'exception');
  assert.ok(exception, 'an exception event');
  assert.equal(exception.attributes['exception.type'], 'support_agent.OrdersAPIError');
  const frames = parseStackTrace(String(exception.attributes['exception.stacktrace']));
  const raising = frames.filter((f) => f.path !== undefined).at(-1);
  assert.equal(raising?.path, AGENT_SOURCE, 'the innermost frame is the agent file');
  assert.equal(raising?.line, agentLine('raise OrdersAPIError('), 'at the raise');
}

/**
 * The kind of every span of the good run, in start order: what the waterfall's kind column
 * shows. Nested LLM spans (an SDK's own span under an instrumented call) are listed too.
 */
function assertKinds(runs: SupportRuns, expected: readonly string[]): void {
  const spans = spansOf(runs.ok);
  assert.deepEqual(
    spans.map((s) => describeSpan(s).kind),
    expected,
    spans.map((s) => `${s.name}: ${describeSpan(s).kind}`).join('\n'),
  );
}

/**
 * The good run's steps (support_agent.py): run, classify, retrieve, draft holding the first
 * model call, the tool and the second, check. Each instrumentation names its spans its own
 * way (`openai.chat`, `chat fake-gpt-4o`, `ChatOpenAI`, Logfire's message template) but
 * should give them these kinds.
 */
const SUPPORT_KINDS = ['agent', 'llm', 'retriever', 'chain', 'llm', 'tool', 'llm', 'guardrail'];

/**
 * What a language server's workspace symbols give for support_agent.py: its `def`s and
 * `class`es, those whose name holds the query's letters in order (the providers match
 * fuzzily; the chain ranks and filters what comes back).
 */
async function agentSymbols(query: SymbolQuery): Promise<SymbolCandidate[]> {
  const wanted = [...query.name.toLowerCase()];
  const fuzzy = (name: string) => {
    let i = 0;
    for (const ch of name.toLowerCase()) if (ch === wanted[i]) i++;
    return i === wanted.length;
  };
  return readFileSync(AGENT_SOURCE, 'utf8')
    .split('\n')
    .flatMap((text, i): SymbolCandidate[] => {
      const m = /^(\s*)(def|class)\s+(\w+)/.exec(text);
      if (!m || !fuzzy(m[3])) return [];
      return [{ name: m[3], container: undefined, kind: m[2] === 'def' ? 'function' : 'class', path: AGENT_SOURCE, line: i + 1, column: text.indexOf(m[3]) + 1 }];
    });
}

/** Go to Source as the extension asks it, with test/python as the workspace folder. */
async function goToSource(span: SpanRecord, findSymbols?: SourceContext['findSymbols']) {
  const details = await detailsOf(span);
  const ctx: SourceContext = { folders: [PYTHON_DIR], exists: async (f) => existsSync(f), ...(findSymbols ? { findSymbols } : {}) };
  return resolveSpanSource({ name: span.name, attributes: details.attributes, events: details.events, statusMessage: span.errorMessage, traceFile: span.origin.file }, ctx);
}

describe('OpenInference (openai) over OTLP/HTTP to the receivers', () => {
  let runs: SupportRuns;
  let problems: string[];
  before(async () => {
    const folder = workspace('openinference');
    const { receivers, httpUrl } = await startReceivers(folder);
    try {
      ({ runs, problems } = await runSupportAgent('agent_openinference.py', folder, { TRACERUN_EXPORT: `http=${httpUrl}` }));
    } finally {
      await receivers.close();
    }
  });
  test('runs, kinds, models and tokens', () => {
    assert.deepEqual(problems, []);
    assertRunsAndModels(runs, 'py-openinference');
    assertKinds(runs, SUPPORT_KINDS);
  });
  test('the conversation: system, user, tool call, tool result, answer', async () => assertConversation(await finalConversation(runs)));
  test('the error with its Python stack frames', () => assertPythonError(runs));
  test('Go to Source through the stack trace lands on the raise in lookup_order', async () => {
    const tool = spansOf(runs.failed).find((s) => s.name === 'execute_tool lookup_order');
    assert.ok(tool, 'the failing tool span');
    assert.equal(sourceLocationOf(tool.attributes), undefined, 'no code.* on it: the stack is what finds it');
    const resolved = await goToSource(tool);
    assert.deepEqual(resolved.found, { path: AGENT_SOURCE, line: agentLine('raise OrdersAPIError('), column: undefined, function: 'lookup_order', via: 'stacktrace' }, JSON.stringify(resolved));
  });
});

describe("ConsoleSpanExporter's output in a log file", () => {
  test('a log file of console-exported spans shows its runs', async () => {
    const folder = workspace('console');
    const log = path.join(folder, 'logs', 'agent.log');
    mkdirSync(path.dirname(log));
    await runAgent(python, 'agent_openinference.py', { ...modelEnv(), TRACERUN_EXPORT: `console=${log}` });
    assert.match(readFileSync(log, 'utf8'), /"name": "support_agent.run"/, 'the spans are in the log');
    const problems: string[] = [];
    const ws = new TraceWorkspace();
    disposables.push(ws);
    ws.onDidChangeProblems((p) => 'message' in p && problems.push(p.message));
    await ws.watch({ folders: [folder], include: ['logs/*.log'] });
    assert.equal(ws.store.runs().filter((r) => r.summary().name === 'support_agent.run').length, 2, problems.slice(0, 3).join('\n'));
  });
});

describe('OpenLLMetry (traceloop openai) over OTLP/gRPC to the receivers', () => {
  let runs: SupportRuns;
  before(async () => {
    const folder = workspace('openllmetry');
    const { receivers, grpcUrl } = await startReceivers(folder);
    try {
      ({ runs } = await runSupportAgent('agent_openllmetry.py', folder, { TRACERUN_EXPORT: `grpc=${grpcUrl}` }));
    } finally {
      await receivers.close();
    }
  });
  test('runs, kinds, models and tokens', () => {
    assertRunsAndModels(runs, 'py-openllmetry');
    assertKinds(runs, SUPPORT_KINDS);
  });
  test('the conversation: system, user, tool call, tool result, answer', async () => assertConversation(await finalConversation(runs)));
  test('the error with its Python stack frames', () => assertPythonError(runs));
  test('Go to Source through workspace symbols lands on the def (no code.*, no stack)', async () => {
    for (const [name, fn] of [
      ['execute_tool lookup_order', 'lookup_order'],
      ['retrieve_policies', 'retrieve_policies'],
    ]) {
      const span = spansOf(runs.ok).find((s) => s.name === name);
      assert.ok(span, name);
      const without = await goToSource(span);
      assert.equal(without.found, undefined, `${name}: neither code.* nor a stack finds it (${JSON.stringify(without)})`);
      const resolved = await goToSource(span, agentSymbols);
      // Column 5: the name, after `def ` (both are top-level functions).
      assert.deepEqual(resolved.found, { path: AGENT_SOURCE, line: agentLine(`def ${fn}(`), column: 5, function: fn, via: 'symbol' }, name);
    }
  });
});

describe('opentelemetry-instrumentation-openai-v2 to an OTLP JSON file (spans and log records)', () => {
  let runs: SupportRuns;
  let problems: string[];
  let file: string;
  let ws: TraceWorkspace;
  before(async () => {
    const folder = workspace('openai-v2');
    file = path.join(folder, '.tracerun', 'python.jsonl');
    mkdirSync(path.dirname(file)); // the file exporter creates the file, not its folder
    ({ ws, runs, problems } = await runSupportAgent('agent_openai_v2.py', folder, { TRACERUN_EXPORT: `file=${file}` }));
  });
  test('runs, kinds, models and tokens', () => {
    assert.deepEqual(problems, [], 'log-record lines in the same file are skipped, not reported');
    assertRunsAndModels(runs, 'py-openai-v2');
    assertKinds(runs, SUPPORT_KINDS);
    assert.ok(readFileSync(file, 'utf8').includes('"resourceLogs"'), 'the content went out as log records');
  });
  test('the conversation from its log records', async () => assertConversation(await finalConversation(runs, ws)));
  test('the error with its Python stack frames', () => assertPythonError(runs));
});

for (const protocol of ['http', 'grpc'] as const) {
  describe(`opentelemetry-instrumentation-openai-v2 with content as log records (EVENT_ONLY) over OTLP/${protocol === 'http' ? 'HTTP' : 'gRPC'} to the receivers`, () => {
    let runs: SupportRuns;
    let problems: string[];
    let ws: TraceWorkspace;
    before(async () => {
      const folder = workspace(`openai-v2-logs-${protocol}`);
      const { receivers, httpUrl, grpcUrl } = await startReceivers(folder);
      try {
        ({ ws, runs, problems } = await runSupportAgent('agent_openai_v2.py', folder, { TRACERUN_EXPORT: protocol === 'http' ? `http=${httpUrl}` : `grpc=${grpcUrl}` }));
      } finally {
        await receivers.close();
      }
    });
    test('runs, kinds, models and tokens', () => {
      assert.deepEqual(problems, []);
      assertRunsAndModels(runs, 'py-openai-v2');
      assertKinds(runs, SUPPORT_KINDS);
    });
    test('the conversation from the log records the receiver wrote', async () => assertConversation(await finalConversation(runs, ws)));
  });
}

describe("the README's Python setup (Pointing an app at it) over OTLP/HTTP to the receivers", () => {
  let runs: SupportRuns;
  let problems: string[];
  let ws: TraceWorkspace;
  let snippets: string[];
  before(async () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Pointing an app at it'), readme.indexOf('\n## ', readme.indexOf('### Pointing an app at it')));
    snippets = [...section.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]);
    const folder = workspace('readme');
    const { receivers, httpUrl } = await startReceivers(folder);
    const setupFile = path.join(folder, 'readme_setup.py');
    // As written, but to this test's receivers: the README's port is the extension's own.
    writeFileSync(setupFile, snippets.join('\n').replaceAll('http://127.0.0.1:4318', httpUrl));
    try {
      ({ ws, runs, problems } = await runSupportAgent('agent_readme.py', folder, { TRACERUN_README_SETUP: setupFile, OTEL_SERVICE_NAME: 'py-readme' }));
    } finally {
      await receivers.close();
    }
  });
  test('its snippets: the tracer provider, then the logger provider and the instrumentation', () => {
    assert.equal(snippets.length, 2, snippets.join('\n---\n'));
    assert.match(snippets[0], /OTLPSpanExporter\(endpoint="http:\/\/127\.0\.0\.1:4318\/v1\/traces"\)/);
    assert.match(snippets[1], /OpenAIInstrumentor\(\)\.instrument\(tracer_provider=provider, logger_provider=logger_provider\)/);
  });
  test('runs, kinds, models and tokens', () => {
    assert.deepEqual(problems, []);
    // The snippet names no service: OTEL_SERVICE_NAME does, as the README says.
    assertRunsAndModels(runs, 'py-readme');
    assertKinds(runs, SUPPORT_KINDS);
  });
  test('the conversation from the log records', async () => assertConversation(await finalConversation(runs, ws)));
});

describe('opentelemetry-instrumentation-openai-v2 with content on the span (SPAN_ONLY) over OTLP/HTTP', () => {
  let runs: SupportRuns;
  before(async () => {
    const folder = workspace('openai-v2-span');
    const { receivers, httpUrl } = await startReceivers(folder);
    try {
      ({ runs } = await runSupportAgent('agent_openai_v2.py', folder, { TRACERUN_EXPORT: `http=${httpUrl}`, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'SPAN_ONLY' }));
    } finally {
      await receivers.close();
    }
  });
  test('runs, kinds, models and tokens', () => {
    assertRunsAndModels(runs, 'py-openai-v2');
    assertKinds(runs, SUPPORT_KINDS);
  });
  test('the conversation: system, user, tool call, tool result, answer', async () => assertConversation(await finalConversation(runs)));
});

describe('OpenInference (langchain) over OTLP/HTTP to the receivers', () => {
  let runs: SupportRuns;
  before(async () => {
    const folder = workspace('langchain');
    const { receivers, httpUrl } = await startReceivers(folder);
    try {
      ({ runs } = await runSupportAgent('agent_langchain.py', folder, { TRACERUN_EXPORT: `http=${httpUrl}` }));
    } finally {
      await receivers.close();
    }
  });
  test('runs, kinds, models and tokens', () => {
    assertRunsAndModels(runs, 'py-langchain');
    // LangChain's ChatOpenAI span is the model call; the OpenAI client under it is not instrumented here.
    assertKinds(runs, SUPPORT_KINDS);
  });
  test('the conversation: system, user, tool call, tool result, answer', async () => assertConversation(await finalConversation(runs)));
  test('the error with its Python stack frames', () => assertPythonError(runs, 'lookup_order'));
});

describe('OpenInference (anthropic) over OTLP/gRPC to the receivers', () => {
  let runs: SupportRuns;
  before(async () => {
    const folder = workspace('anthropic');
    const { receivers, grpcUrl } = await startReceivers(folder);
    try {
      ({ runs } = await runSupportAgent('agent_anthropic.py', folder, { TRACERUN_EXPORT: `grpc=${grpcUrl}` }));
    } finally {
      await receivers.close();
    }
  });
  test('runs, kinds, models and tokens', () => {
    assertRunsAndModels(runs, 'py-anthropic', ['fake-claude-haiku-20250101', 'fake-claude-sonnet-20250101', 'fake-claude-sonnet-20250101']);
    // Each model call twice: OpenInference's `messages.create` and, nested in it, the SDK's own
    // `anthropic.messages.create` (both LLM spans; the test below checks they count once).
    assertKinds(runs, ['agent', 'llm', 'llm', 'retriever', 'chain', 'llm', 'llm', 'tool', 'llm', 'llm', 'guardrail']);
  });
  test("the SDK's own span under each instrumented call is a nested LLM span, its tokens not counted twice", () => {
    const nested = spansOf(runs.ok).filter((s) => isLlm(s) && isLlm(runs.ok.span(s.parentSpanId)));
    assert.deepEqual(
      nested.map((s) => [s.name, s.scope?.name]),
      Array(3).fill(['anthropic.messages.create', 'com.anthropic.sdk.python']),
    );
    assert.ok(nested.every((s) => describeSpan(s).tokens?.input !== undefined), 'they state usage too (counted once by traceTokens above)');
  });
  test('the conversation: system, user, tool call, tool result, answer', async () => assertConversation(await finalConversation(runs), 'toolu_a1042'));
  test('the error with its Python stack frames', () => assertPythonError(runs));
});

describe('OpenLLMetry (traceloop anthropic) over OTLP/HTTP to the receivers', () => {
  let runs: SupportRuns;
  /** OpenLLMetry's own `anthropic.chat` spans (the SDK's `anthropic.messages.create` sit beside them). */
  let chats: SpanRecord[];
  const CLAUDE_MODELS = ['fake-claude-haiku-20250101', 'fake-claude-sonnet-20250101', 'fake-claude-sonnet-20250101'];
  before(async () => {
    const folder = workspace('openllmetry-anthropic');
    const { receivers, httpUrl } = await startReceivers(folder);
    try {
      ({ runs } = await runSupportAgent('agent_openllmetry_anthropic.py', folder, { TRACERUN_EXPORT: `http=${httpUrl}` }));
    } finally {
      await receivers.close();
    }
    chats = spansOf(runs.ok).filter((s) => s.scope?.name === 'opentelemetry.instrumentation.anthropic');
  });
  test('runs, kinds and models', () => {
    assert.deepEqual(runs.ok.summary().serviceNames, ['py-openllmetry-anthropic']);
    assert.equal(runs.ok.summary().errorCount, 0);
    assert.ok(runs.failed.summary().errorCount > 0, 'the run whose tool failed shows an error');
    assert.deepEqual(chats.map((s) => [s.name, describeSpan(s).model]), CLAUDE_MODELS.map((m) => ['anthropic.chat', m]));
    // Each model call twice: OpenLLMetry does not make its span current, so the SDK's own
    // `anthropic.messages.create` is its sibling, not nested in it as under OpenInference.
    assertKinds(runs, ['agent', 'llm', 'llm', 'retriever', 'chain', 'llm', 'llm', 'tool', 'llm', 'llm', 'guardrail']);
  });
  test('the conversation: system, user, tool call, tool result, answer', async () => assertConversation(await finalConversation(runs, undefined, chats), 'toolu_a1042'));
  test('the error with its Python stack frames', () => assertPythonError(runs));
  test('one model call recorded twice side by side (OpenLLMetry and the SDK) counts once: three calls, tokens once', () =>
    assertRunsAndModels(runs, 'py-openllmetry-anthropic', CLAUDE_MODELS));
});

describe('Pydantic Logfire over OTLP/HTTP to the receivers', () => {
  let runs: SupportRuns;
  before(async () => {
    const folder = workspace('logfire');
    const { receivers, httpUrl } = await startReceivers(folder);
    try {
      ({ runs } = await runSupportAgent('agent_logfire.py', folder, { OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl }));
    } finally {
      await receivers.close();
    }
  });
  test('runs, kinds, models and tokens', () => {
    assertRunsAndModels(runs, 'py-logfire');
    assertKinds(runs, SUPPORT_KINDS);
  });
  test('the conversation: system, user, tool call, tool result, answer', async () => assertConversation(await finalConversation(runs)));
  test('the error with its Python stack frames', () => assertPythonError(runs));
  test('Go to Source lands on the Python function (code.* attributes)', () => {
    const retrieve = spansOf(runs.ok).find((s) => s.name === 'retrieve_policies');
    assert.ok(retrieve, 'the retrieve step');
    const location = sourceLocationOf(retrieve.attributes);
    assert.ok(location, `code.* on ${JSON.stringify(retrieve.attributes)}`);
    assert.equal(path.resolve(PYTHON_DIR, location.path), AGENT_SOURCE);
    assert.equal(location.line, agentLine('with span("retrieve_policies"'));
    assert.equal(location.function, 'retrieve_policies');
    // The lens above that line: both runs went through it, neither failed there.
    const index = runSteps(buildSourceIndex([runs.ok, runs.failed], [PYTHON_DIR]));
    const atLine = index.get(sourceFileKey(AGENT_SOURCE))?.find((l) => l.line === location.line);
    assert.deepEqual(atLine && { count: atLine.count, failed: atLine.failed, function: atLine.function }, { count: 2, failed: 0, function: 'retrieve_policies' });
  });
});

describe('Pydantic Logfire with pending spans: running spans show live', () => {
  let ws: TraceWorkspace;
  let sawRunning = false;
  before(async () => {
    const folder = workspace('logfire-pending');
    const { receivers, httpUrl } = await startReceivers(folder);
    const live = await watchWorkspace(folder);
    disposables.push(live);
    try {
      const env = { ...modelEnv(), TRACERUN_PENDING_SPANS_URL: httpUrl, TRACERUN_SLOW_SECONDS: '3', OTEL_BSP_SCHEDULE_DELAY: '100', PYTHONUNBUFFERED: '1' };
      const agent = start(python, [path.join(PYTHON_DIR, 'agent_logfire.py')], { cwd: PYTHON_DIR, env });
      const firstAnswer = fake.answered.length;
      // While warm_up sleeps its pending span is all there is of it: the run shows as running.
      sawRunning = await waitFor(
        'the warm_up run while it runs',
        () => live.store.runs().some((r) => r.summary().name === 'warm_up' && r.state(Date.now()) === 'running'),
        30_000,
      ).catch(() => false);
      const result = await agent.done;
      assert.equal(result.code, 0, result.stdout + result.stderr);
      ({ ws } = await readSupportRuns(folder, fake.answered.slice(firstAnswer)));
    } finally {
      await receivers.close();
    }
  });
  test('a span still running shows its run as running', () => assert.ok(sawRunning, 'warm_up was running'));
  test('once finished, a span is shown once (its pending twin is dropped)', () => {
    const warmUp = ws.store.runs().find((r) => r.summary().name === 'warm_up');
    assert.ok(warmUp, 'the warm_up run');
    assert.equal(warmUp.state(Date.now()), 'complete');
    assert.deepEqual(spansOf(warmUp).map((s) => s.name), ['warm_up'], 'one warm_up span, not it and its pending twin');
  });
});
