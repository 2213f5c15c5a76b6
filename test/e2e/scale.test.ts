// Big workspaces stay usable: 10,000 runs and a run of 100,000 spans are paged in the Runs
// view with "Show more" items instead of handing VS Code's tree 100k siblings at once.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { requestJson, type TestSpan } from '../unit/otlpBuilder';
import { launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');
const RUNS = 10_000;
const BIG_CHILDREN = 99_999;
const base = BigInt(Date.now() - 3_600_000) * 1_000_000n;
const msNs = (ms: number) => base + BigInt(ms) * 1_000_000n;
const id = (n: number, bytes: 16 | 8) => n.toString(16).padStart(bytes * 2, '0');

function manyRuns(): string {
  const lines: string[] = [];
  for (let batch = 0; batch < RUNS / 100; batch++) {
    const spans: TestSpan[] = [];
    for (let r = batch * 100; r < (batch + 1) * 100; r++) {
      const traceId = id(r + 1, 16);
      const root = id(r * 4 + 1, 8);
      spans.push({ traceId, spanId: root, name: `run ${r}`, start: msNs(r * 10), end: msNs(r * 10 + 8) });
      spans.push({ traceId, spanId: id(r * 4 + 2, 8), parentSpanId: root, name: 'llm', start: msNs(r * 10 + 1), end: msNs(r * 10 + 5) });
      spans.push({ traceId, spanId: id(r * 4 + 3, 8), parentSpanId: root, name: 'tool', start: msNs(r * 10 + 5), end: msNs(r * 10 + 7) });
    }
    lines.push(JSON.stringify(requestJson(spans)));
  }
  return lines.join('\n') + '\n';
}

function bigRun(): string {
  const traceId = 'b'.repeat(32);
  const rootId = 'f'.repeat(16);
  const lines: string[] = [];
  for (let start = 0; start < BIG_CHILDREN; start += 5000) {
    const spans: TestSpan[] = [];
    for (let i = start; i < Math.min(BIG_CHILDREN, start + 5000); i++) {
      spans.push({ traceId, spanId: id(0x100000 + i, 8), parentSpanId: rootId, name: `lookupOrder ${i}`, start: msNs(200_000 + i), end: msNs(200_000 + i + 1) });
    }
    lines.push(JSON.stringify(requestJson(spans)));
  }
  lines.push(JSON.stringify(requestJson([{ traceId, spanId: rootId, name: 'huge agent run', start: msNs(200_000), end: msNs(300_000) }])));
  return lines.join('\n') + '\n';
}

let s: Session;
let workspace: string;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-scale-'));
  mkdirSync(join(workspace, 'traces'));
  writeFileSync(join(workspace, 'traces', 'many-runs.jsonl'), manyRuns());
  writeFileSync(join(workspace, 'traces', 'big-run.jsonl'), bigRun());
  s = await launchVSCode({ vsixPath: VSIX, workspaceDir: workspace, name: 'scale' });
});

after(async () => {
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

/** The tree is virtualised: End moves focus (and rendering) to its last row. */
async function lastRootRow() {
  const tree = s.page.locator('.pane-body .monaco-list').first();
  await tree.focus();
  await s.page.keyboard.press('End');
  return s.waitForTreeItem(/^Show \d+ more…$/, { viewTitle: 'Runs', timeout: 10_000 });
}

test('10,000 runs list the newest 200, then a Show more item that pages in 200 more', async () => {
  await s.openViewContainer('Trace Run');
  const newest = await s.waitForTreeItem('huge agent run', { viewTitle: 'Runs', timeout: 60_000 });
  assert.match(newest.description, /100,000 spans/);
  const second = await s.waitForTreeItem('run 9999', { viewTitle: 'Runs' });
  assert.match(second.description, /3 spans/);
  await s.screenshot('01-many-runs');

  const more = await lastRootRow();
  assert.equal(more.label, 'Show 200 more…');
  assert.equal(more.description, '9,801 not shown', '10,001 runs, 200 shown');
  await more.locator.click();
  const next = await s.poll('the next page', async () => {
    await s.page.keyboard.press('End');
    return (await s.treeItems('Runs')).find((r) => r.label === 'Show 200 more…' && r.description === '9,601 not shown');
  }, 15_000, async () => JSON.stringify((await s.treeItems('Runs')).map((r) => [r.label, r.description])));
  assert.equal(next.level, 1);
  const above = (await s.treeItems('Runs')).find((r) => r.index === next.index - 1);
  assert.equal(above?.label, 'run 9601', 'the 400th newest run (after the huge one) sits just above the item');
});

test('a run of 100,000 spans expands to its first 200 children and a Show more item', async () => {
  const tree = s.page.locator('.pane-body .monaco-list').first();
  await tree.focus();
  await s.page.keyboard.press('Home');
  await s.expandTreeItem('huge agent run', { viewTitle: 'Runs', timeout: 20_000 });
  const first = await s.waitForTreeItem('lookupOrder 0', { viewTitle: 'Runs' });
  assert.equal(first.level, 2);
  assert.equal(first.description, '1.00ms');
  // Row 201 under the run is the Show more item; walk down to it with the keyboard
  // (arrows move focus without opening anything).
  await tree.focus();
  await s.page.keyboard.press('Home');
  for (let i = 0; i < 201; i++) await s.page.keyboard.press('ArrowDown');
  const more = await s.waitForTreeItem(/^Show 200 more…$/, { viewTitle: 'Runs' });
  assert.equal(more.level, 2);
  assert.equal(more.description, '99,799 not shown');
  const last = await s.waitForTreeItem('lookupOrder 199', { viewTitle: 'Runs' });
  assert.equal(last.level, 2);
  await s.parkMouse();
  await s.screenshot('02-big-run');
});
