// Find where a bad run of the real demo went wrong, as a user does: the demo agent
// (out/demo/main.js) sends seven runs to the extension's receiver; the Runs view shows the
// question of each; the view filters to the failed ones (#A1042 asked again, whose order lookup
// times out: the demo's orders API fails every second lookup of an order; #Z9999, whose order is
// not found; the blender refund, whose safety check fails) and back; the good and the failing
// #A1042 runs compared side by side mark the tool call that failed as the first divergence, with
// its output diff and its source; the failing run copied as JSON pastes into an editor.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { QUESTIONS as DEMO_QUESTIONS } from '../../demo/questions';
import { freePort, launchVSCode, type Session, type TreeItem } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');
const DEMO = join(REPO, 'out', 'demo', 'main.js');
const AGENT_SOURCE = join(REPO, 'demo', 'supportAgent.ts');

/** The questions of the demo's seven runs: it asks its six in a cycle, so the 7th asks the 1st one's again. */
const QUESTIONS = Array.from({ length: 7 }, (_, i) => DEMO_QUESTIONS[i % DEMO_QUESTIONS.length]);
/** Asked by runs 1 and 7: run 1's order lookup succeeds, run 7's (the second of #A1042) times out. */
const A1042 = QUESTIONS[0];
const TIMEOUT = 'OrdersAPIError: timeout after 1s (504)';
/** Its order does not exist: the lookup fails. */
const NOT_FOUND = QUESTIONS[3];
/** The blender question fails too, by design: the draft promises a refund and the safety check catches it. */
const UNSAFE = QUESTIONS[1];
const TOOL = 'execute_tool lookup_order';
/** The line of lookupOrder that starts the tool span: where its code.* attributes point. */
const TOOL_LINE = readFileSync(AGENT_SOURCE, 'utf8').split('\n').findIndex((l) => l.includes(`inSpan('${TOOL}'`)) + 1;

let s: Session;
let workspace: string;
let httpPort: number;
let demo: ChildProcess | undefined;
let demoOutput = '';
let compare: Frame;

before(async () => {
  assert.ok(TOOL_LINE > 0, `the tool span is started in ${AGENT_SOURCE}`);
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-demo-runs-'));
  writeFileSync(join(workspace, 'README.md'), '# the support agent under development\n');
  // The demo runs with source maps, so its spans' code.file.path is the absolute path of
  // <repo>/demo/supportAgent.ts, outside this workspace (Go to Source would first ask whether to
  // open it: receiver.test.ts covers that). A user debugging the agent has its source open: the
  // workspace holds the demo's sources under the same relative path, demo/supportAgent.ts (with
  // the files it imports, so the editor shows it without problems), and Trace Run maps the
  // recorded path onto it by its longest suffix in the workspace, opening it at once.
  mkdirSync(join(workspace, 'demo'));
  for (const file of readdirSync(join(REPO, 'demo')).filter((f) => f.endsWith('.ts'))) copyFileSync(join(REPO, 'demo', file), join(workspace, 'demo', file));
  httpPort = await freePort();
  const grpcPort = await freePort();
  s = await launchVSCode({
    vsixPath: VSIX,
    workspaceDir: workspace,
    name: 'demo-runs',
    settings: { 'tracerun.receiver.port': httpPort, 'tracerun.receiver.grpcPort': grpcPort },
  });
  await s.context?.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
});

