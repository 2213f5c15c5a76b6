// Folding one model call recorded twice, by nested LLM spans or side by side, into one Runs tree item.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { TraceStore } from '../../src/core/model/traceStore';
import type { SpanNode, TraceTree } from '../../src/core/model/trace';
import { foldedLlmCalls, itemNodeOf, shownChildren } from '../../src/core/runs/nestedLlmCalls';
import { ms, otlpLine, type TestSpan } from './otlpBuilder';
import { SIBLING_IDS, siblingCallsRun, traceOf } from './siblingCallsRun';

const TRACE = 'f0'.repeat(16);
const id = (n: number): string => n.toString(16).padStart(16, '0');

function treeOf(spans: TestSpan[]): TraceTree {
  const store = new TraceStore();
  const buf = Buffer.from(otlpLine(spans));
  store.addSpans('/t/f.jsonl', readOtlpJson(buf, 0, buf.length, { file: '/t/f.jsonl', line: 1, byteBase: 0 }).spans);
  return store.trace(TRACE)!.tree();
}

const span = (n: number, parent: number | undefined, name: string, attributes: Record<string, unknown> = {}, start = n * 10): TestSpan => ({
  traceId: TRACE, spanId: id(n), ...(parent !== undefined && { parentSpanId: id(parent) }), name, start: ms(start), end: ms(1000 - n), attributes,
});
const aiSdk = (operation: string) => ({ 'ai.operationId': operation, 'ai.model.id': 'gpt-4o', 'ai.usage.promptTokens': 10, 'ai.usage.completionTokens': 5 });
const names = (nodes: readonly SpanNode[]) => nodes.map((n) => n.span.name);

test('the Vercel AI SDK’s generateText around its doGenerate folds into one item; the agent above and the tool beside do not', () => {
  const tree = treeOf([
    span(1, undefined, 'agent', { 'openinference.span.kind': 'AGENT' }),
    span(2, 1, 'ai.generateText', aiSdk('ai.generateText')),
    span(3, 2, 'ai.generateText.doGenerate', aiSdk('ai.generateText.doGenerate')),
    span(4, 1, 'lookup_order', { 'gen_ai.operation.name': 'execute_tool' }),
  ]);
  const [agent, outer, inner, tool] = [1, 2, 3, 4].map((n) => tree.nodes.get(id(n))!);
  assert.deepEqual(names(foldedLlmCalls(outer)), ['ai.generateText.doGenerate']);
  assert.deepEqual(shownChildren(outer), [], 'the item lists what the inner span holds: nothing');
  assert.deepEqual(names(shownChildren(agent)), ['ai.generateText', 'lookup_order'], 'the agent lists the call once');
  assert.deepEqual(foldedLlmCalls(agent), []);
  assert.deepEqual(foldedLlmCalls(tool), []);
  const parentOf = (n: SpanNode) => (n.span.parentSpanId ? tree.nodes.get(n.span.parentSpanId) : undefined);
  assert.equal(itemNodeOf(inner, parentOf), outer, 'the inner span is shown by the outer one’s item');
  assert.equal(itemNodeOf(tool, parentOf), tool);
});

