// The 5,000,000-span month of issue 16: the history bench's 30 daily files at five times the
// spans, opened (indexes built, then reused), listed, filtered, searched and a big run
// opened, in a Node whose old space is capped at 1 GB, as the target caps the extension
// host's heap: past the cap V8 aborts, the child exits non-zero and the bench says so.
// `benchHistory5m` runs this file as that child; alone it prints its rows as JSON.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { TraceWorkspace } from '../src/core/ingest/traceWorkspace';
import { NO_FILTER, type RunFilter } from '../src/core/runs/filter';
import { searchRuns } from '../src/core/runs/runSearch';
import { runList } from '../src/core/runs/runList';
import { DEFAULT_MEMORY_BUDGET_MB } from '../src/core/config/defaults';
import { runSteps } from '../src/core/util/steps';
import { layoutWaterfallSteps } from '../src/core/waterfall/layout';
import type { Trace } from '../src/core/model/trace';
import { ensureHistory } from './historyData';
import type { HistoryResult } from './history';

const SPANS = 5_000_000;
const HEAP_CAP_MB = 1024;
const PAGE = 200;
const MB = 1e6;

export const HISTORY_5M_TARGETS: Record<string, string> = {
  'history.peakHeapMB.5m': `value < ${HEAP_CAP_MB} MB`,
  'history.openRunMs.5m': 'value < 300 ms',
};

export const HISTORY_5M_BASELINES =
  'history.*.5m: run in a child Node capped at 1 GB of old space (past it, the row fails); baselines the old way cannot reach under the cap are the 1m bench\'s, scaled (heap by spans, first page by bytes); reopenAllMs baseline = the first start (indexes built); filterMs baseline = the unfiltered list; openRunMs baseline = the same run in memory.';

type Log = (message: string) => void;


