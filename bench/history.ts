// History bench: a month of the receiver's daily files (30 files, ~1,000,000 spans of the
// generator's agent runs) as the Runs view opens them. The baseline is what the view did
// before: every file read whole, every span held, before the first page is listed. Run alone
// with `node --expose-gc out/bench/history.js` after `node scripts/build.mjs --tests`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TraceWorkspace } from '../src/core/ingest/traceWorkspace';
import { loadSpanDetails } from '../src/core/ingest/spanDetails';
import { traceTokens } from '../src/core/genai/traceTokens';
import { NO_FILTER } from '../src/core/runs/filter';
import { runList } from '../src/core/runs/runList';
import { RunPreviews } from '../src/core/runs/runPreviews';
import { DEFAULT_MEMORY_BUDGET_MB } from '../src/core/config/defaults';
import { runSteps } from '../src/core/util/steps';
import { layoutWaterfallSteps } from '../src/core/waterfall/layout';
import type { Trace } from '../src/core/model/trace';
import { ensureHistory } from './historyData';

export interface HistoryResult {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  note?: string;
}

export const HISTORY_BASELINES =
  'history.*: baselines = every file read whole and every span held before the first page (as before: firstRunsMs, heapBytesPerSpan); opening a run already in memory (openRunMs).';

export const HISTORY_TARGETS: Record<string, string> = {
  'history.firstRunsMs.1m': 'value < 1500 ms, ratio < 0.2',
  'history.heapBytesPerSpan.1m': 'value ≤ 100 B',
  'history.openRunMs': 'value < 300 ms',
  'history.reopenAllMs.1m': 'value < 1500 ms',
};

type Log = (message: string) => void;

const SPANS = Number(process.env.TRACERUN_BENCH_HISTORY_SPANS ?? 1_000_000);
const PAGE = 200;
const MB = 1e6;

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {
  throw new Error('run with node --expose-gc (npm run bench does)');
});
function fullGc(): void {
  gc();
  gc();
}

/** The Runs view's first page: the newest runs with their tokens and input previews read. */
async function firstPage(ws: TraceWorkspace): Promise<number> {
  const page = runList(ws.store.runs(), NO_FILTER, Date.now()).entries.slice(0, PAGE);
  const traces = page.flatMap((e) => (e.type === 'run' ? [e.trace] : e.runs));
  let pending = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const previews = new RunPreviews(loadSpanDetails, () => --pending === 0 && done());
  for (const t of traces) {
    t.summary();
    traceTokens(t);
    if (previews.get(t) === undefined) pending++;
  }
  if (pending > 0) await all;
  previews.dispose();
  return traces.length;
}

interface Opened {
  firstRunsMs: number;
  readAllMs: number;
  heapBytes: number;
  runs: number;
  spans: number;
  ws: TraceWorkspace;
  /** How the files were had (`WatchOptions.onIndex`). */
  indexed: string;
}

/** Watches the history as the extension does; `budgetMB` undefined holds every span as before. */
async function open(dir: string, budgetMB: number | undefined, newestFirst: boolean, indexDir?: string): Promise<Opened> {
  fullGc();
  const heapBefore = process.memoryUsage().heapUsed;
  const ws = new TraceWorkspace();
  const indexed: Record<string, number> = {};
  ws.store.setMemoryBudget(budgetMB);
  const t0 = performance.now();
  let firstRunsMs = -1;
  let listing: Promise<void> | undefined;
  await ws.watch({
    folders: [dir],
    indexDir,
    onIndex: (_file, how) => void (indexed[how] = (indexed[how] ?? 0) + 1),
    onInitialFileRead: () => {
      if (!newestFirst || listing || ws.store.traceCount < PAGE) return;
      // As the Runs view does: list once the newest files hold a page of runs.
      listing = firstPage(ws).then(() => void (firstRunsMs = performance.now() - t0));
      return listing;
    },
  });
  await listing;
  // Every run listed, as the Runs view lists after each file: grouping asks every run its session.
  runList(ws.store.runs(), NO_FILTER, Date.now());
  const readAllMs = performance.now() - t0;
  if (firstRunsMs < 0) {
    await firstPage(ws);
    firstRunsMs = performance.now() - t0;
  }
  fullGc();
  let spans = 0;
  for (const t of ws.store.runs()) spans += t.spanCount;
  return { firstRunsMs, readAllMs, heapBytes: process.memoryUsage().heapUsed - heapBefore, runs: ws.store.traceCount, spans, ws, indexed: JSON.stringify(indexed) };
}

