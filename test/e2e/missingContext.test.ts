// What a run lacks, said where the user looks: a run written with content capture off, by a
// program that names no service and records no code location, with one span whose parent was
// never exported. The waterfall's header lists each gap with its fix (the missing parent by
// id); the details of the model call that kept no prompt name the switch that records it; and a
// call that did record its prompt shows what else it stated: streamed, its managed prompt, its
// evaluations, its metadata and the cost its instrumentation recorded; a stream whose first chunk
// is only an event shows its wait on its bar; and a call whose messages came as log records shows
// them as its conversation.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { otlpLine, type TestSpan } from '../unit/otlpBuilder';
import { launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');
const TRACE = 'c0c0'.repeat(8);
const ROOT = 'c000000000000001';
const CHAT = 'c000000000000002';
const GENERATION = 'c000000000000003';
const ORPHAN = 'c000000000000004';
const STREAMED = 'c000000000000005';
const LOGGED = 'c000000000000006';
const NEVER_SENT = 'feedfacefeedface';
const base = BigInt(Date.now() - 60_000) * 1_000_000n;
const at = (ms: number): bigint => base + BigInt(ms) * 1_000_000n;

const spans: TestSpan[] = [
  { traceId: TRACE, spanId: ROOT, name: 'answer_ticket', start: at(0), end: at(3000) },
  {
    // As the OpenTelemetry GenAI instrumentations write a call with content capture off.
    traceId: TRACE,
    spanId: CHAT,
    parentSpanId: ROOT,
    name: 'chat gpt-4o',
    start: at(100),
    end: at(1200),
    kind: 3,
    attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 40 },
  },
  {
    // A Langfuse generation that kept its prompt, rendered from a managed prompt and evaluated.
    traceId: TRACE,
    spanId: GENERATION,
    parentSpanId: ROOT,
    name: 'draft_reply',
    start: at(1300),
    end: at(2600),
    attributes: {
      'langfuse.observation.type': 'generation',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.stream': true,
      'langfuse.observation.input': JSON.stringify([{ role: 'user', content: 'Where is order A1042?' }]),
      'langfuse.observation.output': JSON.stringify({ role: 'assistant', content: 'It ships tomorrow.' }),
      'langfuse.observation.prompt.name': 'support-answer',
      'langfuse.observation.prompt.version': 7,
      'langfuse.observation.metadata.customer_tier': 'gold',
      'evaluations.0.evaluation.name': 'relevance',
      'evaluations.0.evaluation.score': 0.95,
      'evaluations.0.evaluation.explanation': 'Answers the question asked.',
      'langfuse.observation.cost_details': JSON.stringify({ input: 0.0012, output: 0.0009, total: 0.0021 }),
    },
  },
  {
    // OpenLLMetry streams with one event per chunk and no time-to-first-token attribute.
    traceId: TRACE,
    spanId: STREAMED,
    parentSpanId: ROOT,
    name: 'openai.chat',
    start: at(2620),
    end: at(2980),
    kind: 3,
    attributes: { 'llm.request.type': 'chat', 'gen_ai.request.model': 'gpt-4o', 'llm.is_streaming': true, 'gen_ai.prompt.0.role': 'user', 'gen_ai.prompt.0.content': 'Summarise the ticket.' },
    events: [2740, 2800, 2970].map((t) => ({ name: 'llm.content.completion.chunk', timeUnixNano: String(at(t)), attributes: [] })),
  },
  // The official OpenAI instrumentation with content on: the messages come as log records.
  { traceId: TRACE, spanId: LOGGED, parentSpanId: ROOT, name: 'chat gpt-4o-mini', start: at(2990), end: at(2999), kind: 3, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' } },
  // Its parent ran in another process that never exported it.
  { traceId: TRACE, spanId: ORPHAN, parentSpanId: NEVER_SENT, name: 'billing.lookup', start: at(1400), end: at(1500) },
];

let s: Session;
let workspace: string;
let frame: Frame;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-missing-'));
  mkdirSync(join(workspace, 'traces'));
  const kv = (o: Record<string, unknown>) => ({ kvlistValue: { values: Object.entries(o).map(([key, value]) => ({ key, value })) } });
  const record = (eventName: string, ms: number, body: unknown) => ({ timeUnixNano: String(at(ms)), traceId: TRACE, spanId: LOGGED, eventName, attributes: [], body });
  const logs = {
    resourceLogs: [
      {
        resource: { attributes: [] },
        scopeLogs: [
          {
            scope: { name: '@opentelemetry/instrumentation-openai' },
            logRecords: [
              record('gen_ai.user.message', 2990, kv({ content: { stringValue: 'Is the ticket urgent?' } })),
              record('gen_ai.choice', 2998, kv({ index: { intValue: '0' }, finish_reason: { stringValue: 'stop' }, message: kv({ role: { stringValue: 'assistant' }, content: { stringValue: 'Yes: the customer is blocked.' } }) })),
            ],
          },
        ],
      },
    ],
  };
  writeFileSync(join(workspace, 'traces', 'run.jsonl'), otlpLine(spans, 'unknown_service:node') + JSON.stringify(logs) + '\n');
  s = await launchVSCode({ vsixPath: VSIX, workspaceDir: workspace, name: 'missing-context', settings: { 'tracerun.receiver.enabled': false } });
});

