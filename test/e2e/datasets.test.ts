// Runs become datasets and every trace file opens, the way a user meets them: a LangSmith run
// file shows its runs next to OTLP ones; two runs selected together go into a dataset, whose
// file holds them with a planted API key masked, and the Datasets view lists and opens it.
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { otlpLine, type TestSpan } from '../unit/otlpBuilder';
import { launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');
const KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv';

const now = BigInt(Date.now()) * 1_000_000n;
const at = (ms: number) => now + BigInt(ms) * 1_000_000n;

function run(n: number, question: string): TestSpan {
  return {
    traceId: String(n).repeat(32),
    spanId: String(n).repeat(16),
    name: `ask ${question}`,
    start: at(n * 1000),
    end: at(n * 1000 + 400),
    attributes: {
      'openinference.span.kind': 'AGENT',
      'input.value': JSON.stringify({ question, note: `my key is ${KEY}` }),
      'input.mime_type': 'application/json',
      'output.value': `answer about ${question}`,
    },
  };
}

let s: Session;
let workspace: string;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-ds-'));
  mkdirSync(join(workspace, '.tracerun', 'imports'), { recursive: true });
  const billing: TestSpan = { traceId: '3'.repeat(32), spanId: '3'.repeat(16), name: 'call billing', start: at(0), end: at(100) };
  const leaky: TestSpan = { traceId: '3'.repeat(32), spanId: '4'.repeat(16), parentSpanId: '3'.repeat(16), name: 'POST /charge', start: at(10), end: at(90), status: { code: 2, message: `401 for key ${KEY}` } };
  // An HTTP span named by its URL, key and all (older HTTP instrumentations name spans so).
  const keyInName: TestSpan = { traceId: '3'.repeat(32), spanId: '5'.repeat(16), parentSpanId: '3'.repeat(16), name: `GET /v1/balance?key=${KEY}`, start: at(91), end: at(99) };
  // A run named after the key it was started with.
  const keyRun: TestSpan = { traceId: '6'.repeat(32), spanId: '6'.repeat(16), name: `sync ${KEY}`, start: at(-500), end: at(-400) };
  writeFileSync(join(workspace, '.tracerun', 'traces.jsonl'), otlpLine([run(1, 'refunds')]) + otlpLine([run(2, 'shipping')]) + otlpLine([billing, leaky, keyInName]) + otlpLine([keyRun]));
  copyFileSync(join(REPO, 'test', 'fixtures', 'formats', 'langsmith-runs.jsonl'), join(workspace, '.tracerun', 'imports', 'langsmith.jsonl'));
  s = await launchVSCode({ vsixPath: VSIX, workspaceDir: workspace, name: 'datasets' });
});

