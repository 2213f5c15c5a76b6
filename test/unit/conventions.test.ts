import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { describeSpan, type DescribableSpan, type SpanConventions, type TokenCounts } from '../../src/core/genai/conventions';
import { runTokens } from '../../src/core/genai/runTokens';
import { INDEXED_ATTRIBUTE_KEYS } from '../../src/core/model/indexedAttributes';
import { decodeKeyValues } from '../../src/core/ingest/otlp/anyValue';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { SpanKind, type Attributes, type SpanRecord } from '../../src/core/model/span';
import { Trace } from '../../src/core/model/trace';

const FIXTURES = resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'conventions');

interface Fixture {
  spans: SpanRecord[];
  /** Every attribute of each span, as written, to check that the index keeps what matters. */
  fullAttributes: Map<string, Attributes>;
  runs: Map<string, Trace>;
}

/** Reads a fixture of OTLP JSON lines through the real reader, as the extension does. */
function load(file: string): Fixture {
  const path = resolve(FIXTURES, file);
  const buf = readFileSync(path);
  const spans: SpanRecord[] = [];
  let start = 0;
  let line = 1;
  while (start < buf.length) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    if (end > start) {
      const { spans: read, problems } = readOtlpJson(buf, start, end, { file: path, line, byteBase: 0 });
      assert.deepEqual(problems, [], `${file}:${line}`);
      spans.push(...read);
    }
    start = end + 1;
    line++;
  }
  const fullAttributes = new Map<string, Attributes>();
  const runs = new Map<string, Trace>();
  for (const span of spans) {
    const raw = JSON.parse(buf.toString('utf8', span.byteStart, span.byteEnd)) as { attributes?: unknown };
    fullAttributes.set(span.spanId, decodeKeyValues(raw.attributes));
    let run = runs.get(span.traceId);
    if (!run) runs.set(span.traceId, (run = new Trace(span.traceId)));
    run.add(span);
  }
  return { spans, fullAttributes, runs };
}

type Expected = [name: string, kind: SpanConventions['kind'], convention?: SpanConventions['convention'], model?: string, tokens?: TokenCounts];

/**
 * Checks every span of a fixture against its expected row (so each fixture's table is
 * complete), and that the span describes the same from its indexed attributes as from all of
 * them: whatever `describeSpan` reads must be an indexed key.
 */
function checkSpans(fx: Fixture, expected: Record<string, Expected>): void {
  assert.deepEqual(fx.spans.map((s) => s.spanId).sort(), Object.keys(expected).sort(), 'fixture and table list the same spans');
  for (const span of fx.spans) {
    const [name, kind, convention, model, tokens] = expected[span.spanId];
    const want: SpanConventions = { kind };
    if (convention) want.convention = convention;
    if (model) want.model = model;
    if (tokens) want.tokens = tokens;
    const got = describeSpan(span);
    assert.equal(span.name, name, span.spanId);
    assert.deepEqual(got, want, `${span.spanId} ${span.name}`);
    const full = { ...span, attributes: fx.fullAttributes.get(span.spanId) };
    assert.deepEqual(describeSpan(full), got, `${span.name}: the index drops an attribute describeSpan reads`);
    for (const key of Object.keys(span.attributes ?? {})) assert.ok(INDEXED_ATTRIBUTE_KEYS.has(key), key);
  }
}

function tokensOf(fx: Fixture, traceId: string): TokenCounts | undefined {
  const run = fx.runs.get(traceId);
  assert.ok(run, traceId);
  return runTokens(run.allSpans());
}

