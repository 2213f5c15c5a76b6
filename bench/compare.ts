// Compare bench: two agent runs of 100,000 spans each opened side by side, from the trees to
// the first rows painted. The host part is what the panel does before its first message (align
// the two trees, one pair view per row); the page part loads the production-like compare bundle
// in Chromium (dist/compare.js, acquireVsCodeApi stubbed) and times the CompareBegin message
// from its post to the first frame painted with rows, as VS Code delivers it.
//
// Baseline, in the same page and CSS: the same message rendered as plain DOM (one div per pair
// with both names, appended at once), plus the same host work. Payload reads (content flags,
// first divergence) come after the first paint and are not in the row.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type Page } from 'playwright-core';
import { RunComparison } from '../src/core/compare/comparison';
import { pairView } from '../src/core/compare/pairs';
import type { Trace } from '../src/core/model/trace';
import { alignTrees } from '../src/core/compare/align';
import { CompareBegin, ComparePairs, PAIRS_PER_SLICE, type CompareStart } from '../src/protocol/compare';
import type { Message } from '../src/protocol/messages';
import { buildTrace } from './waterfall';

export interface CompareResult {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  note?: string;
}

export const COMPARE_TARGETS: Record<string, string> = {
  'compare.firstPaintMs.100k': 'value < 2000 ms',
  'compare.hostAlignMs.100k': 'value well under firstPaint',
};

export const COMPARE_BASELINES =
  'compare.firstPaintMs: host align + pair views (as the panel sends them, in slices), then the page from the first post to the frame painted after the last slice; baseline = the same host work, then the same message as plain DOM (one div per pair, appended at once). ' +
  'compare.hostAlignMs: baseline = one depth-first walk of both trees collecting span names (the least an alignment reads).';

type Log = (message: string) => void;

const SPANS = 100_000;
const ROUNDS = Number(process.env.TRACERUN_BENCH_COMPARE_ROUNDS ?? 3);
const BASELINE_CAP_MS = 30_000;
const VIEWPORT = { width: 1280, height: 800 };
const CHROMIUM = process.env.TRACERUN_BENCH_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--js-flags=--expose-gc'];

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const median = (v: readonly number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];
const f1 = (v: number) => v.toFixed(1);

/** What the panel computes and sends before the rows can show: the alignment, then the pair views in slices. */
function alignAndView(a: Trace, b: Trace): Message[] {
  const cmp = new RunComparison(a, b, alignTrees(a.tree(), b.tree()));
  const run = (t: Trace) => ({ traceId: t.traceId, name: t.summary().name, durationMs: 1, spanCount: t.spanCount, errorCount: t.summary().errorCount, startedAt: new Date().toISOString() });
  const views = (from: number) => cmp.pairs.slice(from, from + PAIRS_PER_SLICE).map((p) => pairView(p, cmp.aStartNs, cmp.bStartNs));
  const scaleMs = Math.max(Number(a.summary().endNs - a.summary().startNs), Number(b.summary().endNs - b.summary().startNs)) / 1e6;
  const begin: CompareStart = { generation: 1, a: run(a), b: run(b), scaleMs, pairCount: cmp.pairs.length, pairs: views(0) };
  const messages: Message[] = [{ kind: 'notification', method: CompareBegin.method, params: begin }];
  for (let from = PAIRS_PER_SLICE; from < cmp.pairs.length; from += PAIRS_PER_SLICE) messages.push({ kind: 'notification', method: ComparePairs.method, params: { generation: 1, offset: from, pairs: views(from) } });
  return messages;
}

function plainWalk(a: Trace, b: Trace): number {
  let n = 0;
  for (const t of [a, b]) {
    const stack = [...t.tree().roots];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.span.name.length > 0) n++;
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
    }
  }
  return n;
}

// Plain JS in the page: stubs the VS Code API, then times a posted message to the first frame with rows.
const PAGE_SCRIPT = `
window.acquireVsCodeApi = () => ({ postMessage() {}, getState: () => undefined, setState() {} });
const nextTask = () => new Promise((r) => { const ch = new MessageChannel(); ch.port1.onmessage = () => r(); ch.port2.postMessage(0); });
const afterNextPaint = () => new Promise((r) => requestAnimationFrame(() => nextTask().then(r)));
window.__bench = {
  async load() { window.__messages = await (await fetch('/data/messages.json')).json(); },
  /** Posts CompareBegin and every ComparePairs slice; resolves once all are handled and painted. */
  async firstPaint(mode) {
    if (typeof window.gc === 'function') window.gc();
    await afterNextPaint();
    const app = document.getElementById('app');
    const messages = window.__messages;
    const pairs = [];
    let handled = 0;
    const allDone = new Promise((resolve) => {
      // Registered after the webview's own listener, so it runs once the webview handled the message.
      const onMessage = (e) => {
        if (mode === 'baseline') pairs.push(...e.data.params.pairs);
        if (++handled < messages.length) return;
        window.removeEventListener('message', onMessage);
        if (mode === 'baseline') {
          const spacer = document.createElement('div');
          for (const p of pairs) {
            const row = document.createElement('div');
            row.className = 'row';
            row.textContent = (p.a ? p.a.name : '—') + ' | ' + (p.b ? p.b.name : '—');
            spacer.append(row);
          }
          app.append(spacer);
        }
        afterNextPaint().then(resolve);
      };
      window.addEventListener('message', onMessage);
    });
    const t0 = performance.now();
    for (const m of messages) window.postMessage(m, '*');
    await allDone;
    return { ms: performance.now() - t0, rows: document.querySelectorAll('.cmp-row, .row').length, pending: document.querySelectorAll('.cmp-row.pending').length };
  },
};`;

