// Live from a running app: the demo agent, instrumented with the OpenTelemetry JS SDK,
// exports OTLP/HTTP protobuf to the extension's own receiver while VS Code is open, and its
// runs appear in the Runs view as they happen.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');
const DEMO = join(REPO, 'out', 'demo', 'main.js');
const AGENT_SOURCE = join(REPO, 'demo', 'supportAgent.ts');

/** Spans in a file of OTLP JSON lines. */
function spansIn(text: string): number {
  type Line = { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] };
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Line)
    .reduce((n, line) => n + (line.resourceSpans ?? []).reduce((m, r) => m + (r.scopeSpans ?? []).reduce((k, sc) => k + (sc.spans?.length ?? 0), 0), 0), 0);
}

let s: Session;
let workspace: string;
let httpPort: number;
let demo: ChildProcess | undefined;
let demoOutput = '';

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-receiver-'));
  writeFileSync(join(workspace, 'README.md'), '# an app under development\n');
  httpPort = await freePort();
  const grpcPort = await freePort();
  s = await launchVSCode({
    vsixPath: VSIX,
    workspaceDir: workspace,
    name: 'receiver',
    settings: {
      'tracerun.receiver.port': httpPort,
      'tracerun.receiver.grpcPort': grpcPort,
      'tracerun.modelPrices': { 'fake-gpt-4o*': { inputPerMTok: 2.5, outputPerMTok: 10 } },
    },
  });
});

