// The waterfall on a big, noisy run, in the dark theme: folded repeats, search that lands
// on a span by its tool output, keyboard moves and collapses, and a stack frame link.
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
const TRACE = 'e'.repeat(32);
const ROOT = 'e'.repeat(16);
const base = BigInt(Date.now() - 60_000) * 1_000_000n;
const at = (ms: number): bigint => base + BigInt(Math.round(ms * 1000)) * 1000n;
const id = (n: number) => n.toString(16).padStart(16, '0');

/** An agent run of ~2,000 spans: 40 steps of LLM + tool calls, and one step that loops a lookup 240 times. */
function bigRun(): string {
  const spans: TestSpan[] = [{ traceId: TRACE, spanId: ROOT, name: 'support_agent.run', start: at(0), end: at(60_000), attributes: { 'openinference.span.kind': 'AGENT' } }];
  let n = 1;
  for (let step = 0; step < 40; step++) {
    const stepId = id(n++);
    const t0 = step * 1400;
    spans.push({ traceId: TRACE, spanId: stepId, parentSpanId: ROOT, name: `step ${step}`, start: at(t0), end: at(t0 + 1300), attributes: { 'openinference.span.kind': 'CHAIN' } });
    spans.push({ traceId: TRACE, spanId: id(n++), parentSpanId: stepId, name: 'chat gpt-4o', start: at(t0 + 10), end: at(t0 + 700), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 900, 'gen_ai.usage.output_tokens': 120 } });
    const output = step === 27 ? '{"status":"refunded","note":"refund-code ZX-4411 issued"}' : `{"status":"ok","step":${step}}`;
    spans.push({ traceId: TRACE, spanId: id(n++), parentSpanId: stepId, name: 'execute_tool check_order', start: at(t0 + 710), end: at(t0 + 1200), attributes: { 'gen_ai.operation.name': 'execute_tool', 'output.value': output } });
    for (let k = 0; k < 45; k++) spans.push({ traceId: TRACE, spanId: id(n++), parentSpanId: stepId, name: `retrieve chunk ${k % 3}`, start: at(t0 + 1200 + k), end: at(t0 + 1200 + k + 0.5), attributes: { 'openinference.span.kind': 'RETRIEVER' } });
  }
  const loopId = id(n++);
  spans.push({ traceId: TRACE, spanId: loopId, parentSpanId: ROOT, name: 'reconcile orders', start: at(56_000), end: at(59_900), attributes: { 'openinference.span.kind': 'CHAIN' } });
  for (let k = 0; k < 240; k++) spans.push({ traceId: TRACE, spanId: id(n++), parentSpanId: loopId, name: 'lookupOrder', start: at(56_000 + k * 16), end: at(56_000 + k * 16 + 15), attributes: { 'openinference.span.kind': 'TOOL' } });
  spans.push({
    traceId: TRACE,
    spanId: id(n++),
    parentSpanId: loopId,
    name: 'charge_card',
    start: at(59_850),
    end: at(59_890),
    status: { code: 2, message: 'CardDeclined: insufficient funds' },
    events: [{ name: 'exception', timeUnixNano: String(at(59_889)), attributes: [
      { key: 'exception.type', value: { stringValue: 'CardDeclined' } },
      { key: 'exception.stacktrace', value: { stringValue: 'Traceback (most recent call last):\n  File "agent/tools.py", line 12, in charge_card\n    raise CardDeclined("insufficient funds")\nCardDeclined: insufficient funds' } },
    ] }],
  });
  const lines: string[] = [];
  for (let i = 0; i < spans.length; i += 300) lines.push(JSON.stringify(requestJson(spans.slice(i, i + 300))));
  return lines.join('\n') + '\n';
}

let s: Session;
let workspace: string;
let frame: Frame;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-waterfall-'));
  mkdirSync(join(workspace, 'agent'));
  writeFileSync(join(workspace, 'agent', 'tools.py'), Array.from({ length: 20 }, (_, i) => (i === 11 ? '    raise CardDeclined("insufficient funds")' : `# line ${i + 1}`)).join('\n') + '\n');
  mkdirSync(join(workspace, 'traces'));
  writeFileSync(join(workspace, 'traces', 'big.jsonl'), bigRun());
  s = await launchVSCode({ vsixPath: VSIX, workspaceDir: workspace, name: 'waterfall-dark', colorTheme: 'Default Dark Modern' });
});

