// What each run was about, per convention: the root's input payload, else the first user
// message of the run's first LLM span, read back from the trace files as the Runs view does.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import type { Attributes } from '../../src/core/model/span';
import { firstLineOf, payloadText, previewSpansOf, runPreviewFrom, type RunPreview } from '../../src/core/runs/runInput';
import { RunPreviews } from '../../src/core/runs/runPreviews';
import { hexId, ms, otlpLine } from './otlpBuilder';
import { siblingCallsRun } from './siblingCallsRun';
import { tempDir, waitFor } from './tempDir';

function findRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'test', 'fixtures'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('no repository root');
  }
}
const FIXTURES = path.join(findRoot(), 'test', 'fixtures');

/** Every run's preview in `file`, by run name, read as the Runs view reads it. */
async function previewsOf(file: string): Promise<Map<string, RunPreview>> {
  const { store } = await readTraceFiles([file]);
  const loaded = new Set<string>();
  const previews = new RunPreviews(loadSpanDetails, (id) => loaded.add(id));
  const out = new Map<string, RunPreview>();
  for (const trace of store.runs()) {
    const first = previews.get(trace);
    if (first === undefined) await waitFor(`preview of ${trace.traceId}`, () => loaded.has(trace.traceId));
    out.set(trace.summary().name, previews.get(trace)!);
  }
  return out;
}

test('conventions fixtures: each run shows the question it was asked, and its answer', async () => {
  const genai = await previewsOf(path.join(FIXTURES, 'conventions', 'genai.jsonl'));
  // GenAI: no input on the agent span; the first user message of its first chat span.
  assert.deepEqual(genai.get('invoke_agent WeatherAgent'), { input: 'Weather in Paris?' });
  assert.deepEqual(genai.get('invoke_workflow support_pipeline'), {}, 'a run with neither payloads nor messages shows nothing');

  const oi = await previewsOf(path.join(FIXTURES, 'conventions', 'openinference-langchain.jsonl'));
  // OpenInference: the root's `input.value` JSON, `{"input": "…"}`, read for its text.
  assert.deepEqual(oi.get('AgentExecutor'), { input: 'How do I rotate an API key?', output: 'Go to Settings → API keys and click Rotate.' });

  const ol = await previewsOf(path.join(FIXTURES, 'conventions', 'openllmetry.jsonl'));
  // OpenLLMetry: the workflow's `traceloop.entity.input` holds no text; `gen_ai.prompt.0.content` does.
  assert.deepEqual(ol.get('pirate_joke_generator.workflow'), { input: 'Tell me a joke about opentelemetry', output: 'Arr…' });

  const ai = await previewsOf(path.join(FIXTURES, 'conventions', 'vercel-ai.jsonl'));
  // Vercel AI SDK: `ai.prompt` JSON `{prompt: …}` on the root, `ai.response.text` out.
  assert.deepEqual(ai.get('ai.generateText'), { input: 'Weather in Berlin?', output: 'It is 4 °C in Berlin.' });
});

test('the root input wins over the first user message; without it, the first LLM span in start order', () => {
  const root = { attributes: { 'input.value': 'Where is my order 123?', 'output.value': 'It ships tomorrow.' } as Attributes };
  const llm = (question: string) => ({ attributes: { 'gen_ai.input.messages': JSON.stringify([{ role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] }, { role: 'user', parts: [{ type: 'text', content: question }] }]) } as Attributes });
  assert.deepEqual(runPreviewFrom({ root, firstLlm: llm('ignored') }), { input: 'Where is my order 123?', output: 'It ships tomorrow.' });
  assert.deepEqual(runPreviewFrom({ root: { attributes: {} }, firstLlm: llm('Refund for a broken kettle?') }), { input: 'Refund for a broken kettle?' }, 'the system prompt is skipped');
});

