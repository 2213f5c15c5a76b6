// A stand-in for an instrumented support agent: it writes the OTLP JSON spans a real run
// would export, each line when its span ends (children first, the root last), with the
// OpenTelemetry GenAI attributes and code.* attributes pointing into support_agent.py.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

const QUESTIONS = [
  'Where is my order #A1042? It was due on Monday.',
  'Can I get a refund for a damaged blender?',
  'How do I change the delivery address for order #B2210?',
  'Do you ship to Norway, and how long does it take?',
  'My discount code SPRING24 was rejected at checkout.',
  'Cancel order #C3307 please, I ordered the wrong size.',
];

const SOURCE = 'support_agent.py';
const FUNCTIONS: Record<string, [number, string]> = {
  classify: [16, 'classify_question'],
  retrieve: [22, 'retrieve_policies'],
  lookup: [27, 'lookup_order'],
  draft: [32, 'draft_answer'],
  safety: [41, 'check_safety'],
  run: [46, 'run_support_agent'],
};

type Value = string | number | boolean;

interface OpenSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startNs: bigint;
  attributes: Record<string, Value>;
  events: { name: string; timeNs: bigint; attributes: Record<string, Value> }[];
  status: { code: number; message?: string };
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const nowNs = () => BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function kv(attributes: Record<string, Value>) {
  return Object.entries(attributes).map(([key, v]) => ({
    key,
    value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
  }));
}

export function otlpLine(span: OpenSpan, endNs: bigint, service = 'support-agent'): string {
  return (
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: kv({ 'service.name': service, 'telemetry.sdk.language': 'python', 'telemetry.sdk.name': 'opentelemetry' }) },
          scopeSpans: [
            {
              scope: { name: 'support_agent', version: '0.3.0' },
              spans: [
                {
                  traceId: span.traceId,
                  spanId: span.spanId,
                  parentSpanId: span.parentSpanId,
                  name: span.name,
                  kind: span.kind,
                  startTimeUnixNano: span.startNs.toString(),
                  endTimeUnixNano: endNs.toString(),
                  attributes: kv(span.attributes),
                  events: span.events.map((e) => ({ name: e.name, timeUnixNano: e.timeNs.toString(), attributes: kv(e.attributes) })),
                  status: span.status,
                },
              ],
            },
          ],
        },
      ],
    }) + '\n'
  );
}

export interface RunOptions {
  /** The trace file to append to. */
  readonly file: string;
  /** Scales every simulated delay (1 = realistic seconds, 0.05 = fast for tests). */
  readonly speed?: number;
  /** Which question to ask; a failing run is chosen by index too. */
  readonly index: number;
}

/** Simulates one agent run, appending each span to `file` as it ends. Returns the trace id. */
export async function simulateRun({ file, speed = 1, index }: RunOptions): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  const traceId = hex(16);
  const question = QUESTIONS[index % QUESTIONS.length];
  const failure = index % 4 === 3 ? 'tool' : index % 7 === 5 ? 'safety' : undefined;
  const wait = (ms: number) => sleep(ms * speed * (0.7 + Math.random() * 0.6));

  const start = (name: string, fn: keyof typeof FUNCTIONS, parent: OpenSpan | undefined, kind: number, attributes: Record<string, Value>): OpenSpan => ({
    traceId,
    spanId: hex(8),
    parentSpanId: parent?.spanId ?? '',
    name,
    kind,
    startNs: nowNs(),
    attributes: { 'code.filepath': SOURCE, 'code.lineno': FUNCTIONS[fn][0], 'code.function': FUNCTIONS[fn][1], ...attributes },
    events: [],
    status: { code: 0 },
  });
  const end = (span: OpenSpan) => appendFile(file, otlpLine(span, nowNs()));

  const root = start('support_agent.run', 'run', undefined, 2, { 'input.value': question, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support' });
  await wait(40);

  const classify = start('chat gpt-4o-mini', 'classify', root, 3, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.usage.input_tokens': 112 + index,
    'gen_ai.usage.output_tokens': 4,
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Classify this support question: ${question}` }] }]),
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: question.includes('#') ? 'orders' : 'policy' }], finish_reason: 'stop' }]),
  });
  await wait(350);
  await end(classify);

  const retrieve = start('retrieve_policies', 'retrieve', root, 1, { 'openinference.span.kind': 'RETRIEVER', 'input.value': question, 'retrieval.documents.0.document.content': 'Refunds are issued within 14 days of delivery for damaged goods.' });
  await wait(120);
  await end(retrieve);

  const draft = start('chat gpt-4o', 'draft', root, 3, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'openai',
    'gen_ai.request.model': 'gpt-4o',
    'gen_ai.usage.input_tokens': 1480 + index * 3,
    'gen_ai.usage.output_tokens': 212,
    'gen_ai.input.messages': JSON.stringify([
      { role: 'system', parts: [{ type: 'text', content: 'You are a careful support assistant.' }] },
      { role: 'user', parts: [{ type: 'text', content: question }] },
    ]),
  });
  await wait(500);
  const lookup = start('execute_tool lookup_order', 'lookup', draft, 1, { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order', 'gen_ai.tool.call.arguments': '{"order_id":"A1042"}' });
  await wait(180);
  if (failure === 'tool') {
    lookup.status = { code: 2, message: 'OrdersAPIError: 503 Service Unavailable' };
    lookup.events.push({
      name: 'exception',
      timeNs: nowNs(),
      attributes: {
        'exception.type': 'OrdersAPIError',
        'exception.message': '503 Service Unavailable',
        'exception.stacktrace': `Traceback (most recent call last):\n  File "${SOURCE}", line 29, in lookup_order\n    return orders_api.get(order_id)\nOrdersAPIError: 503 Service Unavailable`,
      },
    });
  }
  await end(lookup);
  await wait(600);
  if (failure === 'tool') {
    draft.status = { code: 2, message: 'tool lookup_order failed' };
  } else {
    draft.attributes['gen_ai.output.messages'] = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Your order A1042 ships tomorrow; here is the tracking link.' }], finish_reason: 'stop' }]);
  }
  await end(draft);

  if (failure !== 'tool') {
    const safety = start('check_safety', 'safety', root, 1, { 'openinference.span.kind': 'GUARDRAIL' });
    await wait(90);
    if (failure === 'safety') safety.status = { code: 2, message: 'draft promises a refund outside policy' };
    await end(safety);
  }
  if (failure) root.status = { code: 2, message: failure === 'tool' ? 'lookup_order failed' : 'answer blocked by safety check' };
  root.attributes['output.value'] = failure ? '' : 'Your order A1042 ships tomorrow; here is the tracking link.';
  await end(root);
  return traceId;
}
