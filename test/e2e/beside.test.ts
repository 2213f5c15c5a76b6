// Beside the code (issue 10), in code-server with its built-in TypeScript: Go to Source finds a
// span's function with no code.* attributes, through its stack trace and through the workspace
// symbols; a function's lens counts the spans from two lines of its body and the failed tool
// span its stack trace places there; a hover on its name lists its last calls.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { attr, otlpLine, type TestSpan } from '../unit/otlpBuilder';
import { launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');

const ORDERS_TS = [
  "// Orders: where the agent's tools look things up.",
  'export interface Order { id: string; status: string }',
  'const orders = new Map<string, Order>();',
  '',
  'export function lookupOrder(id: string): Order {',
  '  const order = orders.get(id);',
  '  if (!order) throw new Error(`order ${id} not found`);',
  '  const copy = { ...order };',
  '  return copy;',
  '}',
  '',
  'export function cancelOrder(id: string): void {',
  '  orders.delete(id);',
  '}',
  '',
].join('\n');

const AGENT_TS = [
  "import { lookupOrder } from './orders';",
  '',
  'export function classifyQuestion(question: string): string {',
  "  return question.includes('order') ? 'order' : 'other';",
  '}',
  '',
  'export function answer(question: string): string {',
  "  return classifyQuestion(question) === 'order' ? lookupOrder('42').status : 'no idea';",
  '}',
  '',
  'export class Desk {',
  '  cancelOrder(id: string): void {',
  '    console.log(id);',
  '  }',
  '}',
  '',
].join('\n');

const now = BigInt(Date.now()) * 1_000_000n;
const at = (ms: number) => now + BigInt(ms) * 1_000_000n;
const RUN = '33333333333333333333333333333333';
// A key someone pasted into a tool's input: masked in the lens's list and the hover too.
const KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv';
const id = (n: number) => `300000000000000${n}`;
// A Node stack recorded in a container: /build/app is this workspace.
const STACK = [
  'Error: order 42 not found',
  '    at lookupOrder (/build/app/src/orders.ts:7:23)',
  '    at answer (/build/app/src/agent.ts:8:60)',
  '    at Object.<anonymous> (/build/app/node_modules/runner/index.js:3:1)',
].join('\n');
const spans: TestSpan[] = [
  { traceId: RUN, spanId: id(1), name: 'support_agent.run', start: at(0), end: at(900), attributes: { 'code.filepath': 'src/agent.ts', 'code.lineno': 8, 'code.function': 'answer' } },
  { traceId: RUN, spanId: id(2), parentSpanId: id(1), name: 'lookup cached', start: at(10), end: at(110), attributes: { 'code.filepath': '/build/app/src/orders.ts', 'code.lineno': 6, 'code.function': 'lookupOrder', 'input.value': '{"id": "42"}', 'output.value': 'status shipped' } },
  { traceId: RUN, spanId: id(3), parentSpanId: id(1), name: 'lookup copy', start: at(200), end: at(500), attributes: { 'code.filepath': 'src/orders.ts', 'code.lineno': 9, 'input.value': `copy order 42 with key ${KEY}` } },
  {
    traceId: RUN,
    spanId: id(4),
    parentSpanId: id(1),
    name: 'execute_tool lookup',
    start: at(600),
    end: at(650),
    status: { code: 2, message: 'order 42 not found' },
    events: [{ name: 'exception', timeUnixNano: String(at(640)), attributes: [attr('exception.type', 'Error'), attr('exception.message', 'order 42 not found'), attr('exception.stacktrace', STACK)] }],
  },
  { traceId: RUN, spanId: id(5), parentSpanId: id(1), name: 'execute_tool classifyQuestion', start: at(700), end: at(720) },
  // Two symbols answer to this name: a function in orders.ts and a method in agent.ts.
  { traceId: RUN, spanId: id(6), parentSpanId: id(1), name: 'execute_tool cancelOrder', start: at(730), end: at(740) },
];

let s: Session;
let workspace: string;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-beside-'));
  mkdirSync(join(workspace, 'src'));
  writeFileSync(join(workspace, 'src', 'orders.ts'), ORDERS_TS);
  writeFileSync(join(workspace, 'src', 'agent.ts'), AGENT_TS);
  writeFileSync(join(workspace, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'es2020', module: 'commonjs' }, include: ['src'] }));
  mkdirSync(join(workspace, '.tracerun'));
  writeFileSync(join(workspace, '.tracerun', 'traces.jsonl'), otlpLine(spans));
  s = await launchVSCode({ vsixPath: VSIX, workspaceDir: workspace, name: 'beside' });
  await s.openViewContainer('Trace Run');
  await s.expandTreeItem('support_agent.run', { viewTitle: 'Runs', timeout: 30_000 });
});

