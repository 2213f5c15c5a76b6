// Runs you can tell apart, and a run shared: demo-like runs of one agent show the question
// each was asked; the view filters to the failed one and back with one click; runs of one
// chat session group together; a run copied as JSON pastes into an editor, from the Runs
// view's context menu, from the waterfall's header, or from the palette with a waterfall in front.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import { otlpLine, type TestSpan } from '../unit/otlpBuilder';
import { launchVSCode, type Session } from './harness';
import type { Frame } from 'playwright-core';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');

const base = BigInt(Date.now() - 10 * 60_000) * 1_000_000n;
const at = (ms: number): bigint => base + BigInt(ms) * 1_000_000n;

/** A run as the demo's support agent writes it: the question on the root, a chat call, a tool, the answer. */
function supportRun(n: number, question: string, o: { failed?: boolean; session?: string } = {}): TestSpan[] {
  const traceId = String(n).repeat(32).slice(0, 32);
  const root = `${n}`.repeat(16).slice(0, 16);
  const id = (k: number) => `${n}${k}`.padStart(16, '0');
  const t0 = n * 20_000;
  const answer = o.failed ? undefined : `Here is what I found about: ${question}`;
  return [
    {
      traceId,
      spanId: root,
      name: 'support_agent.run',
      start: at(t0),
      end: at(t0 + 1500),
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'input.value': question, ...(answer && { 'output.value': answer }), ...(o.session && { 'session.id': o.session }) },
      status: o.failed ? { code: 2, message: 'lookup_order failed' } : undefined,
    },
    {
      traceId,
      spanId: id(1),
      parentSpanId: root,
      name: 'chat gpt-4o-mini',
      start: at(t0 + 10),
      end: at(t0 + 400),
      kind: 3,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 20,
        'gen_ai.input.messages': JSON.stringify([{ role: 'system', parts: [{ type: 'text', content: 'You are a support agent.' }] }, { role: 'user', parts: [{ type: 'text', content: question }] }]),
      },
    },
    {
      traceId,
      spanId: id(2),
      parentSpanId: root,
      name: 'execute_tool lookup_order',
      start: at(t0 + 410),
      end: at(t0 + 900),
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.arguments': '{"order_id":"A-1042"}', ...(o.failed ? {} : { 'gen_ai.tool.call.result': '{"status":"shipped"}' }) },
      status: o.failed ? { code: 2, message: 'OrdersAPIError: 503 Service Unavailable' } : undefined,
    },
  ];
}

const QUESTIONS = ['Where is my order A-1042?', 'Can I return a kettle after 30 days?', 'Why was I charged twice?', 'Do you ship to Norway?'];
const FAILED = QUESTIONS[2];

let s: Session;
let workspace: string;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-runs-'));
  mkdirSync(join(workspace, '.tracerun'));
  const spans = [
    ...supportRun(1, QUESTIONS[0]),
    ...supportRun(2, QUESTIONS[1]),
    ...supportRun(3, FAILED, { failed: true }),
    ...supportRun(4, QUESTIONS[3]),
    // Two turns of one chat: grouped under their session.
    ...supportRun(5, 'Hi, I need help with a refund', { session: 'chat-7' }),
    ...supportRun(6, 'It was order A-2001', { session: 'chat-7' }),
  ];
  writeFileSync(join(workspace, '.tracerun', 'traces.jsonl'), otlpLine(spans));
  s = await launchVSCode({ vsixPath: VSIX, workspaceDir: workspace, name: 'runs', settings: { 'tracerun.receiver.enabled': false } });
  await s.context?.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
});