test('an OpenInference LLM span over a GenAI client span over the SDK’s own: three spans, one item, holding the innermost’s children', () => {
  const tree = treeOf([
    span(1, undefined, 'ChatAnthropic', { 'openinference.span.kind': 'LLM', 'llm.model_name': 'claude-sonnet-4-5' }),
    span(2, 1, 'chat claude-sonnet-4-5', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-sonnet-4-5' }),
    span(3, 2, 'anthropic.messages.create', { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic' }),
    span(4, 3, 'POST https://api.anthropic.com/v1/messages', { 'http.request.method': 'POST' }),
  ]);
  const root = tree.nodes.get(id(1))!;
  assert.deepEqual(names(foldedLlmCalls(root)), ['chat claude-sonnet-4-5', 'anthropic.messages.create']);
  assert.deepEqual(names(shownChildren(root)), ['POST https://api.anthropic.com/v1/messages']);
  const parentOf = (n: SpanNode) => (n.span.parentSpanId ? tree.nodes.get(n.span.parentSpanId) : undefined);
  assert.equal(itemNodeOf(tree.nodes.get(id(3))!, parentOf), root);
});

test('an agent with one model call is not that call: it does not fold; nor does a wrapper around a call of another operation', () => {
  const tree = treeOf([
    span(1, undefined, 'support_agent.run', { 'openinference.span.kind': 'AGENT' }),
    span(2, 1, 'chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' }),
    span(3, undefined, 'ai.generateText', aiSdk('ai.generateText'), 500),
    span(4, 3, 'ai.streamText.doStream', aiSdk('ai.streamText.doStream'), 510),
  ]);
  assert.deepEqual(foldedLlmCalls(tree.nodes.get(id(1))!), []);
  assert.deepEqual(foldedLlmCalls(tree.nodes.get(id(3))!), [], 'generateText folds its own doGenerate only');
});

test('an LLM span with more than one child is an agent loop, not one call: nothing folds', () => {
  const tree = treeOf([
    span(1, undefined, 'ai.generateText', aiSdk('ai.generateText')),
    span(2, 1, 'ai.generateText.doGenerate', aiSdk('ai.generateText.doGenerate'), 20),
    span(3, 1, 'ai.toolCall lookup_order', { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'lookup_order' }, 30),
    span(4, 1, 'ai.generateText.doGenerate', aiSdk('ai.generateText.doGenerate'), 40),
  ]);
  const root = tree.nodes.get(id(1))!;
  assert.deepEqual(foldedLlmCalls(root), []);
  assert.deepEqual(names(shownChildren(root)), ['ai.generateText.doGenerate', 'ai.toolCall lookup_order', 'ai.generateText.doGenerate']);
});

test('a stand-in for an LLM span not received yet folds nothing: what it is is not known', () => {
  const tree = treeOf([span(5, 4, 'ai.generateText.doGenerate', aiSdk('ai.generateText.doGenerate'))]);
  const standIn = tree.nodes.get(id(4))!;
  assert.equal(standIn.notReceived, true);
  assert.deepEqual(foldedLlmCalls(standIn), []);
  assert.equal(shownChildren(standIn).length, 1);
});

test("OpenLLMetry's anthropic.chat beside the SDK's anthropic.messages.create: one item per call, '+ anthropic.messages.create', three calls not six", () => {
  const tree = traceOf(siblingCallsRun()).tree();
  const node = (spanId: string) => tree.nodes.get(spanId)!;
  const parentOf = (n: SpanNode) => (n.span.parentSpanId ? tree.nodes.get(n.span.parentSpanId) : undefined);
  const root = node(SIBLING_IDS.root);
  const draft = node(SIBLING_IDS.draft);
  assert.deepEqual(names(shownChildren(root)), ['anthropic.chat', 'retrieve_policies', 'draft_answer', 'check_safety'], 'the classifying call once');
  assert.deepEqual(names(shownChildren(draft, root.children)), ['anthropic.chat', 'execute_tool lookup_order', 'anthropic.chat'], 'each drafting call once');
  SIBLING_IDS.chats.forEach((chat, i) => {
    const siblings = parentOf(node(chat))!.children;
    assert.deepEqual(foldedLlmCalls(node(chat), siblings).map((n) => n.span.spanId), [SIBLING_IDS.sdks[i]], 'the SDK span folds into the chat span');
    assert.equal(itemNodeOf(node(SIBLING_IDS.sdks[i]), parentOf), node(chat), 'and is shown by its item');
    assert.deepEqual(foldedLlmCalls(node(chat)), [], 'siblings not given: none looked for');
  });
  assert.equal(itemNodeOf(node(SIBLING_IDS.chats[1]), parentOf), node(SIBLING_IDS.chats[1]), 'the consecutive call with the same response id is its own item');
});

test('a span recorded beside another of its call lists its children under the item that shows it', () => {
  const run = siblingCallsRun();
  const http: TestSpan = { traceId: run[0].traceId, spanId: 'bbbbbbbbbbbbbbbb', parentSpanId: SIBLING_IDS.sdks[0], name: 'POST /v1/messages', start: BigInt(run[0].start) + 1n, end: BigInt(run[0].end) - 1n, attributes: { 'http.request.method': 'POST' } };
  const tree = traceOf([...run, http]).tree();
  const parentOf = (n: SpanNode) => (n.span.parentSpanId ? tree.nodes.get(n.span.parentSpanId) : undefined);
  const chat = tree.nodes.get(SIBLING_IDS.chats[0])!;
  const root = tree.nodes.get(SIBLING_IDS.root)!;
  assert.deepEqual(names(shownChildren(chat, root.children)), ['POST /v1/messages']);
  assert.equal(itemNodeOf(tree.nodes.get(SIBLING_IDS.sdks[0])!, parentOf), chat, "the HTTP span's parent item: the chat span's");
});
