// Replay a recorded model call: from the chat span's context menu, edit the system prompt in
// the replay document, Run with Ctrl+Enter against a loopback fake OpenAI-compatible API the
// test starts, see the streamed answer beside the recorded one, and the replay run in the
// Runs view; a 401 and a 429 show their messages; Run Replay N Times… shows N answers and how
// many agree; an Anthropic span goes to the same fake's Messages API; the lens over the line
// that made the calls lists them with a Replay… button on each model call.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { FakeStreamingModelApi } from '../integration/fakeStreamingModelApi';
import { otlpLine, type TestSpan } from '../unit/otlpBuilder';
import { launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');
const base = BigInt(Date.now() - 10 * 60_000) * 1_000_000n;
const at = (ms: number): bigint => base + BigInt(ms) * 1_000_000n;
const TRACE = 'ab'.repeat(16);

// Every span of the run was made by one line of the app: its lens lists them.
const AGENT_PY = ['from llm import chat', '', 'answer = chat(question)', ''].join('\n');
const CALLED_AT = { 'code.filepath': 'src/agent.py', 'code.lineno': 3 };

const spans: TestSpan[] = [
  { traceId: TRACE, spanId: '1'.repeat(16), name: 'support_agent.run', start: at(0), end: at(1500), attributes: { 'gen_ai.operation.name': 'invoke_agent', ...CALLED_AT } },
  {
    traceId: TRACE,
    spanId: '2'.repeat(16),
    parentSpanId: '1'.repeat(16),
    name: 'chat gpt-4o-mini',
    kind: 3,
    start: at(10),
    end: at(810),
    attributes: {
      'gen_ai.operation.name': 'chat',
      ...CALLED_AT,
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.usage.input_tokens': 40,
      'gen_ai.usage.output_tokens': 9,
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Answer the customer kindly.' }]),
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is my order #A1042?' }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Let me look that up for you.' }] }]),
    },
  },
  {
    traceId: TRACE,
    spanId: '3'.repeat(16),
    parentSpanId: '1'.repeat(16),
    name: 'chat claude-3-5-haiku',
    kind: 3,
    start: at(900),
    end: at(1400),
    attributes: {
      'gen_ai.operation.name': 'chat',
      ...CALLED_AT,
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-3-5-haiku',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.usage.input_tokens': 30,
      'gen_ai.usage.output_tokens': 2,
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Classify the ticket.' }]),
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'My parcel arrived damaged' }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'shipping' }] }]),
    },
  },
];

let s: Session;
let workspace: string;
let fake: FakeStreamingModelApi;

before(async () => {
  fake = new FakeStreamingModelApi();
  await fake.start();
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-replay-'));
  mkdirSync(join(workspace, '.tracerun'));
  writeFileSync(join(workspace, '.tracerun', 'traces.jsonl'), otlpLine(spans, 'support-agent'));
  mkdirSync(join(workspace, 'src'));
  writeFileSync(join(workspace, 'src', 'agent.py'), AGENT_PY);
  s = await launchVSCode({
    vsixPath: VSIX,
    workspaceDir: workspace,
    name: 'replay',
    settings: { 'tracerun.receiver.enabled': false, 'tracerun.replay.openaiBaseUrl': `${fake.url}/v1`, 'tracerun.replay.anthropicBaseUrl': fake.url },
  });
});

after(async () => {
  await s?.close();
  fake?.dispose();
  rmSync(workspace, { recursive: true, force: true });
});

/** The text of the active group's editor (several groups are open by the later steps). */
const editorText = () =>
  s.page.evaluate(() => String((globalThis as any).document.querySelector('.editor-group-container.active .editor-instance .monaco-editor .view-lines')?.innerText ?? '').replace(/\u00a0/g, ' '));
/** Both sides of the diff editor (side by side or inline, as the width decides). */
const diffText = () =>
  s.page.evaluate(() =>
    [...(globalThis as any).document.querySelectorAll('.monaco-diff-editor .view-lines')].map((e: any) => String(e.innerText)).join('\n').replace(/\u00a0/g, ' '),
  );

/**
 * Replay… from a span's context menu in the Runs view. The view redraws as the run's spans
 * are indexed (their sources found), which can close the menu before the pick: ask again.
 */
