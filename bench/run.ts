// Trace Run benchmarks: `npm run bench` (runs as `node --expose-gc out/bench/run.js`).
// Prints a table and writes bench-results.json at the repository root: a list of
// { name, value, unit, baseline }, where `baseline` is a simple reference measured in the
// same run (JSON.parse of every line; file bytes per span; a plain fs.watch; a plain tree walk).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { FileTailer, type TailSink } from '../src/core/ingest/tailer';
import { TraceStore } from '../src/core/model/traceStore';
import { TraceWorkspace } from '../src/core/ingest/traceWorkspace';
import { AgentTraceGenerator, Rng, ensureDataFile, type DataFileInfo } from './generate';
import { LAYOUT_BASELINES, benchLayout } from './layout';
import { LENS_BASELINES, LENS_TARGETS, benchLenses } from './lenses';
import { PARSER_BASELINES, PARSER_TARGETS, benchParsers } from './parsers';
import { benchPackage } from './package';
import { benchReceiver } from './receiver';
import { RUNS_BASELINES, RUNS_TARGETS, benchRuns } from './runs';
import { FLOOD_TARGETS, benchReceiverFlood } from './receiverFlood';
import { REDACT_BASELINES, REDACT_TARGETS, benchRedact } from './redact';
import { WATERFALL_BASELINES, WATERFALL_TARGETS, benchWaterfall } from './waterfall';
import { COMPARE_BASELINES, COMPARE_TARGETS, benchCompare } from './compare';
import { HISTORY_BASELINES, HISTORY_TARGETS, benchHistory } from './history';
import { HISTORY_5M_BASELINES, HISTORY_5M_TARGETS, benchHistory5m } from './history5m';

const ROOT = findRoot();
const DATA_DIR = path.join(ROOT, 'bench', 'data');
const RESULTS_FILE = path.join(ROOT, 'bench-results.json');

const DATA_BYTES = Number(process.env.TRACERUN_BENCH_BYTES ?? 200_000_000);
const INGEST_ROUNDS = Number(process.env.TRACERUN_BENCH_ROUNDS ?? 5);
const LIVE_APPENDS = Number(process.env.TRACERUN_BENCH_APPENDS ?? 250);
/** The tailer's chunk size, so the baseline reads the file the same way. */
const CHUNK_BYTES = 8 * 1024 * 1024;
const MB = 1e6;

interface Result {
  name: string;
  value: number;
  unit: string;
  /** null when the baseline could not be measured (then `note` says why). */
  baseline: number | null;
  note?: string;
}

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {
  throw new Error('run with node --expose-gc (npm run bench does)');
});

function findRoot(): string {
  // out/bench/run.js when bundled; bench/run.ts under a TS runner. Walk up to package.json.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'src', 'core'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the repository root above ${__dirname}`);
  }
}

function fullGc(): void {
  gc();
  gc();
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

const timings: [string, number][] = [];
async function timed<T>(label: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings.push([label, (performance.now() - t0) / 1000]);
  }
}

// ---------------------------------------------------------------------------------------
// 2 + 3: ingest speed and memory

