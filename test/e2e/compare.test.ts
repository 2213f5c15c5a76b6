// Compare two runs: a good run of the support agent and one whose order lookup failed, selected
// together in the Runs view. The failing tool call is the first divergence, selected on open,
// with its output diff; from it, its source and its waterfall.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { requestJson, type TestSpan } from '../unit/otlpBuilder';
import { launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');
const GOOD = 'a'.repeat(32);
const BAD = 'b'.repeat(32);
const TOOL_LINE = 14;
/** A planted API key in the tool call's arguments (the same in both runs): the panel masks it until Reveal. */
const KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv';
const base = BigInt(Date.now() - 120_000) * 1_000_000n;

/** One run of the agent; `failed`: the order API timed out, and the agent said sorry. */
function run(traceId: string, startMs: number, failed: boolean): TestSpan[] {
  let n = 0;
  const id = () => traceId.slice(0, 2) + (++n).toString(16).padStart(14, '0');
  const at = (ms: number) => base + BigInt(Math.round((startMs + ms) * 1e6));
  const root = id();
  const question = 'Where is my order A1042?';
  const answer = failed ? 'Sorry, I could not look up your order right now.' : 'Your order A1042 is out for delivery.';
  const chat = (start: number, end: number, output: string, ttftS?: number): TestSpan => ({
    traceId, spanId: id(), parentSpanId: root, name: 'chat gpt-4o', start: at(start), end: at(end),
    attributes: {
      'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 30,
      ...(ttftS !== undefined && { 'gen_ai.response.time_to_first_chunk': ttftS }),
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: question }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: output }] }]),
    },
  });
  const tool: TestSpan = {
    traceId, spanId: id(), parentSpanId: root, name: 'execute_tool lookup_order', start: at(300), end: at(failed ? 1300 : 420),
    attributes: {
      'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order', 'gen_ai.tool.call.arguments': `{"order_id":"A1042","auth":"${KEY}"}`,
      'code.filepath': 'agent/support.py', 'code.lineno': TOOL_LINE, 'code.function': 'lookup_order',
      ...(failed ? {} : { 'gen_ai.tool.call.result': '{"order_id":"A1042","status":"out for delivery","eta":"today"}' }),
    },
    ...(failed ? { status: { code: 2, message: 'OrdersAPIError: timeout after 1s (504)' } } : {}),
  };
  return [
    { traceId, spanId: root, name: 'support_agent.run', start: at(0), end: at(2000), attributes: { 'gen_ai.operation.name': 'invoke_agent', 'input.value': question, 'output.value': answer } },
    {
      traceId, spanId: id(), parentSpanId: root, name: 'retrieve_policies', start: at(10), end: at(90),
      attributes: { 'openinference.span.kind': 'RETRIEVER', 'input.value': 'orders', 'retrieval.documents.0.document.content': 'Orders ship within 2 business days.' },
    },
    chat(100, 290, 'calling lookup_order'),
    tool,
    // The answer is streamed: its first token came 300ms in (A), 450ms in (B).
    chat(failed ? 1310 : 430, failed ? 1900 : 900, answer, failed ? 0.45 : 0.3),
  ];
}

let s: Session;
let workspace: string;
let frame: Frame;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-compare-'));
  mkdirSync(join(workspace, 'agent'));
  writeFileSync(join(workspace, 'agent', 'support.py'), Array.from({ length: 30 }, (_, i) => (i === TOOL_LINE - 1 ? '    order = orders_api.get(order_id)' : `# line ${i + 1}`)).join('\n') + '\n');
  mkdirSync(join(workspace, 'traces'));
  writeFileSync(join(workspace, 'traces', 'runs.jsonl'), JSON.stringify(requestJson(run(GOOD, 0, false))) + '\n' + JSON.stringify(requestJson(run(BAD, 60_000, true))) + '\n');
  // The runs come from a file: no receiver, so no toast about ports other sessions hold covers the panel.
  s = await launchVSCode({ vsixPath: VSIX, workspaceDir: workspace, name: 'compare', settings: { 'tracerun.receiver.enabled': false } });
});

