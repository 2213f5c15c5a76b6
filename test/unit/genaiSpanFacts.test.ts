// Span facts for issue 14: a failed span's error text, time to first token, Logfire's
// pending spans, provider, streaming, prompt and metadata, each from attributes as the
// conventions and SDKs write them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_ATTRIBUTE_KEYS, spanErrorText } from '../../src/core/genai/spanError';
import { TTFT_ATTRIBUTE_KEYS, timeToFirstTokenMs } from '../../src/core/genai/timing';
import { PENDING_ATTRIBUTE_KEYS, isPendingSpan, pendingSpanTarget } from '../../src/core/genai/pendingSpans';
import { INDEXED_ATTRIBUTE_KEYS } from '../../src/core/model/indexedAttributes';
import { isStreamingRequest, promptReference, spanEvaluations, spanMetadata, spanProvider } from '../../src/core/genai/spanFacts';

test('error text: the status message first, then the exception event, error.type, the HTTP status', () => {
  assert.equal(spanErrorText('rate limited', { 'error.type': '429' }), 'rate limited');
  const exception = { name: 'exception', attributes: { 'exception.type': 'openai.RateLimitError', 'exception.message': 'Rate limit reached for gpt-4o' } };
  assert.equal(spanErrorText('', { 'error.type': '429' }, [exception]), 'openai.RateLimitError: Rate limit reached for gpt-4o');
  assert.equal(spanErrorText(undefined, {}, [{ name: 'exception', attributes: { 'exception.type': 'TimeoutError' } }]), 'TimeoutError');
  // A message that already names its type is not prefixed twice.
  assert.equal(spanErrorText(undefined, {}, [{ name: 'exception', attributes: { 'exception.type': 'ValueError', 'exception.message': 'ValueError: bad' } }]), 'ValueError: bad');
  // The same two attributes on the span itself.
  assert.equal(spanErrorText(undefined, { 'exception.message': 'socket hang up' }), 'socket hang up');
  assert.equal(spanErrorText('  ', { 'error.type': 'timeout', 'http.response.status_code': 504 }), 'timeout');
  assert.equal(spanErrorText(undefined, { 'error.type': '_OTHER', 'http.response.status_code': 503 }), 'HTTP 503');
  assert.equal(spanErrorText(undefined, { 'http.status_code': '500' }), 'HTTP 500');
  assert.equal(spanErrorText(undefined, {}), undefined);
  assert.equal(spanErrorText(undefined, undefined), undefined);
});

const start = 1_700_000_000_000_000_000n;

test('time to first token: GenAI seconds, Vercel milliseconds, Langfuse completion start time', () => {
  assert.equal(timeToFirstTokenMs({ startNs: start, attributes: { 'gen_ai.response.time_to_first_chunk': 0.5 } }), 500);
  assert.equal(timeToFirstTokenMs({ startNs: start, attributes: { 'ai.response.msToFirstChunk': 312.4 } }), 312.4);
  assert.equal(timeToFirstTokenMs({ startNs: start, attributes: { 'ai.stream.msToFirstChunk': '80' } }), 80, 'the name before AI SDK 4');
  const startIso = new Date(Number(start / 1_000_000n)).getTime();
  const iso = new Date(startIso + 488).toISOString();
  // The Langfuse SDKs JSON-encode the instant, so the value carries its own quotes.
  assert.equal(timeToFirstTokenMs({ startNs: start, attributes: { 'langfuse.observation.completion_start_time': JSON.stringify(iso) } }), 488);
  assert.equal(timeToFirstTokenMs({ startNs: start, attributes: { 'langfuse.observation.completion_start_time': iso } }), 488);
  assert.equal(timeToFirstTokenMs({ startNs: start, attributes: { 'langfuse.observation.completion_start_time': Number(start) + 180_000_000 } }), 180, 'epoch nanoseconds');
  assert.equal(timeToFirstTokenMs({ startNs: start, attributes: { 'langfuse.observation.completion_start_time': '"not a date"' } }), undefined);
  assert.equal(timeToFirstTokenMs({ startNs: start, attributes: {} }), undefined);
  assert.equal(timeToFirstTokenMs({ startNs: start, attributes: undefined }), undefined);
});

test('time to first token from the first-chunk event', () => {
  const events = [
    { name: 'ai.stream.firstChunk', timeNs: start + 250_000_000n, attributes: {} },
    { name: 'ai.stream.finish', timeNs: start + 900_000_000n, attributes: {} },
  ];
  assert.equal(timeToFirstTokenMs({ startNs: start, attributes: {}, events }), 250);
  assert.equal(timeToFirstTokenMs({ startNs: start, attributes: {}, events: [{ name: 'ai.stream.firstChunk', attributes: { 'ai.response.msToFirstChunk': 240 } }] }), 240);
  const chunks = [
    { name: 'llm.content.completion.chunk', timeNs: start + 120_000_000n, attributes: {} },
    { name: 'llm.content.completion.chunk', timeNs: start + 130_000_000n, attributes: {} },
  ];
  assert.equal(timeToFirstTokenMs({ startNs: start, attributes: {}, events: chunks }), 120);
});