test('OpenInference: a LangChain agent with LLM, retriever, reranker, tool, guardrail and evaluator spans', () => {
  const fx = load('openinference-langchain.jsonl');
  const oi = 'openinference' as const;
  const mini = 'gpt-4o-mini-2024-07-18';
  checkSpans(fx, {
    a3c1e0f2b4d60000: ['AgentExecutor', 'agent', oi],
    a3c1e0f2b4d60002: ['RunnableSequence', 'chain', oi],
    a3c1e0f2b4d60001: ['ChatOpenAI', 'llm', oi, mini, { input: 412, output: 38, total: 450 }],
    a3c1e0f2b4d60003: ['search_docs', 'tool', oi],
    a3c1e0f2b4d60004: ['VectorStoreRetriever', 'retriever', oi],
    a3c1e0f2b4d60005: ['OpenAIEmbeddings', 'embedding', oi, 'text-embedding-3-small'],
    a3c1e0f2b4d60006: ['CohereRerank', 'reranker', oi, 'rerank-english-v3.0'],
    a3c1e0f2b4d60007: ['RunnableSequence', 'chain', oi],
    // Lower-case kind and counts written as strings.
    a3c1e0f2b4d60008: ['ChatOpenAI', 'llm', oi, mini, { input: 951, output: 112, total: 1063 }],
    a3c1e0f2b4d60009: ['moderation', 'guardrail', oi],
    a3c1e0f2b4d6000a: ['answer_relevance', 'evaluator', oi],
    // Run B: the same call recorded by LangChain's and the OpenAI SDK's instrumentors.
    b7e2a9c4d1f30001: ['RunnableSequence', 'chain', oi],
    b7e2a9c4d1f30002: ['ChatOpenAI', 'llm', oi, mini, { input: 100, output: 20, total: 120 }],
    b7e2a9c4d1f30003: ['ChatCompletion', 'llm', oi, mini, { input: 100, output: 20, total: 120 }],
  });
  // Non-indexed payloads stay on disk.
  assert.equal(fx.spans.find((s) => s.spanId === 'a3c1e0f2b4d60001')?.attributes?.['input.value'], undefined);
  assert.deepEqual(tokensOf(fx, '4bf92f3577b34da6a3ce929d0e0e4736'), { input: 1363, output: 150, total: 1513 });
  assert.deepEqual(tokensOf(fx, '0af7651916cd43dd8448eb211c80319c'), { input: 100, output: 20, total: 120 }, 'nested LLM span not counted twice');
});

test('OpenTelemetry GenAI: invoke_agent with chat and execute_tool, and the other operations', () => {
  const fx = load('genai.jsonl');
  const ga = 'genai' as const;
  const gpt4o = 'gpt-4o-2024-08-06';
  checkSpans(fx, {
    // The agent states the aggregate usage of its invocation; it is described but not summed.
    c0ffee0000000001: ['invoke_agent WeatherAgent', 'agent', ga, 'gpt-4o', { input: 310, output: 52, total: 362 }],
    c0ffee0000000002: ['chat gpt-4o', 'llm', ga, gpt4o, { input: 142, output: 18, total: 160 }],
    c0ffee0000000003: ['execute_tool get_weather', 'tool', ga],
    c0ffee0000000004: ['GET', 'http', 'http'],
    c0ffee0000000005: ['chat gpt-4o', 'llm', ga, gpt4o, { input: 168, output: 34, total: 202 }],
    d00d000000000000: ['invoke_workflow support_pipeline', 'chain', ga],
    d00d000000000001: ['create_agent Math Tutor', 'agent', ga, 'gpt-4o-mini'],
    d00d000000000002: ['embeddings text-embedding-3-small', 'embedding', ga, 'text-embedding-3-small', { input: 9, total: 9 }],
    d00d000000000003: ['retrieval H7STPQYOND', 'retriever', ga],
    d00d000000000004: ['text_completion gpt-3.5-turbo-instruct', 'llm', ga, 'gpt-3.5-turbo-instruct', { input: 20, output: 5, total: 25 }],
    d00d000000000005: ['generate_content gemini-2.0-flash', 'llm', ga, 'gemini-2.0-flash', { input: 55, output: 210, total: 265 }],
    d00d000000000006: ['chat llama3', 'llm', ga, 'llama3', { input: 7, output: 3, total: 10 }],
  });
  assert.deepEqual(tokensOf(fx, '5b8efff798038103d269b633813fc60c'), { input: 310, output: 52, total: 362 });
  // The embeddings span's 9 input tokens are not LLM tokens.
  assert.deepEqual(tokensOf(fx, '6e0c63257de34c92bf9efcd03927272e'), { input: 82, output: 218, total: 300 });
});