/** Heap in use, sampled every few milliseconds and at each step: the highest seen. */
class HeapPeak {
  peak = 0;
  private readonly timer = setInterval(() => this.sample(), 5);
  sample(): number {
    const used = process.memoryUsage().heapUsed;
    if (used > this.peak) this.peak = used;
    return used;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {
  throw new Error('run with node --expose-gc');
});

function timedMs(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

async function open(dir: string, indexDir: string, heap: HeapPeak): Promise<{ ws: TraceWorkspace; firstRunsMs: number; allMs: number; indexed: string }> {
  const ws = new TraceWorkspace();
  ws.store.setMemoryBudget(DEFAULT_MEMORY_BUDGET_MB);
  const indexed: Record<string, number> = {};
  const t0 = performance.now();
  let firstRunsMs = -1;
  await ws.watch({
    folders: [dir],
    indexDir,
    onIndex: (_file, how) => void (indexed[how] = (indexed[how] ?? 0) + 1),
    onInitialFileRead: () => {
      heap.sample();
      if (firstRunsMs >= 0 || ws.store.traceCount < PAGE) return;
      const page = runList(ws.store.runs(), NO_FILTER, Date.now()).entries.slice(0, PAGE);
      for (const e of page) if (e.type === 'run') e.trace.summary();
      firstRunsMs = performance.now() - t0;
    },
  });
  runList(ws.store.runs(), NO_FILTER, Date.now());
  return { ws, firstRunsMs, allMs: performance.now() - t0, indexed: JSON.stringify(indexed) };
}

/** A separate frame, so nothing of the first start's workspace is kept alive after it. */
async function startWithoutIndexes(dir: string, indexDir: string, heap: HeapPeak, log: Log): Promise<{ firstRunsMs: number; allMs: number }> {
  fs.rmSync(indexDir, { recursive: true, force: true });
  const first = await open(dir, indexDir, heap);
  log(`first start: first page after ${first.firstRunsMs.toFixed(0)} ms, all ${first.ws.store.traceCount} runs listed after ${first.allMs.toFixed(0)} ms; files ${first.indexed}`);
  first.ws.dispose();
  return { firstRunsMs: first.firstRunsMs, allMs: first.allMs };
}

function biggestNear(runs: readonly Trace[], size: number): Trace {
  let best = runs[0];
  for (const t of runs) if (Math.abs(t.spanCount - size) < Math.abs(best.spanCount - size)) best = t;
  return best;
}

/** The child: every step under the heap cap, rows (without baselines) on stdout's last line. */
async function child(dataDir: string): Promise<void> {
  const heap = new HeapPeak();
  const history = ensureHistory(dataDir, SPANS);
  const indexDir = path.join(dataDir, 'history-index-5m');
  const log = (m: string) => console.log(`  ${m} (heap ${(heap.sample() / MB).toFixed(0)} MB)`);

  // TRACERUN_BENCH_5M_REUSE=1 (to try a change): start from the indexes a run before left.
  const firstStart = process.env.TRACERUN_BENCH_5M_REUSE ? { firstRunsMs: NaN, allMs: NaN } : await startWithoutIndexes(history.dir, indexDir, heap, log);
  gc();

  const again = await open(history.dir, indexDir, heap);
  const runs = again.ws.store.runs();
  let spans = 0;
  for (const t of runs) spans += t.spanCount;
  log(`second start: first page after ${again.firstRunsMs.toFixed(0)} ms, all listed after ${again.allMs.toFixed(0)} ms; files ${again.indexed}`);
  gc();
  const settled = heap.sample();
  log(`after a full GC: ${(settled / spans).toFixed(0)} B per span`);

  const now = Date.now();
  const listMs = timedMs(() => runList(runs, NO_FILTER, now));
  const filters: [string, RunFilter][] = [
    ['errors only', { errorsOnly: true }],
    ['model', { model: 'claude-sonnet-4-20250514' }],
    ['≥ 20 s', { minDurationMs: 20_000 }],
    ['name', { rootName: 'support_agent.run' }],
  ];
  const filterMs = filters.map(([label, filter]) => {
    let shown = 0;
    const ms = timedMs(() => void (shown = runList(runs, filter, now).entries.length));
    log(`filter ${label}: ${shown} entries in ${ms.toFixed(1)} ms`);
    return ms;
  });

  const s = performance.now();
  let lastProgress = 0;
  const found = await searchRuns(runs, 'upstream timeout', {
    linesOf: (t) => again.ws.store.linesOf(t.traceId),
    onProgress: ({ done, total }) => {
      if (done - lastProgress >= total / 5) {
        lastProgress = done;
        log(`search: ${((100 * done) / total).toFixed(0)}%`);
      }
    },
  });
  const searchMs = performance.now() - s;
  log(`search "upstream timeout": ${found.size} runs in ${searchMs.toFixed(0)} ms`);

  const big = biggestNear(runs, 500);
  const openMs: number[] = [];
  const inMemoryMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    again.ws.store.evictAll();
    openMs.push(timedMs(() => runSteps(layoutWaterfallSteps(big.tree()))));
    inMemoryMs.push(timedMs(() => runSteps(layoutWaterfallSteps({ roots: big.tree().roots }))));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  log(`open a run of ${big.spanCount} spans not in memory: ${median(openMs).toFixed(1)} ms (in memory ${median(inMemoryMs).toFixed(1)} ms)`);
  again.ws.dispose();
  heap.stop();

  const rows: HistoryResult[] = [
    { name: 'history.firstRunsMs.5m', value: firstStart.firstRunsMs, unit: 'ms', baseline: null },
    { name: 'history.reopenAllMs.5m', value: again.allMs, unit: 'ms', baseline: firstStart.allMs, note: 'second start from the indexes; baseline: the first start, indexes built' },
    { name: 'history.peakHeapMB.5m', value: heap.peak / MB, unit: 'MB', baseline: null },
    { name: 'history.heapBytesPerSpan.5m', value: settled / spans, unit: 'B', baseline: null, note: 'second start, every run listed, after a full GC (the whole heap over the spans)' },
    { name: 'history.filterMs.5m', value: Math.max(...filterMs), unit: 'ms', baseline: listMs, note: `slowest of ${filters.map(([l]) => l).join(', ')}; baseline: the list unfiltered` },
    { name: 'history.searchMs.5m', value: searchMs, unit: 'ms', baseline: null, note: `text search over every span (read back from the files), ${found.size} runs found` },
    { name: 'history.openRunMs.5m', value: median(openMs), unit: 'ms', baseline: median(inMemoryMs), note: `a run of ${big.spanCount} spans read back from its lines, tree and layout; baseline: the same in memory` },
  ];
  console.log(JSON.stringify({ spans, rows }));
}

/**
 * Runs the 5m workspace in a child capped at 1 GB of old space. Baselines the child cannot
 * measure under the cap (every span held, every file read whole, as before) are the 1m
 * bench's (`oneM`, its rows), scaled: heap by spans, time by bytes.
 */
export function benchHistory5m(dataDir: string, oneM: readonly HistoryResult[], log: Log): HistoryResult[] {
  const t = performance.now();
  const history = ensureHistory(dataDir, SPANS);
  const baselineOf = (name: string) => oneM.find((r) => r.name === name)?.baseline ?? NaN;
  const byBytes = history.bytes / ensureHistory(dataDir).bytes;
  log(`  ${history.files.length} daily files, ${(history.bytes / MB).toFixed(0)} MB (${((performance.now() - t) / 1000).toFixed(1)} s to make or find)`);
  const run = spawnSync(process.execPath, ['--expose-gc', `--max-old-space-size=${HEAP_CAP_MB}`, path.join(__dirname, 'history5m.js'), dataDir], { encoding: 'utf8', maxBuffer: 64 * MB });
  const lines = run.stdout.trimEnd().split('\n');
  for (const line of lines.slice(0, -1)) log(line);
  if (run.status !== 0) {
    log(`  the 5m child failed (exit ${run.status}, signal ${run.signal}): ${run.stderr.slice(-2000)}`);
    return [{ name: 'history.peakHeapMB.5m', value: Infinity, unit: 'MB', baseline: null, note: `failed under the ${HEAP_CAP_MB} MB cap: ${run.stderr.split('\n').find((l) => /heap|memory/i.test(l)) ?? `exit ${run.status}`}` }];
  }
  const { spans, rows } = JSON.parse(lines[lines.length - 1]) as { spans: number; rows: HistoryResult[] };
  const heldPerSpan = baselineOf('history.heapBytesPerSpan.1m');
  return rows.map((row) => {
    if (row.name === 'history.firstRunsMs.5m') return { ...row, baseline: baselineOf('history.firstRunsMs.1m') * byBytes, note: `${spans} spans; baseline: the 1m bench's every file read whole, scaled by bytes (×${byBytes.toFixed(2)})` };
    if (row.name === 'history.peakHeapMB.5m') return { ...row, baseline: (heldPerSpan * spans) / MB, note: `the highest heap in use seen, in a Node capped at ${HEAP_CAP_MB} MB; baseline: every span held (the 1m bench's bytes per span, scaled)` };
    if (row.name === 'history.heapBytesPerSpan.5m') return { ...row, baseline: heldPerSpan };
    return row;
  });
}

if (/[\\/]bench[\\/]history5m\.js$/.test(process.argv[1] ?? '')) {
  child(process.argv[2] ?? path.resolve(__dirname, '..', '..', 'bench', 'data')).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