test('Logfire pending spans: recognised, and tell which span is running under which parent', () => {
  // As Logfire exports them: a child of the real span, the real parent in pending_parent_id.
  const pending = {
    name: 'agent run',
    parentSpanId: '00000000000000a1',
    attributes: { 'logfire.span_type': 'pending_span', 'logfire.pending_parent_id': '00000000000000B0', 'logfire.msg': 'agent run' },
  };
  assert.equal(isPendingSpan(pending), true);
  assert.deepEqual(pendingSpanTarget(pending), { spanId: '00000000000000a1', parentSpanId: '00000000000000b0', name: 'agent run' });
  const root = { name: 'request (pending)', parentSpanId: '00000000000000c1', attributes: { 'logfire.span_type': 'pending_span', 'logfire.pending_parent_id': '0000000000000000' } };
  assert.deepEqual(pendingSpanTarget(root), { spanId: '00000000000000c1', parentSpanId: '', name: 'request' });
  assert.equal(isPendingSpan({ attributes: { 'logfire.span_type': 'span' } }), false);
  assert.equal(isPendingSpan({ attributes: undefined }), false);
  assert.equal(pendingSpanTarget({ name: 'x', parentSpanId: 'a', attributes: { 'logfire.span_type': 'log' } }), undefined);
});


test('provider: gen_ai.provider.name before the deprecated gen_ai.system, then OpenInference and Vercel', () => {
  assert.equal(spanProvider({ 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.system': 'bedrock' }), 'aws.bedrock');
  assert.equal(spanProvider({ 'gen_ai.system': 'openai' }), 'openai');
  assert.equal(spanProvider({ 'llm.provider': 'azure', 'llm.system': 'openai' }), 'azure');
  assert.equal(spanProvider({ 'ai.model.provider': 'anthropic.messages' }), 'anthropic.messages');
  assert.equal(spanProvider({}), undefined);
});

test('streaming: gen_ai.request.stream, llm.is_streaming, the AI SDK stream operations', () => {
  assert.equal(isStreamingRequest('chat gpt-4o', { 'gen_ai.request.stream': true }), true);
  assert.equal(isStreamingRequest('chat gpt-4o', { 'gen_ai.request.stream': false }), false);
  assert.equal(isStreamingRequest('openai.chat', { 'llm.is_streaming': 'true' }), true);
  assert.equal(isStreamingRequest('x', { 'ai.operationId': 'ai.streamText.doStream' }), true);
  assert.equal(isStreamingRequest('ai.generateText.doGenerate', {}), false);
  assert.equal(isStreamingRequest('chat', {}), undefined);
});

test('prompt reference and vendor metadata', () => {
  assert.deepEqual(promptReference({ 'langfuse.observation.prompt.name': 'support-answer', 'langfuse.observation.prompt.version': 7 }), {
    name: 'support-answer',
    version: '7',
  });
  assert.deepEqual(promptReference({ 'llm.prompt_template.template': 'Weather in {city}?', 'llm.prompt_template.version': 'v1.0' }), {
    version: 'v1.0',
    template: 'Weather in {city}?',
  });
  assert.equal(promptReference({}), undefined);
  assert.deepEqual(
    spanMetadata({
      'langsmith.metadata.session_id': 's-1',
      'langfuse.observation.metadata.attempt': 2,
      'ai.telemetry.metadata.userId': 'u-9',
      metadata: '{"author":"Jo"}',
      'langsmith.span.kind': 'llm',
    }),
    { author: 'Jo', session_id: 's-1', attempt: 2, userId: 'u-9' },
  );
  assert.equal(spanMetadata({ 'gen_ai.system': 'openai' }), undefined);
});

test('OpenInference annotations and evaluations on a span', () => {
  assert.deepEqual(
    spanEvaluations({
      'annotations.0.annotation.name': 'hallucination',
      'annotations.0.annotation.label': 'hallucinated',
      'annotations.0.annotation.annotator_kind': 'LLM',
      'evaluations.0.evaluation.name': 'relevance',
      'evaluations.0.evaluation.score': 0.95,
      'evaluations.1.evaluation.name': 'helpfulness',
      'evaluations.1.evaluation.score': '1',
      'evaluations.1.evaluation.explanation': 'Answers the question.',
    }),
    [
      { name: 'hallucination', label: 'hallucinated', annotatorKind: 'LLM' },
      { name: 'relevance', score: 0.95 },
      { name: 'helpfulness', score: 1, explanation: 'Answers the question.' },
    ],
  );
  // An evaluator span's own result.
  assert.deepEqual(spanEvaluations({ 'openinference.span.kind': 'EVALUATOR', 'evaluation.name': 'correctness', 'evaluation.label': 'correct' }), [
    { name: 'correctness', label: 'correct' },
  ]);
  assert.deepEqual(spanEvaluations({ 'gen_ai.operation.name': 'chat' }), []);
});

test('the index keeps what the error text, time to first token and pending spans read', () => {
  for (const key of [...ERROR_ATTRIBUTE_KEYS, ...TTFT_ATTRIBUTE_KEYS, ...PENDING_ATTRIBUTE_KEYS]) assert.ok(INDEXED_ATTRIBUTE_KEYS.has(key), key);
});