after(async () => {
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

test('Go to Source on a span without code.* lands on its function through the stack trace (container path, node_modules skipped)', async () => {
  await s.clickTreeItemAction(/^execute_tool lookup$/, 'Go to Source', { viewTitle: 'Runs' });
  const editor = await s.waitForActiveEditor({ path: 'src/orders.ts', line: 7 }, 15_000);
  assert.equal(editor.title, 'orders.ts');
});

test('Go to Source on a span with neither code.* nor a stack finds the function its name names among the workspace symbols', async () => {
  // TypeScript's server starts with the file just opened; until it answers, the chain finds nothing and says so.
  await s.poll(
    'Go to Source to reach classifyQuestion through the TypeScript symbols',
    async () => {
      await s.clickTreeItemAction(/^execute_tool classifyQuestion$/, 'Go to Source', { viewTitle: 'Runs' });
      return s.waitForActiveEditor({ path: 'src/agent.ts', line: 3 }, 5_000).catch(() => undefined);
    },
    90_000,
    async () => `notifications: ${JSON.stringify(await s.notifications())}; editor: ${JSON.stringify(await s.activeEditorInfo())}`,
  );
  await s.screenshot('01-symbol-source');
});

test('the lens over lookupOrder counts the spans of two lines of its body and the failed one its stack places there; a click lists them newest first', async () => {
  await s.clickTreeItemAction(/^lookup copy$/, 'Go to Source', { viewTitle: 'Runs' });
  await s.waitForActiveEditor({ path: 'src/orders.ts', line: 9 });
  // lookup cached (line 6, 100ms), lookup copy (line 9, 300ms) and execute_tool lookup (50ms,
  // failed; no code.*, its exception's stack fails at line 7): as Go to Source finds each.
  const lens = s.page.locator('.monaco-editor .codelens-decoration').filter({ hasText: /3 spans/ }).first();
  await lens.waitFor({ timeout: 60_000 });
  assert.match((await lens.textContent()) ?? '', /3 spans · p50 100ms · 1 failed/);
  // One lens for the function, none left for its two lines (100ms and 300ms).
  const lensTexts = await s.page.locator('.monaco-editor .codelens-decoration').allTextContents();
  assert.ok(!lensTexts.some((t) => /1 span · p50 (100|300)ms/.test(t)), JSON.stringify(lensTexts));
  await s.screenshot('02-function-lens');
  const html = await lens.evaluate((e: { outerHTML: string }) => e.outerHTML);
  // A lens VS Code kept from before shows without its command until the provider answers.
  await lens.locator('a').first().click({ timeout: 30_000 }).catch((err: Error) => {
    throw new Error(`${err.message}\nlens: ${html}`);
  });
  const rows = await s.poll('the spans of lookupOrder', async () => ((await s.quickInputRows()).length === 3 ? s.quickInputRows() : undefined), 10_000);
  assert.deepEqual(rows.map((r) => r.label.trim()), ['execute_tool lookup', 'lookup copy', 'lookup cached']);
  const listed = await s.page.locator('.quick-input-widget .quick-input-list').textContent();
  assert.match(listed ?? '', /input: copy order 42 with key ‹redacted: api key›/, 'the input shows, its key masked');
  assert.ok(!(listed ?? '').includes(KEY));
  await s.page.keyboard.press('Escape');
});

test('a span’s tooltip in the Runs view shows its recorded container path where it is in the workspace', async () => {
  const cached = await s.waitForTreeItem(/^lookup cached$/, { viewTitle: 'Runs' });
  await cached.locator.hover();
  const tooltip = s.page.locator('.monaco-hover:not(.hidden), .workbench-hover').filter({ hasText: 'lookup cached' }).first();
  await s.poll('the tooltip of lookup cached', async () => ((await tooltip.isVisible().catch(() => false)) ? true : undefined), 15_000, () => s.onScreen());
  const text = (await tooltip.textContent()) ?? '';
  // Recorded as /build/app/src/orders.ts:6. (The tooltip's spaces may be no-break ones: \s.)
  assert.match(text, /\ssrc\/orders\.ts:6\s·\slookupOrder/);
  assert.ok(!text.includes('/build/app'), text);
  await s.screenshot('02b-runs-tooltip');
  await s.page.keyboard.press('Escape');
});

test('a hover on the function’s name lists its last calls with their input and output', async () => {
  await s.page.locator('.monaco-editor .view-lines').first().click();
  await s.page.keyboard.press('Control+g');
  await s.page.keyboard.type('5:20');
  await s.page.keyboard.press('Enter');
  await s.waitForActiveEditor({ path: 'src/orders.ts', line: 5 });
  const hover = s.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: 'Trace Run' }).first();
  await s.poll(
    'the hover of lookupOrder',
    async () => {
      await s.page.keyboard.press('Control+k');
      await s.page.keyboard.press('Control+i');
      return (await hover.isVisible().catch(() => false)) ? true : undefined;
    },
    30_000,
  );
  // The hover's text goes in through appendText, which keeps its spaces as &nbsp;.
  const text = ((await hover.textContent()) ?? '').replace(/\u00a0/g, ' ');
  assert.match(text, /3 spans from lookupOrder/);
  assert.ok(text.indexOf('lookup copy') >= 0 && text.indexOf('lookup copy') < text.indexOf('lookup cached'), `newest first: ${text}`);
  assert.match(text, /in: \{"id": "42"\}/);
  assert.match(text, /out: status shipped/);
  assert.match(text, /in: copy order 42 with key ‹redacted: api key›/);
  assert.ok(!text.includes(KEY), 'no key in the hover');
  await s.screenshot('03-hover');
  await hover.locator('a', { hasText: 'lookup cached' }).first().click();
  const frame = await s.webviewFrame(`.row[data-span-id="${id(2)}"]`, 20_000);
  await frame.waitForSelector('.details h2:text("lookup cached")');
});

