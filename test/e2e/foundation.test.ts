// The foundation, the way a user meets it: install the packaged extension, open a workspace,
// let an app append runs while VS Code is open, read them in the Runs view and the waterfall,
// and jump from a span to the code that produced it.
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { otlpLine, type TestSpan } from '../unit/otlpBuilder';
import { launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');
const SOURCE = 'agent/support_agent.py';

const now = BigInt(Date.now()) * 1_000_000n;
const at = (ms: number) => now + BigInt(ms) * 1_000_000n;
const RUN1 = '11111111111111111111111111111111';
const RUN2 = '22222222222222222222222222222222';
const code = (line: number, fn: string) => ({ 'code.filepath': SOURCE, 'code.lineno': line, 'code.function': fn });

const run1Children: TestSpan[] = [
  { traceId: RUN1, spanId: '1000000000000002', parentSpanId: '1000000000000001', name: 'chat gpt-4o-mini', start: at(10), end: at(310), kind: 3, attributes: { ...code(16, 'classify_question'), 'gen_ai.request.model': 'gpt-4o-mini' } },
  { traceId: RUN1, spanId: '1000000000000003', parentSpanId: '1000000000000001', name: 'retrieve_policies', start: at(320), end: at(400), attributes: code(22, 'retrieve_policies') },
  { traceId: RUN1, spanId: '1000000000000005', parentSpanId: '1000000000000004', name: 'execute_tool lookup_order', start: at(600), end: at(780), attributes: code(27, 'lookup_order'), status: { code: 2, message: 'OrdersAPIError: 503 Service Unavailable' } },
  { traceId: RUN1, spanId: '1000000000000004', parentSpanId: '1000000000000001', name: 'chat gpt-4o', start: at(410), end: at(1100), kind: 3, attributes: code(32, 'draft_answer') },
];
const run1Root: TestSpan = { traceId: RUN1, spanId: '1000000000000001', name: 'support_agent.run', start: at(0), end: at(1200), kind: 2, attributes: code(46, 'run_support_agent'), status: { code: 2, message: 'lookup_order failed' } };
const run2Child: TestSpan = { traceId: RUN2, spanId: '2000000000000002', parentSpanId: '2000000000000001', name: 'embed query', start: at(2010), end: at(2050), attributes: { 'code.filepath': 'agent/missing_module.py', 'code.lineno': 3 } };
const run2Root: TestSpan = { traceId: RUN2, spanId: '2000000000000001', name: 'rag_pipeline.run', start: at(2000), end: at(2400), attributes: code(46, 'run_support_agent') };

let s: Session;
let workspace: string;
let traceFile: string;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-ws-'));
  mkdirSync(join(workspace, 'agent'));
  copyFileSync(join(REPO, 'test', 'fixtures', 'support_agent.py'), join(workspace, SOURCE));
  writeFileSync(join(workspace, 'README.md'), '# demo app\n');
  mkdirSync(join(workspace, '.tracerun'));
  traceFile = join(workspace, '.tracerun', 'traces.jsonl');
  s = await launchVSCode({ vsixPath: VSIX, workspaceDir: workspace, name: 'foundation' });
});