after(async () => {
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

test('two runs selected in the Runs view open side by side, at the failing tool call', async () => {
  await s.openViewContainer('Trace Run');
  const runs = await s.poll('both runs', async () => {
    const rows = (await s.treeItems('Runs')).filter((r) => r.level === 1 && r.label === 'support_agent.run');
    return rows.length === 2 ? rows : undefined;
  }, 30_000);
  // Newest first: the failed run, then the good one. Select both, then the context menu.
  await runs[0].locator.click();
  await runs[1].locator.click({ modifiers: ['Control'] });
  await runs[1].locator.click({ button: 'right' });
  // The menu ignores a click that comes as fast as a script's; hovering focuses the item, Enter runs it.
  await s.page.locator('.monaco-menu .action-label', { hasText: 'Compare Runs' }).hover();
  await s.page.waitForTimeout(200);
  await s.page.keyboard.press('Enter');

  frame = await s.webviewFrame('.cmp-row', 30_000);
  await frame.waitForSelector('.divergence-summary:has-text("first difference")', { timeout: 15_000 });
  assert.equal(
    ((await frame.textContent('.divergence-summary')) ?? '').trim(),
    'first difference: `execute_tool lookup_order` failed in B only: OrdersAPIError: timeout after 1s (504)',
  );
  // A is the earlier (good) run, B the failed one.
  assert.match((await frame.textContent('.cmp-heads .cmp-a')) ?? '', /^Asupport_agent\.run 2\.00s · 5 spans/);
  assert.match((await frame.textContent('.cmp-heads .cmp-b')) ?? '', /1 failed/);
  const rows = await frame.$$eval('.cmp-row', (els) =>
    els.map((e) => [e.querySelector('.cmp-a .span-name')?.textContent, e.querySelector('.cmp-b .span-name')?.textContent, e.classList.contains('divergence'), e.getAttribute('aria-selected')]).sort(),
  );
  assert.equal(rows.length, 5, 'five pairs, all matched');
  assert.deepEqual(rows.filter((r) => r[2]), [['execute_tool lookup_order', 'execute_tool lookup_order', true, 'true']], 'the tool call is marked and selected');
  // Payloads are read after the rows are shown: the output chip comes a moment later.
  await frame.waitForSelector('.cmp-row.divergence .chip:text("output")');
  const chips = await frame.$$eval('.cmp-row.divergence .cmp-delta > *', (els) => els.map((e) => e.textContent));
  assert.deepEqual(chips, ['+880ms (+733%)', 'first difffailedoutput']);

  // Its diff: the status, the same input, and the output only A had.
  await frame.waitForSelector('.details .diff-section h3:has-text("Output")');
  const sections = await frame.$$eval('.details .diff-section', (els) => els.map((e) => [e.querySelector('h3 span')?.textContent, e.querySelector('.badge')?.textContent]));
  assert.deepEqual(sections, [
    ['Status', 'differs'],
    ['Input (gen_ai.tool.call.arguments)', 'same'],
    ['Output (gen_ai.tool.call.result)', 'differs'],
  ]);
  assert.match((await frame.textContent('.details .diff-section:nth-of-type(3) del')) ?? '', /out for delivery/);
  await s.parkMouse();
  await s.screenshot('01-compare-first-divergence');
});

test('a planted API key shows masked in the compare panel; Reveal shows it as recorded', async () => {
  const input = frame.locator('.details .diff-section', { hasText: 'Input (gen_ai.tool.call.arguments)' });
  assert.match((await input.textContent()) ?? '', /"auth":"‹redacted: api key›"/);
  assert.ok(!((await frame.textContent('body')) ?? '').includes('sk-proj'), 'the key is nowhere in the panel');
  const notice = frame.locator('.secrets-masked');
  assert.match((await notice.textContent()) ?? '', /Secrets in these runs are masked/);
  await s.screenshot('01b-compare-key-masked');

  await notice.locator('vscode-button', { hasText: 'Reveal' }).click();
  // Everything is sent again unmasked; the tool call stays selected.
  await frame.waitForSelector(`.details .diff-section:has-text("${KEY}")`, { timeout: 15_000 });
  assert.equal(await notice.isHidden(), true, 'the notice goes with the masked text');
  await frame.waitForSelector('.cmp-row.divergence[aria-selected="true"]');
});

test('another pair shows its word diff: the agent’s answer', async () => {
  await frame.locator('.cmp-row', { hasText: 'support_agent.run' }).first().click();
  await frame.waitForSelector('.details h2:text("support_agent.run")');
  await frame.waitForSelector('.details .diff-section h3:has-text("Output")');
  const output = frame.locator('.details .diff-section', { hasText: 'Output (output.value)' });
  assert.match((await output.locator('del').allTextContents()).join(' '), /out for delivery/);
  assert.match((await output.locator('ins').allTextContents()).join(' '), /Sorry/);
  await s.screenshot('02-compare-answer-diff');
  // Back to the first difference from the header.
  await frame.click('.divergence-summary');
  await frame.waitForSelector('.details h2:text("execute_tool lookup_order")');
});

test('the streamed answers: time to first token side by side, with the change', async () => {
  const answer = frame.locator('.cmp-row', { hasText: 'chat gpt-4o' }).nth(1);
  assert.match((await answer.locator('.cmp-delta').textContent()) ?? '', /TTFT \+150ms/);
  await answer.click();
  await frame.waitForSelector('.details dt:text("First token")');
  const facts = await frame.$$eval('.details .facts-list dt', (dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]));
  assert.deepEqual(facts.find((f) => f[0] === 'First token'), ['First token', '300ms → 450ms']);
  assert.deepEqual(facts.find((f) => f[0] === 'TTFT change'), ['TTFT change', '+150ms']);
  // Both bars show the wait for the first token.
  const waits = await answer.locator('.bar-wait:not([hidden])').count();
  assert.equal(waits, 2);
  await s.parkMouse();
  await s.screenshot('02b-compare-ttft');
  // Back to the first difference for what follows.
  await frame.click('.divergence-summary');
  await frame.waitForSelector('.details h2:text("execute_tool lookup_order")');
});

test("the answers' pair names each thing that differs: its output and its conversation", async () => {
  const answer = frame.locator('.cmp-row', { hasText: 'chat gpt-4o' }).nth(1);
  await answer.locator('.chip:text("messages")').waitFor({ timeout: 15_000 });
  assert.deepEqual(await answer.locator('.chip').allTextContents(), ['TTFT +150ms', 'output', 'messages']);
  assert.equal(await answer.locator('.cmp-chips').getAttribute('title'), 'Differs: TTFT +150ms, output, messages', 'chips cut off by a narrow column are in its tooltip');
  // The change column widens to its content: no chip cut ("messages" once showed as "messag").
  const cut = await answer.locator('.cmp-delta').evaluate((cell) => [cell, ...cell.querySelectorAll('.cmp-chips, .chip')].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent));
  assert.deepEqual(cut, [], 'every chip shows whole');
  const [head, cell] = await Promise.all([frame.locator('.cmp-head.cmp-delta').boundingBox(), answer.locator('.cmp-delta').boundingBox()]);
  assert.equal(Math.round(head!.width), Math.round(cell!.width), 'the heads keep to the rows\' columns');
  await s.parkMouse();
  await s.screenshot('02c-compare-chips-whole');
});

