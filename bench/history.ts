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
import { Rng, kvI, kvS, q } from './generate';

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
const DAYS = 30;
const PAGE = 200;
const MB = 1e6;

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {
  throw new Error('run with node --expose-gc (npm run bench does)');
});
function fullGc(): void {
  gc();
  gc();
}

const QUESTIONS = ['Where is my order ZX-', 'Can I get a refund for invoice ', 'Why was I charged twice on ', 'Change the delivery address of order ', 'Cancel my subscription ', 'What is the status of ticket '];
const TOOLS = ['lookup_order', 'issue_refund', 'search_kb', 'send_email', 'update_address'];
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-20250514'];
const SPANS_PER_RUN = 50;

/**
 * One agent run (50 spans with its 8 steps) as an OTLP span list, children before parents (the order SDKs
 * export them): a root with the question, then steps of a chat call (GenAI attributes,
 * tokens, short messages), a retrieval and a tool call with an HTTP and a database child.
 */
function agentRun(rng: Rng, run: number, startUs: number, steps = 8): string[] {
  const traceId = rng.hex(16);
  const rootId = rng.hex(8);
  const spans: string[] = [];
  const span = (id: string, parent: string, name: string, kind: number, s: number, e: number, attrs: string[], error?: string) =>
    spans.push(
      `{"traceId":"${traceId}","spanId":"${id}","parentSpanId":"${parent}","name":${q(name)},"kind":${kind},"startTimeUnixNano":"${Math.round(s)}000","endTimeUnixNano":"${Math.round(e)}000","attributes":[${attrs.join(',')}],"status":${error ? `{"code":2,"message":${q(error)}}` : '{}'}}`,
    );
  const question = `${rng.pick(QUESTIONS)}${rng.int(1000, 9999)}?`;
  let t = startUs + 200;
  const failedStep = rng.chance(0.1) ? rng.int(0, steps - 1) : -1;
  for (let step = 0; step < steps; step++) {
    const stepId = rng.hex(8);
    const stepStart = t;
    const model = rng.pick(MODELS);
    const llmEnd = t + rng.int(300_000, 2_000_000);
    const inTokens = rng.int(200, 3000);
    const outTokens = rng.int(20, 400);
    span(rng.hex(8), stepId, `chat ${model}`, 3, t, llmEnd, [
      kvS('gen_ai.operation.name', 'chat'), kvS('gen_ai.system', 'openai'), kvS('gen_ai.request.model', model), kvS('gen_ai.response.model', model),
      kvI('gen_ai.usage.input_tokens', inTokens), kvI('gen_ai.usage.output_tokens', outTokens),
      kvS('gen_ai.prompt.0.role', 'user'), kvS('gen_ai.prompt.0.content', question), kvS('gen_ai.completion.0.content', `Calling a tool for step ${step + 1}.`),
    ]);
    t = llmEnd + 100;
    const retrieveEnd = t + rng.int(5_000, 60_000);
    span(rng.hex(8), stepId, 'retrieve documents', 1, t, retrieveEnd, [kvS('openinference.span.kind', 'RETRIEVER'), kvS('input.value', question), kvI('retrieval.documents.count', rng.int(1, 8))]);
    t = retrieveEnd + 100;
    const tool = rng.pick(TOOLS);
    const toolId = rng.hex(8);
    const toolEnd = t + rng.int(20_000, 400_000);
    span(rng.hex(8), toolId, 'GET', 3, t + 1000, t + 1000 + (toolEnd - t) / 3, [kvS('http.request.method', 'GET'), kvS('url.full', `https://api.internal/orders/${rng.int(1, 99999)}`), kvI('http.response.status_code', 200)]);
    span(rng.hex(8), toolId, 'SELECT orders', 3, t + 2000 + (toolEnd - t) / 3, toolEnd - 500, [kvS('db.system', 'postgresql'), kvS('db.query.text', 'SELECT * FROM orders WHERE id = $1')]);
    const error = step === failedStep ? `${tool} failed: upstream timeout` : undefined;
    span(toolId, stepId, `execute_tool ${tool}`, 1, t, toolEnd, [kvS('gen_ai.operation.name', 'execute_tool'), kvS('gen_ai.tool.name', tool), kvS('code.function.name', tool), kvS('code.file.path', 'src/agent/tools.py'), kvI('code.line.number', 40 + TOOLS.indexOf(tool) * 12)], error);
    t = toolEnd + 100;
    span(stepId, rootId, `agent.step ${step + 1}`, 1, stepStart, t, [kvI('agent.step', step + 1)]);
  }
  const answerEnd = t + rng.int(300_000, 1_500_000);
  span(rng.hex(8), rootId, 'chat gpt-4o', 3, t, answerEnd, [kvS('gen_ai.operation.name', 'chat'), kvS('gen_ai.request.model', 'gpt-4o'), kvI('gen_ai.usage.input_tokens', rng.int(500, 4000)), kvI('gen_ai.usage.output_tokens', rng.int(50, 500))]);
  span(rootId, '', 'support_agent.run', 2, startUs, answerEnd + 200, [kvS('openinference.span.kind', 'AGENT'), kvS('input.value', question), kvS('output.value', `Resolved run ${run}.`)]);
  return spans;
}

