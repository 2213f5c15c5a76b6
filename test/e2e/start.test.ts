// The first five minutes, in a fresh workspace with no trace files: the walkthrough shows and
// its steps tick themselves off as the user opens the Runs view, opens the sample run from the
// view's welcome (its waterfall opens, nothing is written), a run of their own arrives and Go to
// Source in its waterfall's details opens its code; the receiver's status bar item opens a menu
// whose terminal variables reach a new terminal.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, launchVSCode, type Session } from './harness';
import { hexId, requestJson } from '../unit/otlpBuilder';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');
const WALKTHROUGH = 'Get Started with Trace Run';
const STEPS = ['runs', 'send', 'firstRun', 'sample', 'waterfall', 'source'];

function post(port: number, body: unknown): Promise<number> {
  return new Promise((res, rej) => {
    const data = JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (r) => {
      r.resume();
      res(r.statusCode ?? 0);
    });
    req.on('error', rej);
    req.end(data);
  });
}

let s: Session;
let workspace: string;
let httpPort: number;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-start-'));
  writeFileSync(join(workspace, 'README.md'), '# an app not instrumented yet\n');
  httpPort = await freePort();
  s = await launchVSCode({
    vsixPath: VSIX,
    workspaceDir: workspace,
    name: 'start',
    settings: { 'tracerun.receiver.port': httpPort, 'tracerun.receiver.grpcPort': await freePort() },
  });
});

