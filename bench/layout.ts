// Layout bench: the waterfall's layout (rows, folding, self time, critical path) of a million
// spans, on the extension host, against the least any layout does: one depth-first walk of
// the same tree filling depth, parent, start and duration columns.
//
// The trees are built by hand (no reader, no Trace) so the rows time the layout alone; the
// reader and the tree build are in the ingest and waterfall rows. Run alone with
// `node --expose-gc out/bench/layout.js` after `node scripts/build.mjs --tests`.
import { performance } from 'node:perf_hooks';
import { SpanKind, StatusCode, type SpanRecord } from '../src/core/model/span';
import type { SpanNode } from '../src/core/model/trace';
import { runSteps } from '../src/core/util/steps';
import { layoutWaterfallSteps, type SpanForest, type WaterfallLayout, type WaterfallOptions } from '../src/core/waterfall/layout';

export interface LayoutResult {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
}

export const LAYOUT_BASELINES =
  'layout.*: baseline = one iterative depth-first walk of the same tree filling depth, parent, start and duration columns (no folding, self time or critical path).';

type Log = (message: string) => void;

const T0 = 1_700_000_000_000_000_000n;
const SPANS = Number(process.env.TRACERUN_BENCH_LAYOUT_SPANS ?? 1_000_000);
const ROUNDS = 3;

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** Spans built by hand, pushing children as they go. */
interface BenchNode extends SpanNode {
  children: BenchNode[];
}

const BASE: SpanRecord = {
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'base',
  parentSpanId: '',
  name: 'base',
  kind: SpanKind.Internal,
  startNs: T0,
  endNs: T0,
  statusCode: StatusCode.Unset,
  errorMessage: undefined,
  attributes: undefined,
  resource: { serviceName: 'svc', attributesStart: 0, attributesEnd: 0 },
  scope: undefined,
  origin: { file: 'mem', line: 1 },
  byteStart: 0,
  byteEnd: 0,
};

const nsAt = (ms: number): bigint => T0 + BigInt(Math.round(ms * 1e6));

/**
 * An agent-shaped run: a root, 20,000 steps, each with an LLM call (and its HTTP request), a
 * run of same-name tool calls (some concurrent) each with a DB query, and a summary.
 */
function agentForest(target: number): { forest: SpanForest; count: number } {
  let count = 0;
  let id = 0;
  const node = (name: string, start: number, end: number, parent: BenchNode | undefined, error = false): BenchNode => {
    const n: BenchNode = {
      span: { ...BASE, spanId: (++id).toString(16).padStart(16, '0'), name, startNs: nsAt(start), endNs: nsAt(end), statusCode: error ? StatusCode.Error : StatusCode.Ok },
      children: [],
      depth: 0,
      orphan: false,
      notReceived: false,
    };
    parent?.children.push(n);
    count++;
    return n;
  };
  const steps = Math.max(1, Math.round(target / 50));
  const perStep = Math.floor((target - 1) / steps); // 49 for a million
  const root = node('agent run', 0, steps * 100, undefined);
  for (let s = 0; s < steps && count < target; s++) {
    const t = s * 100;
    const step = node('agent step', t, t + 99, root);
    const llm = node('chat gpt-4o', t + 1, t + 40, step);
    node('POST /v1/chat/completions', t + 2, t + 39, llm);
    const tools = Math.floor((perStep - 5) / 2); // 22 tool calls, each with a query
    for (let k = 0; k < tools; k++) {
      const ts = t + 41 + k * 2.4 - (k % 3 === 1 ? 1 : 0); // every third overlaps its predecessor
      const tool = node('lookupOrder', ts, ts + 2.2, step, k === 7 && s % 100 === 0);
      node('SELECT orders', ts + 0.2, ts + 2, tool);
    }
    node('summarize', t + 95, t + 98, step);
  }
  while (count < target) node('late log', count, count + 1, root);
  root.children.sort((a, b) => (a.span.startNs < b.span.startNs ? -1 : a.span.startNs > b.span.startNs ? 1 : 0));
  // Sized like a TraceTree, whose `nodes` map tells the layout how many spans to expect.
  return { forest: { roots: [root], nodes: { size: count } }, count };
}

/** One root and n − 1 sequential children, all on the critical path. */
function wideForest(n: number): { forest: SpanForest; count: number } {
  const root: BenchNode = { span: { ...BASE, spanId: 'root', name: 'root', startNs: T0, endNs: T0 + BigInt(n) * 1_000_000n }, children: [], depth: 0, orphan: false, notReceived: false };
  for (let k = 0; k < n - 1; k++) {
    const s = T0 + BigInt(k) * 1_000_000n;
    root.children.push({ span: { ...BASE, spanId: `c${k}`, name: k % 2 ? 'a' : 'b', startNs: s, endNs: s + 1_000_000n }, children: [], depth: 1, orphan: false, notReceived: false });
  }
  return { forest: { roots: [root], nodes: { size: n } }, count: n };
}

function layOut(forest: SpanForest, options?: WaterfallOptions): WaterfallLayout {
  return runSteps(layoutWaterfallSteps(forest, options));
}

