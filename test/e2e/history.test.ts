// A month of traces (30 daily files, 1,000,000 spans): the Runs view lists the newest runs
// while the older files are still read, a run opens, and a second start takes every file
// from the indexes the first one wrote (the log says so), opening runs without reading them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { ensureHistory } from '../../bench/historyData';
import { launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');
// Generated once per machine (about 540 MB, a few seconds) and reused, like the bench data.
const history = ensureHistory(join(tmpdir(), 'tracerun-e2e-data'));
const userDataDir = mkdtempSync(join(tmpdir(), 'tracerun-e2e-history-user-'));
let s: Session | undefined;

after(async () => {
  await s?.close();
  rmSync(userDataDir, { recursive: true, force: true });
});

async function start(name: string): Promise<Session> {
  return launchVSCode({ vsixPath: VSIX, workspaceDir: history.dir, name, userDataDir, settings: { 'tracerun.receiver.enabled': false } });
}

/** Waits until the log's "read N trace file(s)" line is there, and returns it. */
async function readLine(session: Session): Promise<string> {
  return session.poll('the log line of the first read', async () => session.extensionLog().split('\n').find((l) => /read \d+ trace file\(s\)/.test(l)), 180_000, async () => session.extensionLog().slice(-2000));
}

async function openNewestRun(session: Session, shot: string): Promise<void> {
  await session.clickTreeItemAction('support_agent.run', 'Open Waterfall', { viewTitle: 'Runs' });
  const frame = await session.webviewFrame('.row', 30_000);
  await frame.waitForSelector('.run-header :text("Tokens")');
  assert.match((await frame.textContent('.run-header')) ?? '', /Spans\s*50(?!\d)/);
  assert.ok((await frame.$$('.row')).length >= 20, 'its rows are drawn');
  await session.screenshot(shot);
}

test('first start: the newest runs list while a month of files is read; every file gets its index', async () => {
  s = await start('history-first');
  await s.openViewContainer('Trace Run');
  const newest = await s.waitForTreeItem('support_agent.run', { viewTitle: 'Runs', timeout: 60_000 });
  assert.match(newest.description, /50 spans/);
  await s.screenshot('01-newest-runs');
  const line = await readLine(s);
  assert.match(line, /read 30 trace file\(s\), 20,?010 run\(s\) in \d+ ms \(0 from their index, 30 indexed now\)/);
  await openNewestRun(s, '02-waterfall');
  await s.close();
  s = undefined;
});

test('second start: every file from its index (the log says so); a run not in memory opens', async () => {
  s = await start('history-second');
  await s.openViewContainer('Trace Run');
  await s.waitForTreeItem('support_agent.run', { viewTitle: 'Runs', timeout: 60_000 });
  const line = await readLine(s);
  assert.match(line, /\(30 from their index, 0 indexed now\)/);
  const ms = Number(/run\(s\) in (\d+) ms/.exec(line)?.[1]);
  assert.ok(ms < 30_000, `listed from the indexes in ${ms} ms`);
  // The list pages through all 20,010 runs.
  const tree = s.page.locator('.pane-body .monaco-list').first();
  await tree.focus();
  await s.page.keyboard.press('End');
  // The count is the whole history's once every file is in (a moment after the log line).
  const session = s;
  await session.poll('the Show more item counting every run', async () => {
    await session.page.keyboard.press('End');
    return (await session.treeItems('Runs')).find((r) => r.label === 'Show 200 more…' && r.description === '19,810 not shown');
  }, 15_000, async () => JSON.stringify((await session.treeItems('Runs')).slice(-3).map((r) => [r.label, r.description])));
  await s.page.keyboard.press('Home');
  await openNewestRun(s, '03-waterfall-from-index');
});

test('text in spans across the month: the runs whose tool call timed out, found without reading every run back', async () => {
  assert.ok(s, 'the second start is open');
  const session = s;
  await session.runCommand('Trace Run: Filter Runs…');
  await session.pickQuickItem(/Text in spans/);
  const input = session.page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill('UPSTREAM timeout');
  await input.press('Enter');
  // One run in ten failed its tool call with "… failed: upstream timeout" (bench/historyData.ts).
  const message = await session.poll('the text filter in the view message', async () => {
    const text = await session.viewText('Runs');
    return /Filtered: "UPSTREAM timeout"/.test(text) ? text : undefined;
  }, 120_000, () => session.viewText('Runs'));
  assert.match(message, /2,?010 of 20,?010 runs/);
  await session.screenshot('04-text-filter');
  const shown = (await session.treeItems('Runs')).filter((r) => r.label === 'support_agent.run');
  assert.ok(shown.length >= 20, `a page of matching runs is listed (${shown.length})`);
  assert.deepEqual(shown.filter((r) => !/1 error/.test(r.description) || !/, failed$/.test(r.ariaLabel)).map((r) => r.description), [], 'every run listed failed');
});
