// Two windows, one port: while another process owns the receiver port this window says so
// and still reads the trace files; once the owner closes, this window takes the port over.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { otlpLine } from '../unit/otlpBuilder';
import { launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');

let s: Session;
let workspace: string;
let owner: Server;
let port: number;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-takeover-'));
  mkdirSync(join(workspace, '.tracerun'));
  const now = BigInt(Date.now()) * 1_000_000n;
  // What the other window's receiver already wrote to the shared folder today (its daily
  // file: one of an old day would be deleted by tracerun.receiver.keepDays).
  const today = new Date();
  const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  writeFileSync(join(workspace, '.tracerun', `otlp-${day}.jsonl`), otlpLine([{ traceId: 'c'.repeat(32), spanId: 'c'.repeat(16), name: 'received by the other window', start: now, end: now + 5_000_000n }]));
  owner = createServer();
  await new Promise<void>((res) => owner.listen(0, '127.0.0.1', () => res()));
  port = (owner.address() as { port: number }).port;
  s = await launchVSCode({ vsixPath: VSIX, workspaceDir: workspace, name: 'port-takeover', settings: { 'tracerun.receiver.port': port, 'tracerun.receiver.grpcPort': 0 } });
});

after(async () => {
  owner?.close();
  await s?.close();
  rmSync(workspace, { recursive: true, force: true });
});

test('a taken port is named, with a way out, and the files are still shown', async () => {
  const warning = await s.poll('the port warning', async () => (await s.notifications()).find((n) => n.includes(`port ${port}`)), 30_000, async () => JSON.stringify(await s.notifications()));
  assert.match(warning, /already in use/);
  assert.ok(await s.page.locator('.notifications-toasts .monaco-button', { hasText: 'Use Another Port…' }).isVisible());
  assert.ok(await s.page.locator('.notifications-toasts .monaco-button', { hasText: 'Just Watch Files' }).isVisible());
  const status = s.page.locator('.statusbar-item', { hasText: 'Trace Run: port in use' });
  await status.waitFor({ timeout: 10_000 });
  await s.openViewContainer('Trace Run');
  await s.waitForTreeItem('received by the other window', { viewTitle: 'Runs' });
  await s.screenshot('01-port-in-use');
});

test('when the owner closes, this window takes the port over', async () => {
  await new Promise<void>((res) => owner.close(() => res()));
  const status = s.page.locator('.statusbar-item', { hasText: `:${port} · 0 spans` });
  await status.waitFor({ timeout: 20_000 });
  const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: otlpLine([{ traceId: 'd'.repeat(32), spanId: 'd'.repeat(16), name: 'received here', start: BigInt(Date.now()) * 1_000_000n, end: BigInt(Date.now() + 3) * 1_000_000n }]) });
  assert.equal(res.status, 200);
  await s.waitForTreeItem('received here', { viewTitle: 'Runs' });
});
