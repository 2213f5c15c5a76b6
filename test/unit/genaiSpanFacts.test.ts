// Span facts for issue 14: a failed span's error text, time to first token, and Logfire's
// pending spans, each from attributes as the conventions and SDKs write them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spanErrorText } from '../../src/core/genai/spanError';
import { timeToFirstTokenMs } from '../../src/core/genai/timing';
import { isPendingSpan, pendingSpanTarget } from '../../src/core/genai/pendingSpans';

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