after(async () => {
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

/** A click on a run or span opens its waterfall: the one a step goes on from. */
async function waterfallOf(runName: RegExp): Promise<void> {
  await s.webviewFrame(async (f) => runName.test((await f.textContent('.run-header h1').catch(() => null)) ?? ''), 30_000);
}

test('a LangSmith run file shows its runs, children under their parent', async () => {
  await s.openViewContainer('Trace Run');
  await s.waitForTreeItem('second_question', { viewTitle: 'Runs', timeout: 30_000 });
  const agent = await s.expandTreeItem('support_agent', { viewTitle: 'Runs', timeout: 20_000 });
  assert.match(agent.description, /3 spans/);
  const llm = await s.waitForTreeItem('ChatOpenAI', { viewTitle: 'Runs' });
  assert.match(llm.description, /gpt-4o-mini/);
  const tool = await s.waitForTreeItem('lookup_order', { viewTitle: 'Runs' });
  assert.match(tool.description, /KeyError/);
  await s.screenshot('01-langsmith-runs');
});

test('two runs selected together are added to a dataset; its file holds them with the key masked', async () => {
  const first = await s.waitForTreeItem('ask refunds', { viewTitle: 'Runs' });
  await first.locator.click();
  const second = await s.waitForTreeItem('ask shipping', { viewTitle: 'Runs' });
  await second.locator.click({ modifiers: ['Control'] });
  await s.poll('two runs selected', async () => ((await s.treeItems('Runs')).filter((i) => i.selected).length === 2 ? true : undefined), 5_000);
  await s.runCommand('Trace Run: Add to Dataset…');
  await s.pickQuickItem('The 2 runs');
  // No dataset yet: straight to naming one.
  const input = s.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill('smoke');
  await input.press('Enter');
  await s.pickQuickItem('Input and output');
  await s.poll('the "2 added" notification', async () => ((await s.notifications()).some((n) => n.startsWith('2 added to smoke')) ? true : undefined), 20_000, async () => (await s.notifications()).join(' | '));
  await s.screenshot('02-added');

  const file = join(workspace, '.tracerun', 'datasets', 'smoke.jsonl');
  const text = readFileSync(file, 'utf8');
  const records = text.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(records.map((r) => r.metadata.name).sort(), ['ask refunds', 'ask shipping']);
  assert.ok(!text.includes(KEY), 'the planted key never reaches the dataset file');
  assert.ok(records.every((r) => r.input.note === 'my key is ‹redacted: api key›'));
  assert.ok(records.every((r) => r.metadata.source === '.tracerun/traces.jsonl:1' || r.metadata.source === '.tracerun/traces.jsonl:2'));

  // The Datasets view lists it with its count; its inline action opens the file.
  const dataset = await s.waitForTreeItem('smoke', { viewTitle: 'Datasets', timeout: 20_000 });
  assert.match(dataset.description, /2 records/);
  await s.clickTreeItemAction('smoke', 'Open Dataset File', { viewTitle: 'Datasets' });
  await s.waitForActiveEditor({ path: '.tracerun/datasets/smoke.jsonl' });
  await s.screenshot('03-dataset-file');
  // Adding them again writes nothing new.
  await s.runCommand('Trace Run: Add to Dataset…');
  await s.pickQuickItem('The 2 runs');
  await s.pickQuickItem('smoke');
  await s.pickQuickItem('Input and output');
  await s.poll('the "already in" notification', async () => ((await s.notifications()).some((n) => /all 2 are already in smoke/i.test(n)) ? true : undefined), 20_000, async () => (await s.notifications()).join(' | '));
  assert.equal(readFileSync(file, 'utf8'), text);
});

test('a planted API key shows masked in the Runs view', async () => {
  await s.expandTreeItem('call billing', { viewTitle: 'Runs' });
  const item = await s.waitForTreeItem('POST /charge', { viewTitle: 'Runs' });
  await s.screenshot('04-masked-error');
  assert.match(item.description, /401 for key ‹redacted: api key›/);
  assert.doesNotMatch(item.description, /sk-proj/);
});

test('a record in the Datasets view opens the span it came from in the waterfall', async () => {
  await s.expandTreeItem('smoke', { viewTitle: 'Datasets' });
  const record = await s.waitForTreeItem('ask refunds', { viewTitle: 'Datasets' });
  assert.match(record.description, /refunds.*‹redacted: api key›/, 'the record reads as its input, masked');
  await record.locator.click();
  const frame = await s.webviewFrame(async (f) => /ask refunds/.test((await f.textContent('.run-header h1').catch(() => null)) ?? ''), 30_000);
  await frame.waitForSelector(`.row[data-span-id="${'1'.repeat(16)}"][aria-selected="true"]`, { timeout: 15_000 });
  await frame.waitForSelector('.details h2:text("ask refunds")');
  await s.screenshot('05-record-opens-span');
});

test('Check for Secrets lists the spans holding the key and where; picking one opens it', async () => {
  await waterfallOf(/ask refunds/);
  await s.runCommand('Trace Run: Check for Secrets');
  const rows = await s.poll('the secrets found', async () => {
    const r = await s.quickInputRows();
    return r.length >= 3 ? r : undefined;
  }, 30_000, async () => `Quick pick shows: ${(await s.quickInputRows()).map((r) => r.label).join(', ')} | ${(await s.notifications()).join(' | ')}`);
  await s.screenshot('06-check-for-secrets');
  const line = (r: { label: string; description: string }) => `${r.label} ${r.description}`;
  assert.ok(rows.some((r) => /ask refunds/.test(r.label) && /api key/.test(r.description) && /input\.value/.test(r.description)), rows.map(line).join(' | '));
  assert.ok(rows.some((r) => /POST \/charge/.test(r.label) && /api key/.test(r.description)), rows.map(line).join(' | '));
  assert.ok(rows.every((r) => !r.label.includes(KEY) && !r.description.includes(KEY)), 'nothing shown unmasked');
  await s.pickQuickItem(/POST \/charge/);
  const frame = await s.webviewFrame(async (f) => /call billing/.test((await f.textContent('.run-header h1').catch(() => null)) ?? ''), 30_000);
  await frame.waitForSelector(`.row[data-span-id="${'4'.repeat(16)}"][aria-selected="true"]`, { timeout: 15_000 });
});

test('a span name holding a key is masked in the waterfall and in what Go to Source says; Reveal shows it as recorded', async () => {
  const frame = await s.webviewFrame(async (f) => /call billing/.test((await f.textContent('.run-header h1').catch(() => null)) ?? ''), 30_000);
  const row = `.row[data-span-id="${'5'.repeat(16)}"]`;
  await frame.waitForSelector(row);
  assert.equal((await frame.textContent(`${row} .span-name`))?.trim(), 'GET /v1/balance?key=‹redacted: api key›');
  await frame.click(`${row} .span-name`);
  await frame.waitForSelector('.details .secrets-masked');
  assert.ok(!((await frame.textContent('body')) ?? '').includes(KEY), 'the key is nowhere in the waterfall, its details included');
  assert.equal((await frame.textContent('.details h2'))?.trim(), 'GET /v1/balance?key=‹redacted: api key›');
  await s.parkMouse();
  await s.screenshot('07-name-masked');
  // Go to Source finds nothing for it, and says so: its name quoted masked.
  await s.clickTreeItemAction('GET /v1/balance?key=‹redacted: api key›', 'Go to Source', { viewTitle: 'Runs' });
  const said = await s.poll('the no-source notification', async () => (await s.notifications()).find((n) => /No source found for span "GET \/v1\/balance/.test(n)), 15_000, async () => (await s.notifications()).join(' | '));
  assert.match(said, /No source found for span "GET \/v1\/balance\?key=‹redacted: api key›"/);
  assert.ok(!said.includes(KEY));
  await frame.click('.details .secrets-masked vscode-button:text("Reveal")');
  await frame.waitForSelector(`${row} .span-name:text("GET /v1/balance?key=${KEY}")`, { timeout: 10_000 });
  assert.equal((await frame.textContent('.details h2'))?.trim(), `GET /v1/balance?key=${KEY}`);
  await s.screenshot('08-name-revealed');
});

test('the dataset files are not read as traces', async () => {
  const text = await s.viewText('Runs');
  assert.doesNotMatch(text, /unreadable/);
});

test('every span of one name in a run goes to a new dataset, its output kept as expected; a span selected alone is added too', async () => {
  const run = await s.waitForTreeItem('support_agent', { viewTitle: 'Runs' });
  await run.locator.click();
  await s.poll('the run alone selected', async () => {
    const selected = (await s.treeItems('Runs')).filter((i) => i.selected);
    return selected.length === 1 && selected[0].label === 'support_agent' ? true : undefined;
  }, 5_000);
  await waterfallOf(/support_agent/);
  await s.runCommand('Trace Run: Add to Dataset…');
  await s.pickQuickItem('Every span named ChatOpenAI');
  await s.pickQuickItem(/New dataset/);
  const input = s.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill('llm-calls');
  await input.press('Enter');
  await s.pickQuickItem('Input and output, output kept as expected');
  await s.poll('the "1 added" notification', async () => ((await s.notifications()).some((n) => n.startsWith('1 added to llm-calls')) ? true : undefined), 20_000, async () => (await s.notifications()).join(' | '));
  const [record, ...more] = readFileSync(join(workspace, '.tracerun', 'datasets', 'llm-calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(more.length, 0);
  assert.equal(record.metadata.name, 'ChatOpenAI');
  assert.equal(record.metadata.kind, 'llm');
  assert.equal(record.metadata.model, 'gpt-4o-mini');
  assert.match(JSON.stringify(record.input), /What is the refund window\?/);
  assert.deepEqual(record.expected, record.output);
  assert.match(JSON.stringify(record.output), /30 days\./);

  // One span, selected in the tree: straight to the dataset.
  const tool = await s.waitForTreeItem('lookup_order', { viewTitle: 'Runs' });
  await tool.locator.click();
  await s.poll('the span alone selected', async () => {
    const selected = (await s.treeItems('Runs')).filter((i) => i.selected);
    return selected.length === 1 && selected[0].label === 'lookup_order' ? true : undefined;
  }, 5_000);
  await waterfallOf(/support_agent/);
  await s.runCommand('Trace Run: Add to Dataset…');
  await s.pickQuickItem('llm-calls');
  await s.pickQuickItem('Input and output');
  const names = await s.poll(
    'the span appended',
    async () => {
      const lines = readFileSync(join(workspace, '.tracerun', 'datasets', 'llm-calls.jsonl'), 'utf8').trim().split('\n');
      return lines.length === 2 ? lines.map((l) => JSON.parse(l).metadata.name) : undefined;
    },
    20_000,
    async () => (await s.notifications()).join(' | '),
  );
  assert.deepEqual(names, ['ChatOpenAI', 'lookup_order']);
  // Counted at once, while the notification is still open.
  await s.poll('llm-calls with 2 records', async () => ((await s.treeItems('Datasets')).find((i) => i.label === 'llm-calls' && /2 records/.test(i.description)) ? true : undefined), 10_000, async () => JSON.stringify((await s.treeItems('Datasets')).map((i) => [i.label, i.description])));
  await s.screenshot('09-every-span-named');
});

test('a run named with a key: masked where the run name is picked from (Filter Runs…, Compare with…) and in the filter shown', async () => {
  await s.waitForTreeItem('sync ‹redacted: api key›', { viewTitle: 'Runs' });
  await waterfallOf(/support_agent/);
  await s.runCommand('Trace Run: Filter Runs…');
  await s.pickQuickItem(/Run name/);
  const names = await s.poll('the run names', async () => {
    const rows = await s.quickInputRows();
    return rows.some((r) => r.label.startsWith('sync')) ? rows : undefined;
  }, 10_000);
  assert.ok(names.some((r) => r.label === 'sync ‹redacted: api key›'), names.map((r) => r.label).join(' | '));
  assert.ok(names.every((r) => !r.label.includes(KEY)));
  await s.pickQuickItem('sync ‹redacted: api key›');
  const message = await s.poll('the filter in the view message', async () => {
    const text = await s.viewText('Runs');
    return text.includes('Filtered:') ? text : undefined;
  }, 10_000, () => s.viewText('Runs'));
  assert.match(message, /Filtered: .*sync ‹redacted: api key›/);
  assert.ok(!message.includes(KEY));
  await s.screenshot('10-filter-masked');
  await s.runCommand('Trace Run: Clear Runs Filter');
  await s.poll('the filter cleared', async () => (!(await s.viewText('Runs')).includes('Filtered:') ? true : undefined), 10_000);

  const other = await s.waitForTreeItem('ask refunds', { viewTitle: 'Runs' });
  await other.locator.click();
  await waterfallOf(/ask refunds/);
  await s.runCommand('Trace Run: Compare with…');
  const runs = await s.poll('the runs to compare with', async () => {
    const rows = await s.quickInputRows();
    return rows.some((r) => r.label.includes('sync')) ? rows : undefined;
  }, 10_000);
  assert.ok(runs.some((r) => r.label.includes('sync ‹redacted: api key›')), runs.map((r) => r.label).join(' | '));
  assert.ok(runs.every((r) => !r.label.includes(KEY)));
  await s.page.keyboard.press('Escape');
});

test('a quick pick opened while a waterfall loads, and while it updates live, stays open', async () => {
  // A run of its own, so its waterfall is new: its page loads after the palette is open.
  const traceId = '7'.repeat(32);
  const span = (n: number, start = 5000 + 10 * n): TestSpan => ({ traceId, spanId: n === 0 ? '7'.repeat(16) : n.toString(16).padStart(16, '0'), ...(n > 0 && { parentSpanId: '7'.repeat(16) }), name: n === 0 ? 'ask returns' : `step ${n}`, start: at(start), end: at(9000) });
  const file = join(workspace, '.tracerun', 'live.jsonl');
  writeFileSync(file, otlpLine(Array.from({ length: 300 }, (_, n) => span(n))));
  const item = await s.waitForTreeItem('ask returns', { viewTitle: 'Runs', timeout: 20_000 });
  await item.locator.click();
  // At once, before the waterfall's page is ready.
  await s.page.keyboard.press('F1');
  const palette = s.page.locator('.quick-input-widget');
  const input = palette.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.pressSequentially('Trace Run');
  const frame = await s.webviewFrame(async (f) => /ask returns/.test((await f.textContent('.run-header h1').catch(() => null)) ?? '') && (await f.$('.row')) !== null, 30_000);
  // What focus the page or VS Code would take on load comes a moment after it.
  await s.page.waitForTimeout(1500);
  assert.ok(await palette.isVisible(), 'the palette is still open after the waterfall loaded');
  assert.equal(await input.inputValue(), '>Trace Run');
  // A live update: a span more, drawn while the palette stays open.
  // It starts first among the steps, so its row is drawn at the top.
  appendFileSync(file, otlpLine([span(300, 5001)]));
  await frame.waitForSelector('.row .span-name:text("step 300")', { timeout: 20_000 });
  await s.page.waitForTimeout(1000);
  assert.ok(await palette.isVisible(), 'the palette is still open after a live update');
  await s.screenshot('11-palette-open-over-waterfall');
  await s.page.keyboard.press('Escape');
  // Brought forward by the user once shown, it takes the keyboard: its rows have the focus.
  await (await s.waitForTreeItem('ask returns', { viewTitle: 'Runs' })).locator.click();
  await s.poll('the rows focused', async () => (await frame.evaluate(() => { const doc = (globalThis as any).document; return doc.hasFocus() && doc.activeElement?.classList.contains("rows-viewport"); })) || undefined, 10_000);
});
