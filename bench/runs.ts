// Runs view bench: the top level of the Runs view over 10,000 runs — listing, filtering
// (name, errors, model: a pass over every span's indexed attributes) and the text search
// over the trace files — against the least each could do: the unfiltered newest-first page
// the view listed before filters, one plain pass over every span, and reading the file whole
// with one case-insensitive indexOf. Run alone with `node --expose-gc out/bench/runs.js`
// after `node scripts/build.mjs --tests`.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { readTraceFiles } from '../src/core/ingest/readTraceFiles';
import { NO_FILTER } from '../src/core/runs/filter';
import { searchRuns } from '../src/core/runs/runSearch';
import { runList } from '../src/core/runs/runList';
import type { Trace } from '../src/core/model/trace';
import { Rng, kvI, kvS, q } from './generate';

export interface RunsResult {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
}

export const RUNS_BASELINES =
  'runs.*: baselines = the newest-first page of 200 runs (list), one plain pass over every span of every run (filter), reading the trace file whole with one lower-case indexOf (text search).';

/** The Runs view lists on every change while runs stream in: a filtered listing must stay well inside a frame. */
export const RUNS_TARGETS: Record<string, string> = {
  'runs.listMs.10k': 'value < 16 ms',
  'runs.filterMs.10k': 'value < 16 ms',
  'runs.textSearchMs.10k': 'ratio ≤ 3',
};

type Log = (message: string) => void;

const RUNS = Number(process.env.TRACERUN_BENCH_RUNS ?? 10_000);
const SPANS_PER_RUN = 12;
const PAGE = 200;
const ROUNDS = 5;
const T0 = 1_700_000_000_000_000_000n;

function hex(n: number, bytes: number): string {
  return n.toString(16).padStart(bytes * 2, '0');
}

/** One OTLP line per run: an agent root with its question, chat calls on a few models, tools, one run in ten failing. */
function writeRuns(file: string): void {
  const rng = new Rng(7);
  const models = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'gemini-1.5-pro'];
  const lines: string[] = [];
  for (let r = 0; r < RUNS; r++) {
    const traceId = hex(r + 1, 16);
    const start = T0 + BigInt(r) * 2_000_000_000n;
    const rootId = hex(r * 100 + 1, 8);
    const failed = r % 10 === 3;
    const spans: string[] = [];
    const span = (id: string, parent: string, name: string, offsetMs: number, ms: number, attrs: string[], error = false) =>
      spans.push(
        `{"traceId":"${traceId}","spanId":"${id}","parentSpanId":"${parent}","name":${q(name)},"kind":1,"startTimeUnixNano":"${start + BigInt(offsetMs) * 1_000_000n}","endTimeUnixNano":"${start + BigInt(offsetMs + ms) * 1_000_000n}","attributes":[${attrs.join(',')}],"status":${error ? '{"code":2,"message":"tool failed"}' : '{}'}}`,
      );
    span(rootId, '', 'support_agent.run', 0, 1500, [kvS('gen_ai.operation.name', 'invoke_agent'), kvS('input.value', `Question ${r}: where is order ${rng.int(1000, 9999)}?`)], failed);
    for (let k = 1; k < SPANS_PER_RUN; k++) {
      const id = hex(r * 100 + 1 + k, 8);
      if (k % 2 === 1) span(id, rootId, 'chat', k * 100, 90, [kvS('gen_ai.operation.name', 'chat'), kvS('gen_ai.request.model', rng.pick(models)), kvI('gen_ai.usage.input_tokens', rng.int(100, 900)), kvS('gen_ai.input.messages', q([{ role: 'user', parts: [{ type: 'text', content: `step ${k} of run ${r}` }] }]))]);
      else span(id, rootId, 'execute_tool lookup_order', k * 100, 50, [kvS('gen_ai.operation.name', 'execute_tool'), kvS('gen_ai.tool.call.result', `{"status":"${rng.pick(['shipped', 'pending', 'lost'])}","run":${r}}`)], failed && k === SPANS_PER_RUN - 1);
    }
    lines.push(`{"resourceSpans":[{"resource":{"attributes":[${kvS('service.name', 'support')}]},"scopeSpans":[{"scope":{"name":"bench"},"spans":[${spans.join(',')}]}]}]}\n`);
  }
  fs.writeFileSync(file, lines.join(''));
}

function best(fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

async function bestAsync(fn: () => Promise<unknown>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

export async function benchRuns(log: Log): Promise<RunsResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracerun-bench-runs-'));
  try {
    const file = path.join(dir, 'runs.jsonl');
    writeRuns(file);
    const { store } = await readTraceFiles([file]);
    const runs = store.runs();
    log(`  ${runs.length} runs, ${SPANS_PER_RUN} spans each, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB`);
    const now = Number(T0 / 1_000_000n) + RUNS * 2000;

    const list = best(() => runList(runs, NO_FILTER, now).entries.slice(0, PAGE));
    const listBase = best(() => store.runs().slice(0, PAGE));

    // A new filter object each round, as each pick in the view makes one; the model cache is warm after the first.
    const filterCold = (() => {
      const t = performance.now();
      runList(runs, { errorsOnly: true, model: 'gpt-4o' }, now);
      return performance.now() - t;
    })();
    const filter = best(() => runList(runs, { rootName: 'support_agent.run', errorsOnly: true, model: 'gpt-4o', minDurationMs: 1000 }, now));
    const pass = (all: readonly Trace[]) => {
      let n = 0;
      for (const t of all) for (const s of t.allSpans()) if (s.attributes?.['gen_ai.request.model'] === 'gpt-4o') n++;
      return n;
    };
    const filterBase = best(() => pass(runs));

    const query = 'LOST';
    let matched = 0;
    const search = await bestAsync(async () => (matched = (await searchRuns(runs, query)).size));
    const searchBase = await bestAsync(async () => fs.promises.readFile(file, 'latin1').then((text) => text.toLowerCase().indexOf(query.toLowerCase())));
    log(`  list ${list.toFixed(2)} ms · filter ${filter.toFixed(2)} ms (first, models counted: ${filterCold.toFixed(1)} ms) · text search ${search.toFixed(0)} ms, ${matched} runs matched`);
    return [
      { name: 'runs.listMs.10k', value: list, unit: 'ms', baseline: listBase },
      { name: 'runs.filterMs.10k', value: filter, unit: 'ms', baseline: filterBase },
      { name: 'runs.filterFirstMs.10k', value: filterCold, unit: 'ms', baseline: filterBase },
      { name: 'runs.textSearchMs.10k', value: search, unit: 'ms', baseline: searchBase },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Alone only: bundled into run.js, `require.main === module` holds there too and ran it at import.
if (/[\\/]bench[\\/]runs\.js$/.test(process.argv[1] ?? '')) {
  void benchRuns((m) => console.log(m)).then((rows) => console.table(rows));
}