/** Opening a run of about `size` spans that is not in memory: read back, tree, layout. */
function openRun(ws: TraceWorkspace, size: number): { ms: number; baseMs: number; spans: number } {
  const runs = ws.store.runs();
  let best: Trace = runs[0];
  for (const t of runs) if (Math.abs(t.spanCount - size) < Math.abs(best.spanCount - size)) best = t;
  const times: number[] = [];
  const baseTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    ws.store.evictAll();
    let t = performance.now();
    runSteps(layoutWaterfallSteps(best.tree()));
    times.push(performance.now() - t);
    // Already in memory: the tree is built again (a new revision would do that) and laid out.
    t = performance.now();
    runSteps(layoutWaterfallSteps({ roots: best.tree().roots }));
    baseTimes.push(performance.now() - t);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { ms: median(times), baseMs: median(baseTimes), spans: best.spanCount };
}

export async function benchHistory(dataDir: string, log: Log): Promise<HistoryResult[]> {
  const t = performance.now();
  const history = ensureHistory(dataDir, SPANS);
  log(`  ${history.files.length} daily files, ${(history.bytes / MB).toFixed(0)} MB (${((performance.now() - t) / 1000).toFixed(1)} s to make or find)`);

  const before = await open(history.dir, undefined, false);
  log(`  before: first page after ${before.firstRunsMs.toFixed(0)} ms (all read), ${before.runs} runs, ${before.spans} spans, heap ${(before.heapBytes / MB).toFixed(0)} MB`);
  before.ws.dispose();

  const indexDir = path.join(dataDir, 'history-index');
  fs.rmSync(indexDir, { recursive: true, force: true });
  const now = await open(history.dir, DEFAULT_MEMORY_BUDGET_MB, true, indexDir);
  const use = now.ws.store.memoryUse();
  log(
    `  now: first page after ${now.firstRunsMs.toFixed(0)} ms, all read after ${now.readAllMs.toFixed(0)} ms; heap ${(now.heapBytes / MB).toFixed(0)} MB ` +
      `files ${now.indexed}, with ${use.heldSpans} of ${now.spans} spans held (budget ${DEFAULT_MEMORY_BUDGET_MB} MB ≈ ${use.budgetSpans} spans), ${use.evictions} evictions`,
  );
  now.ws.dispose();

  const again = await open(history.dir, DEFAULT_MEMORY_BUDGET_MB, true, indexDir);
  log(`  second start, indexes reused: first page after ${again.firstRunsMs.toFixed(0)} ms, every run listed after ${again.readAllMs.toFixed(0)} ms; heap ${(again.heapBytes / MB).toFixed(0)} MB; files ${again.indexed}`);
  const opened = openRun(again.ws, 500);
  log(`  open a run of ${opened.spans} spans not in memory: ${opened.ms.toFixed(1)} ms (in memory: ${opened.baseMs.toFixed(1)} ms)`);
  again.ws.dispose();

  return [
    { name: 'history.firstRunsMs.1m', value: now.firstRunsMs, unit: 'ms', baseline: before.firstRunsMs, note: `${now.runs} runs, ${now.spans} spans in ${history.files.length} files (${(history.bytes / MB).toFixed(0)} MB)` },
    { name: 'history.heapBytesPerSpan.1m', value: now.heapBytes / now.spans, unit: 'B', baseline: before.heapBytes / before.spans, note: `after every file is read; tracerun.memoryBudgetMB at its default (${DEFAULT_MEMORY_BUDGET_MB})` },
    { name: 'history.reopenAllMs.1m', value: again.readAllMs, unit: 'ms', baseline: before.readAllMs, note: 'second start: every run listed from the files\' indexes vs every file read whole' },
    { name: 'history.reopenHeapBytesPerSpan.1m', value: again.heapBytes / again.spans, unit: 'B', baseline: before.heapBytes / before.spans, note: 'second start, after the first page: summaries only, besides the page\'s runs' },
    { name: 'history.openRunMs', value: opened.ms, unit: 'ms', baseline: opened.baseMs, note: `a run of ${opened.spans} spans from the 1m history: read back from its lines, tree and layout` },
  ];
}

// Alone (`node --expose-gc out/bench/history.js`), not when bundled into run.js.
if (/[\\/]bench[\\/]history\.js$/.test(process.argv[1] ?? '')) {
  const root = path.resolve(__dirname, '..', '..', 'bench', 'data');
  benchHistory(root, (m) => console.log(m)).then((rows) => console.log(JSON.stringify(rows, null, 2)));
}
