import { TOOL_NAME_KEYS } from '../source/symbolMatch';

/**
 * Attribute keys the index keeps in memory for every span: what the tree, the waterfall's
 * rows and Go to Source need. Every other attribute stays in the file until a span's
 * details are opened.
 */
export const INDEXED_ATTRIBUTE_KEYS: ReadonlySet<string> = new Set([
  // OpenTelemetry code.* (current and deprecated names)
  'code.file.path',
  'code.filepath',
  'code.line.number',
  'code.lineno',
  'code.column.number',
  'code.column',
  'code.function.name',
  'code.function',
  'code.namespace',
  // the tool's name: the code lenses look a tool span's function up by it (`symbolQueries`)
  ...TOOL_NAME_KEYS,
  // span kind, model and tokens across the LLM conventions (read by `conventions.ts`)
  'openinference.span.kind',
  'gen_ai.operation.name',
  'gen_ai.system',
  'gen_ai.provider.name',
  'gen_ai.request.model',
  'gen_ai.response.model',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.prompt_tokens',
  'gen_ai.usage.completion_tokens',
  'gen_ai.usage.total_tokens',
  'llm.model_name',
  'llm.token_count.prompt',
  'llm.token_count.completion',
  'llm.token_count.total',
  'llm.usage.total_tokens',
  'llm.request.type',
  'embedding.model_name',
  'reranker.model_name',
  'traceloop.span.kind',
  'ai.operationId',
  'ai.model.id',
  'ai.usage.promptTokens',
  'ai.usage.completionTokens',
  'ai.usage.inputTokens',
  'ai.usage.outputTokens',
  'ai.usage.totalTokens',
  'ai.usage.tokens',
  'http.request.method',
  'http.method',
  'db.system',
  'db.system.name',
  // request vs response model, cache and reasoning tokens, and the vendors' kinds and usage
  // (read by `conventions.ts`; its DESCRIBE_SPAN_KEYS lists them all)
  'llm.request.model_name',
  'llm.response.model_name',
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_write.input_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.reasoning.output_tokens',
  'gen_ai.usage.cache_read_input_tokens',
  'gen_ai.usage.cache_creation_input_tokens',
  'gen_ai.usage.reasoning_tokens',
  'llm.token_count.prompt_details.cache_read',
  'llm.token_count.prompt_details.cache_write',
  'llm.token_count.completion_details.reasoning',
  'ai.usage.cachedInputTokens',
  'ai.usage.reasoningTokens',
  'langfuse.observation.type',
  'langfuse.observation.model.name',
  'langfuse.observation.usage_details',
  'langsmith.span.kind',
  'mlflow.spanType',
  'mlflow.chat.tokenUsage',
  // time to first token (`genai/timing.ts`), pending spans (`genai/pendingSpans.ts`) and
  // the error text's fallbacks (`genai/spanError.ts`)
  'gen_ai.response.time_to_first_chunk',
  'ai.response.msToFirstChunk',
  'ai.stream.msToFirstChunk',
  'langfuse.observation.completion_start_time',
  'logfire.span_type',
  'logfire.pending_parent_id',
  'error.type',
  'http.response.status_code',
  'http.status_code',
  // the cost an instrumentation recorded (`genai/cost.ts` statedCost), counted in a run's cost
  'llm.cost.prompt',
  'llm.cost.completion',
  'llm.cost.total',
  'langfuse.observation.cost_details',
  // the response id, telling one call recorded twice side by side (`genai/siblingLlmCalls.ts`)
  'gen_ai.response.id',
  'ai.response.id',
  // the session or conversation a run belongs to (read by `runs/sessions.ts`)
  'session.id',
  'gen_ai.conversation.id',
  'langfuse.session.id',
  'langsmith.metadata.session_id',
  'langsmith.metadata.thread_id',
  'langsmith.metadata.conversation_id',
]);

export const SERVICE_NAME = 'service.name';
