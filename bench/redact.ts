// The secret rules of `tracerun.redact` over trace text (issue 13): every prompt and output
// a dataset, the CLI or a view shows goes through them, so they must be fast on ordinary
// text and stay linear on hostile text. Baseline: one scan of the same text by one secret
// pattern, measured in the same run. Part of `npm run bench`; alone:
// node out/bench/redact.js.
import { performance } from 'node:perf_hooks';
import { Redactor } from '../src/core/privacy/redact';
import { Rng } from './generate';

export interface RedactResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
}

export const REDACT_TARGETS: Record<string, string> = {
  'redact.textMBps.prompts': 'ratio ≥ 0.05',
  'redact.worstMsPerMB.adversarial': 'value < 2000 ms',
};

export const REDACT_BASELINES =
  'redact.* baseline = one scan of the same text by one secret pattern (the default sk- key rule alone); for worstMsPerMB, of ordinary text.';

const WORDS = ['the', 'refund', 'window', 'is', 'thirty', 'days', 'customer', 'asked', 'about', 'order', 'A-17', 'please', 'check', 'policy', 'support', 'agent', '{"role":', '"user"}', 'tool', 'result:'];

/** Prompt-like text with a secret or an address now and then, as real traces have. */
function promptText(bytes: number): string {
  const rng = new Rng(13);
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const r = rng.next();
    const word = r < 0.002 ? `sk-proj-${rng.hex(12)}` : r < 0.004 ? `user${rng.int(1, 999)}@example.com` : r < 0.005 ? `Bearer ${rng.hex(16)}` : rng.pick(WORDS);
    parts.push(word);
    size += word.length + 1;
  }
  return parts.join(' ');
}

/** Long runs of what each pattern repeats, with no way to finish a match. */
function adversarial(bytes: number): Record<string, string> {
  const fill = (unit: string) => unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
  return {
    'local part, @ at the end': fill('a') + '@',
    'dotted, @ at the end': fill('a.') + '@x',
    'domain labels, no TLD': '@' + fill('a-.'),
    'sk- then dashes': 'sk-' + fill('-'),
    'sk- repeated': fill('sk-'),
    'BEGIN, no body end': fill('-----BEGIN PRIVATE KEY-----'),
    'Bearer repeated': fill('Bearer '),
    'xox repeated': fill('xoxb-'),
  };
}

function bestMs(runs: number, fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** One secret shape, one pass: the least a masker does. */
function scanOnePattern(text: string): number {
  let n = 0;
  for (const _ of text.matchAll(/\bsk-[A-Za-z0-9_-]{20,400}/g)) n++;
  return n;
}

export function benchRedact(log: (m: string) => void): RedactResult[] {
  const redactor = new Redactor();
  const MB = 1_000_000;
  const text = promptText(8 * MB);
  if (!redactor.text(text).includes('‹redacted: api key›')) throw new Error('the planted keys were not masked');
  const ours = bestMs(3, () => redactor.text(text));
  const base = bestMs(3, () => scanOnePattern(text));
  const rows: RedactResult[] = [{ name: 'redact.textMBps.prompts', value: text.length / MB / (ours / 1000), unit: 'MB/s', baseline: text.length / MB / (base / 1000) }];
  let worst = 0;
  let worstName = '';
  for (const [name, t] of Object.entries(adversarial(MB))) {
    const ms = bestMs(2, () => redactor.text(t));
    log(`  adversarial ${name}: ${ms.toFixed(0)} ms for 1 MB`);
    if (ms > worst) [worst, worstName] = [ms, name];
  }
  const ordinary = promptText(MB);
  rows.push({ name: 'redact.worstMsPerMB.adversarial', value: worst, unit: 'ms', baseline: bestMs(3, () => scanOnePattern(ordinary)) });
  log(`  worst adversarial input: ${worstName}`);
  for (const r of rows) log(`  ${r.name}: ${r.value.toFixed(2)} ${r.unit} (baseline ${r.baseline.toFixed(2)})`);
  return rows;
}

// Alone only: bundled into run.js, `require.main === module` holds there too and ran it at import.
if (/[\\/]bench[\\/]redact\.js$/.test(process.argv[1] ?? '')) benchRedact((m) => process.stdout.write(m + '\n'));