test('OpenLLMetry: workflow, tasks, agent and tool around LLM, embedding, rerank and vector DB spans', () => {
  const fx = load('openllmetry.jsonl');
  const ol = 'openllmetry' as const;
  checkSpans(fx, {
    e1e1000000000001: ['pirate_joke_generator.workflow', 'chain', ol],
    e1e1000000000002: ['joke_creation.task', 'chain', ol],
    e1e1000000000003: ['openai.chat', 'llm', ol, 'gpt-3.5-turbo-0125', { input: 15, output: 22, total: 37 }],
    e1e1000000000004: ['signature_generation.task', 'chain', ol],
    e1e1000000000005: ['openai.completion', 'llm', ol, 'davinci-002', { input: 40, output: 12, total: 52 }],
    e1e1000000000007: ['joke_translator.agent', 'agent', ol],
    e1e1000000000008: ['translate.tool', 'tool', ol],
    // semantic-conventions-ai ≥ 0.5 writes gen_ai.operation.name: decided by the GenAI rule.
    e1e1000000000009: ['openai.chat', 'llm', 'genai', 'gpt-4o-mini-2024-07-18', { input: 30, output: 18, total: 48 }],
    e1e100000000000a: ['openai.embeddings', 'embedding', ol, 'text-embedding-ada-002-v2', { input: 8, total: 8 }],
    e1e100000000000b: ['pinecone.query', 'db', 'db'],
    e1e100000000000c: ['cohere.rerank', 'reranker', ol, 'rerank-english-v3.0'],
  });
  assert.deepEqual(tokensOf(fx, '7d1f4a0c2b9e48f6a5c3d2e1f0a9b8c7'), { input: 85, output: 52, total: 137 });
});

test('Vercel AI SDK: generateText with doGenerate steps and a tool call; streamText, generateObject, embed', () => {
  const fx = load('vercel-ai.jsonl');
  const ai = 'vercel-ai' as const;
  checkSpans(fx, {
    // AI SDK 4 names. The outer span repeats its steps' usage.
    f00f000000000001: ['ai.generateText', 'agent', ai, 'gpt-4o', { input: 245, output: 61, total: 306 }],
    f00f000000000002: ['ai.generateText.doGenerate', 'llm', ai, 'gpt-4o-2024-08-06', { input: 110, output: 19, total: 129 }],
    f00f000000000003: ['ai.toolCall', 'tool', ai],
    f00f000000000004: ['ai.generateText.doGenerate', 'llm', ai, 'gpt-4o-2024-08-06', { input: 135, output: 42, total: 177 }],
    // AI SDK 5+ names, inside a Next.js route.
    a11a000000000001: ['POST /api/chat', 'http', 'http'],
    a11a000000000002: ['ai.streamText', 'agent', ai, 'claude-sonnet-4-5', { input: 512, output: 128, total: 640 }],
    a11a000000000003: ['ai.streamText.doStream', 'llm', ai, 'claude-sonnet-4-5-20250929', { input: 512, output: 128, total: 640 }],
    a11a000000000004: ['ai.generateObject', 'chain', ai, 'gpt-4o-mini', { input: 80, output: 20, total: 100 }],
    a11a000000000005: ['ai.generateObject.doGenerate', 'llm', ai, 'gpt-4o-mini-2024-07-18', { input: 80, output: 20, total: 100 }],
    a11a000000000006: ['ai.embed', 'chain', ai, 'text-embedding-3-small', { input: 3, total: 3 }],
    a11a000000000007: ['ai.embed.doEmbed', 'embedding', ai, 'text-embedding-3-small', { input: 3, total: 3 }],
  });
  assert.deepEqual(tokensOf(fx, '8a3c9e7d5b1f4d2c8e6a4b2d0f9e7c5a'), { input: 245, output: 61, total: 306 }, 'outer span not added to its steps');
  assert.deepEqual(tokensOf(fx, '9b4dae8f6c2a4e3d9f7b5c3e1a0f8d6b'), { input: 592, output: 148, total: 740 });
});