async function replayFromRunsView(name: string, title: RegExp): Promise<void> {
  await s.poll(
    `Replay… on ${name} to open its replay document`,
    async () => {
      const span = await s.waitForTreeItem(name, { viewTitle: 'Runs', timeout: 20_000 });
      await span.locator.click({ button: 'right' });
      const item = s.page.locator('.context-view .monaco-menu .action-item').filter({ hasText: 'Replay…' }).first();
      if (!(await item.hover({ timeout: 5_000 }).then(() => true, () => false))) return undefined;
      await s.page.keyboard.press('Enter');
      return s.waitForActiveEditor({ title }, 5_000).catch(() => undefined);
    },
    30_000,
    async () => `menu: ${JSON.stringify(await s.page.locator('.context-view .monaco-menu .action-item').allTextContents())}; notifications: ${(await s.notifications()).join(' | ')}`,
  );
}

test('Replay… on the chat span, edit the system prompt, Run: the streamed answer beside the recorded one, and a replay run', async () => {
  await s.openViewContainer('Trace Run');
  await s.expandTreeItem('support_agent.run', { viewTitle: 'Runs', timeout: 20_000 });
  await replayFromRunsView('chat gpt-4o-mini', /^chat_gpt-4o-mini-2{16}\.tracerun-replay\.json$/);
  const opened = await s.poll('the request in the replay document', async () => {
    const t = await editorText();
    return t.includes('Answer the customer kindly.') ? t : undefined;
  }, 15_000, editorText);
  assert.match(opened, /"provider": "openai"/);
  assert.match(opened, /"baseUrl": "http:\/\/127\.0\.0\.1:\d+\/v1"/);
  await s.screenshot('01-replay-document');

  // Edit the system prompt as a user would: find it (Escape leaves the match selected), type over it.
  await s.page.locator('.editor-group-container.active .editor-instance .monaco-editor textarea').first().focus();
  await s.page.keyboard.press('Control+F');
  await s.page.keyboard.type('Answer the customer kindly.');
  await s.page.keyboard.press('Enter');
  await s.page.keyboard.press('Escape');
  await s.page.keyboard.type('Classify the ticket.');
  await s.poll('the edit', async () => ((await editorText()).includes('Classify the ticket.') ? true : undefined), 10_000, editorText);

  const sent = fake.requests.length;
  await s.page.keyboard.press('Control+Enter');
  const answer = await s.poll('the answer beside the recorded one', async () => {
    const text = await diffText();
    return /Replay · gpt-4o-mini at http:\/\/127\.0\.0\.1:\d+\/v1 · \d+ in \/ \d+ out tokens · \d+ ms · first token \d+ ms/.test(text) && /^orders$/m.test(text) ? text : undefined;
  }, 30_000, async () => `${await diffText()} || ${(await s.notifications()).join(' | ')}`);
  assert.match(answer, /Recorded · gpt-4o-mini · 40 in \/ 9 out tokens · 800 ms/);
  assert.match(answer, /Let me look that up for you\./);
  assert.equal(fake.requests.length, sent + 1, 'one request sent');
  const body = fake.requests.at(-1)!.body as { messages: { role: string; content: string }[]; temperature: number };
  assert.deepEqual(body.messages, [
    { role: 'system', content: 'Classify the ticket.' },
    { role: 'user', content: 'Where is my order #A1042?' },
  ]);
  assert.equal(body.temperature, 0.2);
  await s.screenshot('02-replay-diff');

  await s.openViewContainer('Trace Run');
  await s.waitForTreeItem('replay of chat gpt-4o-mini', { viewTitle: 'Runs', timeout: 20_000 });
  await s.screenshot('03-replay-run');
});