/**
 * 30 daily files of the receiver's naming, oldest first, mtimes a day apart, `spans` spans in
 * runs of 50 (two runs at a time share each exporter batch line); reused when present.
 */
export function ensureHistory(root: string, spans = SPANS): { dir: string; files: string[]; bytes: number } {
  const dir = path.join(root, `history-v3-${spans}`);
  const folder = path.join(dir, '.tracerun');
  const done = path.join(dir, 'done.json');
  if (fs.existsSync(done)) return JSON.parse(fs.readFileSync(done, 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  const rng = new Rng(20251101);
  const files: string[] = [];
  let bytes = 0;
  let run = 0;
  const runsPerDay = Math.max(1, Math.round(spans / SPANS_PER_RUN / DAYS));
  for (let day = 0; day < DAYS; day++) {
    const file = path.join(folder, `otlp-2026-11-${String(day + 1).padStart(2, '0')}.jsonl`);
    const lines: string[] = [];
    const dayStartUs = Date.UTC(2026, 10, day + 1, 8) * 1000;
    for (let k = 0; k < runsPerDay; k += 2) {
      // One run in a hundred is a long one (80 steps, 483 spans), for opening a big run.
      const a = agentRun(rng, run, dayStartUs + k * 2_000_000, run++ % 100 === 50 ? 80 : 8);
      const b = k + 1 < runsPerDay ? agentRun(rng, run++, dayStartUs + (k + 1) * 2_000_000) : [];
      // Two runs' spans interleaved, in batches of up to 40, as a busy exporter sends them.
      const mixed: string[] = [];
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (i < a.length) mixed.push(a[i]);
        if (i < b.length) mixed.push(b[i]);
      }
      for (let i = 0; i < mixed.length; i += 40) {
        lines.push(`{"resourceSpans":[{"resource":{"attributes":[${kvS('service.name', 'support-agent')},${kvS('service.version', '1.4.2')}]},"scopeSpans":[{"scope":{"name":"openinference.instrumentation.openai","version":"0.1.18"},"spans":[${mixed.slice(i, i + 40).join(',')}]}]}]}`);
      }
    }
    const text = lines.join('\n') + '\n';
    fs.writeFileSync(file, text);
    bytes += Buffer.byteLength(text);
    const when = new Date(Date.UTC(2026, 10, day + 1, 23));
    fs.utimesSync(file, when, when);
    files.push(file);
  }
  const info = { dir, files, bytes };
  fs.writeFileSync(done, JSON.stringify(info));
  return info;
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
  const history = ensureHistory(dataDir);
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

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..', 'bench', 'data');
  benchHistory(root, (m) => console.log(m)).then((rows) => console.log(JSON.stringify(rows, null, 2)));
}