test('HTTP and database spans, current and older attribute names; plain spans are other', () => {
  const fx = load('http-db.jsonl');
  checkSpans(fx, {
    b0b0000000000001: ['GET /orders/{id}', 'http', 'http'],
    b0b0000000000002: ['SELECT shop.orders', 'db', 'db'],
    b0b0000000000003: ['HGETALL', 'db', 'db'],
    b0b0000000000004: ['POST', 'http', 'http'],
    // Elasticsearch clients carry both db.* and http.*: the database wins.
    b0b0000000000005: ['search', 'db', 'db'],
    b0b0000000000006: ['render', 'other'],
    b0b0000000000007: ['validate_order', 'other'],
  });
  assert.equal(tokensOf(fx, 'a4c7e2f9b1d84e6c9a3f5b7d2e8c1f04'), undefined);
});

// ---------------------------------------------------------------------------------------
// Rules in isolation.

const sp = (attributes: Attributes | undefined, name = 'span', kind = SpanKind.Internal): DescribableSpan => ({ name, kind, attributes });

test('conventions on one span: OpenInference first, then Vercel, GenAI, OpenLLMetry', () => {
  const both = { 'openinference.span.kind': 'CHAIN', 'gen_ai.operation.name': 'chat' };
  assert.deepEqual(describeSpan(sp(both)), { kind: 'chain', convention: 'openinference' });
  const vercelCall = { 'ai.operationId': 'ai.generateText.doGenerate', 'gen_ai.operation.name': 'invoke_agent' };
  assert.equal(describeSpan(sp(vercelCall)).kind, 'llm');
  assert.equal(describeSpan(sp({ 'gen_ai.operation.name': 'execute_tool', 'traceloop.span.kind': 'task' })).kind, 'tool');
  assert.equal(describeSpan(sp({ 'traceloop.span.kind': 'task', 'llm.request.type': 'chat' })).kind, 'chain');
});

test('values are matched case-insensitively; unknown values fall through to the next rule', () => {
  assert.equal(describeSpan(sp({ 'openinference.span.kind': 'Retriever' })).kind, 'retriever');
  assert.equal(describeSpan(sp({ 'gen_ai.operation.name': 'CHAT' })).kind, 'llm');
  assert.equal(describeSpan(sp({ 'traceloop.span.kind': 'Workflow' })).kind, 'chain');
  assert.deepEqual(describeSpan(sp({ 'openinference.span.kind': 'UNKNOWN', 'http.request.method': 'GET' })), { kind: 'http', convention: 'http' });
  assert.deepEqual(describeSpan(sp({ 'traceloop.span.kind': 'unknown', 'llm.request.type': 'completion' })), { kind: 'llm', convention: 'openllmetry' });
  assert.deepEqual(describeSpan(sp({ 'gen_ai.operation.name': 'some_custom_op' })), { kind: 'other' });
  assert.deepEqual(describeSpan(sp({ 'openinference.span.kind': 'PROMPT' })), { kind: 'chain', convention: 'openinference' });
  assert.deepEqual(describeSpan(sp({ 'openinference.span.kind': 'DECISION' })), { kind: 'other', convention: 'openinference' });
});

test('Vercel spans are known by name when ai.operationId is missing', () => {
  assert.deepEqual(describeSpan(sp(undefined, 'ai.streamObject.doStream')), { kind: 'llm', convention: 'vercel-ai' });
  assert.deepEqual(describeSpan(sp({ 'ai.model.id': 'rerank-v3.5' }, 'ai.rerank.doRerank')), {
    kind: 'reranker',
    convention: 'vercel-ai',
    model: 'rerank-v3.5',
  });
  assert.deepEqual(describeSpan(sp(undefined, 'ai.somethingNew')), { kind: 'other' });
  assert.deepEqual(describeSpan(sp(undefined)), { kind: 'other' });
});

