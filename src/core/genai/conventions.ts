/**
 * What an LLM/agent span is, which model it called and how many tokens it used, read from
 * whichever tracing convention the span carries. One mapping for the runs tree, the
 * waterfall and the CLI.
 *
 * Sources (attribute names and values are taken from these; each rule below names its own):
 * - [OI]  OpenInference semantic conventions, spec/semantic_conventions.md and
 *         spec/general/span-kinds.md (Arize-ai/openinference).
 * - [OIV] OpenInference's own Vercel mapping, js/packages/openinference-vercel/src/constants.ts.
 * - [GA]  OpenTelemetry GenAI semantic conventions: model/gen-ai/registry.yaml, spans.yaml and
 *         deprecated/registry-deprecated.yaml (open-telemetry/semantic-conventions, now
 *         open-telemetry/semantic-conventions-genai).
 * - [OL]  OpenLLMetry: packages/opentelemetry-semantic-conventions-ai (semconv_ai/__init__.py,
 *         MIGRATION.md) and the Traceloop docs page "Workflow Annotations"
 *         (traceloop.com/docs/openllmetry/tracing/annotations).
 * - [AI]  Vercel AI SDK docs, "Telemetry" → "Collected Data" (ai-sdk.dev/docs/ai-sdk-core/telemetry,
 *         content/docs/03-ai-sdk-core/60-telemetry.mdx), and the SDK's telemetry code for
 *         the v5+ `ai.usage.inputTokens`/`outputTokens`/`totalTokens` names.
 * - [HT]/[DB] OpenTelemetry HTTP and database span conventions.
 * - [LF]  Langfuse's OpenTelemetry attributes (`langfuse.observation.*`, LangfuseOtelSpanAttributes
 *         in @langfuse/core; observation types from langfuse.com/docs/observability/features/
 *         observation-types).
 * - [LS]  LangSmith's OpenTelemetry mapping (docs "Trace with OpenTelemetry": `langsmith.span.kind`
 *         values llm, chain, tool, retriever, embedding, prompt, parser).
 * - [ML]  MLflow tracing (mlflow/tracing/constant.py SpanAttributeKey, mlflow/entities/span.py
 *         SpanType): `mlflow.spanType`, `mlflow.chat.tokenUsage`; values JSON-encoded on export.
 *
 * Every attribute read here must be in `INDEXED_ATTRIBUTE_KEYS`: a span's other attributes
 * are not in memory.
 */
import type { AttributeValue, Attributes, SpanKind } from '../model/span';

export type LlmSpanKind =
  | 'agent'
  | 'chain'
  | 'llm'
  | 'tool'
  | 'retriever'
  | 'embedding'
  | 'reranker'
  | 'guardrail'
  | 'evaluator'
  | 'http'
  | 'db'
  | 'other';

export type Convention = 'openinference' | 'genai' | 'openllmetry' | 'vercel-ai' | 'langfuse' | 'langsmith' | 'mlflow' | 'http' | 'db';

export interface TokenCounts {
  input?: number;
  output?: number;
  /** As stated by the span, else input + output. */
  total?: number;
  /** Input tokens served from the provider's prompt cache; part of `input` ([GA] "SHOULD be included"). */
  cacheRead?: number;
  /** Input tokens written to the provider's prompt cache; part of `input` as well. */
  cacheWrite?: number;
  /** Output tokens spent on reasoning; part of `output`. */
  reasoning?: number;
}

export interface SpanConventions {
  kind: LlmSpanKind;
  /** The model that answered when the span says so, else the model requested. */
  model?: string;
  /** The span's own usage attributes, whatever its kind (an agent span may state an aggregate). */
  tokens?: TokenCounts;
  /** Which convention decided the kind; absent for 'other'. */
  convention?: Convention;
}

/** What `describeSpan` needs; a `SpanRecord` is one. */
export interface DescribableSpan {
  readonly name: string;
  /** OTLP span kind. Not needed by today's rules; part of the input so any record can be passed. */
  readonly kind: SpanKind;
  readonly attributes: Attributes | undefined;
}

// ---------------------------------------------------------------------------------------
// Kind tables. Keys are lower case; values are matched case-insensitively.

/**
 * [OI] `openinference.span.kind`. PROMPT (rendering a prompt template) is glue, so 'chain';
 * DECISION ("a call to a decision model", which the spec says is not a language model) is
 * 'other' and does not count as an LLM call.
 */
