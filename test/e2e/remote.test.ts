// Team traces (issue 18) in code-server, against a real Jaeger (scripts/setup-jaeger.sh) fed by
// the real OTel JS SDK: the backend added in settings shows in the Remote view; choosing a
// service lists its runs; one opens in the waterfall and Go to Source lands in the workspace
// (a container path mapped by its suffix); Open Trace by ID… takes a pasted Jaeger link.
import { SpanKind, SpanStatusCode, trace as apiTrace, ROOT_CONTEXT, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { JaegerClient } from '../../src/core/remote/jaegerClient';
import { setup } from '../integration/harness';
import { authProxy, jaegerServer, type JaegerServer } from '../integration/jaegerServer';
import { otlpLine } from '../unit/otlpBuilder';
import { launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');

let jaeger: JaegerServer;
/** The team's Jaeger as users reach it: behind a proxy that wants a bearer token. */
let proxy: Awaited<ReturnType<typeof authProxy>>;
let s: Session;
let workspace: string;
let listedRun: string;
let linkedRun: string;
let gatewayRun: string;
let localLine: string;

/** A run as an agent in a container records it: its tool's code location is a path of the container. */
function agentRun(tracer: Tracer, question: string): string {
  const root = tracer.startSpan('support_agent.run', { attributes: { 'openinference.span.kind': 'AGENT', 'input.value': question } });
  const ctx = apiTrace.setSpan(ROOT_CONTEXT, root);
  tracer.startSpan('ChatOpenAI', { attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.token_count.prompt': 120, 'llm.token_count.completion': 30 } }, ctx).end();
  const tool = tracer.startSpan('lookup_order', { attributes: { 'openinference.span.kind': 'TOOL', 'code.filepath': '/app/agent/tools.py', 'code.lineno': 12, 'code.function': 'lookup_order' } }, ctx);
  tool.setStatus({ code: SpanStatusCode.OK });
  tool.end();
  root.end();
  return root.spanContext().traceId;
}

before(async () => {
  jaeger = await jaegerServer(await setup('setup-jaeger.sh'));
  await jaeger.start();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-agent' }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${jaeger.otlpUrl}/v1/traces` }))],
  });
  const tracer = provider.getTracer('tracerun.e2e');
  listedRun = agentRun(tracer, 'Where is order 42?');
  // Started after the first: the newer of the two, listed first.
  linkedRun = agentRun(tracer, 'Cancel order 7');
  // A gateway (another team's service) exports its request span to Jaeger; the local agent it
  // called wrote its spans to the workspace, naming the gateway's span as their parent.
  const gateway = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'gateway' }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${jaeger.otlpUrl}/v1/traces` }))],
  });
  const t0 = Date.now() - 30_000;
  const request = gateway.getTracer('tracerun.e2e').startSpan('POST /support', { kind: SpanKind.SERVER, startTime: new Date(t0) });
  request.end(new Date(t0 + 500));
  await gateway.shutdown();
  gatewayRun = request.spanContext().traceId;
  const ns = (ms: number) => BigInt(t0 + ms) * 1_000_000n;
  localLine = otlpLine(
    [
      { traceId: gatewayRun, spanId: 'a1a1a1a1a1a1a1a1', parentSpanId: request.spanContext().spanId, name: 'local_agent.run', start: ns(10), end: ns(400), attributes: { 'openinference.span.kind': 'AGENT' } },
      { traceId: gatewayRun, spanId: 'a2a2a2a2a2a2a2a2', parentSpanId: 'a1a1a1a1a1a1a1a1', name: 'lookup_order', start: ns(20), end: ns(300), attributes: { 'openinference.span.kind': 'TOOL' } },
    ],
    'support-agent',
  );
  await provider.shutdown();
  const client = new JaegerClient({ name: 'team', url: jaeger.queryUrl });
  for (const [id, count] of [[listedRun, 3], [linkedRun, 3], [gatewayRun, 1]] as const) {
    for (let i = 0; ; i++) {
      if ((await client.trace(id).catch(() => undefined))?.spans.length === count) break;
      if (i > 200) throw new Error(`Jaeger never had trace ${id}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  proxy = await authProxy(jaeger.queryUrl, 'Bearer team-secret');
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-remote-'));
  mkdirSync(join(workspace, 'agent'));
  mkdirSync(join(workspace, '.tracerun'));
  writeFileSync(join(workspace, '.tracerun', 'local.jsonl'), localLine);
  writeFileSync(join(workspace, 'agent', 'tools.py'), Array.from({ length: 20 }, (_, i) => (i === 11 ? 'def lookup_order(order_id):' : `# line ${i + 1}`)).join('\n') + '\n');
  s = await launchVSCode({
    vsixPath: VSIX,
    workspaceDir: workspace,
    name: 'remote',
    settings: { 'tracerun.backends': [{ name: 'team', type: 'jaeger', url: proxy.url, header: 'Authorization' }] },
  });
});

after(async () => {
  await s?.close();
  await proxy?.close();
  await jaeger?.dispose();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

async function goToSourceOf(frame: Frame, spanName: string): Promise<void> {
  await frame.click(`.row .span-name:text-is("${spanName}")`);
  await frame.waitForSelector(`.details h2:text("${spanName}")`);
  await frame.click('.details vscode-button:has-text("Go to Source")');
}

test('refused without its header’s value, the backend asks for it; kept in secret storage, it is sent', async () => {
  await s.openViewContainer('Trace Run');
  // The Remote view starts collapsed (it is empty for whoever has no backend): open it.
  const remoteHeader = s.page.locator('.pane-header', { hasText: 'Remote' });
  await remoteHeader.waitFor({ timeout: 15_000 });
  if ((await remoteHeader.getAttribute('aria-expanded')) === 'false') await remoteHeader.click();
  await s.waitForTreeItem('team', { viewTitle: 'Remote', timeout: 30_000 });
  (await s.waitForTreeItem('Choose a service to list its traces…', { viewTitle: 'Remote' })).locator.click();
  const refused = await s.poll('the refusal', async () => (await s.notifications()).find((n) => n.includes('was refused (401 Unauthorized)')), 15_000, async () => (await s.notifications()).join('\n'));
  assert.match(refused, /^Trace Run: Jaeger "team": GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/services was refused \(401 Unauthorized\): no value is set for its "Authorization" header/);
  await s.page.locator('.notifications-toasts .monaco-button', { hasText: 'Set Header Secret' }).first().click();
  const box = s.page.locator('.quick-input-widget .quick-input-box input');
  await s.poll('the password box', async () => ((await box.getAttribute('type')) === 'password' ? true : undefined), 10_000);
  await box.fill('Bearer team-secret');
  await box.press('Enter');
  await s.screenshot('00-secret-set');
});

test('the backend lists a service’s runs; one opens in the waterfall and Go to Source lands in the workspace', async () => {
  (await s.waitForTreeItem('Choose a service to list its traces…', { viewTitle: 'Remote' })).locator.click();
  await s.pickQuickItem('support-agent');
  await s.pickQuickItem('All operations');
  await s.pickQuickItem('Last hour');
  // The filters pick is a multi-select: Enter with none ticked lists every trace. Wait for it,
  // or the Enter lands on the tree's focused item and starts the search over.
  await s.poll('the filters pick', async () => ((await s.quickInputRows()).some((r) => r.label === 'Errors only') ? true : undefined), 15_000);
  await s.page.locator('.quick-input-widget .quick-input-box input').press('Enter');
  const team = await s.waitForTreeItem('team', { viewTitle: 'Remote' });
  await s.poll('the search in the backend’s description', async () => ((await s.waitForTreeItem('team', { viewTitle: 'Remote' })).description === 'support-agent · last 1h' ? true : undefined), 15_000);
  assert.ok(team);
  const runs = await s.poll('two runs listed', async () => {
    const items = (await s.treeItems('Remote')).filter((i) => i.label === 'support_agent.run');
    return items.length === 2 ? items : undefined;
  }, 30_000);
  assert.match(runs[0].description, /3 spans/);
  await s.screenshot('01-remote-list');
  await runs[1].locator.click();
  const frame = await s.webviewFrame('.row', 30_000);
  await frame.waitForSelector('.row .span-name:text-is("lookup_order")');
  const header = (await frame.textContent('.run-header')) ?? '';
  assert.ok(header.includes(listedRun), `the older run, listed second, is open: ${header}`);
  assert.match(header, /Tokens\s*150/, 'the run’s tokens');
  assert.match(header, /Service\s*support-agent/);
  await s.screenshot('02-remote-waterfall');
  await goToSourceOf(frame, 'lookup_order');
  const editor = await s.waitForActiveEditor({ path: 'agent/tools.py', line: 12 }, 15_000);
  assert.equal(editor.title, 'tools.py');
  // The opened run is one of the window's runs now, like a local one.
  await s.waitForTreeItem('support_agent.run', { viewTitle: 'Runs' });
});

test('Open Trace by ID… takes a pasted Jaeger link and opens that run', async () => {
  await s.runCommand('Trace Run: Open Trace by ID…');
  const input = s.page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(`${proxy.url}/trace/${linkedRun}`);
  await input.press('Enter');
  const frame = await s.webviewFrame(async (f) => ((await f.$eval('.run-header', (e) => e.textContent).catch(() => null)) ?? '').includes(linkedRun), 30_000);
  await frame.waitForSelector('.row .span-name:text-is("lookup_order")');
  await s.screenshot('03-open-by-id');
  const notes = await s.notifications();
  assert.deepEqual(notes.filter((n) => /Trace Run:/.test(n)), [], 'no error shown');
});

test('Fetch the Rest of This Trace joins a local run with its caller’s span from Jaeger', async () => {
  const local = await s.waitForTreeItem('local_agent.run', { viewTitle: 'Runs', timeout: 30_000 });
  await local.locator.click({ button: 'right' });
  const item = s.page.locator('.context-view .monaco-menu .action-item').filter({ hasText: 'Fetch the Rest of This Trace' });
  await item.first().hover({ timeout: 10_000 });
  await s.page.keyboard.press('Enter');
  await s.poll('the fetched notice', async () => (await s.notifications()).find((n) => n.startsWith(`Fetched 1 span from team into trace ${gatewayRun} (1 parent span missing)`)), 15_000, async () => (await s.notifications()).join('\n'));
  // The run is named after its real root now, the gateway's request, and opens with it on top.
  await s.waitForTreeItem('POST /support', { viewTitle: 'Runs' });
  const frame = await s.webviewFrame(async (f) => ((await f.$eval('.run-header', (e) => e.textContent).catch(() => null)) ?? '').includes(gatewayRun), 30_000);
  const names = await frame.$$eval('.row .span-name', (els) => els.map((e) => e.textContent));
  assert.deepEqual(names, ['POST /support', 'local_agent.run', 'lookup_order']);
  assert.match((await frame.textContent('.run-header')) ?? '', /Services\s*gateway, support-agent|Services\s*support-agent, gateway/);
  await s.screenshot('04-joined');
});

test('Jaeger stopped: refreshing says so, naming the request; the runs already here stay', async () => {
  await proxy.close();
  await jaeger.stop();
  const view = s.page.locator('.pane-header', { hasText: 'Remote' });
  await view.hover();
  await view.locator('.action-label[aria-label="Refresh Remote Traces"]').click();
  const toast = await s.poll('the error', async () => (await s.notifications()).find((n) => /Jaeger "team": GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/traces failed: nothing is listening there \(ECONNREFUSED\); is Jaeger running\?/.test(n)), 20_000, async () => (await s.notifications()).join('\n'));
  assert.match(toast, /^Trace Run: /);
  await s.waitForTreeItem(/failed: nothing is listening there/, { viewTitle: 'Remote' });
  await s.waitForTreeItem('POST /support', { viewTitle: 'Runs' });
  await s.waitForTreeItem('support_agent.run', { viewTitle: 'Runs' });
  await s.screenshot('05-backend-stopped');
});