/** The baseline: the tailer's chunked read and line split, then `JSON.parse` of every line. */
async function ingestBaseline(file: string): Promise<{ seconds: number; spans: number }> {
  const t0 = performance.now();
  const handle = await fs.promises.open(file, 'r');
  let spans = 0;
  try {
    const size = (await handle.stat()).size;
    let offset = 0;
    let partial = Buffer.alloc(0);
    while (offset < size) {
      const length = Math.min(CHUNK_BYTES, size - offset);
      const chunk = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(chunk, 0, length, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      const data = partial.length > 0 ? Buffer.concat([partial, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let lineStart = 0;
      for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, lineStart)) {
        const start = lineStart;
        lineStart = nl + 1;
        if (nl === start) continue;
        // Parsed and dropped: nothing is kept but the span count.
        const request = JSON.parse(data.toString('utf8', start, nl)) as { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] };
        for (const rs of request.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
      }
      partial = Buffer.from(data.subarray(lineStart));
    }
  } finally {
    await handle.close();
  }
  return { seconds: (performance.now() - t0) / 1000, spans };
}

interface OursRun {
  seconds: number;
  assemblySeconds: number;
  spans: number;
  traces: number;
  problems: number;
  heapBytes: number;
  externalBytes: number;
}

/** The real FileTailer feeding a TraceStore, then every trace assembled (tree + summary). */
async function ingestOurs(file: string): Promise<OursRun> {
  fullGc();
  const before = process.memoryUsage();
  const store = new TraceStore();
  let problems = 0;
  const sink: TailSink = {
    spans: (f, spans) => store.addSpans(f, spans),
    reset: (f) => store.removeFile(f),
    problem: () => void problems++,
  };
  const tailer = new FileTailer(file, sink);
  const t0 = performance.now();
  await tailer.poke();
  const seconds = (performance.now() - t0) / 1000;
  tailer.dispose();
  const t1 = performance.now();
  let spans = 0;
  const runs = store.runs();
  for (const trace of runs) {
    trace.tree();
    trace.summary();
    spans += trace.spanCount;
  }
  const assemblySeconds = (performance.now() - t1) / 1000;
  fullGc();
  const after = process.memoryUsage();
  // Keep the store (and tailer) reachable until after the measurement.
  const traces = store.traceCount;
  store.dispose();
  return {
    seconds,
    assemblySeconds,
    spans,
    traces,
    problems,
    heapBytes: after.heapUsed - before.heapUsed,
    externalBytes: after.external + after.arrayBuffers - (before.external + before.arrayBuffers),
  };
}

async function benchIngest(info: DataFileInfo): Promise<Result[]> {
  // Warm the page cache so neither side pays for the disk.
  await timed('ingest: warm page cache', async () => {
    const h = await fs.promises.open(info.file, 'r');
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let off = 0; off < info.bytes; off += CHUNK_BYTES) await h.read(buf, 0, CHUNK_BYTES, off);
    await h.close();
  });
  const base: number[] = [];
  const ours: OursRun[] = [];
  for (let round = 0; round < INGEST_ROUNDS; round++) {
    // Interleaved, alternating who goes first, so drift and warm-up hit both.
    const order = round % 2 === 0 ? ['base', 'ours'] : ['ours', 'base'];
    for (const which of order) {
      fullGc();
      if (which === 'base') {
        const r = await timed(`ingest: JSON.parse baseline, round ${round + 1}`, () => ingestBaseline(info.file));
        if (r.spans !== info.spans) throw new Error(`baseline counted ${r.spans} spans, expected ${info.spans}`);
        base.push(r.seconds);
        log(`  baseline round ${round + 1}: ${(info.bytes / MB / r.seconds).toFixed(1)} MB/s`);
      } else {
        const r = await timed(`ingest: FileTailer → TraceStore, round ${round + 1}`, () => ingestOurs(info.file));
        if (r.spans !== info.spans || r.problems !== 0) throw new Error(`ingest read ${r.spans} spans (${r.problems} problems), expected ${info.spans}`);
        ours.push(r);
        log(
          `  ours     round ${round + 1}: ${(info.bytes / MB / r.seconds).toFixed(1)} MB/s, assembly ${(r.assemblySeconds * 1000).toFixed(0)} ms, ` +
            `heap ${(r.heapBytes / r.spans).toFixed(0)} B/span (external ${(r.externalBytes / MB).toFixed(1)} MB), ${r.traces} traces`,
        );
      }
    }
  }
  const bestBase = Math.min(...base);
  const bestOurs = Math.min(...ours.map((r) => r.seconds));
  return [
    { name: 'ingest.mbPerSec', value: info.bytes / MB / bestOurs, unit: 'MB/s', baseline: info.bytes / MB / bestBase },
    { name: 'ingest.heapBytesPerSpan', value: median(ours.map((r) => r.heapBytes / r.spans)), unit: 'B/span', baseline: info.bytes / info.spans },
  ];
}

// ---------------------------------------------------------------------------------------
// 4: live latency, append → model

interface Append {
  readonly line: string;
  readonly traceId: string;
  readonly spanId: string;
  /** File size once this append is written. */
  readonly endOffset: number;
  t0: number;
  ours: number | undefined;
  base: number | undefined;
}

