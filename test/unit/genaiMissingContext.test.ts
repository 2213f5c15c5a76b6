import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureSwitch, isContentAttributeKey, isContentEvent, missingContext, recordsContent, type ContextSpan } from '../../src/core/genai/missingContext';
import { SpanKind, type Attributes } from '../../src/core/model/span';

const span = (spanId: string, parentSpanId: string, attributes: Attributes, extra: Partial<ContextSpan> = {}): ContextSpan => ({
  name: 'span',
  kind: SpanKind.Internal,
  spanId,
  parentSpanId,
  attributes,
  serviceName: 'support-agent',
  ...extra,
});
const located = { 'code.file.path': 'agent.py' };

test('a well-described run has no notes', () => {
  const run = [span('a', '', { ...located }), span('b', 'a', { 'gen_ai.operation.name': 'chat' }, { recordedContent: true })];
  assert.deepEqual(missingContext(run, { settled: true }), []);
});

test('LLM spans without content: the switch of the instrumentation that wrote them', () => {
  const run = [
    span('a', '', { ...located }),
    span('b', 'a', { 'gen_ai.operation.name': 'chat' }, { recordedContent: false, scopeName: 'opentelemetry.instrumentation.openai_v2' }),
    span('c', 'a', { 'gen_ai.operation.name': 'chat' }, { recordedContent: false, scopeName: 'opentelemetry.instrumentation.openai_v2' }),
    span('d', 'a', { 'openinference.span.kind': 'LLM' }, { recordedContent: false }),
    span('e', 'a', { 'ai.operationId': 'ai.generateText.doGenerate' }, { recordedContent: false }),
    span('f', 'a', { 'llm.request.type': 'chat' }, { recordedContent: false }),
    // Not known yet (details not read), and not an LLM span: no note.
    span('g', 'a', { 'gen_ai.operation.name': 'chat' }),
    span('h', 'a', { 'gen_ai.operation.name': 'execute_tool' }, { recordedContent: false }),
  ];
  const notes = missingContext(run, { settled: true }).filter((n) => n.kind === 'no-content');
  assert.equal(notes.length, 4);
  const genai = notes.find((n) => n.fix.includes('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true'))!;
  assert.deepEqual(genai.spanIds, ['b', 'c']);
  assert.match(genai.message, /^2 LLM spans recorded no prompt or completion/);
  assert.deepEqual(notes.find((n) => n.fix.includes('OPENINFERENCE_HIDE_INPUTS'))!.spanIds, ['d']);
  assert.deepEqual(notes.find((n) => n.fix.includes('recordInputs: true, recordOutputs: true'))!.spanIds, ['e']);
  assert.deepEqual(notes.find((n) => n.fix.includes('TRACELOOP_TRACE_CONTENT=true'))!.spanIds, ['f']);
  assert.equal(captureSwitch(span('x', '', {}, { scopeName: '@opentelemetry/instrumentation-openai' })).instrumentation, '@opentelemetry/instrumentation-openai');
  // Spans in the latest GenAI conventions (gen_ai.provider.name): the variable takes a mode.
  assert.match(captureSwitch(span('y', '', { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai' })).fix, /CAPTURE_MESSAGE_CONTENT=SPAN_AND_EVENT/);
});

test("the Anthropic SDK's own spans: its content mode; a call recorded twice lacks nothing when one of its spans holds the content", () => {
  const sdk = { scopeName: 'com.anthropic.sdk.typescript', name: 'anthropic.messages.create' };
  const chat = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic' };
  const alone = missingContext([span('a', '', { ...located }), span('b', 'a', chat, { ...sdk, recordedContent: false })], { settled: true });
  assert.deepEqual(alone.map((n) => n.kind), ['no-content']);
  assert.match(alone[0].message, /The Anthropic SDK leaves content out/);
  assert.match(alone[0].fix, /^export ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE=content, or pass openTelemetry: \{ traces: \{ contentMode: 'content' \} \}/);
  // Under OpenInference's span, which holds the messages: nothing is missing.
  const outer = span('o', 'a', { 'openinference.span.kind': 'LLM' }, { recordedContent: true });
  assert.deepEqual(missingContext([span('a', '', { ...located }), outer, span('i', 'o', chat, { ...sdk, recordedContent: false })], { settled: true }), []);
  // The other way round: the instrumentation hid the content, the SDK's own span kept it.
  const hidden = span('o', 'a', { 'openinference.span.kind': 'LLM' }, { recordedContent: false });
  assert.deepEqual(missingContext([span('a', '', { ...located }), hidden, span('i', 'o', chat, { ...sdk, recordedContent: true })], { settled: true }), []);
  // Both without: both said, each with its own switch.
  const both = missingContext([span('a', '', { ...located }), hidden, span('i', 'o', chat, { ...sdk, recordedContent: false })], { settled: true });
  assert.deepEqual(both.map((n) => n.spanIds), [['o'], ['i']]);
});

test('spans whose parent never arrived, once the run has settled', () => {
  const run = [span('a', '', { ...located }), span('b', 'p1', {}), span('c', 'p1', {}), span('d', 'p2', {}), span('e', 'a', {})];
  assert.equal(
    missingContext(run, { settled: false }).find((n) => n.kind === 'missing-parent'),
    undefined,
    'a running run may still receive them',
  );
  const note = missingContext(run, { settled: true }).find((n) => n.kind === 'missing-parent')!;
  assert.equal(note.message, '3 spans name a parent that never arrived — another process or service did not export it. Parent ids: p1, p2.');
  assert.deepEqual(note.spanIds, ['b', 'c', 'd']);
  assert.deepEqual(note.parentIds, ['p1', 'p2']);
  const many = [span('a', '', { ...located }), ...['1', '2', '3', '4', '5', '6', '7'].map((n) => span(`c${n}`, `p${n}`, {}))];
  assert.match(missingContext(many, { settled: true }).find((n) => n.kind === 'missing-parent')!.message, /Parent ids: p1, p2, p3, p4, p5 and 2 more\.$/);
  assert.match(missingContext([span('a', '', { ...located }), span('b', 'p1', {})], { settled: true }).find((n) => n.kind === 'missing-parent')!.message, /^1 span names a parent that never arrived .* Parent id: p1\.$/);
  // A Logfire pending twin's parent is the running span itself: not an orphan.
  const pending = span('z', 'gone', { 'logfire.span_type': 'pending_span' });
  assert.equal(missingContext([span('a', '', { ...located }), pending], { settled: true }).length, 0);
});

test('no service.name, and no code location or stack on any span', () => {
  const run = [span('a', '', {}, { serviceName: 'unknown_service:node' }), span('b', 'a', {}, { serviceName: undefined })];
  const kinds = missingContext(run, { settled: true }).map((n) => n.kind);
  assert.deepEqual(kinds, ['no-service-name', 'no-code-location']);
  const notes = missingContext(run, { settled: true });
  assert.equal(notes[0].fix, 'export OTEL_SERVICE_NAME=my-agent');
  // One span with a stack trace is enough for Go to Source.
  assert.deepEqual(
    missingContext([span('a', '', {}, { hasStack: true })], { settled: true }).map((n) => n.kind),
    [],
  );
  assert.deepEqual(missingContext([], { settled: true }), []);
});

test('recordsContent: a conversation or an input/output payload counts as content', () => {
  assert.equal(recordsContent({ attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 3 } }), false);
  assert.equal(recordsContent({ attributes: { 'gen_ai.input.messages': '[{"role":"user","content":"hi"}]' } }), true);
  assert.equal(recordsContent({ attributes: {}, events: [{ name: 'gen_ai.user.message', attributes: { content: 'hi' } }] }), true);
  assert.equal(recordsContent({ attributes: { 'traceloop.entity.input': '{"args":[]}' } }), true);
});

test('content keys and events, for noting content while a span is read', () => {
  for (const key of ['gen_ai.input.messages', 'llm.input_messages.0.message.content', 'gen_ai.prompt.0.content', 'gen_ai.prompt', 'input.value', 'ai.prompt.messages', 'traceloop.entity.output', 'mlflow.spanInputs']) {
    assert.ok(isContentAttributeKey(key), key);
  }
  for (const key of ['gen_ai.request.model', 'input.mime_type', 'gen_ai.usage.input_tokens', 'llm.token_count.prompt', 'ai.prompt_tokens', 'gen_ai.prompts_x']) assert.ok(!isContentAttributeKey(key), key);
  assert.ok(isContentEvent('gen_ai.user.message'));
  assert.ok(isContentEvent('gen_ai.client.inference.operation.details'));
  assert.ok(!isContentEvent('exception'));
});
