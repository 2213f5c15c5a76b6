// Conventions added for issue 14: the vendors' own kinds (Langfuse, LangSmith, MLflow), the
// GenAI memory operations, cache and reasoning tokens, request vs response model. Fixtures
// are written from each project's documented attribute names and values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DESCRIBE_SPAN_KEYS, describeSpan, isNestedLlmCall, spanModels, type DescribableSpan } from '../../src/core/genai/conventions';
import { runTokens } from '../../src/core/genai/runTokens';
import { INDEXED_ATTRIBUTE_KEYS } from '../../src/core/model/indexedAttributes';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { SpanKind, type Attributes } from '../../src/core/model/span';
import { otlpLine, ms } from './otlpBuilder';

const sp = (attributes: Attributes, name = 'span'): DescribableSpan => ({ name, kind: SpanKind.Internal, attributes });

test('Langfuse: langfuse.observation.type decides the kind; span and event decide nothing', () => {
  // Observation types from langfuse.com/docs/observability/features/observation-types.
  assert.deepEqual(describeSpan(sp({ 'langfuse.observation.type': 'generation', 'langfuse.observation.model.name': 'claude-sonnet-4-5' })), {
    kind: 'llm',
    convention: 'langfuse',
    model: 'claude-sonnet-4-5',
  });
  for (const [type, kind] of [
    ['agent', 'agent'],
    ['tool', 'tool'],
    ['chain', 'chain'],
    ['retriever', 'retriever'],
    ['evaluator', 'evaluator'],
    ['embedding', 'embedding'],
    ['guardrail', 'guardrail'],
  ] as const) {
    assert.equal(describeSpan(sp({ 'langfuse.observation.type': type })).kind, kind, type);
  }
  assert.deepEqual(describeSpan(sp({ 'langfuse.observation.type': 'span' })), { kind: 'other' });
  assert.deepEqual(describeSpan(sp({ 'langfuse.observation.type': 'event' })), { kind: 'other' });
});

test('Langfuse: usage_details JSON gives tokens, cache reads and reasoning', () => {
  const got = describeSpan(
    sp({
      'langfuse.observation.type': 'generation',
      'langfuse.observation.usage_details': JSON.stringify({ input: 1200, output: 300, total: 1500, input_cached_tokens: 1000, output_reasoning_tokens: 120 }),
    }),
  );
  assert.deepEqual(got.tokens, { input: 1200, output: 300, total: 1500, cacheRead: 1000, reasoning: 120 });
});

test('LangSmith: langsmith.span.kind run types', () => {
  // "Values: llm, chain, tool, retriever, embedding, prompt, parser" (LangSmith OpenTelemetry docs).
  assert.deepEqual(describeSpan(sp({ 'langsmith.span.kind': 'llm', 'gen_ai.request.model': 'gpt-4o-mini' })), {
    kind: 'llm',
    convention: 'langsmith',
    model: 'gpt-4o-mini',
  });
  assert.equal(describeSpan(sp({ 'langsmith.span.kind': 'LLM' })).kind, 'llm', 'case-insensitive');
  assert.equal(describeSpan(sp({ 'langsmith.span.kind': 'retriever' })).kind, 'retriever');
  assert.equal(describeSpan(sp({ 'langsmith.span.kind': 'embedding' })).kind, 'embedding');
  assert.equal(describeSpan(sp({ 'langsmith.span.kind': 'tool' })).kind, 'tool');
  assert.equal(describeSpan(sp({ 'langsmith.span.kind': 'prompt' })).kind, 'chain');
  assert.equal(describeSpan(sp({ 'langsmith.span.kind': 'parser' })).kind, 'chain');
});