after(async () => {
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

/** Shows the walkthrough (the Welcome page's editor) through Help's "Open Walkthrough...". */
async function showWalkthrough(): Promise<void> {
  await s.runCommand('Open Walkthrough...');
  await s.pickQuickItem(WALKTHROUGH);
  await s.page.locator('button.getting-started-step').first().waitFor({ timeout: 15_000 });
}

/** Each step's done state, by its id in package.json. */
async function stepsDone(): Promise<Record<string, boolean>> {
  const raw = await s.page.evaluate(() =>
    Array.from((globalThis as any).document.querySelectorAll('button.getting-started-step')).map((b: any) => [b.getAttribute('data-step-id') ?? '', b.getAttribute('aria-checked') === 'true'] as [string, boolean]),
  );
  return Object.fromEntries(raw.map(([id, done]) => [id.slice(id.lastIndexOf('#') + 1), done]));
}

async function waitForSteps(what: string, want: Record<string, boolean>): Promise<void> {
  await s.poll(
    what,
    async () => {
      const done = await stepsDone();
      return Object.entries(want).every(([id, d]) => done[id] === d) ? true : undefined;
    },
    15_000,
    async () => JSON.stringify(await stepsDone()),
  );
}

test('the walkthrough shows its steps, none done yet', async () => {
  await showWalkthrough();
  const done = await stepsDone();
  assert.deepEqual(Object.keys(done), STEPS);
  assert.deepEqual(Object.values(done), STEPS.map(() => false), JSON.stringify(done));
  const text = (await s.page.locator('.part.editor').textContent()) ?? '';
  assert.match(text, new RegExp(WALKTHROUGH));
  assert.match(text, /Send traces here/);
  await s.screenshot('01-walkthrough');
});

test('opening the Runs view completes its step; the empty view offers the sample and terminal variables', async () => {
  await s.openViewContainer('Trace Run');
  const welcome = await s.poll('the Runs view welcome', async () => ((await s.viewText('Runs')).includes('Open a Sample Run') ? s.viewText('Runs') : undefined), 20_000);
  assert.match(welcome, /No trace runs found yet/);
  assert.match(welcome, /Turn On Terminal Variables/);
  // Below the sample's button in a short sidebar: shown for the screenshot, not clicked (a later step turns it on from the receiver's menu).
  await s.page.locator('.part.sidebar .welcome-view-content .monaco-button', { hasText: 'Turn On Terminal Variables' }).scrollIntoViewIfNeeded();
  await s.screenshot('01b-runs-welcome');
  await waitForSteps('the Runs view step to be done', { runs: true, send: false, firstRun: false });
});

test('Open a Sample Run from the welcome opens the failing run’s waterfall, writing nothing', async () => {
  await s.page.locator('.part.sidebar .welcome-view-content .monaco-button', { hasText: 'Open a Sample Run' }).click();
  await s.parkMouse();
  // The newest failing run of the sample: its order lookup fails.
  const frame = await s.webviewFrame('.row', 30_000);
  await s.poll('the failing tool call in the waterfall', async () => ((await frame.textContent('body'))?.includes('execute_tool lookup_order') ? true : undefined), 15_000);
  assert.match((await frame.textContent('.run-header')) ?? '', /support_agent\.run/);
  const runs = await s.poll('the sample’s four runs in the Runs view', async () => {
    const rows = (await s.treeItems('Runs')).filter((r) => r.level === 1 && r.label === 'support_agent.run');
    return rows.length === 4 ? rows : undefined;
  }, 15_000, async () => JSON.stringify((await s.treeItems('Runs')).map((r) => [r.label, r.description])));
  assert.equal(runs.filter((r) => /error/.test(r.description)).length, 2, 'two of them failed');
  await s.screenshot('02-sample-waterfall');
  assert.deepEqual(readdirSync(workspace), ['README.md'], 'nothing was written to the workspace');

  await showWalkthrough();
  // The sample's runs are not the user's first run, and no span was sent yet.
  await waitForSteps('the sample and waterfall steps to be done', { runs: true, sample: true, waterfall: true, send: false, firstRun: false });
});

test('a run of the user’s own completes "Send traces here" and "See the first run arrive"', async () => {
  const traceId = hexId(16, 0x5a17);
  const now = BigInt(Date.now()) * 1_000_000n;
  assert.equal(await post(httpPort, requestJson([{ traceId, spanId: hexId(8, 0x5a17), name: 'my_agent.run', start: now - 800_000_000n, end: now }], 'my-app')), 200);
  await s.waitForTreeItem('my_agent.run', { viewTitle: 'Runs', timeout: 20_000 });
  await waitForSteps('the send and first-run steps to be done', { runs: true, send: true, firstRun: true, sample: true, waterfall: true, source: false });
  await s.screenshot('03-walkthrough-progress');
});

test('Go to Source in a span’s details in the waterfall opens its code and completes "Jump to source"', async () => {
  // The sample's spans name files of the sample's own app: Go to Source needs a run of the
  // user's, whose span records where its code is, as an instrumented app's spans do.
  const source = join(workspace, 'my_agent.py');
  writeFileSync(source, ['def plan(question):', '    return [question]', '', 'def answer(question):', '    steps = plan(question)', '    return steps[-1]', ''].join('\n'));
  const traceId = hexId(16, 0x50c0de);
  const spanId = hexId(8, 0x50c0de);
  const now = BigInt(Date.now()) * 1_000_000n;
  const attributes = { 'code.file.path': source, 'code.line.number': 4, 'code.function.name': 'answer' };
  assert.equal(await post(httpPort, requestJson([{ traceId, spanId, name: 'my_agent.answer', start: now - 300_000_000n, end: now, attributes }], 'my-app')), 200);
  await s.waitForTreeItem('my_agent.answer', { viewTitle: 'Runs', timeout: 20_000 });
  await s.clickTreeItemAction('my_agent.answer', 'Open Waterfall', { viewTitle: 'Runs' });
  const frame = await s.webviewFrame(`.row[data-span-id="${spanId}"]`, 20_000);
  await frame.click(`.row[data-span-id="${spanId}"]`);
  await frame.waitForSelector('.details h2:text("my_agent.answer")');
  await frame.click('.details vscode-button:text("Go to Source")');
  await s.waitForActiveEditor({ path: source, line: 4 });
  await s.screenshot('03b-source-from-details');

  await showWalkthrough();
  await waitForSteps('the source step to be done', { runs: true, send: true, firstRun: true, sample: true, waterfall: true, source: true });
  // Shown open for the screenshot: its text and button.
  const step = s.page.locator('button.getting-started-step[data-step-id$="#source"]');
  await step.scrollIntoViewIfNeeded();
  await step.click();
  await s.page.locator('.getting-started-step.expanded', { hasText: 'Open Waterfall' }).waitFor({ timeout: 5_000 });
  await s.screenshot('03c-walkthrough-done');
  // A step clicked open moves the focus to its content when its animation ends, which would
  // close a menu opened meanwhile (the next test's): let it end first.
  await s.page.waitForTimeout(1_500);
});

test('the receiver’s status bar item opens its menu; terminal variables reach a new terminal', async () => {
  const item = s.page.locator('.statusbar-item', { hasText: `:${httpPort}` });
  await item.click();
  const labels = async () => (await s.quickInputRows()).map((r) => r.label);
  const entries = await s.poll('the receiver menu', async () => ((await labels()).length >= 5 ? labels() : undefined), 10_000);
  assert.deepEqual(entries, ['Copy OTLP Endpoint', 'Show Setup Snippet', 'Turn On Terminal Variables', 'Show Log', 'Open the Runs View']);
  await s.screenshot('04-receiver-menu');
  await s.pickQuickItem('Turn On Terminal Variables');

  // The setting is written asynchronously: open the menu again until it reads the new value.
  await s.poll('the menu to offer turning them off', async () => {
    await item.click();
    await s.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor({ timeout: 5_000 });
    const now = await labels();
    await s.page.keyboard.press('Escape');
    return now.includes('Turn Off Terminal Variables') ? true : undefined;
  }, 10_000);

  const out = join(workspace, 'terminal-env.txt');
  await s.runCommand('Terminal: Create New Terminal');
  await s.page.locator('.part.panel .xterm').first().waitFor({ timeout: 15_000 });
  await s.page.locator('.part.panel .xterm').first().click();
  await s.page.keyboard.type(`printenv OTEL_EXPORTER_OTLP_ENDPOINT OTEL_EXPORTER_OTLP_PROTOCOL OTEL_BSP_SCHEDULE_DELAY > '${out}'`);
  await s.page.keyboard.press('Enter');
  await s.poll('the terminal to write its environment', async () => (existsSync(out) && readFileSync(out, 'utf8').split('\n').length >= 3 ? true : undefined), 20_000);
  assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n'), [`http://127.0.0.1:${httpPort}`, 'http/protobuf', '200']);
  await s.screenshot('05-terminal');

  // A script started in that terminal sends its span where the variables say, with no setup of
  // its own, and its run shows up in the Runs view.
  const script = join(workspace, 'send-span.js');
  writeFileSync(
    script,
    [
      "const now = BigInt(Date.now()) * 1000000n;",
      "const span = { traceId: '7e57ab1e7e57ab1e7e57ab1e7e57ab1e', spanId: '7e57ab1e7e57ab1e', name: 'started-in-terminal', kind: 1, startTimeUnixNano: String(now - 5000000n), endTimeUnixNano: String(now) };",
      "const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'terminal-app' } }] }, scopeSpans: [{ spans: [span] }] }] });",
      "fetch(process.env.OTEL_EXPORTER_OTLP_ENDPOINT + '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => console.log('sent', r.status));",
    ].join('\n'),
  );
  await s.page.keyboard.type(`node '${script}'`);
  await s.page.keyboard.press('Enter');
  await s.waitForTreeItem('started-in-terminal', { viewTitle: 'Runs', timeout: 20_000 });
  await s.screenshot('05b-run-from-terminal');
});

test('with no folder open at all, Open a Sample Run still opens the waterfall', async () => {
  const navigated = s.page.waitForEvent('framenavigated', { predicate: (f) => f === s.page.mainFrame(), timeout: 30_000 });
  await s.runCommand('Workspaces: Close Workspace');
  await navigated;
  await s.page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60_000 });
  await s.poll('a window with no folder', async () => ((await s.page.evaluate(() => String((globalThis as any).document.title))).includes('tracerun-e2e-start') ? undefined : true), 30_000);
  // The palette lists an extension's commands once the new window's extension host has
  // read them: wait for the extension to be up (its receiver's status bar item) first.
  await s.page.locator('.statusbar-item', { hasText: /spans?$/ }).waitFor({ timeout: 60_000 });
  await s.runCommand('Trace Run: Open a Sample Run', 30_000);
  const frame = await s.webviewFrame('.row', 60_000);
  await s.poll('the failing tool call in the waterfall', async () => ((await frame.textContent('body'))?.includes('execute_tool lookup_order') ? true : undefined), 15_000);
  await s.screenshot('06-sample-no-folder');
});