after(async () => {
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

test('the waterfall header lists what the run lacks, each with its fix, the missing parent by its id', async () => {
  await s.openViewContainer('Trace Run');
  await s.waitForTreeItem('answer_ticket', { viewTitle: 'Runs', timeout: 30_000 });
  await s.clickTreeItemAction('answer_ticket', 'Open Waterfall', { viewTitle: 'Runs' });
  frame = await s.webviewFrame('.toolbar', 30_000);
  await frame.waitForSelector(`.row[data-span-id="${GENERATION}"]`, { timeout: 15_000 });
  const summary = frame.locator('.run-header .missing-context summary');
  assert.match((await summary.textContent()) ?? '', /Missing context \(4\)/);
  await summary.click();
  await frame.waitForSelector('.run-header .missing-context[open] li');
  const items = await frame.$$eval('.run-header .missing-context li', (lis) => lis.map((li) => li.textContent ?? ''));
  assert.equal(items.length, 4);
  assert.ok(
    items.some((t) => /1 LLM span recorded no prompt or completion/.test(t) && /OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT/.test(t)),
    `the call without content, with the variable that records it: ${items.join(' | ')}`,
  );
  assert.ok(
    items.some((t) => t.includes(`1 span names a parent that never arrived — another process or service did not export it. Parent id: ${NEVER_SENT}.`)),
    `the span whose parent never came, with the parent's id: ${items.join(' | ')}`,
  );
  assert.ok(items.some((t) => /No span names its service/.test(t) && t.includes('export OTEL_SERVICE_NAME=my-agent')));
  assert.ok(items.some((t) => /No span records where in the code it started/.test(t) && /code\.file\.path/.test(t)));
  await s.parkMouse();
  await s.screenshot('01-missing-context-header');
});

test('the details of the call that kept no prompt say so, with the switch that records it', async () => {
  await frame.click(`.row[data-span-id="${CHAT}"] .span-name`);
  await frame.waitForSelector('.details h2:text("chat gpt-4o")');
  const note = frame.locator('.details .content-missing');
  await note.waitFor({ timeout: 10_000 });
  const text = (await note.textContent()) ?? '';
  assert.match(text, /This LLM call recorded no prompt or completion/);
  assert.match(text, /To record it: export OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=SPAN_AND_EVENT/);
  await s.parkMouse();
  await s.screenshot('02-details-no-content');
});

test('the details of a call that kept its prompt: streamed, its managed prompt, evaluations, metadata and recorded cost; nothing said missing', async () => {
  await frame.click(`.row[data-span-id="${GENERATION}"] .span-name`);
  await frame.waitForSelector('.details h2:text("draft_reply")');
  const facts = await frame.$$eval('.details .facts-list dt', (dts) => dts.map((dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? '']));
  const fact = (k: string) => facts.find(([key]) => key === k)?.[1];
  assert.equal(fact('Streamed'), 'yes');
  assert.equal(fact('Prompt'), 'support-answer, version 7');
  assert.equal(fact('Cost'), '$0.00210 (recorded in langfuse.observation.cost_details)');
  const details = (await frame.textContent('.details')) ?? '';
  assert.match(details, /Evaluations \(1\)|relevance/);
  const evaluation = await frame.$eval('.details table.evaluations tr', (tr) => tr.textContent ?? '');
  assert.match(evaluation, /relevance\s*score 0\.95/);
  assert.match(evaluation, /Answers the question asked\./);
  assert.match(details, /customer_tier\s*gold/);
  assert.equal(await frame.$('.details .content-missing'), null, 'a call with its prompt lacks nothing');
  await s.parkMouse();
  await s.screenshot('03-details-prompt-evaluations');
});

test('a stream whose first chunk is only an event: its bar shows the wait for the first token', async () => {
  const row = `.row[data-span-id="${STREAMED}"]`;
  const geometry = await frame.$eval(`${row} .bar`, (bar: any) => {
    const wait = bar.querySelector('.bar-wait');
    return { hidden: wait.hidden, barWidth: bar.getBoundingClientRect().width, waitWidth: wait.getBoundingClientRect().width };
  });
  assert.equal(geometry.hidden, false);
  const share = geometry.waitWidth / geometry.barWidth;
  assert.ok(Math.abs(share - 120 / 360) < 0.03, `the tick sits 120ms into the 360ms bar: ${share.toFixed(3)} of it`);
  assert.match((await frame.getAttribute(row, 'title')) ?? '', /first token after 120ms/);
  await frame.click(`${row} .span-name`);
  await frame.waitForSelector('.details h2:text("openai.chat")');
  const facts = await frame.$$eval('.details .facts-list dt', (dts) => dts.map((dt) => [dt.textContent ?? '', dt.nextElementSibling?.textContent ?? '']));
  assert.equal(facts.find(([k]) => k === 'First token')?.[1], 'after 120ms');
  assert.equal(facts.find(([k]) => k === 'Streamed')?.[1], 'yes');
  await s.parkMouse();
  await s.screenshot('04-first-chunk-event');
});

test('a call whose messages came as log records shows them as its conversation, and lacks nothing', async () => {
  const row = `.row[data-span-id="${LOGGED}"]`;
  await frame.click(`${row} .span-name`);
  await frame.waitForSelector('.details h2:text("chat gpt-4o-mini")');
  await frame.waitForSelector('.details .conversation');
  const messages = await frame.$$eval('.details .conversation .message', (ms) => ms.map((m) => (m.textContent ?? '').replace(/\s+/g, ' ').trim()));
  assert.equal(messages.length, 2, messages.join(' | '));
  assert.match(messages[0], /^user.*Is the ticket urgent\?/i);
  assert.match(messages[1], /^assistant · response.*Yes: the customer is blocked\./i);
  assert.equal(await frame.$('.details .content-missing'), null);
  assert.match((await frame.textContent('.details')) ?? '', /gen_ai\.choice/, 'the records are among its events');
  await s.parkMouse();
  await s.screenshot('05-log-record-conversation');
});
