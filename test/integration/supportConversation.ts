// What the support agent (test/python/support_agent.py) says in its good run, whichever way its
// spans and log records travel: shared by the tests that run it against the receivers and
// through the Collector.
import assert from 'node:assert/strict';
import { describeSpan } from '../../src/core/genai/conventions';
import type { Conversation } from '../../src/core/genai/conversation';
import { siblingTwinsOf } from '../../src/core/genai/siblingLlmCalls';
import type { SpanRecord } from '../../src/core/model/span';
import type { Trace } from '../../src/core/model/trace';
import { spansOf } from './harness';

export const isLlm = (s: SpanRecord | undefined) => s !== undefined && describeSpan(s).kind === 'llm';

/**
 * The model calls: LLM spans not nested in another, nor recorded beside another of the same call
 * (`siblingTwinsOf`): one call seen by two instrumentations is one call.
 */
export function llmSpans(trace: Trace): SpanRecord[] {
  const outer = spansOf(trace).filter((s) => isLlm(s) && !isLlm(trace.span(s.parentSpanId)));
  const twins = siblingTwinsOf(outer);
  return outer.filter((s) => !twins.has(s));
}

/** The last model call's conversation: system, user, the tool call, its result, the answer. */
export function assertConversation(conversation: Conversation | undefined, callId = 'call_a1042'): void {
  assert.ok(conversation, 'the last model call has a conversation');
  const m = conversation.messages;
  const roles = m.map((x) => `${x.direction}:${x.role}`);
  assert.deepEqual(roles, ['input:system', 'input:user', 'input:assistant', 'input:tool', 'output:assistant'], JSON.stringify(m, null, 1));
  assert.match(m[0].content, /^You are a careful support assistant\. Policies:\nOrders ship within 2 business days\./);
  assert.equal(m[1].content, 'Where is my order #A1042?');
  assert.deepEqual(
    m[2].toolCalls?.map((c) => ({ id: c.id, name: c.name, arguments: JSON.parse(c.arguments ?? 'null') })),
    [{ id: callId, name: 'lookup_order', arguments: { order_id: 'A1042' } }],
  );
  assert.equal(m[3].toolCallId, callId);
  assert.deepEqual(JSON.parse(m[3].content), { status: 'out for delivery' });
  assert.equal(m[4].content, "Thanks for your patience! Order A1042 is out for delivery; you'll get a tracking email soon.");
}