test('MLflow: mlflow.spanType as exported (JSON-quoted) and mlflow.chat.tokenUsage', () => {
  // MLflow json.dumps its attributes: the span type arrives as "\"CHAT_MODEL\"".
  const got = describeSpan(
    sp({
      'mlflow.spanType': '"CHAT_MODEL"',
      'mlflow.chat.tokenUsage': '{"input_tokens": 42, "output_tokens": 7, "total_tokens": 49}',
    }),
  );
  assert.deepEqual(got, { kind: 'llm', convention: 'mlflow', tokens: { input: 42, output: 7, total: 49 } });
  assert.equal(describeSpan(sp({ 'mlflow.spanType': 'RETRIEVER' })).kind, 'retriever', 'unquoted too');
  assert.equal(describeSpan(sp({ 'mlflow.spanType': '"AGENT"' })).kind, 'agent');
  assert.equal(describeSpan(sp({ 'mlflow.spanType': '"PARSER"' })).kind, 'chain');
  assert.deepEqual(describeSpan(sp({ 'mlflow.spanType': '"UNKNOWN"' })), { kind: 'other' });
  // Structured (an AnyValue map) usage reads the same.
  assert.deepEqual(describeSpan(sp({ 'mlflow.spanType': '"LLM"', 'mlflow.chat.tokenUsage': { input_tokens: 1, output_tokens: 2, total_tokens: 3 } })).tokens, {
    input: 1,
    output: 2,
    total: 3,
  });
});

test('the deliberate conventions still come first: OpenInference over a vendor kind', () => {
  assert.deepEqual(describeSpan(sp({ 'openinference.span.kind': 'CHAIN', 'langfuse.observation.type': 'generation' })), {
    kind: 'chain',
    convention: 'openinference',
  });
  assert.equal(describeSpan(sp({ 'gen_ai.operation.name': 'chat', 'langsmith.span.kind': 'chain' })).kind, 'llm');
});

test('GenAI: memory operations, workflow and plan', () => {
  // gen_ai.operation.name members (semantic-conventions-genai model/gen-ai/registry.yaml).
  const kind = (op: string) => describeSpan(sp({ 'gen_ai.operation.name': op })).kind;
  assert.equal(kind('search_memory'), 'retriever');
  for (const op of ['create_memory', 'update_memory', 'upsert_memory', 'delete_memory', 'create_memory_store', 'delete_memory_store']) assert.equal(kind(op), 'db', op);
  assert.equal(kind('invoke_workflow'), 'chain');
  assert.equal(kind('plan'), 'chain');
  assert.equal(kind('retrieval'), 'retriever');
});

test('OpenInference: PROMPT and EVALUATOR kinds', () => {
  assert.deepEqual(describeSpan(sp({ 'openinference.span.kind': 'PROMPT' })), { kind: 'chain', convention: 'openinference' });
  assert.deepEqual(describeSpan(sp({ 'openinference.span.kind': 'EVALUATOR' })), { kind: 'evaluator', convention: 'openinference' });
});