function pageHtml(mode: 'webview' | 'baseline'): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<link rel="stylesheet" href="/dist/compare.css">
<style>html { --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f; --vscode-charts-blue: #3794ff; }</style>
<script>${PAGE_SCRIPT}</script></head>
<body><div id="app" data-state="{}"></div>${mode === 'webview' ? '<script src="/dist/compare.js"></script>' : ''}</body></html>`;
}

async function serve(root: string, messages: Buffer): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: Buffer | string) => (res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }), res.end(body));
    const page = /^\/page\/(webview|baseline)$/.exec(url.pathname);
    if (page) return send(200, 'text/html; charset=utf-8', pageHtml(page[1] as 'webview' | 'baseline'));
    if (url.pathname === '/data/messages.json') return send(200, 'application/json', messages);
    const file = ['/dist/compare.js', '/dist/compare.css'].includes(url.pathname) ? path.join(root, url.pathname) : undefined;
    if (!file || !fs.existsSync(file)) return send(404, 'text/plain', 'not found');
    send(200, file.endsWith('.js') ? 'text/javascript' : 'text/css', fs.readFileSync(file));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => (server.once('error', reject), server.listen(0, '127.0.0.1', resolve)));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function paint(page: Page, mode: 'webview' | 'baseline', origin: string): Promise<{ ms: number; rows: number; pending: number }> {
  await page.goto(`${origin}/page/${mode}`);
  await page.evaluate('window.__bench.load()');
  return (await page.evaluate(`window.__bench.firstPaint(${JSON.stringify(mode)})`)) as { ms: number; rows: number; pending: number };
}

/** `dist/compare.js` must be built (`node scripts/build.mjs`; the waterfall bench builds it too). */
export async function benchCompare(root: string, log: Log): Promise<CompareResult[]> {
  for (const f of ['compare.js', 'compare.css']) if (!fs.existsSync(path.join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run node scripts/build.mjs`);
  const t0 = performance.now();
  const a = buildTrace(SPANS, 1001);
  const b = buildTrace(SPANS, 1002);
  a.trace.tree();
  b.trace.tree();
  log(`  two runs of ${SPANS} spans generated and read in ${f1(performance.now() - t0)} ms`);

  const host: number[] = [];
  const walk: number[] = [];
  let messages: Message[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    gc();
    let t = performance.now();
    messages = alignAndView(a.trace, b.trace);
    host.push(performance.now() - t);
    gc();
    t = performance.now();
    plainWalk(a.trace, b.trace);
    walk.push(performance.now() - t);
  }
  const pairs = messages.flatMap((m) => (m.kind === 'notification' ? (m.params as CompareStart).pairs : []));
  const paired = pairs.filter((p) => p.a && p.b).length;
  log(`  ${pairs.length} pairs (${paired} matched, ${pairs.length - paired} on one side); align + views ${f1(median(host))} ms, plain walk ${f1(median(walk))} ms`);

  const { server, origin } = await serve(root, Buffer.from(JSON.stringify(messages)));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const ours: number[] = [];
  const base: number[] = [];
  let note: string | undefined;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const page = await browser.newPage({ viewport: VIEWPORT });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      const r = await paint(page, 'webview', origin);
      await page.close();
      if (errors.length > 0 || r.rows === 0 || r.rows > 500 || r.pending > 0) throw new Error(`compare page: ${errors.join('; ') || `${r.rows} rows drawn, ${r.pending} still waiting for their pair`}`);
      ours.push(r.ms);
    }
    for (let round = 0; round < Math.min(ROUNDS, 2); round++) {
      const page = await browser.newPage({ viewport: VIEWPORT });
      const r = await Promise.race([paint(page, 'baseline', origin), new Promise<'cap'>((res) => setTimeout(() => res('cap'), BASELINE_CAP_MS))]);
      await page.close().catch(() => undefined);
      if (r === 'cap') {
        note = `plain DOM capped at ${BASELINE_CAP_MS} ms`;
        base.push(BASELINE_CAP_MS);
        break;
      }
      base.push(r.ms);
    }
  } finally {
    await browser.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    a.store.dispose();
    b.store.dispose();
  }
  log(`  page: first rows painted ${f1(median(ours))} ms (rounds ${ours.map(f1).join(', ')}); plain DOM ${f1(median(base))} ms`);
  return [
    { name: 'compare.firstPaintMs.100k', value: median(host) + median(ours), unit: 'ms', baseline: median(host) + median(base), ...(note ? { note } : {}) },
    { name: 'compare.hostAlignMs.100k', value: median(host), unit: 'ms', baseline: median(walk) },
  ];
}

// Standalone: `node --expose-gc out/bench/compare.js` runs just this part and prints its rows.
if (/[\\/]bench[\\/]compare\.js$/.test(process.argv[1] ?? '')) {
  let root = __dirname;
  while (!fs.existsSync(path.join(root, 'package.json')) || !fs.existsSync(path.join(root, 'src', 'core'))) {
    if (path.dirname(root) === root) throw new Error('cannot find the repository root');
    root = path.dirname(root);
  }
  benchCompare(root, (m) => process.stdout.write(m + '\n')).then(
    (rows) => process.stdout.write(JSON.stringify(rows, null, 2) + '\n'),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