const OPENINFERENCE_KINDS: ReadonlyMap<string, LlmSpanKind> = new Map([
  ['llm', 'llm'],
  ['chain', 'chain'],
  ['tool', 'tool'],
  ['retriever', 'retriever'],
  ['embedding', 'embedding'],
  ['reranker', 'reranker'],
  ['guardrail', 'guardrail'],
  ['evaluator', 'evaluator'],
  ['agent', 'agent'],
  ['prompt', 'chain'],
  ['decision', 'other'],
]);

/**
 * [GA] `gen_ai.operation.name` well-known values: chat, generate_content, text_completion
 * (inference spans), embeddings, retrieval, create_agent, invoke_agent, execute_tool,
 * invoke_workflow, plan ("agent planning or task decomposition phase"), and the memory
 * operations: search_memory queries a memory store, so it is a retriever; create_memory,
 * update_memory, upsert_memory, delete_memory, create_memory_store and delete_memory_store
 * write to that store, which is a datastore, so they are 'db'. `rerank` and `agent_step` are
 * not in the registry but are what [OIV] maps from GenAI spans, so they are honoured too.
 */
const GENAI_OPERATIONS: ReadonlyMap<string, LlmSpanKind> = new Map([
  ['chat', 'llm'],
  ['generate_content', 'llm'],
  ['text_completion', 'llm'],
  ['embeddings', 'embedding'],
  ['retrieval', 'retriever'],
  ['search_memory', 'retriever'],
  ['create_memory', 'db'],
  ['update_memory', 'db'],
  ['upsert_memory', 'db'],
  ['delete_memory', 'db'],
  ['create_memory_store', 'db'],
  ['delete_memory_store', 'db'],
  ['create_agent', 'agent'],
  ['invoke_agent', 'agent'],
  ['execute_tool', 'tool'],
  ['invoke_workflow', 'chain'],
  ['plan', 'chain'],
  ['agent_step', 'chain'],
  ['rerank', 'reranker'],
]);

/**
 * [OL] `traceloop.span.kind` (TraceloopSpanKindValues). The Traceloop docs describe workflows
 * and tasks as what is "sometimes called a chain", so both are 'chain'. `unknown` decides
 * nothing.
 */
const TRACELOOP_KINDS: ReadonlyMap<string, LlmSpanKind> = new Map([
  ['workflow', 'chain'],
  ['task', 'chain'],
  ['agent', 'agent'],
  ['tool', 'tool'],
]);

/** [OL] `llm.request.type` (LLMRequestTypeValues) on OpenLLMetry's LLM call spans. */
const LLM_REQUEST_TYPES: ReadonlyMap<string, LlmSpanKind> = new Map([
  ['chat', 'llm'],
  ['completion', 'llm'],
  ['embedding', 'embedding'],
  ['rerank', 'reranker'],
]);

/**
 * [LF] `langfuse.observation.type`: generation is an LLM call; span and event are generic and
 * decide nothing.
 */
const LANGFUSE_TYPES: ReadonlyMap<string, LlmSpanKind> = new Map([
  ['generation', 'llm'],
  ['embedding', 'embedding'],
  ['agent', 'agent'],
  ['tool', 'tool'],
  ['chain', 'chain'],
  ['retriever', 'retriever'],
  ['evaluator', 'evaluator'],
  ['guardrail', 'guardrail'],
]);

/** [LS] `langsmith.span.kind` (the run type). Prompt and parser runs are glue: 'chain'. */
const LANGSMITH_KINDS: ReadonlyMap<string, LlmSpanKind> = new Map([
  ['llm', 'llm'],
  ['chain', 'chain'],
  ['tool', 'tool'],
  ['retriever', 'retriever'],
  ['embedding', 'embedding'],
  ['prompt', 'chain'],
  ['parser', 'chain'],
]);

/**
 * [ML] `mlflow.spanType` (SpanType, which allows custom strings): CHAT_MODEL and LLM are model
 * calls; PARSER, WORKFLOW and TASK are glue; MEMORY reads an agent's memory, a retriever.
 * UNKNOWN decides nothing.
 */