test('input per convention: OpenInference messages, OpenLLMetry prompts, GenAI events, Langfuse and MLflow payloads', () => {
  const oi: Attributes = { 'llm.input_messages.0.message.role': 'system', 'llm.input_messages.0.message.content': 'sys', 'llm.input_messages.1.message.role': 'user', 'llm.input_messages.1.message.content': 'OI question' };
  assert.equal(runPreviewFrom({ firstLlm: { attributes: oi } }).input, 'OI question');
  const ol: Attributes = { 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': 'OL question', 'gen_ai.completion.0.role': 'assistant', 'gen_ai.completion.0.content': 'OL answer' };
  assert.deepEqual(runPreviewFrom({ firstLlm: { attributes: ol }, lastLlm: { attributes: ol } }), { input: 'OL question', output: 'OL answer' });
  const events = [{ name: 'gen_ai.user.message', attributes: { content: 'Event question' } as Attributes }];
  assert.equal(runPreviewFrom({ firstLlm: { attributes: { 'gen_ai.system': 'openai' }, events } }).input, 'Event question');
  assert.equal(runPreviewFrom({ root: { attributes: { 'langfuse.trace.input': '{"question":"Langfuse question"}' } } }).input, 'Langfuse question');
  assert.equal(runPreviewFrom({ root: { attributes: { 'mlflow.spanInputs': '{"query": "MLflow question"}' } } }).input, 'MLflow question');
  assert.equal(runPreviewFrom({ root: { attributes: { 'traceloop.entity.input': '{"args": ["OL task"], "kwargs": {}}' } } }).input, 'OL task');
});

test('structured inputs read for their text', () => {
  assert.equal(payloadText({ messages: [['system', 'rules'], ['human', 'LangChain pair']] }), 'LangChain pair');
  assert.equal(payloadText([{ role: 'user', content: [{ type: 'text', text: 'Parts' }] }]), 'Parts');
  assert.equal(payloadText({ order_id: 'A-17' }), 'A-17', 'a single field is its value');
  assert.equal(payloadText({ a: 1, b: 2 }), '{"a":1,"b":2}', 'otherwise the JSON');
  assert.equal(payloadText('   '), undefined);
});

test('the description shows the first line, shortened', () => {
  assert.equal(firstLineOf('\n  How do I   reset my password?\nThanks', 100), 'How do I reset my password?');
  assert.equal(firstLineOf('abcdefghij', 6), 'abcde…');
});

test('previews are read once per run and again when its root arrives', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'traces.jsonl');
  const traceId = hexId(16);
  const llm = { traceId, spanId: hexId(8), parentSpanId: hexId(8, 9999), name: 'chat', start: ms(1), end: ms(2), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"from the LLM"}]}]' } };
  writeFileSync(file, otlpLine([llm]));
  let reads = 0;
  const loaded: string[] = [];
  const previews = new RunPreviews(async (span) => (reads++, loadSpanDetails(span)), (id) => loaded.push(id));
  let { store } = await readTraceFiles([file]);
  let trace = store.trace(traceId)!;
  assert.equal(previews.get(trace), undefined, 'read in the background');
  await waitFor('first preview', () => loaded.length === 1);
  assert.deepEqual(previews.get(trace), { input: 'from the LLM' });
  previews.get(trace);
  assert.equal(reads, 1, 'asked again, nothing is read again');

  writeFileSync(file, otlpLine([llm, { traceId, spanId: hexId(8, 9999), name: 'agent', start: ms(0), end: ms(3), attributes: { 'input.value': 'from the root' } }]));
  ({ store } = await readTraceFiles([file]));
  trace = store.trace(traceId)!;
  assert.equal(previewSpansOf(trace).root?.name, 'agent');
  assert.deepEqual(previews.get(trace), { input: 'from the LLM' }, 'the last preview while the new one is read');
  await waitFor('second preview', () => loaded.length === 2);
  assert.deepEqual(previews.get(trace), { input: 'from the root' });
});

test('a model call recorded twice is previewed from the span that carries its content, nested or side by side', async (t) => {
  const dir = tempDir(t);
  // Side by side: the Anthropic SDK's metadata-only span starts after OpenLLMetry's, which holds the messages.
  const siblings = path.join(dir, 'siblings.jsonl');
  writeFileSync(siblings, otlpLine(siblingCallsRun()));
  assert.deepEqual((await previewsOf(siblings)).get('support_agent.run'), { input: 'Where is my order #A1042?', output: 'orders' });

  // Nested: an instrumentation's chat span with the messages around the SDK's own span without them.
  const nested = path.join(dir, 'nested.jsonl');
  const traceId = hexId(16);
  const [root, outer, inner] = [hexId(8), hexId(8), hexId(8)];
  writeFileSync(nested, otlpLine([
    { traceId, spanId: root, name: 'agent', start: ms(0), end: ms(10), attributes: { 'gen_ai.operation.name': 'invoke_agent' } },
    { traceId, spanId: outer, parentSpanId: root, name: 'chat gpt-4o', start: ms(1), end: ms(9), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': 'Nested question', 'gen_ai.completion.0.role': 'assistant', 'gen_ai.completion.0.content': 'Nested answer' } },
    { traceId, spanId: inner, parentSpanId: outer, name: 'openai.chat.completions.create', start: ms(2), end: ms(8), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } },
  ]));
  assert.deepEqual((await previewsOf(nested)).get('agent'), { input: 'Nested question', output: 'Nested answer' });
});