test('a 401 and a 429 from the provider show as clear messages', async () => {
  // From the palette, with the diff in front: the replay document beside it is run.
  const run = () => s.runCommand('Trace Run: Run Replay');
  fake.failures.push({ status: 401, message: 'Incorrect API key provided' });
  await run();
  // Said in a notification and in the result pane beside the recorded answer.
  const said = async (pattern: RegExp) => (await s.notifications()).find((n) => pattern.test(n)) ?? (pattern.test(await diffText()) ? 'in the result pane' : undefined);
  await s.poll('the 401 message', () => said(/refused the API key \(401/), 20_000, async () => `${(await s.notifications()).join(' | ')} || ${await diffText()}`);
  fake.failures.push({ status: 429, headers: { 'retry-after': '7' }, message: 'Rate limit reached' });
  await run();
  await s.poll('the 429 message', () => said(/rate limiting \(429: Rate limit reached\): retry after 7 s/), 20_000, async () => `${(await s.notifications()).join(' | ')} || ${await diffText()}`);
  await s.screenshot('04-replay-429');
});

test("Replay… from the waterfall's details of an LLM call opens its replay document", async () => {
  await s.openViewContainer('Trace Run');
  await s.clickTreeItemAction('support_agent.run', 'Open Waterfall', { viewTitle: 'Runs' });
  const frame = await s.webviewFrame(`.row[data-span-id="${'2'.repeat(16)}"]`, 20_000);
  await frame.click(`.row[data-span-id="${'2'.repeat(16)}"]`);
  await frame.waitForSelector('.details h2:text("chat gpt-4o-mini")');
  await frame.click('.details vscode-button:text("Replay…")');
  await s.waitForActiveEditor({ title: /\.tracerun-replay\.json$/ }, 15_000);
  await s.screenshot('05-replay-from-details');
});

test('Run Replay N Times… from the editor title: 3 answers, each under its own rule, and how many agree', async () => {
  // The replay document the waterfall just opened is the active editor: its title bar has the action.
  await s.waitForActiveEditor({ title: /\.tracerun-replay\.json$/ }, 10_000);
  // The steps before left a diff per run and the waterfall in groups side by side: one group, for a readable screen.
  await s.runCommand('View: Join All Editor Groups');
  await s.waitForActiveEditor({ title: /\.tracerun-replay\.json$/ }, 10_000);
  const sent = fake.requests.length;
  await s.page.locator('.editor-group-container.active .title .editor-actions [aria-label^="Run Replay N Times"]').first().click({ timeout: 10_000 });
  const box = s.page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ state: 'visible', timeout: 10_000 });
  await box.fill('21');
  await s.poll('the range check', async () => ((await s.page.locator('.quick-input-widget').innerText()).includes('A whole number from 1 to 20') ? true : undefined), 10_000);
  await box.fill('3');
  await box.press('Enter');
  const shown = await s.poll('three answers and how many agree', async () => {
    const text = await diffText();
    return /^3 of 3 answers agree$/m.test(text) && /━━ answer 3 of 3 · A, as 3 of 3 said/.test(text) ? text : undefined;
  }, 30_000, async () => `${await diffText()} || ${(await s.notifications()).join(' | ')}`);
  assert.match(shown, /━━ answer 1 of 3 · A, as 3 of 3 said · \d+ in \/ 1 out tokens/);
  assert.match(shown, /━━ answer 2 of 3 · A, as 3 of 3 said/);
  assert.equal(fake.requests.length, sent + 3, 'three requests sent');
  await s.screenshot('06-replay-three-times');
});

test('an Anthropic span replays through the Messages API at the Anthropic endpoint setting', async () => {
  await s.openViewContainer('Trace Run');
  await replayFromRunsView('chat claude-3-5-haiku', /^chat_claude-3-5-haiku-3{16}\.tracerun-replay\.json$/);
  const opened = await s.poll('the Anthropic request', async () => {
    const t = await editorText();
    return t.includes('My parcel arrived damaged') ? t : undefined;
  }, 15_000, editorText);
  assert.match(opened, /"provider": "anthropic"/);
  assert.match(opened, /"baseUrl": "http:\/\/127\.0\.0\.1:\d+"/);

  const sent = fake.requests.length;
  await s.page.locator('.editor-group-container.active .editor-instance .monaco-editor textarea').first().focus();
  await s.page.keyboard.press('Control+Enter');
  const answer = await s.poll('the Anthropic answer beside the recorded one', async () => {
    const text = await diffText();
    return /Replay · claude-3-5-haiku at http:\/\/127\.0\.0\.1:\d+ · \d+ in \/ 1 out tokens/.test(text) && /^refunds$/m.test(text) ? text : undefined;
  }, 30_000, async () => `${await diffText()} || ${(await s.notifications()).join(' | ')}`);
  assert.match(answer, /Recorded · claude-3-5-haiku · 30 in \/ 2 out tokens · 500 ms/);
  assert.match(answer, /^shipping$/m);
  assert.equal(fake.requests.length, sent + 1, 'one request sent');
  const request = fake.requests.at(-1)!;
  assert.equal(request.path, '/v1/messages');
  assert.equal(request.body.system, 'Classify the ticket.');
  assert.equal(request.body.max_tokens, 64);
  assert.deepEqual(request.body.messages, [{ role: 'user', content: [{ type: 'text', text: 'My parcel arrived damaged' }] }]);
  await s.screenshot('07-replay-anthropic');
});