test('cache and reasoning tokens: GenAI (current and renamed), OpenInference, OpenLLMetry, Vercel', () => {
  const t = (a: Attributes) => describeSpan(sp({ 'gen_ai.operation.name': 'chat', ...a })).tokens;
  assert.deepEqual(
    t({
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 200,
      'gen_ai.usage.cache_read.input_tokens': 600,
      'gen_ai.usage.cache_write.input_tokens': 300,
      'gen_ai.usage.reasoning.output_tokens': 150,
    }),
    { input: 1000, output: 200, total: 1200, cacheRead: 600, cacheWrite: 300, reasoning: 150 },
  );
  // The name before semantic-conventions-genai #440.
  assert.equal(t({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.cache_creation.input_tokens': 4 })?.cacheWrite, 4);
  assert.deepEqual(
    t({
      'llm.token_count.prompt': 50,
      'llm.token_count.completion': 20,
      'llm.token_count.prompt_details.cache_read': 30,
      'llm.token_count.prompt_details.cache_write': 5,
      'llm.token_count.completion_details.reasoning': 12,
    }),
    { input: 50, output: 20, total: 70, cacheRead: 30, cacheWrite: 5, reasoning: 12 },
  );
  assert.deepEqual(t({ 'gen_ai.usage.prompt_tokens': 9, 'gen_ai.usage.cache_read_input_tokens': 8, 'gen_ai.usage.cache_creation_input_tokens': 1 }), {
    input: 9,
    total: 9,
    cacheRead: 8,
    cacheWrite: 1,
  });
  assert.deepEqual(t({ 'ai.usage.inputTokens': 40, 'ai.usage.outputTokens': 60, 'ai.usage.cachedInputTokens': 32, 'ai.usage.reasoningTokens': 48 }), {
    input: 40,
    output: 60,
    total: 100,
    cacheRead: 32,
    reasoning: 48,
  });
});

test('runTokens sums cache and reasoning tokens too', () => {
  const llm = (spanId: string, cacheRead: number, reasoning: number) => ({
    name: 'chat',
    kind: SpanKind.Client,
    spanId,
    parentSpanId: 'root',
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 10,
      'gen_ai.usage.cache_read.input_tokens': cacheRead,
      'gen_ai.usage.reasoning.output_tokens': reasoning,
    },
  });
  assert.deepEqual(runTokens([llm('a', 80, 5), llm('b', 90, 0)]), { input: 200, output: 20, total: 220, cacheRead: 170, reasoning: 5 });
});

test('request vs response model: OpenInference llm.request/response.model_name and GenAI', () => {
  const oi = { 'openinference.span.kind': 'LLM', 'llm.request.model_name': 'claude-opus-5', 'llm.response.model_name': 'claude-opus-4-8' };
  assert.equal(describeSpan(sp(oi)).model, 'claude-opus-4-8', 'the model that answered');
  assert.deepEqual(spanModels(oi), { request: 'claude-opus-5', response: 'claude-opus-4-8' });
  assert.deepEqual(spanModels({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06' }), { request: 'gpt-4o', response: 'gpt-4o-2024-08-06' });
  assert.deepEqual(spanModels({ 'llm.model_name': 'gpt-4o-mini' }), { request: 'gpt-4o-mini' });
  assert.deepEqual(spanModels(undefined), {});
});

test('the index keeps every attribute describeSpan reads, so the tree sees what the details see', () => {
  for (const key of DESCRIBE_SPAN_KEYS) assert.ok(INDEXED_ATTRIBUTE_KEYS.has(key), key);
  // And through the real reader: a Langfuse generation with usage details reads the same.
  const attributes = {
    'langfuse.observation.type': 'generation',
    'langfuse.observation.model.name': 'gpt-4o',
    'langfuse.observation.usage_details': '{"input":10,"output":5,"total":15}',
    'langfuse.observation.input': '[{"role":"user","content":"hi"}]',
  };
  const line = Buffer.from(otlpLine([{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'gen', start: ms(0), end: ms(5), attributes }]));
  const { spans } = readOtlpJson(line, 0, line.length, { file: 'x.jsonl', line: 1, byteBase: 0 });
  assert.equal(spans.length, 1);
  assert.deepEqual(describeSpan(spans[0]), describeSpan(sp(attributes)));
  assert.equal(spans[0].attributes?.['langfuse.observation.input'], undefined, 'payloads stay on disk');
});

test('nested LLM spans of one call: an SDK client span under an instrumentation\'s LLM span', () => {
  const instrumentation = sp({ 'openinference.span.kind': 'LLM', 'llm.model_name': 'claude-sonnet-4-5' }, 'Anthropic');
  const sdk = sp({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic' }, 'anthropic.messages.create');
  const agent = sp({ 'openinference.span.kind': 'AGENT' }, 'agent');
  assert.equal(isNestedLlmCall(sdk, instrumentation), true);
  assert.equal(isNestedLlmCall(instrumentation, agent), false);
  assert.equal(isNestedLlmCall(sdk, undefined), false);
});
