// A small support assistant: classify the question, retrieve policy docs, draft an answer
// with a model call that may use a tool, then check the draft for safety. Every step is a
// span with the OpenTelemetry GenAI attributes; the model is a deterministic local fake.
import { fakeChat, type ChatMessage, type ChatResult } from './fakeModel';
import { inSpan } from './telemetry';

const POLICIES: Record<string, string[]> = {
  orders: ['Orders ship within 2 business days.', 'Tracking links are emailed when an order ships.'],
  refunds: ['Refunds are issued within 14 days of delivery for damaged goods.', 'Refunds go back to the original payment method.'],
  policy: ['We ship to the EU, the UK and Norway.', 'Discount codes cannot be combined.'],
};

const ORDERS: Record<string, { status: string }> = {
  A1042: { status: 'out for delivery' },
  B2210: { status: 'being packed' },
};

export interface AgentOptions {
  /** Scales every simulated delay. */
  readonly speed: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function chat(model: string, messages: ChatMessage[], options: AgentOptions): Promise<ChatResult> {
  return inSpan(`chat ${model}`, { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'tracerun.fake', 'gen_ai.request.model': model, 'gen_ai.request.temperature': 0 }, async (span) => {
    span.setAttribute('gen_ai.input.messages', JSON.stringify(messages.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] }))));
    const result = await fakeChat(model, messages, options.speed);
    span.setAttributes({
      'gen_ai.response.model': `${model}-2024-07-18`,
      'gen_ai.usage.input_tokens': result.inputTokens,
      'gen_ai.usage.output_tokens': result.outputTokens,
      'gen_ai.response.finish_reasons': [result.finishReason],
      'gen_ai.output.messages': JSON.stringify([
        {
          role: 'assistant',
          parts: result.toolCalls.length > 0 ? result.toolCalls.map((c) => ({ type: 'tool_call', id: c.id, name: c.name, arguments: c.arguments })) : [{ type: 'text', content: result.text }],
          finish_reason: result.finishReason,
        },
      ]),
    });
    return result;
  });
}

async function classifyQuestion(question: string, options: AgentOptions): Promise<string> {
  const result = await chat('fake-gpt-4o-mini', [
    { role: 'system', content: 'Classify the support question as orders, refunds or policy.' },
    { role: 'user', content: question },
  ], options);
  return result.text;
}

async function retrievePolicies(topic: string, options: AgentOptions): Promise<string[]> {
  return inSpan('retrieve_policies', { 'openinference.span.kind': 'RETRIEVER', 'input.value': topic }, async (span) => {
    await sleep(60 * options.speed);
    const docs = POLICIES[topic] ?? POLICIES.policy;
    docs.forEach((doc, i) => span.setAttribute(`retrieval.documents.${i}.document.content`, doc));
    return docs;
  });
}

/** How many times this process has looked each order up. */
const lookups = new Map<string, number>();

async function lookupOrder(orderId: string, options: AgentOptions): Promise<string> {
  return inSpan('execute_tool lookup_order', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order', 'gen_ai.tool.call.arguments': JSON.stringify({ order_id: orderId }) }, async (span) => {
    // The orders API is flaky, deterministically: every second lookup of an existing order
    // (the 2nd, 4th, … in this process) times out. A flaky tool is what Compare Runs is for:
    // the same question asked twice, one run good and one failing at the tool call. The demo
    // asks its questions in a cycle, so its 7th run asks the 1st run's question again and fails
    // here. (An unknown order fails with "not found" every time.)
    const attempt = (lookups.get(orderId) ?? 0) + 1;
    lookups.set(orderId, attempt);
    if (ORDERS[orderId] && attempt % 2 === 0) {
      await sleep(1000 * options.speed);
      throw new Error('OrdersAPIError: timeout after 1s (504)');
    }
    await sleep(90 * options.speed);
    const order = ORDERS[orderId];
    if (!order) throw new Error(`OrdersAPIError: order ${orderId} not found (404)`);
    const result = JSON.stringify(order);
    span.setAttribute('gen_ai.tool.call.result', result);
    return result;
  });
}

async function draftAnswer(question: string, policies: string[], options: AgentOptions): Promise<string> {
  return inSpan('draft_answer', { 'openinference.span.kind': 'CHAIN' }, async () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: `You are a careful support assistant. Policies:\n${policies.join('\n')}` },
      { role: 'user', content: question },
    ];
    let result = await chat('fake-gpt-4o', messages, options);
    for (const call of result.toolCalls) {
      const output = await lookupOrder(call.arguments.order_id, options);
      messages.push({ role: 'tool', content: output, toolCallId: call.id });
      result = await chat('fake-gpt-4o', messages, options);
    }
    return result.text;
  });
}

async function checkSafety(draft: string, options: AgentOptions): Promise<void> {
  return inSpan('check_safety', { 'openinference.span.kind': 'GUARDRAIL', 'input.value': draft }, async () => {
    await sleep(40 * options.speed);
    if (/refund/i.test(draft) && /immediately|guarantee/i.test(draft)) throw new Error('SafetyViolation: draft promises a refund outside policy');
    if (draft.length === 0) throw new Error('SafetyViolation: empty answer');
  });
}

/** One run of the agent: the root span every other span of the run hangs under. */
export async function answerQuestion(question: string, options: AgentOptions): Promise<string> {
  return inSpan('support_agent.run', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support-assistant', 'input.value': question }, async (span) => {
    const topic = await classifyQuestion(question, options);
    const policies = await retrievePolicies(topic, options);
    const draft = await draftAnswer(question, policies, options);
    await checkSafety(draft, options);
    span.setAttribute('output.value', draft);
    return draft;
  });
}