const MLFLOW_TYPES: ReadonlyMap<string, LlmSpanKind> = new Map([
  ['llm', 'llm'],
  ['chat_model', 'llm'],
  ['chain', 'chain'],
  ['agent', 'agent'],
  ['tool', 'tool'],
  ['retriever', 'retriever'],
  ['parser', 'chain'],
  ['embedding', 'embedding'],
  ['reranker', 'reranker'],
  ['memory', 'retriever'],
  ['workflow', 'chain'],
  ['task', 'chain'],
  ['guardrail', 'guardrail'],
  ['evaluator', 'evaluator'],
]);

/**
 * [AI] `ai.operationId` (the span name is the same string). The provider calls
 * (`*.doGenerate`, `*.doStream`) are the LLM calls; `ai.toolCall` is a tool; `*.doEmbed`
 * are embeddings and `ai.rerank.doRerank` a reranker. Of the outer spans, generateText and
 * streamText run the multi-step tool loop ("contains 1 or more doGenerate spans" plus
 * `ai.toolCall` spans), so they are 'agent' as in [OIV]; generateObject/streamObject, embed,
 * embedMany and rerank only wrap their provider call(s) and retries, so they are 'chain'.
 */
const VERCEL_OPERATIONS: ReadonlyMap<string, LlmSpanKind> = new Map([
  ['ai.generateText', 'agent'],
  ['ai.streamText', 'agent'],
  ['ai.generateObject', 'chain'],
  ['ai.streamObject', 'chain'],
  ['ai.generateText.doGenerate', 'llm'],
  ['ai.streamText.doStream', 'llm'],
  ['ai.generateObject.doGenerate', 'llm'],
  ['ai.streamObject.doStream', 'llm'],
  ['ai.toolCall', 'tool'],
  ['ai.embed', 'chain'],
  ['ai.embedMany', 'chain'],
  ['ai.embed.doEmbed', 'embedding'],
  ['ai.embedMany.doEmbed', 'embedding'],
  ['ai.rerank', 'chain'],
  ['ai.rerank.doRerank', 'reranker'],
]);

// ---------------------------------------------------------------------------------------
// Attribute keys, in order of preference.

/**
 * Model: the model that answered before the model asked for ([GA] `gen_ai.response.model`
 * is "the exact name of the model actually used"; the request may name an alias such as
 * `gpt-4o` for `gpt-4o-2024-08-06`; [OI] `llm.response.model_name` likewise "the model that
 * actually generated the response" against `llm.request.model_name`). Then [OI]
 * `llm.model_name` (embedding and reranker spans use `embedding.model_name` /
 * `reranker.model_name`), [LF] `langfuse.observation.model.name`, then [AI] `ai.model.id`,
 * which is on every Vercel span including the outer ones. [OL] writes the `gen_ai.*` names.
 */
const RESPONSE_MODEL_KEYS = ['gen_ai.response.model', 'llm.response.model_name'] as const;
const REQUEST_MODEL_KEYS = [
  'gen_ai.request.model',
  'llm.request.model_name',
  'llm.model_name',
  'langfuse.observation.model.name',
  'ai.model.id',
  'embedding.model_name',
  'reranker.model_name',
] as const;
const MODEL_KEYS = [...RESPONSE_MODEL_KEYS, ...REQUEST_MODEL_KEYS] as const;

/**
 * Input tokens: [GA] `gen_ai.usage.input_tokens` (also written by [AI] v5+ call spans and
 * [OL] ≥ 0.5), its deprecated name `gen_ai.usage.prompt_tokens` ([AI] v4, [OL] < 0.5),
 * [OI] `llm.token_count.prompt`, [AI] `ai.usage.inputTokens` (v5+) / `ai.usage.promptTokens`
 * (v4), and [AI] `ai.usage.tokens`, the only usage on Vercel embedding spans.
 */
const INPUT_KEYS = [
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.prompt_tokens',
  'llm.token_count.prompt',
  'ai.usage.inputTokens',
  'ai.usage.promptTokens',
  'ai.usage.tokens',
] as const;

const OUTPUT_KEYS = [
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.completion_tokens',
  'llm.token_count.completion',
  'ai.usage.outputTokens',
  'ai.usage.completionTokens',
] as const;

/**
 * Stated totals: [OI] `llm.token_count.total`, [OL] `llm.usage.total_tokens`,
 * `gen_ai.usage.total_tokens` (not in [GA]; written by several exporters), [AI] v5+
 * `ai.usage.totalTokens`. [GA] itself has no total: it is input + output.
 */