after(async () => {
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

const runRows = async () => (await s.treeItems('Runs')).filter((i) => i.label === 'support_agent.run');

test('each run says what it was asked: the question first in its description', async () => {
  await s.openViewContainer('Trace Run');
  for (const q of QUESTIONS) {
    await s.poll(`a run described by "${q}"`, async () => (await runRows()).find((r) => r.description.startsWith(q)), 20_000, async () => (await runRows()).map((r) => r.description).join('\n'));
  }
  const failed = (await runRows()).find((r) => r.description.startsWith(FAILED))!;
  assert.match(failed.description, /1\.50s · 3 spans · 140 tok · 2 errors/);
  const session = await s.waitForTreeItem('Session chat-7', { viewTitle: 'Runs' });
  assert.match(session.description, /^2 runs/);
  await s.expandTreeItem('Session chat-7', { viewTitle: 'Runs' });
  const inSession = async () => (await s.treeItems('Runs')).filter((i) => i.level === 2 && i.label === 'support_agent.run').map((i) => i.description);
  await s.poll(
    "the session's runs, oldest first",
    async () => {
      const d = await inSession();
      return d.length === 2 && d[0].startsWith('Hi, I need help with a refund') && d[1].startsWith('It was order A-2001') ? true : undefined;
    },
    15_000,
    async () => (await inSession()).join(' | '),
  );
  await s.screenshot('01-runs-with-questions');
});

test('filter to errors from the title bar, shown in the view message; one click clears it', async () => {
  await s.runCommand('Trace Run: Filter Runs…');
  await s.pickQuickItem(/Errors only/);
  await s.poll('only the failed run', async () => {
    const rows = await runRows();
    return rows.length === 1 && rows[0].description.startsWith(FAILED) ? rows : undefined;
  }, 15_000, async () => (await runRows()).map((r) => r.description).join('\n'));
  const message = await s.poll('the filter in the view message', async () => {
    const text = await s.viewText('Runs');
    return text.includes('Filtered: errors only') ? text : undefined;
  }, 10_000, () => s.viewText('Runs'));
  assert.match(message, /1 of 6 runs/);
  await s.screenshot('02-errors-only');

  const clear = s.page.locator('.part.sidebar .action-label[aria-label="Clear Runs Filter"]').locator('visible=true');
  await clear.first().click({ timeout: 10_000 });
  await s.poll('every run back', async () => ((await runRows()).length >= 4 ? true : undefined), 15_000);
  assert.doesNotMatch(await s.viewText('Runs'), /Filtered/);
});

test('copy a run as JSON from its context menu and paste it into an editor', async () => {
  const row = (await runRows()).find((r) => r.description.startsWith(FAILED))!;
  await row.locator.click({ button: 'right' });
  const item = s.page.locator('.context-view .monaco-menu .action-item').filter({ hasText: 'Copy Run as JSON' });
  // Menu items run on a real press: hover it, then Enter, as the menu's keyboard users do.
  await item.first().hover({ timeout: 10_000 });
  await s.page.keyboard.press('Enter');
  await s.poll('the copied notice', async () => (await s.notifications()).find((n) => n.startsWith('Copied run "support_agent.run" as JSON')), 15_000, async () => (await s.notifications()).join('\n'));

  const pasted = await s.pasteIntoNewEditor('the run pasted into the editor', (text) => text.includes('"traceId"'));
  assert.match(pasted.replace(/\u00a0/g, ' '), /"name": "support_agent\.run"/);
  // The whole document, as pasted: from the clipboard the editor read.
  const doc = JSON.parse(await s.page.evaluate(() => (globalThis as any).navigator.clipboard.readText())) as { spans: { input: string; children: { name: string; error?: string; messages?: { role: string; content?: string }[] }[] }[] };
  assert.equal(doc.spans[0].input, FAILED);
  const tool = doc.spans[0].children.find((c) => c.name === 'execute_tool lookup_order');
  assert.equal(tool?.error, 'OrdersAPIError: 503 Service Unavailable');
  const chat = doc.spans[0].children.find((c) => c.name === 'chat gpt-4o-mini');
  assert.deepEqual(chat?.messages?.map((m) => m.role), ['system', 'user']);
  await s.screenshot('03-run-json-pasted');
});

/** The run the clipboard holds, once a copy put one there (it is emptied before each copy). */
async function copiedRun(): Promise<{ traceId: string; spans: { input: string }[] }> {
  return s.poll('a run on the clipboard', async () => {
    const text = await s.page.evaluate(() => (globalThis as any).navigator.clipboard.readText() as Promise<string>);
    return text.includes('"traceId"') ? JSON.parse(text) : undefined;
  }, 15_000);
}

const clearClipboard = () => s.page.evaluate(() => (globalThis as any).navigator.clipboard.writeText(''));

/** Opens a run's waterfall as a user does, by clicking its row; the waterfall's frame once it shows that run. */
async function openRunWaterfall(question: string, traceId: string): Promise<Frame> {
  const row = (await runRows()).find((r) => r.description.startsWith(question))!;
  await row.locator.click();
  return s.webviewFrame(async (f) => ((await f.textContent('.run-header').catch(() => null)) ?? '').includes(traceId), 30_000);
}

test("copy a run as JSON from the waterfall's header and paste it into an editor", async () => {
  const traceId = '1'.repeat(32);
  const frame = await openRunWaterfall(QUESTIONS[0], traceId);
  await frame.waitForSelector('.run-header .header-actions button[title="Copy Run as JSON"]');
  await s.parkMouse();
  await s.screenshot('04-waterfall-header-share');
  await clearClipboard();
  await frame.click('.run-header .header-actions button[title="Copy Run as JSON"]');
  const doc = await copiedRun();
  assert.equal(doc.traceId, traceId, "the waterfall's run");
  assert.equal(doc.spans[0].input, QUESTIONS[0]);

  await s.pasteIntoNewEditor('the question pasted into the editor', (text) => text.includes(`"input": "${QUESTIONS[0]}"`));
  await s.screenshot('05-header-json-pasted');
});

test('Copy Run as JSON from the palette copies the run of the waterfall in front, not the one selected in the Runs view', async () => {
  // The second run's row is clicked last: the Runs view's selection is it...
  await openRunWaterfall(QUESTIONS[1], '2'.repeat(32));
  // ...while the first run's waterfall (opened before, left of it) is brought to the front.
  await s.page.locator('.editor-group-container.active .tabs-container .tab', { hasText: 'Waterfall: support_agent.run' }).first().click();
  await s.webviewFrame(async (f) => ((await f.textContent('.run-header').catch(() => null)) ?? '').includes('1'.repeat(32)), 15_000);
  await clearClipboard();
  await s.runCommand('Trace Run: Copy Run as JSON');
  const doc = await copiedRun();
  assert.equal(doc.traceId, '1'.repeat(32), "the focused waterfall's run");
  assert.equal(doc.spans[0].input, QUESTIONS[0]);
});

test("Save Run As… from the waterfall's header writes the run as one OTLP line where the user chooses", async () => {
  const traceId = '4'.repeat(32);
  const frame = await openRunWaterfall(QUESTIONS[3], traceId);
  await frame.click('.run-header .header-actions button[title="Save Run As… (OTLP JSON)"]');
  // code-server's save dialog is a path in the quick input; the run's file name is offered in the workspace.
  const input = s.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  const target = join(workspace, 'shared', 'run-4.otlp.jsonl');
  mkdirSync(join(workspace, 'shared'), { recursive: true });
  await s.poll('the offered file name', async () => ((await input.inputValue()).endsWith('-44444444.otlp.jsonl') ? true : undefined), 10_000, () => input.inputValue());
  await input.fill(target);
  // The dialog checks a typed path before it takes it: OK is pressed once it has settled.
  await s.page.waitForTimeout(500);
  await s.page.locator('.quick-input-widget').getByRole('button', { name: 'OK' }).click();
  await s.poll('the saved notice', async () => (await s.notifications()).find((n) => n.startsWith('Saved run "support_agent.run" to run-4.otlp.jsonl')), 15_000, async () => (await s.notifications()).join('\n'));
  assert.ok(existsSync(target));
  assert.equal(readFileSync(target, 'utf8').split('\n').length, 2, 'one line');
  const back = await readTraceFiles([target]);
  assert.deepEqual(back.problems, []);
  assert.equal(back.store.trace(traceId)?.spanCount, 3);
  await s.screenshot('06-header-saved');
});