test("Replay… from the lens over the line that made the calls: the model calls' rows have the button, the agent's has not", async () => {
  await s.openViewContainer('Trace Run');
  await s.clickTreeItemAction(/^chat claude-3-5-haiku/, 'Go to Source', { viewTitle: 'Runs' });
  await s.waitForActiveEditor({ path: 'src/agent.py', line: 3 }, 15_000);
  const lens = s.page.locator('.editor-group-container.active .monaco-editor .codelens-decoration').filter({ hasText: /3 spans/ }).first();
  await lens.waitFor({ timeout: 60_000 });
  // A lens VS Code kept from before shows without its command until the provider answers.
  await lens.locator('a').first().click({ timeout: 30_000 });
  const rows = await s.poll('the spans of line 3', async () => ((await s.quickInputRows()).length === 3 ? s.quickInputRows() : undefined), 10_000);
  // Newest first.
  assert.deepEqual(rows.map((r) => r.label.trim()), ['chat claude-3-5-haiku', 'chat gpt-4o-mini', 'support_agent.run']);
  const row = (i: number) => s.page.locator(`.quick-input-widget .quick-input-list .monaco-list-row[data-index="${rows[i].index}"]`);
  const buttons = (i: number) => row(i).locator('.quick-input-list-entry-action-bar .action-label');
  assert.equal(await buttons(2).count(), 0, 'the agent span has no Replay… button');
  assert.equal(await buttons(1).count(), 1, 'a model call has one');
  await row(1).hover();
  await s.screenshot('08-lens-list-replay-button');
  await buttons(1).click();
  await s.waitForActiveEditor({ title: /^chat_gpt-4o-mini-2{16}\.tracerun-replay\.json$/ }, 15_000);
  await s.screenshot('09-replay-from-lens');
});

test('a replay document whose baseUrl was deleted is not sent; the message writes the endpoint back into it', async () => {
  // The lens step left this span's replay document active.
  await s.waitForActiveEditor({ title: /^chat_gpt-4o-mini-2{16}\.tracerun-replay\.json$/ }, 10_000);
  await s.page.locator('.editor-group-container.active .editor-instance .monaco-editor textarea').first().focus();
  await s.page.keyboard.press('Control+g');
  await s.page.keyboard.type('4');
  await s.page.keyboard.press('Enter');
  assert.match(await editorText(), /^\s*"baseUrl": "http:\/\/127\.0\.0\.1:\d+\/v1",$/m, 'line 4 is the baseUrl');
  await s.page.keyboard.press('Control+Shift+K');
  await s.poll('the baseUrl line deleted', async () => (!(await editorText()).includes('"baseUrl"') ? true : undefined), 10_000, editorText);

  const sent = fake.requests.length;
  await s.page.keyboard.press('Control+Enter');
  await s.poll('the refusal', async () => (await s.notifications()).find((n) => n.includes('names no "baseUrl", so it was not sent')), 15_000, async () => (await s.notifications()).join(' | '));
  assert.equal(fake.requests.length, sent, 'nothing was sent');
  await s.screenshot('10-no-base-url-refused');
  await s.page.locator('.notifications-toasts .monaco-button', { hasText: 'Add It to the Document' }).first().click();
  const fixed = await s.poll('the endpoint written back', async () => {
    const t = await editorText();
    return /"provider": "openai",\n\s*"baseUrl": "http:\/\/127\.0\.0\.1:\d+\/v1",/.test(t) ? t : undefined;
  }, 10_000, editorText);
  assert.match(fixed, new RegExp(`"baseUrl": "${fake.url.replace(/[.]/g, '\\.')}/v1"`));
  await s.screenshot('11-base-url-written-back');
});
