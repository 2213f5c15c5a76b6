// Pathological inputs for the parsers a trace file feeds (issue 15, items 4–6): a stack trace
// ending in 100 KB of base64, a line of 40,000 characters without a colon, a price glob of
// 12 stars, one very long trace line. Each row has a baseline of the least any reader must
// do with the same input (a split, an exact lookup, reading the file and finding its newline),
// measured in the same run. Part of `npm run bench` (bench/run.ts); alone: node out/bench/parsers.js.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { findPrice } from '../src/core/genai/cost';
import { FileTailer, type TailSink } from '../src/core/ingest/tailer';
import { parseStackTrace } from '../src/core/source/stackFrames';
import { kvS, q } from './generate';

export interface ParserResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
}

export const PARSER_TARGETS: Record<string, string> = {
  'stackFrames.parseMs.100kBase64': 'value < 50 ms',
  'stackFrames.parseMs.40kNoColon': 'value < 50 ms',
  'modelPrices.findPriceMs.12stars': 'value < 5 ms',
  'tailer.longLineMBps': 'ratio ≥ 0.1',
};

export const PARSER_BASELINES =
  'stackFrames.* baseline = split("\\n") of the same text; modelPrices baseline = findPrice of an exact key; ' +
  'tailer.longLineMBps baseline = fs.readFile of the same file and indexOf("\\n").';

const LONG_LINE_MB = Number(process.env.TRACERUN_BENCH_LONG_LINE_MB ?? 64);

/** Best of a few runs of `fn`, in ms. */
function bestMs(runs: number, fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function stackFrameRows(): ParserResult[] {
  const base64 = Buffer.alloc(75_000, 'image bytes').toString('base64');
  const traceback = ['Traceback (most recent call last):', '  File "/app/vision.py", line 12, in describe', `openai.BadRequestError: invalid image ${base64}`].join('\n');
  const noColon = 'word.'.repeat(8_000);
  const rows: ParserResult[] = [];
  for (const [name, text] of [
    ['stackFrames.parseMs.100kBase64', traceback],
    ['stackFrames.parseMs.40kNoColon', noColon],
  ] as const) {
    const frames = parseStackTrace(text);
    if (name.endsWith('Base64') && frames[1].path !== '/app/vision.py') throw new Error('the traceback lost its frame');
    rows.push({ name, value: bestMs(20, () => parseStackTrace(text)), unit: 'ms', baseline: bestMs(20, () => text.split('\n')) });
  }
  return rows;
}

function priceRow(): ParserResult {
  const glob = `${'*a'.repeat(12)}*b`;
  const model = 'a'.repeat(36);
  const price = { inputPerMTok: 1, outputPerMTok: 1 };
  const globs = { [glob]: price };
  const exact = { [model]: price };
  if (findPrice(model, globs) !== undefined) throw new Error('the glob should not match');
  // A new table each run: compiled tables are cached per object.
  return {
    name: 'modelPrices.findPriceMs.12stars',
    value: bestMs(20, () => findPrice(model, { ...globs })),
    unit: 'ms',
    baseline: bestMs(20, () => findPrice(model, { ...exact })),
  };
}

async function longLineRow(log: (m: string) => void): Promise<ParserResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracerun-bench-long-'));
  try {
    const file = path.join(dir, 'long.jsonl');
    const payload = 'p'.repeat(LONG_LINE_MB * 1024 * 1024);
    const span = `{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"0000000000000001","name":"huge","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[${kvS('input.value', payload)}]}`;
    fs.writeFileSync(file, `{"resourceSpans":[{"resource":{"attributes":[${kvS('service.name', 'bench')}]},"scopeSpans":[{"scope":{"name":${q('bench')}},"spans":[${span}]}]}]}\n`);
    const bytes = fs.statSync(file).size;
    let spans = 0;
    let problems = 0;
    const sink: TailSink = { spans: (_f, s) => void (spans += s.length), reset: () => undefined, problem: () => void problems++ };
    const t0 = performance.now();
    const tailer = new FileTailer(file, sink);
    await tailer.poke();
    tailer.dispose();
    const ours = (performance.now() - t0) / 1000;
    if (spans !== 1 || problems !== 0) throw new Error(`the long line read ${spans} spans, ${problems} problems`);
    const t1 = performance.now();
    const whole = await fs.promises.readFile(file);
    if (whole.indexOf(0x0a) !== whole.length - 1) throw new Error('one line expected');
    const base = (performance.now() - t1) / 1000;
    log(`  one ${(bytes / 1e6).toFixed(0)} MB line: tailer ${ours.toFixed(2)} s, readFile ${base.toFixed(2)} s`);
    return { name: 'tailer.longLineMBps', value: bytes / 1e6 / ours, unit: 'MB/s', baseline: bytes / 1e6 / base };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchParsers(log: (m: string) => void): Promise<ParserResult[]> {
  const rows = [...stackFrameRows(), priceRow(), await longLineRow(log)];
  for (const r of rows) log(`  ${r.name}: ${r.value.toFixed(3)} ${r.unit} (baseline ${r.baseline.toFixed(3)})`);
  return rows;
}

// Alone only: bundled into run.js, `require.main === module` holds there too and ran it at import.
if (/[\\/]bench[\\/]parsers\.js$/.test(process.argv[1] ?? '')) {
  benchParsers((m) => process.stdout.write(m + '\n')).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