test('model: the response model before the request model', () => {
  assert.equal(describeSpan(sp({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06' })).model, 'gpt-4o-2024-08-06');
  assert.equal(describeSpan(sp({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': '' })).model, 'gpt-4o');
  assert.equal(describeSpan(sp({ 'llm.model_name': 'claude-3-5-haiku' })).model, 'claude-3-5-haiku');
  assert.equal(describeSpan(sp({ 'llm.model_name': 42 })).model, undefined);
});

test('tokens: numbers or numeric strings; total stated or input + output; junk ignored', () => {
  const t = (a: Attributes) => describeSpan(sp(a)).tokens;
  assert.deepEqual(t({ 'gen_ai.usage.input_tokens': '12', 'gen_ai.usage.output_tokens': 3 }), { input: 12, output: 3, total: 15 });
  assert.deepEqual(t({ 'llm.token_count.total': 99 }), { total: 99 });
  assert.deepEqual(t({ 'gen_ai.usage.output_tokens': 4 }), { output: 4, total: 4 });
  assert.deepEqual(t({ 'ai.usage.promptTokens': 5, 'ai.usage.completionTokens': 6 }), { input: 5, output: 6, total: 11 });
  // The current name wins over the deprecated one when a span writes both.
  assert.deepEqual(t({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.prompt_tokens': 11 }), { input: 10, total: 10 });
  // Unusable values are skipped, and the next key is tried.
  assert.deepEqual(t({ 'gen_ai.usage.input_tokens': 'n/a', 'llm.token_count.prompt': 7 }), { input: 7, total: 7 });
  assert.equal(t({ 'gen_ai.usage.input_tokens': -1, 'gen_ai.usage.output_tokens': ' ' }), undefined);
  assert.equal(t({ 'gen_ai.usage.input_tokens': null, 'gen_ai.usage.output_tokens': true }), undefined);
  assert.equal(t({ 'gen_ai.operation.name': 'chat' }), undefined);
});

test('runTokens: only LLM spans; without ids every LLM span counts; parent cycles are safe', () => {
  const llm = (spanId: string, parentSpanId: string, input: number, output: number) => ({
    name: 'chat',
    kind: SpanKind.Client,
    spanId,
    parentSpanId,
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output },
  });
  const agent = { name: 'agent', kind: SpanKind.Internal, spanId: 'a', parentSpanId: '', attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 1000 } };
  assert.equal(runTokens([]), undefined);
  assert.equal(runTokens([agent]), undefined);
  assert.deepEqual(runTokens([agent, llm('b', 'a', 1, 2), llm('c', 'a', 3, 4)]), { input: 4, output: 6, total: 10 });
  // Without ids nesting is unknown, so nested calls both count.
  const noIds = [llm('b', 'a', 1, 2), llm('c', 'b', 1, 2)].map(({ spanId: _s, parentSpanId: _p, ...rest }) => rest);
  assert.deepEqual(runTokens(noIds), { input: 2, output: 4, total: 6 });
  // An LLM span under an LLM span without usage still counts.
  const bare = { name: 'ChatOpenAI', kind: SpanKind.Internal, spanId: 'p', parentSpanId: '', attributes: { 'openinference.span.kind': 'LLM' } };
  assert.deepEqual(runTokens([bare, llm('q', 'p', 5, 5)]), { input: 5, output: 5, total: 10 });
  // A parent cycle (bad data) ends the walk: x and y each have an LLM ancestor, so neither counts.
  assert.deepEqual(runTokens([llm('x', 'y', 1, 1), llm('y', 'x', 2, 2), llm('z', 'w', 3, 3)]), { input: 3, output: 3, total: 6 });
});