after(async () => {
  demo?.kill();
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

const runRows = async (): Promise<TreeItem[]> => (await s.treeItems('Runs')).filter((r) => r.level === 1 && r.label === 'support_agent.run');
const descriptions = async (): Promise<string> => (await runRows()).map((r) => r.description).join('\n');
/** Which question each row asks (its index in QUESTIONS, the first run asking it), newest first. */
const asked = (rows: TreeItem[]): number[] => rows.map((r) => QUESTIONS.findIndex((q) => r.description.startsWith(q)));
/** The two #A1042 runs, newest first: [run 7 (failed), run 1 (good)]. */
const a1042Rows = async (): Promise<TreeItem[]> => (await runRows()).filter((r) => r.description.startsWith(A1042));
/** The row's status icon: `error` or `pass`. */
const statusIcon = async (row: TreeItem): Promise<string> => {
  const cls = (await row.locator.locator('.custom-view-tree-node-item-icon').first().getAttribute('class')) ?? '';
  return /codicon-error\b/.test(cls) ? 'error' : /codicon-pass\b/.test(cls) ? 'pass' : cls;
};
/** The #A1042 runs as [good run 1, failing run 7], checked by their descriptions and icons. */
async function goodAndFailingA1042(): Promise<[TreeItem, TreeItem]> {
  const rows = await a1042Rows();
  assert.equal(rows.length, 2, 'two runs asked about #A1042');
  const [failing, good] = rows;
  assert.match(failing.description, / · 3 errors · /, 'the newer #A1042 run failed');
  assert.doesNotMatch(good.description, /error/, 'the older #A1042 run did not');
  assert.equal(await statusIcon(failing), 'error');
  assert.equal(await statusIcon(good), 'pass');
  return [good, failing];
}

test('the real demo’s seven runs each show the question they were asked', async () => {
  await s.page.locator('.statusbar-item', { hasText: `:${httpPort}` }).waitFor({ timeout: 30_000 });
  // Seven runs (the demo's six questions, then the first again) at ten times the demo's speed,
  // with a short pause between them.
  demo = spawn(process.execPath, ['--enable-source-maps', DEMO], {
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${httpPort}`, TRACERUN_DEMO_RUNS: '7', TRACERUN_DEMO_SPEED: '0.1', TRACERUN_DEMO_PAUSE_MS: '200' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout!.on('data', (d) => (demoOutput += d));
  demo.stderr!.on('data', (d) => (demoOutput += d));
  const exited = new Promise<number | null>((res) => demo!.once('exit', (code) => res(code)));

  await s.openViewContainer('Trace Run');
  await s.poll('the demo to finish its seven runs', async () => (demo!.exitCode !== null ? true : undefined), 60_000, async () => demoOutput);
  assert.equal(await exited, 0, demoOutput);
  assert.match(demoOutput, /run 1: Where is my order #A1042\?[^\n]*\n\s+→ Thanks for your patience! Order A1042 is out for delivery/, demoOutput);
  assert.match(demoOutput, /run 4: Where is order #Z9999\?[^\n]*\n\s+✗ OrdersAPIError: order Z9999 not found/, demoOutput);
  assert.match(demoOutput, /run 7: Where is my order #A1042\?[^\n]*\n\s+✗ OrdersAPIError: timeout after 1s \(504\)/, demoOutput);

  // Each run's question is read with its spans, a moment after the run shows (two runs ask #A1042).
  for (const q of new Set(QUESTIONS)) {
    const times = QUESTIONS.filter((x) => x === q).length;
    await s.poll(`${times} run(s) described by "${q}"`, async () => ((await runRows()).filter((r) => r.description.startsWith(q)).length === times ? true : undefined), 20_000, descriptions);
  }
  // Three runs failed: the second #A1042 (its order lookup timed out), #Z9999 (its order was not
  // found) and the blender one (its safety check); the view counts a run's errors as its spans
  // are read, so wait for the seven to settle.
  const failedShown = (rows: TreeItem[]) => rows.map((r) => /\d+ errors?/.test(r.description)).join();
  const rows = await s.poll('seven runs, three of them failed', async () => {
    const r = await runRows();
    return r.length === 7 && failedShown(r) === 'true,false,false,true,false,true,false' ? r : undefined;
  }, 15_000, descriptions);
  // Newest first: the demo's last run (the first question again) on top, its first at the bottom.
  assert.deepEqual(asked(rows), [0, 5, 4, 3, 2, 1, 0]);
  assert.match(rows[0].description, /^Where is my order #A1042\? It was due on Monday\. · [\d.]+m?s · 6 spans · \d+ tok · 3 errors · /);
  assert.match(rows[3].description, /^Where is order #Z9999\? The tracking link is broken\. · [\d.]+m?s · 6 spans · \d+ tok · 3 errors · /);
  assert.match(rows[6].description, /^Where is my order #A1042\? It was due on Monday\. · [\d.]+m?s · 8 spans · \d+ tok · \d\d:/);
  assert.deepEqual(await Promise.all(rows.map(statusIcon)), ['error', 'pass', 'pass', 'error', 'pass', 'error', 'pass']);
  await s.parkMouse();
  await s.screenshot('01-demo-runs-questions');
});

test('Filter Runs → errors only leaves the three failed runs, newest first; one click clears it', async () => {
  await s.runCommand('Trace Run: Filter Runs…');
  await s.pickQuickItem(/Errors only/);
  // The second #A1042 run (run 7), #Z9999 (run 4), the blender refund (run 2); the good #A1042 run is gone.
  const rows = await s.poll('only the failed runs', async () => {
    const r = await runRows();
    return r.length === 3 && r[0].description.startsWith(A1042) && r[1].description.startsWith(NOT_FOUND) && r[2].description.startsWith(UNSAFE) ? r : undefined;
  }, 15_000, descriptions);
  for (const row of rows) assert.match(row.description, / · \d errors? · /);
  assert.match(rows[0].description, / · 6 spans · \d+ tok · 3 errors · /);
  assert.match(rows[2].description, / · 6 spans · \d+ tok · 2 errors · /);
  assert.deepEqual(await Promise.all(rows.map(statusIcon)), ['error', 'error', 'error']);
  const message = await s.poll('the filter in the view message', async () => {
    const text = await s.viewText('Runs');
    return text.includes('Filtered: errors only') ? text : undefined;
  }, 10_000, () => s.viewText('Runs'));
  assert.match(message, /3 of 7 runs/);
  await s.parkMouse();
  await s.screenshot('02-demo-errors-only');

  // The view's title bar shows its actions while the pointer is over the view.
  await s.page.locator('.part.sidebar .pane-header', { hasText: 'Runs' }).hover();
  const clear = s.page.locator('.part.sidebar .action-label[aria-label="Clear Runs Filter"]').locator('visible=true');
  await clear.first().click({ timeout: 10_000 });
  await s.poll('every run back', async () => ((await runRows()).length === 7 ? true : undefined), 15_000, descriptions);
  assert.doesNotMatch(await s.viewText('Runs'), /Filtered/);
});

test('compare the good and the failing #A1042 runs: the tool call is the first divergence, with its failure and output diff', async () => {
  // Both ask the same question; the view lists the failing one (run 7) first, newest first.
  const [good, failing] = await goodAndFailingA1042();
  await good.locator.click();
  // A click opens the run's waterfall: let it open before the compare panel does, or it could
  // come up over the panel (a hidden webview is not kept) when the machine is busy.
  await s.page.locator('.tabs-container .tab.active', { hasText: 'Waterfall: support_agent.run' }).waitFor({ timeout: 15_000 });
  await failing.locator.click({ modifiers: ['Control'] });
  await failing.locator.click({ button: 'right' });
  // The menu ignores a click that comes as fast as a script's; hovering focuses the item, Enter runs it.
  await s.page.locator('.monaco-menu .action-label', { hasText: 'Compare Runs' }).hover();
  await s.page.waitForTimeout(200);
  await s.page.keyboard.press('Enter');
  // Off the menu item at once: left there, the pointer would rest on a run row and its tooltip
  // would cover the panel.
  await s.parkMouse();

  compare = await s.webviewFrame('.cmp-row', 30_000);
  await compare.waitForSelector('.divergence-summary:has-text("first difference")', { timeout: 15_000 });
  // A is the earlier, good run; B the failing one.
  assert.match((await compare.textContent('.cmp-heads .cmp-a')) ?? '', /^Asupport_agent\.run .* · 8 spans · /);
  assert.doesNotMatch((await compare.textContent('.cmp-heads .cmp-a')) ?? '', /failed/);
  assert.match((await compare.textContent('.cmp-heads .cmp-b')) ?? '', / · 6 spans · 3 failed · /);
  // The pairs: B stopped at the failed lookup, so the answer after it and the safety check ran in A only.
  const rows = await compare.$$eval('.cmp-row', (els) => els.map((e) => [e.querySelector('.cmp-a .span-name')?.textContent ?? null, e.querySelector('.cmp-b .span-name')?.textContent ?? null]));
  assert.deepEqual(rows, [
    ['support_agent.run', 'support_agent.run'],
    ['chat fake-gpt-4o-mini', 'chat fake-gpt-4o-mini'],
    ['retrieve_policies', 'retrieve_policies'],
    ['draft_answer', 'draft_answer'],
    ['chat fake-gpt-4o', 'chat fake-gpt-4o'],
    [TOOL, TOOL],
    ['chat fake-gpt-4o', 'not in B'],
    ['check_safety', 'not in B'],
  ]);
  // Same question, same model answers (the fake model is deterministic), same tool input: the
  // runs first differ when B's tool call fails. The agent above it fails too, but later, as a
  // consequence; the panel marks and selects the tool call, saying so.
  assert.equal(((await compare.textContent('.divergence-summary')) ?? '').trim(), `first difference: \`${TOOL}\` failed in B only: ${TIMEOUT}`);
  const marked = await compare.$$eval('.cmp-row.divergence', (els) => els.map((e) => [e.querySelector('.cmp-a .span-name')?.textContent, e.querySelector('.cmp-b .span-name')?.textContent, e.getAttribute('aria-selected')]));
  assert.deepEqual(marked, [[TOOL, TOOL, 'true']]);
  // Its details show at once, the first divergence being selected.
  await compare.waitForSelector(`.details h2:text("${TOOL}")`, { timeout: 15_000 });

  // The tool call's pair names what differs: it failed in B and has no output there (payloads
  // are read after the rows show); its input, the order asked about, is the same.
  const tool = compare.locator('.cmp-row.divergence');
  await tool.locator('.chip:text("output")').waitFor({ timeout: 15_000 });
  assert.deepEqual(await tool.locator('.chip').allTextContents(), ['first diff', 'failed', 'output']);
  await compare.waitForSelector('.details .diff-section h3:has-text("Output")');
  // Its diff: ok → the timeout, the same order, and the order A's lookup returned that B's never did.
  const sections = await compare.$$eval('.details .diff-section', (els) => els.map((e) => [e.querySelector('h3 span')?.textContent, e.querySelector('.badge')?.textContent]));
  assert.deepEqual(sections, [
    ['Status', 'differs'],
    ['Input (gen_ai.tool.call.arguments)', 'same'],
    ['Output (gen_ai.tool.call.result)', 'differs'],
  ]);
  const status = compare.locator('.details .diff-section', { hasText: 'Status' }).first();
  assert.match((await status.textContent()) ?? '', /error: OrdersAPIError: timeout after 1s \(504\)/);
  const input = compare.locator('.details .diff-section', { hasText: 'Input (gen_ai.tool.call.arguments)' });
  assert.match((await input.textContent()) ?? '', /"order_id":\s*"A1042"/);
  const output = compare.locator('.details .diff-section', { hasText: 'Output (gen_ai.tool.call.result)' });
  assert.equal((await output.locator('del').allTextContents()).join(''), '{"status":"out for delivery"}');
  assert.equal(await output.locator('ins').count(), 0, 'B has no output');
  await s.parkMouse();
  await s.page.locator('.monaco-hover:not(.hidden), .workbench-hover').first().waitFor({ state: 'detached', timeout: 5_000 });
  await s.screenshot('03-demo-compare-first-divergence');
});

test('Go to Source from the failing tool call opens demo/supportAgent.ts at lookupOrder', async () => {
  await compare.click('.details vscode-button:text("Go to Source (B)")');
  const editor = await s.waitForActiveEditor({ path: 'demo/supportAgent.ts', line: TOOL_LINE }, 15_000);
  // The workspace's copy, opened without asking: the recorded path resolved in the workspace.
  assert.ok(editor.path.startsWith(join(workspace, 'demo', 'supportAgent.ts')), editor.path);
  assert.equal(editor.title, 'supportAgent.ts');
  assert.equal(await s.page.locator('.monaco-dialog-box').count(), 0, 'no "outside the workspace" question');
  const line = await s.page.locator('.editor-group-container.active .view-line', { hasText: `inSpan('${TOOL}'` }).count();
  assert.equal(line, 1, 'the line that starts the tool span is on screen');
  await s.parkMouse();
  await s.screenshot('04-demo-tool-source');
});

test('Copy Run as JSON on the failing #A1042 run and paste it into an untitled editor', async () => {
  await s.runCommand('View: Close All Editors');
  const [, row] = await goodAndFailingA1042();
  await row.locator.click({ button: 'right' });
  const item = s.page.locator('.context-view .monaco-menu .action-item').filter({ hasText: 'Copy Run as JSON' });
  await item.first().hover({ timeout: 10_000 });
  await s.page.keyboard.press('Enter');
  await s.poll('the copied notice', async () => (await s.notifications()).find((n) => n.startsWith('Copied run "support_agent.run" as JSON')), 15_000, async () => (await s.notifications()).join('\n'));

  const pasted = await s.pasteIntoNewEditor('the run pasted into the editor', (text) => text.includes('"traceId"') && text.includes(`"input": "${A1042}"`));
  assert.match(pasted, /"name": "support_agent\.run"/);

  // The whole document, as pasted: from the clipboard the editor read.
  type Span = { name: string; status: string; error?: string; input?: unknown; children?: Span[] };
  const doc = JSON.parse(await s.page.evaluate(() => (globalThis as any).navigator.clipboard.readText())) as { name: string; spanCount: number; errorCount: number; spans: Span[] };
  assert.equal(doc.name, 'support_agent.run');
  assert.equal(doc.spans[0].input, A1042);
  assert.equal(doc.spanCount, 6);
  assert.equal(doc.errorCount, 3);
  const all: Span[] = [];
  const walk = (x: Span) => (all.push(x), x.children?.forEach(walk));
  doc.spans.forEach(walk);
  assert.equal(all.length, doc.spanCount, 'every span of the run, nested');
  const names = all.map((x) => x.name);
  for (const name of ['support_agent.run', 'chat fake-gpt-4o-mini', 'retrieve_policies', 'draft_answer', 'chat fake-gpt-4o', TOOL]) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  const tool = all.find((x) => x.name === TOOL)!;
  assert.equal(tool.status, 'error');
  assert.match(tool.error ?? '', /^OrdersAPIError: timeout after 1s \(504\)/);
  await s.screenshot('05-demo-run-json-pasted');
});
