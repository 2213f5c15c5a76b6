// The function lenses of a large file (issue 10): a 5,000-line file whose 250 functions hold
// 10,000 spans (from 500 runs). The row is the time of what the lens provider computes per
// call once it has the file's lines and its document symbols (`rangeLenses`); the baseline is
// one plain pass over the same spans summing their durations, the least any counting must do.
// And the rebuild of the lens index after one new run arrives in a big workspace (issue 16):
// 10,000 runs of 100 spans (1,000,000 spans, every one with `code.*` attributes; each run an
// agent of one of 50 modules, calling 10 of its 40 call sites): only the new run is walked
// and placed into the index kept from the build before; the baseline is the full walk the
// index made before digests (every span of every run twice: the distinct paths, then grouping
// by place).
// Part of `npm run bench` (bench/run.ts); alone: node out/bench/lenses.js.
import { performance } from 'node:perf_hooks';
import { StatusCode, type SpanRecord } from '../src/core/model/span';
import { TraceStore } from '../src/core/model/traceStore';
import type { Trace } from '../src/core/model/trace';
import { rangeLenses, SpanLocationsMerge, type CodeRange, type LineSpans, type ResolvedPlaces } from '../src/core/source/functionSpans';
import { runDigests, spanRef, type PlaceStats } from '../src/core/source/runDigest';
import { sourceLocationOf } from '../src/core/source/source';
import { sourceFileKey } from '../src/core/source/sourceIndex';
import { runSteps } from '../src/core/util/steps';
import { Rng } from './generate';

export interface LensResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
}

export const LENS_TARGETS: Record<string, string> = {
  'lenses.provideMs.5000lines10kSpans': 'value < 16 ms',
  'lenses.rebuildMs.1mSpans10kRuns': 'value < baseline / 10',
};

export const LENS_BASELINES =
  'lenses.provideMs baseline = one pass over the same spans summing their durations; lenses.rebuildMs baseline = the full walk of every span of every run (as before run digests).';

const LINES = 5000;
const FUNCTION_LINES = 20;
const SPANS = 10_000;

const FIXTURE_RUNS = 500;

function fixture(): { spans: LineSpans[]; functions: CodeRange[] } {
  const rng = new Rng(10);
  const functions: CodeRange[] = [];
  for (let start = 1; start + FUNCTION_LINES - 1 <= LINES; start += FUNCTION_LINES) {
    functions.push({ name: `step_${start}`, startLine: start, endLine: start + FUNCTION_LINES - 2, nameLine: start });
  }
  // line → run → its part (one run's spans at one line, as a digest holds them).
  const parts = new Map<number, Map<number, { spans: SpanRecord[] }>>();
  for (let i = 0; i < SPANS; i++) {
    const startNs = BigInt(1_700_000_000_000 + Math.floor(rng.next() * 3_600_000)) * 1_000_000n;
    const span = {
      traceId: 't',
      spanId: i.toString(16).padStart(16, '0'),
      parentSpanId: '',
      name: 'step',
      kind: 1,
      startNs,
      endNs: startNs + BigInt(Math.floor(rng.next() * 2_000_000_000)),
      statusCode: rng.next() < 0.05 ? StatusCode.Error : StatusCode.Unset,
      errorMessage: undefined,
      attributes: undefined,
      resource: { serviceName: undefined, attributesStart: 0, attributesEnd: 0 },
      scope: undefined,
      origin: { file: '/bench/trace.jsonl', line: 1 },
      byteStart: 0,
      byteEnd: 0,
    } as SpanRecord;
    const line = 1 + Math.floor(rng.next() * LINES);
    const run = Math.floor(rng.next() * FIXTURE_RUNS);
    let runs = parts.get(line);
    if (!runs) parts.set(line, (runs = new Map()));
    let part = runs.get(run);
    if (!part) runs.set(run, (part = { spans: [] }));
    part.spans.push(span);
  }
  const spans: LineSpans[] = [...parts].map(([line, runs]) => ({ line, parts: [...runs.values()].map((p) => partOf(p.spans)) }));
  spans.sort((a, b) => a.line - b.line);
  return { spans, functions };
}