async function benchLive(): Promise<Result[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracerun-bench-'));
  const file = path.join(tmp, '.tracerun', 'live.jsonl');
  fs.mkdirSync(path.dirname(file));
  const gen = new AgentTraceGenerator(7);
  const rng = new Rng(11);
  // A file that already holds a few MB of earlier runs, as a live file does after a while.
  let preload = '';
  while (preload.length < 3_000_000) preload += gen.nextBatch().line + '\n';
  fs.writeFileSync(file, preload);
  let size = Buffer.byteLength(preload);
  const appends: Append[] = [];
  for (let i = 0; i < LIVE_APPENDS; i++) {
    const batch = gen.nextBatch(rng.int(2, 6));
    const line = batch.line + '\n';
    size += Buffer.byteLength(line);
    const last = batch.spans[batch.spans.length - 1];
    appends.push({ line, traceId: last.traceId, spanId: last.spanId, endOffset: size, t0: 0, ours: undefined, base: undefined });
  }
  const gaps = appends.map(() => rng.int(2, 20));

  const workspace = new TraceWorkspace();
  let plain: fs.FSWatcher | undefined;
  try {
    await timed('live: start watcher + read preload', () =>
      workspace.watch({ folders: [tmp], include: ['**/.tracerun/**/*.jsonl'], exclude: [], onError: (m) => log(`  watcher error: ${m}`) }),
    );
    const store = workspace.store;
    const waitingOurs = new Set<Append>();
    const waitingBase = new Set<Append>();
    store.onDidChange((change) => {
      const now = performance.now();
      for (const a of waitingOurs) {
        if (change.changed.has(a.traceId) && store.trace(a.traceId)?.span(a.spanId)) {
          a.ours = now - a.t0;
          waitingOurs.delete(a);
        }
      }
    });
    // The floor: a plain fs.watch on the file, with a stat to tell which appends it covers.
    plain = fs.watch(file, () => {
      const now = performance.now();
      let len: number;
      try {
        len = fs.statSync(file).size;
      } catch {
        return;
      }
      for (const a of waitingBase) {
        if (a.endOffset <= len) {
          a.base = now - a.t0;
          waitingBase.delete(a);
        }
      }
    });
    await sleep(100);

    await timed(`live: ${appends.length} appends`, async () => {
      for (let i = 0; i < appends.length; i++) {
        const a = appends[i];
        waitingOurs.add(a);
        waitingBase.add(a);
        a.t0 = performance.now();
        await fs.promises.appendFile(file, a.line);
        await sleep(gaps[i]);
      }
      // Let the last appends land (or show that they never do).
      const deadline = performance.now() + 2000;
      while ((waitingOurs.size > 0 || waitingBase.size > 0) && performance.now() < deadline) await sleep(5);
    });
    const missedOurs = appends.filter((a) => a.ours === undefined);
    const missedBase = appends.filter((a) => a.base === undefined);
    if (missedOurs.length > 0 || missedBase.length > 0) {
      log(
        `  not seen within 2 s of the last append: model ${missedOurs.length} (appends #${missedOurs.map((a) => appends.indexOf(a) + 1).join(', #')}), ` +
          `fs.watch ${missedBase.length}; counted as 2000 ms`,
      );
    }
    const capped = (v: number | undefined) => v ?? 2000;
    const ours = appends.map((a) => capped(a.ours)).sort((x, y) => x - y);
    const base = appends.map((a) => capped(a.base)).sort((x, y) => x - y);
    log(
      `  model: min ${ours[0].toFixed(2)} p50 ${percentile(ours, 50).toFixed(2)} p90 ${percentile(ours, 90).toFixed(2)} p99 ${percentile(ours, 99).toFixed(2)} max ${ours[ours.length - 1].toFixed(2)} ms; ` +
        `fs.watch: p50 ${percentile(base, 50).toFixed(2)} p99 ${percentile(base, 99).toFixed(2)} max ${base[base.length - 1].toFixed(2)} ms`,
    );
    const hist = [5, 10, 20, 50, 100, 200].map((lim) => `≤${lim}ms ${ours.filter((v) => v <= lim).length}`).join(', ');
    log(`  model latency histogram (of ${ours.length}): ${hist}`);
    return [
      { name: 'live.appendToModelMs.p50', value: percentile(ours, 50), unit: 'ms', baseline: percentile(base, 50) },
      { name: 'live.appendToModelMs.p99', value: percentile(ours, 99), unit: 'ms', baseline: percentile(base, 99) },
    ];
  } finally {
    plain?.close();
    workspace.dispose();
    // chokidar closes asynchronously; give it a moment before removing its folder.
    await sleep(50);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------

function log(message: string): void {
  process.stdout.write(message + '\n');
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

const TARGETS: Record<string, string> = {
  'ingest.mbPerSec': 'ratio ≥ 1.0',
  'ingest.heapBytesPerSpan': 'ratio ≤ 0.5',
  'live.appendToModelMs.p99': 'value < 200 ms',
  'package.vsixBytes': 'value < 1 MB',
  ...WATERFALL_TARGETS,
  ...PARSER_TARGETS,
  ...RUNS_TARGETS,
  ...FLOOD_TARGETS,
  ...COMPARE_TARGETS,
  ...LENS_TARGETS,
  ...REDACT_TARGETS,
  ...HISTORY_TARGETS,
  ...HISTORY_5M_TARGETS,
};

function printTable(results: readonly Result[]): void {
  const rows = [
    ['benchmark', 'value', 'baseline', 'unit', 'ratio', 'target'],
    ...results.map((r) => [r.name, fmt(r.value), r.baseline === null ? 'n/a' : fmt(r.baseline), r.unit, r.baseline === null ? 'n/a' : (r.value / r.baseline).toFixed(2), TARGETS[r.name] ?? '']),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 0 || c >= 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  log(line(rows[0]));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) log(line(row));
  log('ratio = value / baseline. Baselines: JSON.parse of every line (same chunked read); file bytes per span; a plain fs.watch on the file.');
  log(LAYOUT_BASELINES);
  log(WATERFALL_BASELINES);
  log(PARSER_BASELINES);
  log(RUNS_BASELINES);
  log(COMPARE_BASELINES);
  log(LENS_BASELINES);
  log(REDACT_BASELINES);
  log(HISTORY_BASELINES);
  log(HISTORY_5M_BASELINES);
  for (const r of results) if (r.note) log(`note: ${r.name}: ${r.note}`);
}

async function main(): Promise<void> {
  const started = performance.now();
  log(`Trace Run bench — node ${process.version}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  const { info, generated } = await timed('generate data file', () => ensureDataFile(DATA_DIR, DATA_BYTES));
  log(
    `data: ${path.relative(ROOT, info.file)} (${generated ? 'generated' : 'reused'}): ${(info.bytes / MB).toFixed(1)} MB, ` +
      `${info.lines} lines, ${info.spans} spans, ${(info.bytes / info.spans).toFixed(0)} B/span`,
  );
  const results: Result[] = [];
  log('\ningest (FileTailer → TraceStore vs JSON.parse per line):');
  results.push(...(await benchIngest(info)));
  log('\nlive (append → TraceWorkspace model vs plain fs.watch):');
  results.push(...(await benchLive()));
  log('\nreceiver (OTLP/HTTP → trace file vs a bare http server, loopback):');
  results.push(...(await timed('receiver: OTLP/HTTP load', () => benchReceiver(log))));
  log('\nlayout (the waterfall layout of a million spans vs one plain depth-first walk):');
  results.push(...(await timed('layout: 1M spans', () => benchLayout(log))));
  log('\nparsers (pathological stack traces, price globs, one long line):');
  results.push(...(await timed('parsers: pathological inputs', () => benchParsers(log))));
  log('\nreceiver floods (gzip bombs on OTLP/HTTP and OTLP/gRPC; the receiver process\'s peak RSS vs its idle RSS):');
  results.push(...(await timed('receiver: floods', () => benchReceiverFlood(log))));
  log('\nlenses (function lenses of a 5,000-line file with 10,000 spans vs one pass over the spans):');
  results.push(...(await timed('lenses: 5,000-line file', () => benchLenses(log))));
  log('\nredact (the secret rules over prompt-like and hostile text):');
  results.push(...(await timed('redact: secret rules', () => benchRedact(log))));
  log('\nwaterfall (webview first paint and scroll frames vs a plain DOM; host layout and heap for 1M spans):');
  results.push(...(await timed('waterfall: webview + host', () => benchWaterfall(ROOT, log))));
  log('\nruns (the Runs view over 10,000 runs: list, filters, text search vs the unfiltered page, one pass over the spans, one read of the file):');
  results.push(...(await timed('runs: 10k runs', () => benchRuns(log))));
  log('\nhistory (a month of daily files, 1,000,000 spans: first page, heap, opening a run vs reading everything whole):');
  const history = await timed('history: 1m spans in 30 files', () => benchHistory(DATA_DIR, log));
  results.push(...history);
  log('\nhistory, 5m (the same month with 5,000,000 spans, in a Node whose heap is capped at 1 GB: open, list, filter, search, open a run):');
  results.push(...(await timed('history: 5m spans in 30 files', () => benchHistory5m(DATA_DIR, history, log))));

  log('\npackage (npm run package vs the previous release):');
  results.push(...(await timed('package: npm run package', () => benchPackage(ROOT, log))));
  // After the waterfall bench, which builds dist/ (compare.js included).
  log('\ncompare (two runs of 100k spans side by side: host alignment and webview first paint vs a plain DOM):');
  results.push(...(await timed('compare: two 100k runs', () => benchCompare(ROOT, log))));

  log('');
  printTable(results);
  const tmp = `${RESULTS_FILE}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(results, null, 2) + '\n');
  fs.renameSync(tmp, RESULTS_FILE);
  log(`\nwrote ${RESULTS_FILE}`);
  log('\ntime per part:');
  for (const [label, seconds] of timings) log(`  ${seconds.toFixed(2).padStart(7)} s  ${label}`);
  log(`  ${((performance.now() - started) / 1000).toFixed(2).padStart(7)} s  total`);
}

main().then(
  () => {
    // Everything is disposed, so the process ends by itself; say so if something still holds it.
    setTimeout(() => {
      log('warning: something still holds the event loop after the bench; exiting');
      process.exit(0);
    }, 5000).unref();
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