after(async () => {
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

async function selectedName(): Promise<string | null> {
  return frame.$eval('.row[aria-selected="true"] .span-name', (e) => e.textContent).catch(() => null);
}

test('a big run opens with repeated siblings folded into one row', async () => {
  await s.openViewContainer('Trace Run');
  const run = await s.waitForTreeItem('support_agent.run', { viewTitle: 'Runs', timeout: 30_000 });
  assert.match(run.description, /2,163 spans/);
  await s.clickTreeItemAction('support_agent.run', 'Open Waterfall', { viewTitle: 'Runs' });
  frame = await s.webviewFrame('.row', 30_000);
  await frame.waitForSelector('.run-header :text("Tokens")');
  assert.match((await frame.textContent('.run-header')) ?? '', /Tokens\s*40,800 \(36,000 in · 4,800 out\)/);
  // The loop sits at the end of the run: End moves there.
  await frame.focus('.rows-viewport');
  await frame.press('.rows-viewport', 'End');
  const group = await frame.waitForSelector('.row[data-group="true"] .span-name:text("lookupOrder ×240")');
  assert.equal(await (await group.evaluateHandle((e) => e.closest('.row')!)).asElement()!.getAttribute('aria-expanded'), 'false', 'a group starts folded');
  assert.equal(await selectedName(), 'charge_card', 'End lands on the last span, past the folded group');
  await frame.press('.rows-viewport', 'Home');
  await s.parkMouse();
  await s.screenshot('01-dark-waterfall');
});

test('search finds a span by text in its tool output and lands on it', async () => {
  await frame.click('input.search');
  await frame.fill('input.search', 'ZX-4411');
  await frame.press('input.search', 'Enter');
  await frame.waitForSelector('.row.current-match');
  assert.equal(await frame.textContent('.match-info'), '1 of 1');
  assert.equal(await selectedName(), 'execute_tool check_order');
  // Rows are virtualized: only about a screenful exists, and the match is scrolled into it.
  assert.ok((await frame.$$('.row')).length < 120, 'only the rows on screen are drawn');
  const [rowTop, rowBottom, viewTop, viewBottom] = await frame.$eval('.row[aria-selected="true"]', (row) => {
    const r = row.getBoundingClientRect();
    const v = row.closest('.rows-viewport')!.getBoundingClientRect();
    return [r.top, r.bottom, v.top, v.bottom];
  });
  assert.ok(rowTop >= viewTop && rowBottom <= viewBottom, `the match is on screen (${rowTop}..${rowBottom} in ${viewTop}..${viewBottom})`);
  await frame.waitForSelector('.details h2:text("execute_tool check_order")');
  assert.match((await frame.textContent('.details')) ?? '', /refund-code ZX-4411 issued/);
  await s.screenshot('02-search');
});

test('the keyboard moves, collapses and expands', async () => {
  await frame.focus('.rows-viewport');
  await frame.press('.rows-viewport', 'ArrowDown');
  assert.match((await selectedName()) ?? '', /^retrieve chunk 0/);
  await frame.press('.rows-viewport', 'ArrowLeft'); // to the parent step
  assert.equal(await selectedName(), 'step 27');
  await frame.press('.rows-viewport', 'ArrowLeft'); // collapse it
  assert.equal(await frame.getAttribute('.row[aria-selected="true"]', 'aria-expanded'), 'false');
  await frame.press('.rows-viewport', 'ArrowDown');
  assert.equal(await selectedName(), 'step 28', 'the collapsed step’s children are skipped');
  await frame.press('.rows-viewport', 'ArrowUp');
  await frame.press('.rows-viewport', 'ArrowRight');
  assert.equal(await frame.getAttribute('.row[aria-selected="true"]', 'aria-expanded'), 'true');
  await frame.press('.rows-viewport', '/');
  assert.equal(await frame.evaluate(() => (globalThis as any).document.activeElement?.className), 'search');
});

test('a stack frame in the exception opens the workspace file at its line', async () => {
  await frame.fill('input.search', 'charge_card');
  await frame.press('input.search', 'Enter');
  await frame.waitForSelector('.details h2:text("charge_card")');
  assert.match((await frame.textContent('.details .error-box')) ?? '', /CardDeclined: insufficient funds/);
  await s.screenshot('03-stack-trace');
  await frame.click('.details .frame-link');
  const editor = await s.waitForActiveEditor({ path: 'agent/tools.py', line: 12 });
  assert.equal(editor.title, 'tools.py');
});

test('selection survives new spans arriving and the panel being hidden and shown', async () => {
  // Hide the panel behind another editor in its group, then show it again.
  const tab = s.page.locator('.tab', { hasText: 'Waterfall: support_agent.run' });
  await tab.click();
  // Move focus out of the webview (keys typed there go to the page), keeping its group active.
  await s.page.locator('.sidebar .composite.title').first().click();
  await s.runCommand('File: New Untitled Text File');
  await s.waitForActiveEditor({ title: 'Untitled-1' });
  await assert.rejects(s.webviewFrame('.row', 2000), 'the hidden waterfall is not on screen');
  await tab.click();
  frame = await s.webviewFrame('.row[aria-selected="true"]', 20_000);
  assert.equal(await selectedName(), 'charge_card', 'selection restored after the panel was hidden');
  const now = BigInt(Date.now()) * 1_000_000n;
  writeFileSync(join(workspace, 'traces', 'big.jsonl'), JSON.stringify(requestJson([{ traceId: TRACE, spanId: 'f'.repeat(16), parentSpanId: ROOT, name: 'late arrival', start: at(59_950), end: at(59_990) }])) + '\n', { flag: 'a' });
  await s.poll('the new span', async () => ((await (await s.webviewFrame('.row', 10_000)).textContent('.run-header'))?.includes('2,164') ? true : undefined), 20_000);
  frame = await s.webviewFrame('.row[aria-selected="true"]', 10_000);
  assert.equal(await selectedName(), 'charge_card', 'selection kept while spans arrive');
  await s.screenshot('04-after-live-update');
});