const TOTAL_KEYS = [
  'llm.token_count.total',
  'llm.usage.total_tokens',
  'gen_ai.usage.total_tokens',
  'ai.usage.totalTokens',
] as const;

/**
 * Cache reads: [GA] `gen_ai.usage.cache_read.input_tokens`, [OI]
 * `llm.token_count.prompt_details.cache_read`, [OL] `gen_ai.usage.cache_read_input_tokens`
 * (semconv_ai LLM_USAGE_CACHE_READ_INPUT_TOKENS), [AI] `ai.usage.cachedInputTokens`.
 * Cache writes: [GA] `gen_ai.usage.cache_write.input_tokens` (renamed from
 * `gen_ai.usage.cache_creation.input_tokens`, semantic-conventions-genai #440), [OI]
 * `llm.token_count.prompt_details.cache_write`, [OL] `gen_ai.usage.cache_creation_input_tokens`.
 * Reasoning: [GA] `gen_ai.usage.reasoning.output_tokens`, [OI]
 * `llm.token_count.completion_details.reasoning`, [OL] `gen_ai.usage.reasoning_tokens`, [AI]
 * `ai.usage.reasoningTokens`.
 */
const CACHE_READ_KEYS = [
  'gen_ai.usage.cache_read.input_tokens',
  'llm.token_count.prompt_details.cache_read',
  'gen_ai.usage.cache_read_input_tokens',
  'ai.usage.cachedInputTokens',
] as const;
const CACHE_WRITE_KEYS = [
  'gen_ai.usage.cache_write.input_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
  'llm.token_count.prompt_details.cache_write',
  'gen_ai.usage.cache_creation_input_tokens',
] as const;
const REASONING_KEYS = [
  'gen_ai.usage.reasoning.output_tokens',
  'llm.token_count.completion_details.reasoning',
  'gen_ai.usage.reasoning_tokens',
  'ai.usage.reasoningTokens',
] as const;

/**
 * Usage stated as one JSON object: [LF] `langfuse.observation.usage_details` (`{input, output,
 * total, …}`; the keys are free-form, and the SDK integrations write OpenAI's and Anthropic's
 * detail names) and [ML] `mlflow.chat.tokenUsage` (`{input_tokens, output_tokens,
 * total_tokens}`).
 */
const USAGE_JSON_KEYS = ['langfuse.observation.usage_details', 'mlflow.chat.tokenUsage'] as const;
const USAGE_JSON_FIELDS: Readonly<Record<keyof TokenCounts, readonly string[]>> = {
  input: ['input', 'input_tokens', 'prompt_tokens'],
  output: ['output', 'output_tokens', 'completion_tokens'],
  total: ['total', 'total_tokens'],
  cacheRead: ['cache_read_input_tokens', 'input_cached_tokens', 'cached_tokens', 'input_cache_read'],
  cacheWrite: ['cache_creation_input_tokens', 'input_cache_creation', 'cache_write_input_tokens'],
  reasoning: ['output_reasoning_tokens', 'reasoning_tokens', 'output_reasoning'],
};

/** Every attribute `describeSpan` may read: the index must keep them (see `INDEXED_ATTRIBUTE_KEYS`). */
export const DESCRIBE_SPAN_KEYS: readonly string[] = [
  'openinference.span.kind',
  'ai.operationId',
  'gen_ai.operation.name',
  'traceloop.span.kind',
  'llm.request.type',
  'langfuse.observation.type',
  'langsmith.span.kind',
  'mlflow.spanType',
  'db.system.name',
  'db.system',
  'http.request.method',
  'http.method',
  ...MODEL_KEYS,
  ...INPUT_KEYS,
  ...OUTPUT_KEYS,
  ...TOTAL_KEYS,
  ...CACHE_READ_KEYS,
  ...CACHE_WRITE_KEYS,
  ...REASONING_KEYS,
  ...USAGE_JSON_KEYS,
];

// ---------------------------------------------------------------------------------------

