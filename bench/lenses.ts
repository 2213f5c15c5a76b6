// The function lenses of a large file (issue 10): a 5,000-line file whose 250 functions hold
// 10,000 spans. The row is the time of what the lens provider computes per call once it has
// the file's spans and its document symbols (`rangeLenses`); the baseline is one plain pass
// over the same spans summing their durations, the least any counting must do.
// Part of `npm run bench` (bench/run.ts); alone: node out/bench/lenses.js.
import { performance } from 'node:perf_hooks';
import { StatusCode, type SpanRecord } from '../src/core/model/span';
import { rangeLenses, type CodeRange, type LocatedSpan } from '../src/core/source/functionSpans';
import { Rng } from './generate';

export interface LensResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
}

export const LENS_TARGETS: Record<string, string> = {
  'lenses.provideMs.5000lines10kSpans': 'value < 16 ms',
};

export const LENS_BASELINES = 'lenses.* baseline = one pass over the same spans summing their durations.';

const LINES = 5000;
const FUNCTION_LINES = 20;
const SPANS = 10_000;

function fixture(): { spans: LocatedSpan[]; functions: CodeRange[] } {
  const rng = new Rng(10);
  const functions: CodeRange[] = [];
  for (let start = 1; start + FUNCTION_LINES - 1 <= LINES; start += FUNCTION_LINES) {
    functions.push({ name: `step_${start}`, startLine: start, endLine: start + FUNCTION_LINES - 2, nameLine: start });
  }
  const spans: LocatedSpan[] = [];
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
    spans.push({ line: 1 + Math.floor(rng.next() * LINES), traceId: 't', span });
  }
  spans.sort((a, b) => a.line - b.line);
  return { spans, functions };
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
      for (const s of spans) sink += Number(s.span.endNs - s.span.startNs);
    }),
  };
  log(`  ${row.name}: ${row.value.toFixed(3)} ms for ${lenses.length} lenses (baseline ${row.baseline.toFixed(3)} ms; ${(sink / 1e9).toFixed(0)} span-seconds summed)`);
  return [row];
}

if (require.main === module) benchLenses((m) => process.stdout.write(m + '\n'));
