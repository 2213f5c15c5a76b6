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
  // the session or conversation a run belongs to (read by `runs/sessions.ts`)
  'session.id',
  'gen_ai.conversation.id',
  'langfuse.session.id',
  'langsmith.metadata.session_id',
  'langsmith.metadata.thread_id',
  'langsmith.metadata.conversation_id',
]);

export const SERVICE_NAME = 'service.name';