/**
 * Classifies one span. First match wins:
 * 1. [OI] `openinference.span.kind`: set on purpose, and OpenInference's processors add it on
 *    top of Vercel and GenAI spans, so it is the most deliberate statement a span makes.
 * 2. [AI] `ai.operationId` (or a span name from the Vercel table): Vercel's provider-call
 *    spans also carry `gen_ai.*`, and only the operation id tells wrapper from call.
 * 3. [GA] `gen_ai.operation.name`.
 * 4. [OL] `traceloop.span.kind`, then `llm.request.type`.
 * 4b. The vendors' own kinds, which their SDKs set on purpose but only on their own spans:
 *    [LF] `langfuse.observation.type`, [LS] `langsmith.span.kind`, [ML] `mlflow.spanType`.
 * 5. [GA] a span naming a model in `gen_ai.request.model`/`gen_ai.response.model` but no
 *    operation (GenAI conventions before `gen_ai.operation.name` existed): 'llm'.
 * 6. [DB] `db.system.name` / `db.system` (before HTTP: Elasticsearch-style clients carry both).
 * 7. [HT] `http.request.method` / `http.method` (required on every HTTP client and server span,
 *    so `url.full` is not needed to recognise one).
 * 8. 'other'.
 * Model and tokens are read from whichever attributes are present, whatever decided the kind.
 * A few map and property lookups and two small objects (~0.1 µs): cheap enough for every row.
 */
export function describeSpan(span: DescribableSpan): SpanConventions {
  const a = span.attributes;
  if (a === undefined) {
    const vercel = VERCEL_OPERATIONS.get(span.name);
    return vercel ? { kind: vercel, convention: 'vercel-ai' } : { kind: 'other' };
  }
  const out: SpanConventions = classify(span.name, a);
  const model = firstString(a, MODEL_KEYS);
  if (model !== undefined) out.model = model;
  const tokens = tokenCounts(a);
  if (tokens !== undefined) out.tokens = tokens;
  return out;
}

/**
 * `describeSpan(span).kind` alone: for passes over every span of a big trace that need only
 * the kind (the waterfall's rows), without reading a model and token counts for each.
 */
export function spanKindOf(span: DescribableSpan): LlmSpanKind {
  const a = span.attributes;
  if (a === undefined) return VERCEL_OPERATIONS.get(span.name) ?? 'other';
  return classify(span.name, a).kind;
}

function classify(name: string, a: Attributes): SpanConventions {
  let kind = lookup(OPENINFERENCE_KINDS, a['openinference.span.kind']);
  if (kind) return { kind, convention: 'openinference' };

  const operationId = a['ai.operationId'];
  kind = VERCEL_OPERATIONS.get(typeof operationId === 'string' ? operationId : name);
  if (kind) return { kind, convention: 'vercel-ai' };

  kind = lookup(GENAI_OPERATIONS, a['gen_ai.operation.name']);
  if (kind) return { kind, convention: 'genai' };

  kind = lookup(TRACELOOP_KINDS, a['traceloop.span.kind']) ?? lookup(LLM_REQUEST_TYPES, a['llm.request.type']);
  if (kind) return { kind, convention: 'openllmetry' };

  kind = lookup(LANGFUSE_TYPES, a['langfuse.observation.type']);
  if (kind) return { kind, convention: 'langfuse' };
  kind = lookup(LANGSMITH_KINDS, a['langsmith.span.kind']);
  if (kind) return { kind, convention: 'langsmith' };
  kind = lookup(MLFLOW_TYPES, unquote(a['mlflow.spanType']));
  if (kind) return { kind, convention: 'mlflow' };

  if (isPresent(a['gen_ai.request.model']) || isPresent(a['gen_ai.response.model'])) return { kind: 'llm', convention: 'genai' };
  if (isPresent(a['db.system.name']) || isPresent(a['db.system'])) return { kind: 'db', convention: 'db' };
  if (isPresent(a['http.request.method']) || isPresent(a['http.method'])) return { kind: 'http', convention: 'http' };
  return { kind: 'other' };
}

/**
 * One LLM call seen by two instrumentations: an LLM span whose parent is an LLM span too (an
 * SDK's own client span, such as the Anthropic SDK's `anthropic.messages.create`, under an
 * instrumentation's span for the same request). The tree may fold such a pair into one row;
 * `runTokens` already counts its tokens once.
 */
export function isNestedLlmCall(span: DescribableSpan, parent: DescribableSpan | undefined): boolean {
  return parent !== undefined && describeSpan(span).kind === 'llm' && describeSpan(parent).kind === 'llm';
}

/**
 * The span's own usage; undefined when it states none. Separate attributes first, then the
 * JSON usage objects ([LF], [ML]) for whatever those left unstated.
 */