after(async () => {
  demo?.kill();
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

test('the status bar shows the receiver listening on its port', async () => {
  const item = s.page.locator('.statusbar-item', { hasText: `:${httpPort}` });
  await item.waitFor({ timeout: 30_000 });
  assert.match((await item.textContent()) ?? '', new RegExp(`:${httpPort} · 0 spans`));
});

test('the demo agent’s runs appear in the Runs view while it runs', async () => {
  demo = spawn(process.execPath, ['--enable-source-maps', DEMO], {
    env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${httpPort}`, TRACERUN_DEMO_RUNS: '4', TRACERUN_DEMO_SPEED: '0.5', TRACERUN_DEMO_PAUSE_MS: '1500' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout!.on('data', (d) => (demoOutput += d));
  demo.stderr!.on('data', (d) => (demoOutput += d));

  // Spans arriving start the watching of the trace files, before the Runs view is ever opened.
  const counter = s.page.locator('.statusbar-item', { hasText: `:${httpPort}` });
  await s.poll('the first spans received', async () => (/· [1-9][\d,]* spans?/.test((await counter.textContent()) ?? '') ? true : undefined), 30_000);
  await s.runCommand('Trace Run: Show Log');
  const log = s.page.locator('.part.panel .view-lines');
  await s.poll('the log to say the trace files are watched', async () => (/watching\s\d+\sfolder/.test((await log.textContent()) ?? '') ? true : undefined), 15_000, async () => (await log.textContent()) ?? '');
  await s.runCommand('View: Hide Panel');
  await s.openViewContainer('Trace Run');

  // The first run shows before the demo is done: runs arrive live.
  const first = await s.waitForTreeItem('support_agent.run', { viewTitle: 'Runs', timeout: 30_000 });
  assert.match(first.description, /\d+ spans · [\d,]+ tok/);
  const demoStillRunning = demo.exitCode === null;
  assert.ok(demoStillRunning, 'a run is listed while the agent is still running');

  await new Promise<void>((res) => (demo!.exitCode !== null ? res() : demo!.once('exit', () => res())));
  assert.match(demoOutput, /run 4:/, demoOutput);
  const runs = await s.poll('all four runs', async () => {
    const rows = (await s.treeItems('Runs')).filter((r) => r.level === 1 && r.label === 'support_agent.run');
    return rows.length === 4 ? rows : undefined;
  }, 20_000, async () => JSON.stringify((await s.treeItems('Runs')).map((r) => [r.label, r.description])));
  // Run 4 asks about an order that does not exist: its tool call fails. Newest first.
  assert.match(runs[0].description, /errors? · \d\d:\d\d:\d\d( [AP]M)?$/, 'failed, and started today');
  assert.doesNotMatch(runs[1].description, /error/);

  const written = readdirSync(join(workspace, '.tracerun'));
  assert.equal(written.length, 1);
  assert.match(written[0], /^otlp-\d{4}-\d{2}-\d{2}\.jsonl$/);
  // Every export was acknowledged before the demo exited: the status bar's count must reach
  // the spans written (it is updated at most four times a second, so wait for it).
  const writtenSpans = spansIn(readFileSync(join(workspace, '.tracerun', written[0]), 'utf8'));
  assert.ok(writtenSpans >= 24, `the demo's spans were written (${writtenSpans})`);
  const status = s.page.locator('.statusbar-item', { hasText: `:${httpPort}` });
  const shownSpans = async () => Number(/· ([\d,]+) spans/.exec((await status.textContent()) ?? '')?.[1].replace(/,/g, ''));
  await s.poll('the status bar to count every span received', async () => ((await shownSpans()) === writtenSpans ? true : undefined), 5_000, async () => `${await shownSpans()} of ${writtenSpans}`);
  await s.parkMouse();
  await s.screenshot('01-demo-runs');
});

test('a failed tool call of the demo: kind, model and error in the waterfall, then its source', async () => {
  const failed = (await s.treeItems('Runs')).find((r) => r.level === 1 && /error/.test(r.description))!;
  await failed.locator.hover();
  await failed.locator.locator('.actions .action-label[aria-label="Open Waterfall"]').click();
  const frame = await s.webviewFrame('.row .kind-chip', 20_000);
  const rows = await frame.$$eval('.row', (els) => els.map((e) => [e.querySelector('.span-name')?.textContent, e.querySelector('.kind-chip')?.textContent]));
  assert.deepEqual(rows.slice(0, 3), [
    ['support_agent.run', 'agent'],
    ['chat fake-gpt-4o-mini', 'llm'],
    ['retrieve_policies', 'retriever'],
  ]);
  const tool = frame.locator('.row', { hasText: 'execute_tool lookup_order' });
  await tool.click();
  await frame.waitForSelector('.details h2:text("execute_tool lookup_order")');
  const details = (await frame.textContent('.details')) ?? '';
  assert.match(details, /OrdersAPIError: order Z9999 not found/);
  assert.match(details, /Kind\s*tool/);
  assert.match(details, /exception\.stacktrace/);
  await s.screenshot('02-demo-waterfall');

  // A priced run shows its cost in the header (sent after the rows).
  await frame.locator('.run-header', { hasText: /Cost\s*\$0\.000\d+/ }).waitFor({ timeout: 10_000 });

  // An LLM call reads as a conversation: the system prompt, the question, the tool call.
  await frame.locator('.row', { hasText: 'chat fake-gpt-4o' }).filter({ hasNotText: 'mini' }).first().click();
  await frame.waitForSelector('.details .conversation');
  const roles = await frame.$$eval('.details .message .message-role > span:first-child', (els) => els.map((e) => e.textContent));
  assert.deepEqual(roles, ['system', 'user', 'assistant']);
  const conversation = (await frame.textContent('.details .conversation')) ?? '';
  assert.match(conversation, /careful support assistant/);
  assert.match(conversation, /lookup_order/);
  assert.match(conversation, /Z9999/);
  await s.screenshot('02b-demo-conversation');

  await tool.click();
  await frame.waitForSelector('.details h2:text("execute_tool lookup_order")');
  await frame.click('.details vscode-button:text("Go to Source")');
  // The demo's source sits outside this test's workspace folder: Trace Run asks first, naming
  // the file, and opens it only when the user says so.
  const dialog = s.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 10_000 });
  const question = (await dialog.textContent()) ?? '';
  assert.ok(question.includes(`Open ${AGENT_SOURCE}?`), `the dialog names the file: ${question}`);
  await s.screenshot('02c-source-outside-workspace-asks');
  await dialog.locator('a.monaco-button', { hasText: 'Open' }).click();
  const line = readFileSync(AGENT_SOURCE, 'utf8').split('\n').findIndex((l) => l.includes("inSpan('execute_tool lookup_order'")) + 1;
  const editor = await s.waitForActiveEditor({ title: 'supportAgent.ts', line });
  assert.equal(editor.title, 'supportAgent.ts');
});

test('Show Setup Snippet names the endpoint, the protocol and a short batch delay', async () => {
  await s.runCommand('Trace Run: Show Setup Snippet');
  await s.poll('the snippet', async () => {
    const text = (await s.page.locator('.editor-group-container.active .view-lines').textContent()) ?? '';
    return text.includes(`OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:${httpPort}`) ? text : undefined;
  }, 10_000);
  const text = (await s.page.locator('.editor-group-container.active .view-lines').textContent()) ?? '';
  assert.match(text.replace(/\u00a0/g, ' '), /OTEL_EXPORTER_OTLP_PROTOCOL=http\/protobuf/);
  assert.match(text.replace(/\u00a0/g, ' '), /OTEL_BSP_SCHEDULE_DELAY=200/);
  await s.screenshot('03-setup-snippet');
});
