// Reading one run in the waterfall: a trace that a web front end and an agent back end exported
// to two files joins into one run whose bars can be coloured by service (with a legend), and a
// prompt holding an API key shows masked in the details until Reveal, and a streamed model call's
// bar shows when its first token came.
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
const TRACE = 'd0d0'.repeat(8);
const ROOT = 'd000000000000001';
const AGENT = 'd000000000000002';
const CHAT = 'd000000000000003';
const TOOL = 'd000000000000004';
const KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv';
const base = BigInt(Date.now() - 60_000) * 1_000_000n;
const at = (ms: number): bigint => base + BigInt(ms) * 1_000_000n;

/** The front end's span: the HTTP request the user made. */
const web: TestSpan[] = [{ traceId: TRACE, spanId: ROOT, name: 'POST /api/ask', start: at(0), end: at(3000), kind: 2, attributes: { 'http.request.method': 'POST' } }];

/** The back end's spans, under the front end's: the agent, its (streamed) model call, a tool. */
const agent: TestSpan[] = [
  { traceId: TRACE, spanId: AGENT, parentSpanId: ROOT, name: 'support_agent.run', start: at(50), end: at(2950), attributes: { 'openinference.span.kind': 'AGENT' } },
  {
    traceId: TRACE,
    spanId: CHAT,
    parentSpanId: AGENT,
    name: 'chat gpt-4o',
    start: at(100),
    end: at(1600),
    kind: 3,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 40,
      // Streamed: the first token came 400ms in, the rest streamed for 1.1s.
      'gen_ai.response.time_to_first_chunk': 0.4,
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Why does my key ${KEY} get a 401?` }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'That key was revoked; create a new one.' }] }]),
    },
  },
  { traceId: TRACE, spanId: TOOL, parentSpanId: AGENT, name: 'execute_tool lookup_key', start: at(1700), end: at(2000), attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_key' } },
];

let s: Session;
let workspace: string;
let frame: Frame;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-reading-'));
  mkdirSync(join(workspace, 'traces'));
  writeFileSync(join(workspace, 'traces', 'web.jsonl'), JSON.stringify(requestJson(web, 'web-frontend')) + '\n');
  writeFileSync(join(workspace, 'traces', 'agent.jsonl'), JSON.stringify(requestJson(agent, 'agent-backend')) + '\n');
  s = await launchVSCode({ vsixPath: VSIX, workspaceDir: workspace, name: 'waterfall-reading', settings: { 'tracerun.receiver.enabled': false } });
});

after(async () => {
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

/** The bar colour of a span's row, as drawn. */
async function barColor(spanId: string): Promise<string> {
  return frame.$eval(`.row[data-span-id="${spanId}"] .bar`, (bar) => (globalThis as any).getComputedStyle(bar).backgroundColor as string);
}

test('a run from two services, coloured by service: two colours, and a legend naming both', async () => {
  await s.openViewContainer('Trace Run');
  const run = await s.waitForTreeItem('POST /api/ask', { viewTitle: 'Runs', timeout: 30_000 });
  assert.match(run.description, /4 spans/, 'the two files join into one run');
  await s.clickTreeItemAction('POST /api/ask', 'Open Waterfall', { viewTitle: 'Runs' });
  frame = await s.webviewFrame('.toolbar', 30_000);
  await frame.waitForSelector(`.row[data-span-id="${TOOL}"]`, { timeout: 15_000 });
  assert.match((await frame.textContent('.run-header')) ?? '', /Services agent-backend, web-frontend|Services web-frontend, agent-backend/);

  // By kind (as it opens): the agent and the HTTP request differ by kind, no legend.
  assert.equal(await frame.isHidden('.legend'), true);
  const byKind = [await barColor(ROOT), await barColor(AGENT), await barColor(CHAT)];
  assert.notEqual(byKind[1], byKind[2], 'agent and LLM bars differ by kind');

  await frame.selectOption('.color-by', 'service');
  await frame.waitForSelector('.legend:not([hidden])');
  const [front, back, chat, tool] = [await barColor(ROOT), await barColor(AGENT), await barColor(CHAT), await barColor(TOOL)];
  assert.notEqual(front, back, 'the front end and the back end differ');
  assert.deepEqual([chat, tool], [back, back], 'every back end span has the back end colour, whatever its kind');
  const legend = await frame.$$eval('.legend .legend-item', (items) =>
    items.map((i) => ({ label: i.textContent ?? '', color: (globalThis as any).getComputedStyle(i.querySelector('.legend-swatch')).backgroundColor as string })),
  );
  assert.deepEqual(legend.map((e) => e.label).sort(), ['agent-backend', 'web-frontend']);
  assert.equal(legend.find((e) => e.label === 'web-frontend')?.color, front, 'the legend shows each service in its bars’ colour');
  assert.equal(legend.find((e) => e.label === 'agent-backend')?.color, back);
  assert.match((await frame.getAttribute(`.row[data-span-id="${ROOT}"]`, 'title')) ?? '', /web-frontend/, 'a row’s tooltip names its service');
  await s.parkMouse();
  await s.screenshot('01-colour-by-service');

  // Back to kinds: the legend goes, the kind colours come back.
  await frame.selectOption('.color-by', 'kind');
  await frame.waitForSelector('.legend[hidden]', { state: 'attached' });
  assert.deepEqual([await barColor(ROOT), await barColor(AGENT), await barColor(CHAT)], byKind);
});

test('a prompt holding an API key: masked in the Runs view and in the details; Reveal shows it as recorded', async () => {
  // The run's description starts with what it was asked: the key is masked there too.
  const run = await s.waitForTreeItem('POST /api/ask', { viewTitle: 'Runs' });
  assert.match(run.description, /^Why does my key ‹redacted: api key› get a 401\?/);
  assert.doesNotMatch(run.description, /sk-proj/);

  await frame.click(`.row[data-span-id="${CHAT}"] .span-name`);
  await frame.waitForSelector('.details h2:text("chat gpt-4o")');
  await frame.waitForSelector('.details .secrets-masked');
  const masked = (await frame.textContent('.details')) ?? '';
  assert.match(masked, /Why does my key ‹redacted: api key› get a 401\?/);
  assert.doesNotMatch(masked, /sk-proj/, 'no part of the key is in the details');
  assert.match(masked, /Secrets in these details are masked/);
  await s.parkMouse();
  await s.screenshot('02-details-key-masked');

  await frame.click('.details .secrets-masked vscode-button:text("Reveal")');
  await frame.waitForSelector(`.details :text("${KEY}")`, { timeout: 10_000 });
  const revealed = (await frame.textContent('.details')) ?? '';
  assert.match(revealed, new RegExp(`Why does my key ${KEY} get a 401\\?`));
  assert.equal(await frame.$('.details .secrets-masked'), null, 'the notice goes once revealed');
  await s.screenshot('03-details-key-revealed');
});

test('a streamed LLM call’s bar shows its wait for the first token, then the streaming part', async () => {
  const chat = `.row[data-span-id="${CHAT}"]`;
  const geometry = await frame.$eval(`${chat} .bar`, (bar: any) => {
    const wait = bar.querySelector('.bar-wait');
    const b = bar.getBoundingClientRect();
    const w = wait.getBoundingClientRect();
    const cs = (globalThis as any).getComputedStyle(wait);
    return { hidden: wait.hidden, barWidth: b.width, waitLeft: w.left - b.left, waitWidth: w.width, tick: cs.borderRightWidth, fill: cs.backgroundColor };
  });
  assert.equal(geometry.hidden, false);
  assert.ok(Math.abs(geometry.waitLeft) < 1.5, 'the wait starts where the call does');
  const share = geometry.waitWidth / geometry.barWidth;
  assert.ok(Math.abs(share - 400 / 1500) < 0.02, `the tick sits 400ms into the 1.5s bar: ${share.toFixed(3)} of it`);
  assert.equal(geometry.tick, '2px');
  assert.match((await frame.getAttribute(chat, 'title')) ?? '', /first token after 400ms/);
  assert.match((await frame.getAttribute(chat, 'aria-label')) ?? '', /first token after 400ms/);
  // Other bars have no wait drawn: the tool call and the agent are not model calls.
  assert.equal(await frame.isHidden(`.row[data-span-id="${TOOL}"] .bar-wait`), true);
  assert.equal(await frame.isHidden(`.row[data-span-id="${AGENT}"] .bar-wait`), true);
  // The details say it too.
  assert.match((await frame.textContent('.details')) ?? '', /400ms/);
  await s.parkMouse();
  await s.screenshot('04-time-to-first-token');
});

test('colour by service in a dark and a high contrast theme: still two colours, the legend matching, swatches bordered in high contrast', async () => {
  await frame.selectOption('.color-by', 'service');
  await frame.waitForSelector('.legend:not([hidden])');
  const light = [await barColor(ROOT), await barColor(AGENT)];
  for (const [theme, themeClass] of [
    [/^(Default )?Dark Modern$/, 'vscode-dark'],
    [/^(Default |Dark )?High Contrast$/, 'vscode-high-contrast'],
  ] as const) {
    // As a user picks a theme.
    await s.runCommand('Preferences: Color Theme');
    await s.pickQuickItem(theme);
    await frame.waitForSelector(`body.${themeClass}`, { timeout: 15_000 });
    // The theme's variables reach the page a moment after its class.
    const [front, back] = await s.poll(`bar colours in ${themeClass}`, async () => {
      const now = [await barColor(ROOT), await barColor(AGENT)];
      return now[0] !== light[0] || now[1] !== light[1] ? now : undefined;
    }, 10_000);
    assert.notEqual(front, back, `two services, two colours in ${themeClass}`);
    const swatches = await frame.$$eval('.legend .legend-item', (items) =>
      items.map((i) => {
        const cs = (globalThis as any).getComputedStyle(i.querySelector('.legend-swatch'));
        return { label: i.textContent ?? '', color: cs.backgroundColor as string, border: cs.borderTopWidth as string };
      }),
    );
    assert.equal(swatches.find((e) => e.label === 'web-frontend')?.color, front);
    assert.equal(swatches.find((e) => e.label === 'agent-backend')?.color, back);
    if (themeClass === 'vscode-high-contrast') assert.ok(swatches.every((e) => e.border === '1px'), 'swatches are bordered in the contrast colour');
    await s.parkMouse();
    await s.screenshot(`05-colour-by-service-${themeClass}`);
  }
});