/** The baseline: rows in depth-first order with depth, parent, start and duration, nothing more. */
function plainWalk(forest: SpanForest, count: number): number {
  const depth = new Uint16Array(count);
  const parent = new Int32Array(count);
  const startMs = new Float64Array(count);
  const durationMs = new Float64Array(count);
  const origin = forest.roots[0]?.span.startNs ?? 0n;
  const stack: { node: SpanNode; parentRow: number; depth: number }[] = [];
  for (let k = forest.roots.length - 1; k >= 0; k--) stack.push({ node: forest.roots[k], parentRow: -1, depth: 0 });
  let row = 0;
  while (stack.length > 0) {
    const { node, parentRow, depth: d } = stack.pop()!;
    const r = row++;
    depth[r] = d > 0xffff ? 0xffff : d;
    parent[r] = parentRow;
    const span = node.span;
    startMs[r] = Number(span.startNs - origin) / 1e6;
    durationMs[r] = span.endNs > span.startNs ? Number(span.endNs - span.startNs) / 1e6 : 0;
    for (let k = node.children.length - 1; k >= 0; k--) stack.push({ node: node.children[k], parentRow: r, depth: d + 1 });
  }
  return row;
}

/** The median of `ROUNDS` timed runs, after one untimed run (compiles, and pays the GC debt of building the trees). */
function medianMs<T>(run: () => T): { ms: number; result: T } {
  let result = run();
  const times: number[] = [];
  for (let k = 0; k < ROUNDS; k++) {
    gc();
    const t = performance.now();
    result = run();
    times.push(performance.now() - t);
  }
  return { ms: times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)], result };
}

/** Spot checks, so a broken layout cannot pass for a fast one. */
function check(l: WaterfallLayout, count: number, label: string): void {
  if (l.spans.length !== count) throw new Error(`${label}: laid out ${l.spans.length} spans of ${count}`);
  for (const r of [0, 1, 2, Math.floor(l.rowCount / 2), l.rowCount - 1]) {
    const p = l.parent[r];
    if ((p >= 0 && l.depth[r] !== l.depth[p] + 1) || l.subtreeEnd[r] <= r) throw new Error(`${label}: row ${r} is out of shape`);
  }
}

export function benchLayout(log: Log): LayoutResult[] {
  const fmt = (n: number): string => n.toLocaleString('en');
  const label = SPANS === 1_000_000 ? '1m' : String(SPANS);
  const agent = agentForest(SPANS);
  const folded = medianMs(() => layOut(agent.forest));
  check(folded.result, agent.count, 'agent');
  const flat = medianMs(() => layOut(agent.forest, { foldThreshold: 0 }));
  check(flat.result, agent.count, 'agent unfolded');
  const segments = medianMs(() => layOut(agent.forest, { criticalSegments: true }));
  const agentBase = medianMs(() => plainWalk(agent.forest, agent.count));
  if (agentBase.result !== agent.count) throw new Error(`baseline walked ${agentBase.result} spans of ${agent.count}`);
  const groups = folded.result.groupSize.reduce((a, b) => a + (b > 0 ? 1 : 0), 0);
  const onPath = flat.result.onCriticalPath.reduce((a, b) => a + b, 0);
  log(
    `  ${fmt(agent.count)} agent-shaped spans (median of ${ROUNDS}): ${folded.ms.toFixed(0)} ms folded (${fmt(groups)} groups); ` +
      `${flat.ms.toFixed(0)} ms unfolded; ${segments.ms.toFixed(0)} ms with critical segments (${fmt(segments.result.criticalPath.row.length)}); ` +
      `${fmt(onPath)} spans on the critical path; baseline walk ${agentBase.ms.toFixed(0)} ms`,
  );

  const wide = wideForest(SPANS);
  const wideLayout = medianMs(() => layOut(wide.forest));
  check(wideLayout.result, wide.count, 'wide');
  const wideOnPath = wideLayout.result.onCriticalPath.reduce((a, b) => a + b, 0);
  if (wideOnPath !== wide.count) throw new Error(`wide: ${wideOnPath} of ${wide.count} sequential spans on the critical path`);
  const wideBase = medianMs(() => plainWalk(wide.forest, wide.count));
  log(`  ${fmt(wide.count)} sequential children of one root, all on the critical path (median of ${ROUNDS}): ${wideLayout.ms.toFixed(0)} ms; baseline walk ${wideBase.ms.toFixed(0)} ms`);

  return [
    { name: `layout.ms.${label}.agent`, value: folded.ms, unit: 'ms', baseline: agentBase.ms },
    { name: `layout.ms.${label}.wide`, value: wideLayout.ms, unit: 'ms', baseline: wideBase.ms },
  ];
}

// Alone only: bundled into run.js, `require.main === module` holds there too and ran it at import.
if (/[\\/]bench[\\/]layout\.js$/.test(process.argv[1] ?? '')) {
  const log: Log = (message) => process.stdout.write(message + '\n');
  for (const r of benchLayout(log)) log(`${r.name}: ${r.value.toFixed(0)} ${r.unit} (baseline ${r.baseline?.toFixed(0)} ${r.unit})`);
}
