// The support agent's good run as OpenLLMetry's Anthropic instrumentation and the Anthropic
// SDK's own spans record it together (test/python/agent_openllmetry_anthropic.py, spans read
// from its export): each model call twice, `anthropic.chat` and `anthropic.messages.create`
// side by side under one parent, both stating the call's tokens. The stand-in model API
// answers every call with the id `msg_fake`, so only time tells consecutive calls apart.
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import type { Trace } from '../../src/core/model/trace';
import { TraceStore } from '../../src/core/model/traceStore';
import { ms, otlpLine, type TestSpan } from './otlpBuilder';

export const SIBLINGS_TRACE = '4bf92f3577b34da6a3ce929d0e0125b7';

const ROOT = 'e663042bb9258871';
const DRAFT = '5f8d5a9251b2d8ab';

/** The model calls' input and output tokens, once each: 6/1, 6/18, 14/23. */
export const SIBLINGS_TOKENS = { input: 26, output: 42 };
export const SIBLINGS_MODELS = ['fake-claude-haiku-20250101', 'fake-claude-sonnet-20250101'];

function chat(spanId: string, parent: string, start: number, end: number, model: string, input: number, output: number): TestSpan {
  return {
    traceId: SIBLINGS_TRACE, spanId, parentSpanId: parent, name: 'anthropic.chat', kind: 3, start: ms(start), end: ms(end),
    attributes: {
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': model,
      'gen_ai.input.messages': '[{"role": "user", "parts": [{"type": "text", "content": "Where is my order #A1042?"}]}]',
      'gen_ai.response.model': `${model}-20250101`,
      'gen_ai.response.id': 'msg_fake',
      'gen_ai.output.messages': '[{"role": "assistant", "parts": [{"type": "text", "content": "orders"}]}]',
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': output,
      'gen_ai.usage.total_tokens': input + output,
      'gen_ai.usage.cache_read.input_tokens': 0,
      'gen_ai.usage.cache_creation.input_tokens': 0,
    },
  };
}

function sdk(spanId: string, parent: string, start: number, end: number, model: string, input: number, output: number): TestSpan {
  return {
    traceId: SIBLINGS_TRACE, spanId, parentSpanId: parent, name: 'anthropic.messages.create', kind: 3, start: ms(start), end: ms(end),
    attributes: {
      'server.address': '127.0.0.1',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': model,
      'http.request.method': 'POST',
      'url.full': 'http://127.0.0.1:33055/v1/messages',
      'gen_ai.usage.input_tokens': input,
      'http.response.status_code': 200,
      'gen_ai.response.id': 'msg_fake',
      'gen_ai.response.model': `${model}-20250101`,
      'gen_ai.usage.output_tokens': output,
      'anthropic.message.stop_reason': 'end_turn',
    },
  };
}

const step = (spanId: string, parent: string | undefined, name: string, start: number, end: number, attributes: Record<string, unknown> = {}): TestSpan => ({
  traceId: SIBLINGS_TRACE, spanId, ...(parent !== undefined && { parentSpanId: parent }), name, start: ms(start), end: ms(end), attributes,
});

/** The run's spans in the order the exporter wrote them (the SDK's first: they end first). */
export function siblingCallsRun(): TestSpan[] {
  return [
    sdk('15458f4b099b026c', ROOT, 1.9, 105.94, 'fake-claude-haiku', 6, 1),
    sdk('237ac5d08fb04349', DRAFT, 117.13, 133.32, 'fake-claude-sonnet', 6, 18),
    sdk('f87f5b1e41850e90', DRAFT, 148.93, 158.42, 'fake-claude-sonnet', 14, 23),
    chat('53b539fff2a1f497', ROOT, 0, 106.35, 'fake-claude-haiku', 6, 1),
    chat('102ec992a69083c0', DRAFT, 106.97, 133.63, 'fake-claude-sonnet', 6, 18),
    chat('c09494edd7da2ab4', DRAFT, 135.03, 158.78, 'fake-claude-sonnet', 14, 23),
    step('0b907e56f862056a', ROOT, 'retrieve_policies', 106.64, 106.69, { 'openinference.span.kind': 'RETRIEVER' }),
    step('9d93ea7c62f37575', DRAFT, 'execute_tool lookup_order', 134.84, 134.9, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order' }),
    step(DRAFT, ROOT, 'draft_answer', 106.86, 158.83, { 'openinference.span.kind': 'CHAIN' }),
    step('3a68ddf829cd65b9', ROOT, 'check_safety', 159.05, 159.07, { 'openinference.span.kind': 'GUARDRAIL' }),
    step(ROOT, undefined, 'support_agent.run', -0.21, 159.09, { 'gen_ai.operation.name': 'invoke_agent' }),
  ];
}

export const SIBLING_IDS = {
  root: ROOT,
  draft: DRAFT,
  chats: ['53b539fff2a1f497', '102ec992a69083c0', 'c09494edd7da2ab4'],
  sdks: ['15458f4b099b026c', '237ac5d08fb04349', 'f87f5b1e41850e90'],
};

/** The spans as the workspace reads them from a file: indexed attributes only. */
export function traceOf(spans: TestSpan[]): Trace {
  const store = new TraceStore();
  const buf = Buffer.from(otlpLine(spans));
  store.addSpans('/t/f.jsonl', readOtlpJson(buf, 0, buf.length, { file: '/t/f.jsonl', line: 1, byteBase: 0 }).spans);
  return store.trace(spans[0].traceId)!;
}
