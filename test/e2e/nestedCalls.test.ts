// One model call recorded by two instrumentations reads as one item in the Runs view: the
// Vercel AI SDK's `ai.generateText` around its `ai.generateText.doGenerate`, and an
// OpenInference LLM span around a GenAI client span. The folded item names the inner span, its
// tooltip links it, the link opens it in the waterfall, where every span keeps its own row.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { otlpLine, type TestSpan } from '../unit/otlpBuilder';
import { launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');
const TRACE = 'ab12'.repeat(8);
const id = (n: number) => n.toString(16).padStart(16, '0');
const base = BigInt(Date.now() - 60_000) * 1_000_000n;
const at = (ms: number): bigint => base + BigInt(ms) * 1_000_000n;

const usage = { 'ai.model.id': 'gpt-4o', 'ai.usage.promptTokens': 120, 'ai.usage.completionTokens': 30 };
const spans: TestSpan[] = [
  { traceId: TRACE, spanId: id(1), name: 'support_agent.run', start: at(0), end: at(4000), attributes: { 'openinference.span.kind': 'AGENT' } },
  // The AI SDK: one generateText, one provider call in it.
  { traceId: TRACE, spanId: id(2), parentSpanId: id(1), name: 'ai.generateText', start: at(10), end: at(1500), attributes: { 'ai.operationId': 'ai.generateText', ...usage } },
  { traceId: TRACE, spanId: id(3), parentSpanId: id(2), name: 'ai.generateText.doGenerate', start: at(20), end: at(1490), kind: 3, attributes: { 'ai.operationId': 'ai.generateText.doGenerate', ...usage } },
  // OpenInference's LLM span over a GenAI client span, which made one HTTP request.
  { traceId: TRACE, spanId: id(4), parentSpanId: id(1), name: 'ChatAnthropic', start: at(1600), end: at(3000), attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'claude-sonnet-4-5' } },
  { traceId: TRACE, spanId: id(5), parentSpanId: id(4), name: 'chat claude-sonnet-4-5', start: at(1610), end: at(2990), kind: 3, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.usage.input_tokens': 200, 'gen_ai.usage.output_tokens': 50 } },
  { traceId: TRACE, spanId: id(6), parentSpanId: id(5), name: 'POST /v1/messages', start: at(1620), end: at(2980), kind: 3, attributes: { 'http.request.method': 'POST' } },
  { traceId: TRACE, spanId: id(7), parentSpanId: id(1), name: 'execute_tool lookup_order', start: at(3100), end: at(3900), attributes: { 'gen_ai.operation.name': 'execute_tool' } },
];

let s: Session;
let workspace: string;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-nested-'));
  mkdirSync(join(workspace, 'traces'));
  writeFileSync(join(workspace, 'traces', 'run.jsonl'), otlpLine(spans));
  s = await launchVSCode({ vsixPath: VSIX, workspaceDir: workspace, name: 'nested-calls', settings: { 'tracerun.receiver.enabled': false } });
});

after(async () => {
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

test('each model call recorded twice is one item, naming the inner span; what the inner span holds is under it', async () => {
  await s.openViewContainer('Trace Run');
  await s.waitForTreeItem('support_agent.run', { viewTitle: 'Runs', timeout: 30_000 });
  await s.expandTreeItem('support_agent.run', { viewTitle: 'Runs' });
  const calls = await s.poll('the run’s children', async () => {
    const rows = (await s.treeItems('Runs')).filter((r) => r.level === 2);
    return rows.length === 3 ? rows : undefined;
  }, 15_000);
  assert.deepEqual(calls.map((r) => r.label), ['ai.generateText', 'ChatAnthropic', 'execute_tool lookup_order'], 'no item for the inner spans');
  const [sdk, oi] = calls;
  assert.match(sdk.description, /^1\.49s · gpt-4o · 150 tok.* · \+ ai\.generateText\.doGenerate$/);
  assert.equal(sdk.expanded, undefined, 'the inner span holds nothing: the item is a leaf');
  assert.match(oi.description, /claude-sonnet-4-5 · .* · \+ chat claude-sonnet-4-5$/);

  // The OpenInference call lists what its inner GenAI span holds: the HTTP request.
  await s.expandTreeItem('ChatAnthropic', { viewTitle: 'Runs' });
  const under = await s.poll('the request under ChatAnthropic', async () => (await s.treeItems('Runs')).find((r) => r.level === 3), 15_000);
  assert.equal(under.label, 'POST /v1/messages');
  const labels = (await s.treeItems('Runs')).map((r) => r.label);
  assert.ok(!labels.includes('ai.generateText.doGenerate') && !labels.includes('chat claude-sonnet-4-5'));
  await s.parkMouse();
  await s.screenshot('01-folded-calls');
});

test('the folded item’s tooltip links the inner span, which opens in the waterfall with every span its own row', async () => {
  const sdk = await s.waitForTreeItem('ai.generateText', { viewTitle: 'Runs' });
  await sdk.locator.hover();
  const hover = s.page.locator('.monaco-hover:not(.hidden), .workbench-hover').filter({ hasText: 'One model call' }).first();
  await s.poll('the tooltip', async () => ((await hover.isVisible().catch(() => false)) ? true : undefined), 15_000, () => s.onScreen());
  assert.match((await hover.textContent()) ?? '', /One model call, also recorded as ai\.generateText\.doGenerate \(folded into this item/);
  await s.screenshot('02-folded-tooltip');
  await hover.locator('a', { hasText: 'ai.generateText.doGenerate' }).click();

  const frame = await s.webviewFrame('.toolbar', 30_000);
  await frame.waitForSelector('.details h2:text("ai.generateText.doGenerate")', { timeout: 15_000 });
  assert.equal(await frame.textContent('.row[aria-selected="true"] .span-name'), 'ai.generateText.doGenerate');
  const rows = await frame.$$eval('.row[data-span-id] .span-name', (els) => els.map((e) => e.textContent));
  assert.deepEqual(rows, ['support_agent.run', 'ai.generateText', 'ai.generateText.doGenerate', 'ChatAnthropic', 'chat claude-sonnet-4-5', 'POST /v1/messages', 'execute_tool lookup_order']);
  await s.parkMouse();
  await s.screenshot('03-inner-span-in-waterfall');
});