after(async () => {
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

test('the Runs view welcomes the user while no trace file exists', async () => {
  await s.openViewContainer('Trace Run');
  await s.poll('welcome text', async () => ((await s.viewText('Runs')).includes('No trace runs found yet') ? true : undefined), 20_000, () => s.viewText('Runs'));
  const text = await s.viewText('Runs');
  assert.match(text, /\.tracerun/);
  assert.match(text, /otlp\.jsonl/);
  await s.screenshot('01-welcome');
});

test('runs appended while VS Code is open appear live, newest first; a rootless run shows as running', async () => {
  // The first line arrives in two writes, split mid-line, as a buffered exporter may write it.
  const first = otlpLine(run1Children);
  writeFileSync(traceFile, first.slice(0, 200));
  await new Promise((r) => setTimeout(r, 300));
  appendFileSync(traceFile, first.slice(200));
  const running = await s.waitForTreeItem('support_agent.run', { timeout: 100 }).catch(() => undefined);
  assert.equal(running, undefined, 'the run has no root yet, so it is named after its earliest span');
  const inProgress = await s.waitForTreeItem('chat gpt-4o-mini', { viewTitle: 'Runs', timeout: 20_000 });
  assert.match(inProgress.description, /running/);
  assert.match(inProgress.description, /4 spans/);

  // Its waterfall: the root has not arrived, so a stand-in for it, still running, holds the rest.
  await inProgress.locator.hover();
  await inProgress.locator.locator('.actions .action-label[aria-label="Open Waterfall"]').click();
  const live = await s.webviewFrame('.row[data-span-id="1000000000000005"]', 20_000);
  const firstRow = () => live.$eval('.row[data-span-id="1000000000000001"]', (e) => [e.querySelector('.span-name')?.textContent, e.querySelector('.bar-label')?.textContent]);
  const [standInName, standInLabel] = await firstRow();
  assert.equal(standInName, 'span 10000000 (not received yet)');
  assert.match(standInLabel ?? '', /^running/);
  await s.screenshot('02-running-run-waterfall');

  appendFileSync(traceFile, otlpLine([run1Root]));
  await s.poll('the root to replace its stand-in in the open waterfall', async () => ((await firstRow())[0] === 'support_agent.run' ? true : undefined), 10_000);
  const done = await s.waitForTreeItem('support_agent.run', { viewTitle: 'Runs' });
  await s.poll('run to settle', async () => {
    const item = (await s.treeItems('Runs')).find((i) => i.label === 'support_agent.run');
    // Ends with when the run started: today, so the time of day.
    return item && /^1\.20s · 5 spans · 2 errors · \d\d:\d\d:\d\d( [AP]M)?$/.test(item.description) ? item : undefined;
  }, 10_000, async () => JSON.stringify((await s.treeItems('Runs')).map((i) => [i.label, i.description])));
  assert.equal(done.level, 1);

  // A malformed line between good ones is reported and skipped; the lines around it still count.
  appendFileSync(traceFile, otlpLine([run2Child]) + '{"resourceSpans": [ {"scopeSpans": oops\n' + otlpLine([run2Root]));
  await s.waitForTreeItem('rag_pipeline.run', { viewTitle: 'Runs' });
  const problems = await s.waitForTreeItem('1 unreadable line', { viewTitle: 'Runs' });
  assert.match(problems.description, /in 1 file/);
  const labels = (await s.treeItems('Runs')).filter((i) => i.level === 1).map((i) => i.label);
  assert.deepEqual(labels, ['1 unreadable line', 'rag_pipeline.run', 'support_agent.run'], 'newest run first');
  await s.expandTreeItem('1 unreadable line', { viewTitle: 'Runs' });
  const problem = await s.waitForTreeItem('traces.jsonl:4', { viewTitle: 'Runs' });
  assert.match(problem.description, /malformed OTLP JSON/);
  assert.ok((await s.notifications()).some((n) => /line 4 of traces\.jsonl could not be read/.test(n)), 'a warning names the file and line');
});

test('a run expands into its span tree, children in start order with durations', async () => {
  await s.expandTreeItem('support_agent.run', { viewTitle: 'Runs' });
  await s.waitForTreeItem(/^chat gpt-4o$/, { viewTitle: 'Runs' });
  const level2 = (await s.treeItems('Runs')).filter((i) => i.level === 2 && !i.label.startsWith('traces.jsonl:'));
  assert.deepEqual(level2.map((i) => [i.label, i.description]), [
    ['chat gpt-4o-mini', '300ms · gpt-4o-mini'],
    ['retrieve_policies', '80.0ms'],
    ['chat gpt-4o', '690ms'],
  ]);
  await s.expandTreeItem(/^chat gpt-4o$/, { viewTitle: 'Runs' });
  const tool = await s.waitForTreeItem('execute_tool lookup_order', { viewTitle: 'Runs' });
  assert.equal(tool.level, 3);
  assert.match(tool.description, /180ms · OrdersAPIError: 503 Service Unavailable/);
  await s.parkMouse();
  await s.screenshot('02-runs-view');
});

test('Go to Source from a span in the tree opens its file at its line', async () => {
  await s.clickTreeItemAction('retrieve_policies', 'Go to Source', { viewTitle: 'Runs' });
  const editor = await s.waitForActiveEditor({ path: SOURCE, line: 22 });
  assert.equal(editor.title, 'support_agent.py');
});

test('lenses over the source say what each line produced; a click lists its spans and opens one in the waterfall', async () => {
  // The editor from the previous test shows agent/support_agent.py at line 22.
  const lens = (text: RegExp) => s.page.locator('.monaco-editor .codelens-decoration').filter({ hasText: text }).first();
  await lens(/1 span · p50 80\.0ms/).waitFor({ timeout: 20_000 });
  // Line 46 (run_support_agent) produced both runs' roots: one failed.
  await s.page.keyboard.press('Control+g');
  await s.page.keyboard.type('46');
  await s.page.keyboard.press('Enter');
  const both = lens(/2 spans/);
  await both.waitFor({ timeout: 10_000 });
  assert.match((await both.textContent()) ?? '', /2 spans · p50 800ms · 1 failed/);
  await s.screenshot('04b-source-lenses');
  await both.locator('a').first().click();
  const rows = await s.poll('the spans of line 46', async () => ((await s.quickInputRows()).length === 2 ? s.quickInputRows() : undefined), 10_000);
  assert.deepEqual(rows.map((r) => r.label.trim()), ['rag_pipeline.run', 'support_agent.run'], 'newest first');
  await s.pickQuickItem('rag_pipeline.run');
  const frame = await s.webviewFrame('.row[data-span-id="2000000000000001"]', 20_000);
  await frame.waitForSelector('.details h2:text("rag_pipeline.run")');
});

test('the waterfall shows every span on a shared time axis; a clicked span shows its details and links to source', async () => {
  // One click on the run opens it, even if the item was just redrawn (its command takes no
  // arguments that a redraw could drop).
  const run = await s.waitForTreeItem('support_agent.run', { viewTitle: 'Runs' });
  await run.locator.click();
  const frame = await s.webviewFrame('.row[data-span-id="1000000000000005"]', 20_000);
  const rows = await frame.$$eval('.row', (els) => els.map((e) => [e.querySelector('.span-name')?.textContent, e.querySelector('.bar-label')?.textContent, e.getAttribute('aria-level')]));
  assert.deepEqual(rows, [
    ['support_agent.run', '1.20s · self 130ms', '1'],
    ['chat gpt-4o-mini', '300ms', '2'],
    ['retrieve_policies', '80.0ms', '2'],
    ['chat gpt-4o', '690ms · self 510ms', '2'],
    ['execute_tool lookup_order', '180ms', '3'],
  ]);
  // Bars share one axis: the tool call starts at 600 of 1200 ms, so half way across.
  const [barLeft, cellWidth, cellLeft] = await frame.$eval('.row[data-span-id="1000000000000005"] .bar', (bar) => {
    const cell = bar.parentElement!.getBoundingClientRect();
    return [bar.getBoundingClientRect().left, cell.width, cell.left];
  });
  assert.ok(Math.abs((barLeft - cellLeft) / cellWidth - 0.5) < 0.02, `tool bar starts half way: ${(barLeft - cellLeft) / cellWidth}`);
  assert.match((await frame.textContent('.run-header')) ?? '', /support_agent\.run.*1\.20s.*5/s);

  await frame.click('.row[data-span-id="1000000000000004"]');
  await frame.waitForSelector('.details h2:text("chat gpt-4o")');
  assert.match((await frame.textContent('.details')) ?? '', /Duration\s*690ms \(self 510ms\)/, 'total and self time');
  await frame.click('.row[data-span-id="1000000000000005"]');
  await frame.waitForSelector('.details h2:text("execute_tool lookup_order")');
  assert.match((await frame.textContent(".details .error-box")) ?? "", /OrdersAPIError: 503 Service Unavailable/);
  const detailsText = await frame.textContent('.details');
  assert.match(detailsText ?? '', /code\.lineno\s*27/);
  assert.match(detailsText ?? '', /service\.name/);
  await s.parkMouse();
  await s.screenshot('03-waterfall');

  await frame.click('.details vscode-button:text("Go to Source")');
  const editor = await s.waitForActiveEditor({ path: SOURCE, line: 27 });
  assert.equal(editor.title, 'support_agent.py');
  assert.equal(editor.groupCount, 2, 'the source opens beside the waterfall');
  await s.screenshot('04-source');
});

test('a recorded source path that does not exist says so', async () => {
  await s.clickTreeItemAction('rag_pipeline.run', 'Open Waterfall', { viewTitle: 'Runs' });
  const frame = await s.webviewFrame('.row[data-span-id="2000000000000002"]', 20_000);
  await frame.click('.row[data-span-id="2000000000000002"]');
  await frame.click('.details vscode-button:text("Go to Source")');
  await s.poll('not-found message', async () => (await s.notifications()).find((n) => /Source file not found: agent\/missing_module\.py/.test(n)), 10_000, async () => JSON.stringify(await s.notifications()));
});