test('from the failing tool call: its source, then its waterfall', async () => {
  await frame.click('.details vscode-button:text("Go to Source (B)")');
  const editor = await s.waitForActiveEditor({ path: 'agent/support.py', line: TOOL_LINE });
  assert.equal(editor.title, 'support.py');

  await frame.click('.details vscode-button:text("Waterfall (B)")');
  const waterfall = await s.webviewFrame('.toolbar', 30_000);
  await waterfall.waitForSelector('.details h2:text("execute_tool lookup_order")', { timeout: 15_000 });
  assert.match((await waterfall.textContent('.details')) ?? '', /OrdersAPIError: timeout after 1s/);
  await s.screenshot('03-waterfall-from-compare');
});

test('Compare with Previous Run of This Name, from the failed run', async () => {
  await s.runCommand('View: Close All Editors');
  const failed = (await s.treeItems('Runs')).find((r) => r.level === 1 && /error/.test(r.description))!;
  await failed.locator.click();
  // The click opens the run's waterfall; a palette opened before it shows would be closed by it.
  await s.webviewFrame('.toolbar', 30_000);
  await s.runCommand('Trace Run: Compare with Previous Run of This Name');
  const compare = await s.webviewFrame('.cmp-row', 30_000);
  await compare.waitForSelector('.divergence-summary:has-text("first difference")', { timeout: 15_000 });
  assert.match((await compare.textContent('.cmp-heads .cmp-a')) ?? '', /support_agent\.run 2\.00s · 5 spans · /);
  assert.doesNotMatch((await compare.textContent('.cmp-heads .cmp-a')) ?? '', /failed/, 'A is the earlier, good run');
  assert.match((await compare.textContent('.cmp-heads .cmp-b')) ?? '', /1 failed/);
  await compare.waitForSelector('.cmp-row.divergence[aria-selected="true"]');
});