function tokenCounts(a: Attributes): TokenCounts | undefined {
  let input = firstCount(a, INPUT_KEYS);
  let output = firstCount(a, OUTPUT_KEYS);
  let total = firstCount(a, TOTAL_KEYS);
  // Most spans state no usage at all: the detail keys are only looked up when some count or a
  // usage object is there, which keeps this cheap for every row of a big trace.
  const hasUsageObject = USAGE_JSON_KEYS.some((key) => a[key] !== undefined);
  if (input === undefined && output === undefined && total === undefined && !hasUsageObject) return undefined;
  let cacheRead = firstCount(a, CACHE_READ_KEYS);
  let cacheWrite = firstCount(a, CACHE_WRITE_KEYS);
  let reasoning = firstCount(a, REASONING_KEYS);
  for (const key of hasUsageObject ? USAGE_JSON_KEYS : []) {
    if (a[key] === undefined) continue;
    const usage = usageObject(a[key]);
    if (usage === undefined) continue;
    input ??= usageField(usage, USAGE_JSON_FIELDS.input);
    output ??= usageField(usage, USAGE_JSON_FIELDS.output);
    total ??= usageField(usage, USAGE_JSON_FIELDS.total);
    cacheRead ??= usageField(usage, USAGE_JSON_FIELDS.cacheRead);
    cacheWrite ??= usageField(usage, USAGE_JSON_FIELDS.cacheWrite);
    reasoning ??= usageField(usage, USAGE_JSON_FIELDS.reasoning);
  }
  if (total === undefined) {
    if (input === undefined && output === undefined) return undefined;
    total = (input ?? 0) + (output ?? 0);
  }
  const tokens: TokenCounts = { total };
  if (input !== undefined) tokens.input = input;
  if (output !== undefined) tokens.output = output;
  if (cacheRead !== undefined) tokens.cacheRead = cacheRead;
  if (cacheWrite !== undefined) tokens.cacheWrite = cacheWrite;
  if (reasoning !== undefined) tokens.reasoning = reasoning;
  return tokens;
}

/** A usage object: structured (an AnyValue map) or JSON text. */
function usageObject(value: AttributeValue | undefined): Record<string, AttributeValue> | undefined {
  let v: unknown = value;
  if (typeof v === 'string') {
    if (v.trimStart().charCodeAt(0) !== 0x7b /* { */) return undefined;
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, AttributeValue>) : undefined;
}

function usageField(usage: Record<string, AttributeValue>, fields: readonly string[]): number | undefined {
  for (const f of fields) {
    const n = toCount(usage[f]);
    if (n !== undefined) return n;
  }
  return undefined;
}

/**
 * The model asked for and the model that answered, each when the span states it ([GA]
 * `gen_ai.request.model` / `gen_ai.response.model`, [OI] `llm.request.model_name` /
 * `llm.response.model_name`, with `llm.model_name` and the others as the request's).
 * `describeSpan`'s `model` is the answering one when known; this tells them apart for the
 * details (a router may answer with another model than the one asked for).
 */
export function spanModels(a: Attributes | undefined): { request?: string; response?: string } {
  if (a === undefined) return {};
  const request = firstString(a, REQUEST_MODEL_KEYS);
  const response = firstString(a, RESPONSE_MODEL_KEYS);
  return { ...(request !== undefined && { request }), ...(response !== undefined && { response }) };
}

/** [ML] exports its attributes JSON-encoded: `mlflow.spanType` arrives as `"\"LLM\""`. */
function unquote(value: AttributeValue | undefined): AttributeValue | undefined {
  if (typeof value !== 'string' || value.length < 2 || value[0] !== '"' || value[value.length - 1] !== '"') return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'string' ? parsed : value;
  } catch {
    return value;
  }
}

function lookup(table: ReadonlyMap<string, LlmSpanKind>, value: AttributeValue | undefined): LlmSpanKind | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return table.get(value) ?? table.get(value.toLowerCase());
}

function isPresent(value: AttributeValue | undefined): boolean {
  return value !== undefined && value !== null && value !== '';
}

function firstString(a: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const v = a[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

function firstCount(a: Attributes, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const n = toCount(a[key]);
    if (n !== undefined) return n;
  }
  return undefined;
}

/** Token counts are ints, which OTLP JSON may carry as numbers or as numeric strings. */
function toCount(v: AttributeValue | undefined): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && v.trim() !== '') n = Number(v);
  else return undefined;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