function partOf(spans: SpanRecord[]): PlaceStats {
  const ended = spans.filter((s) => s.endNs !== 0n).map((s) => Number(s.endNs - s.startNs) / 1e6);
  const newest = [...spans].sort((a, b) => (a.startNs > b.startNs ? -1 : a.startNs < b.startNs ? 1 : 0));
  return {
    count: spans.length,
    failed: spans.filter((s) => s.statusCode === StatusCode.Error).length,
    running: spans.length - ended.length,
    durations: ended.sort((a, b) => a - b),
    lastStartNs: newest[0].startNs,
    recent: newest.slice(0, 50).map(spanRef),
  };
}

/** Median of a few runs of `fn`, in ms: one call, as the editor makes it. */
function medianMs(runs: number, fn: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

export function benchLenses(log: (m: string) => void): LensResult[] {
  const { spans, functions } = fixture();
  const lenses = rangeLenses(spans, functions);
  const counted = lenses.reduce((n, l) => n + l.stats.count, 0);
  if (counted !== SPANS) throw new Error(`the lenses counted ${counted} of ${SPANS} spans`);
  let sink = 0;
  const row: LensResult = {
    name: 'lenses.provideMs.5000lines10kSpans',
    value: medianMs(31, () => rangeLenses(spans, functions)),
    unit: 'ms',
    baseline: medianMs(31, () => {
      for (const l of spans) for (const p of l.parts) for (const d of p.durations) sink += d;
    }),
  };
  log(`  ${row.name}: ${row.value.toFixed(3)} ms for ${lenses.length} lenses (baseline ${row.baseline.toFixed(3)} ms; ${(sink / 1e3).toFixed(0)} span-seconds summed)`);
  return [row, benchRebuild(log)];
}

// ---------------------------------------------------------------------------------------
// The lens index rebuilt after one new run arrives.

const REBUILD_RUNS = Number(process.env.TRACERUN_BENCH_LENS_RUNS ?? 10_000);
const SPANS_PER_RUN = 100;
const SOURCE_FILES = 50;
const LINES_PER_FILE = 40;
const TRACE_FILE = '/bench/otlp.jsonl';

const SITES_PER_RUN = 10;

/** A run of `SPANS_PER_RUN` spans from `SITES_PER_RUN` call sites of one module (attribute objects shared per place, as a reader's are few). */
function benchRun(rng: Rng, n: number, attributes: readonly Record<string, string | number>[]): SpanRecord[] {
  const module = Math.floor(rng.next() * SOURCE_FILES);
  const sites = Array.from({ length: SITES_PER_RUN }, () => attributes[module * LINES_PER_FILE + Math.floor(rng.next() * LINES_PER_FILE)]);
  const traceId = n.toString(16).padStart(32, '0');
  const base = BigInt(1_700_000_000_000 + n * 10_000) * 1_000_000n;
  const spans: SpanRecord[] = [];
  for (let i = 0; i < SPANS_PER_RUN; i++) {
    const startNs = base + BigInt(i) * 50_000_000n;
    spans.push({
      traceId,
      spanId: (n * SPANS_PER_RUN + i).toString(16).padStart(16, '0'),
      parentSpanId: i === 0 ? '' : (n * SPANS_PER_RUN).toString(16).padStart(16, '0'),
      name: 'step',
      kind: 1,
      startNs,
      endNs: startNs + BigInt(Math.floor(rng.next() * 2_000_000_000)),
      statusCode: rng.next() < 0.05 ? StatusCode.Error : StatusCode.Unset,
      errorMessage: undefined,
      attributes: sites[Math.floor(rng.next() * sites.length)],
      resource: { serviceName: undefined, attributesStart: 0, attributesEnd: 0 },
      scope: undefined,
      origin: { file: TRACE_FILE, line: n + 1 },
      byteStart: 0,
      byteEnd: 0,
    });
  }
  return spans;
}

/** Recorded paths resolve as in the workspace: here every one to itself. */
const places: ResolvedPlaces = { path: (recorded) => recorded, name: () => undefined };

/** The rebuild as `SpanLocationIndex` makes it, without the disk: digests (new runs walked), their distinct paths, the merge. */
function rebuild(merge: SpanLocationsMerge, traces: readonly Trace[]): number {
  const digests = runSteps(runDigests(traces));
  const paths = new Set<string>();
  for (const d of digests) for (const p of d.paths) paths.add(p.path);
  const index = runSteps(merge.update(digests, places));
  let n = 0;
  for (const lines of index.values()) for (const l of lines) for (const p of l.parts) n += p.count;
  if (paths.size === 0) throw new Error('no recorded paths');
  return n;
}

/** The full walk of before (the baseline): every span of every run for the distinct paths, then again to group them by place. */
function fullWalk(traces: readonly Trace[]): number {
  const paths = new Set<string>();
  for (const trace of traces) {
    for (const span of trace.allSpans()) {
      const recorded = sourceLocationOf(span.attributes);
      if (recorded) paths.add(recorded.path);
    }
  }
  const files = new Map<string, { line: number; traceId: string; span: SpanRecord }[]>();
  for (const trace of traces) {
    for (const span of trace.allSpans()) {
      const recorded = sourceLocationOf(span.attributes);
      if (!recorded?.line) continue;
      const key = sourceFileKey(places.path(recorded.path)!);
      let list = files.get(key);
      if (!list) files.set(key, (list = []));
      list.push({ line: recorded.line, traceId: trace.traceId, span });
    }
  }
  let n = 0;
  for (const list of files.values()) n += list.sort((a, b) => a.line - b.line).length;
  return n;
}

function benchRebuild(log: (m: string) => void): LensResult {
  const rng = new Rng(16);
  const attributes: Record<string, string | number>[] = [];
  for (let f = 0; f < SOURCE_FILES; f++) {
    for (let line = 1; line <= LINES_PER_FILE; line++) attributes.push({ 'code.file.path': `/bench/app/module_${f}.py`, 'code.line.number': line * 10, 'code.function.name': `fn_${line}` });
  }
  const store = new TraceStore();
  for (let n = 0; n < REBUILD_RUNS; n++) store.addSpans(TRACE_FILE, benchRun(rng, n, attributes));
  const merge = new SpanLocationsMerge();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const first = rebuild(merge, store.runs());
  const firstMs = performance.now() - t0;
  gc?.();
  const digestMB = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  if (first !== REBUILD_RUNS * SPANS_PER_RUN) throw new Error(`the first build placed ${first} of ${REBUILD_RUNS * SPANS_PER_RUN} spans`);
  let runs = REBUILD_RUNS;
  const arrive = () => store.addSpans(TRACE_FILE, benchRun(rng, runs++, attributes));
  const value = medianMs(9, () => {
    arrive();
    const placed = rebuild(merge, store.runs());
    if (placed !== runs * SPANS_PER_RUN) throw new Error(`the rebuild placed ${placed} of ${runs * SPANS_PER_RUN} spans`);
  });
  const baseline = medianMs(3, () => {
    arrive();
    const placed = fullWalk(store.runs());
    if (placed !== runs * SPANS_PER_RUN) throw new Error(`the full walk placed ${placed} of ${runs * SPANS_PER_RUN} spans`);
  });
  const row: LensResult = { name: 'lenses.rebuildMs.1mSpans10kRuns', value, unit: 'ms', baseline };
  log(`  ${row.name}: ${value.toFixed(1)} ms after one new run among ${REBUILD_RUNS.toLocaleString()} (${(REBUILD_RUNS * SPANS_PER_RUN).toLocaleString()} spans; first build ${firstMs.toFixed(0)} ms${gc ? `, digests and index ${digestMB.toFixed(0)} MB of heap` : ''}; baseline full walk ${baseline.toFixed(1)} ms)`);
  return row;
}

// Alone only: bundled into run.js, `require.main === module` holds there too and ran it at import.
if (/[\\/]bench[\\/]lenses\.js$/.test(process.argv[1] ?? '')) benchLenses((m) => process.stdout.write(m + '\n'));