test('two symbols of the span’s name and no choice yet: the details say so and their Go to Source asks which', async () => {
  // The hover's link left the waterfall open.
  const frame = await s.webviewFrame(`.row[data-span-id="${id(6)}"]`, 20_000);
  const missing = await s.poll(
    'the details of execute_tool cancelOrder to count its functions',
    async () => {
      await frame.click(`.row[data-span-id="${id(5)}"]`);
      await frame.click(`.row[data-span-id="${id(6)}"]`);
      await frame.waitForSelector('.details h2:text("execute_tool cancelOrder")');
      const text = (await frame.textContent('.details .source-missing').catch(() => null)) ?? '';
      return /2 functions fit/.test(text) ? text : undefined;
    },
    30_000,
    async () => `details: ${await frame.textContent('.details')}`,
  );
  assert.equal(missing, '2 functions fit — Go to Source asks which.');
  await s.parkMouse();
  await s.screenshot('04a-details-two-functions');
  await frame.click('.details vscode-button:text("Go to Source")');
  const rows = await s.poll('the question which cancelOrder', async () => ((await s.quickInputRows()).length === 2 ? s.quickInputRows() : undefined), 20_000);
  assert.ok(rows.every((r) => /^cancelOrder(\(\))?$/.test(r.label)), JSON.stringify(rows));
  // Not answered here: the next step answers it from the Runs view.
  await s.page.keyboard.press('Escape');
});

test('two symbols of the span’s name: a quick pick, best first; the choice is remembered for that span name', async () => {
  await s.clickTreeItemAction(/^execute_tool cancelOrder$/, 'Go to Source', { viewTitle: 'Runs' });
  const rows = await s.poll('the symbols named cancelOrder', async () => ((await s.quickInputRows()).length === 2 ? s.quickInputRows() : undefined), 20_000);
  // TypeScript may write the names with `()`.
  assert.ok(rows.every((r) => /^cancelOrder(\(\))?$/.test(r.label)), JSON.stringify(rows));
  const inOrders = rows.find((r) => /orders\.ts:12/.test(r.ariaLabel));
  assert.ok(inOrders, `a row names src/orders.ts:12: ${JSON.stringify(rows)}`);
  await s.screenshot('04-symbol-choice');
  await s.page.locator(`.quick-input-widget .quick-input-list .monaco-list-row[data-index="${inOrders.index}"]`).click();
  await s.waitForActiveEditor({ path: 'src/orders.ts', line: 12 });
  // Elsewhere, then the same span again: straight to the chosen one.
  await s.clickTreeItemAction(/^execute_tool classifyQuestion$/, 'Go to Source', { viewTitle: 'Runs' });
  await s.waitForActiveEditor({ path: 'src/agent.ts', line: 3 });
  await s.clickTreeItemAction(/^execute_tool cancelOrder$/, 'Go to Source', { viewTitle: 'Runs' });
  // It gets there with no pick made: were it asked again, the quick pick would wait for one.
  await s.waitForActiveEditor({ path: 'src/orders.ts', line: 12 });
  assert.equal(await s.page.locator('.quick-input-widget').isVisible(), false, 'no question the second time');
});

test('Show Spans for Function at Cursor lists the spans of the function the cursor is in, and opens the one picked', async () => {
  // The cancelOrder step left src/orders.ts open: into lookupOrder's body, the line its stack failed at.
  await s.waitForActiveEditor({ path: 'src/orders.ts' });
  await s.page.locator('.monaco-editor .view-lines').first().click();
  await s.page.keyboard.press('Control+g');
  await s.page.keyboard.type('7:5');
  await s.page.keyboard.press('Enter');
  await s.waitForActiveEditor({ path: 'src/orders.ts', line: 7 });
  await s.runCommand('Trace Run: Show Spans for Function at Cursor');
  const rows = await s.poll('the spans of lookupOrder', async () => ((await s.quickInputRows()).length === 3 ? s.quickInputRows() : undefined), 20_000);
  assert.deepEqual(rows.map((r) => r.label.trim()), ['execute_tool lookup', 'lookup copy', 'lookup cached']);
  const title = (await s.page.locator('.quick-input-widget .quick-input-title').textContent()) ?? '';
  assert.match(title, /Spans from lookupOrder/);
  await s.screenshot('05-spans-for-function');
  await s.page.locator('.quick-input-widget .quick-input-list .monaco-list-row[data-index="0"]').click();
  const frame = await s.webviewFrame(`.row[data-span-id="${id(4)}"]`, 20_000);
  await frame.waitForSelector('.details h2:text("execute_tool lookup")');
  await s.screenshot('06-spans-for-function-opened');
});
