import { RunComparison } from '../core/compare/comparison';
import { pairView } from '../core/compare/pairs';
import { readTraceFiles } from '../core/ingest/readTraceFiles';
import type { Trace } from '../core/model/trace';
import type { TraceStore } from '../core/model/traceStore';
import { ContentFlag, type ComparePairView } from '../protocol/compare';
import { durationDeltaText } from '../protocol/format';
import { terminalSafe } from './terminalText';

export interface DiffOptions {
  readonly traceA: string;
  readonly traceB: string;
  readonly json: boolean;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** A run by its full trace id, or by a prefix that names one run only. */
function findTrace(store: TraceStore, id: string): Trace | string {
  const wanted = id.toLowerCase();
  const exact = store.trace(wanted);
  if (exact) return exact;
  const matches = store.runs().filter((t) => t.traceId.startsWith(wanted));
  if (matches.length === 1) return matches[0];
  return matches.length === 0 ? `no run with trace id ${id}` : `trace id ${id} names ${matches.length} runs; give more of it`;
}

/**
 * `tracerun diff <file-or-dir>... --trace A --trace B [--json]`: the two runs aligned span by
 * span, what changed per pair, and the first divergence. Returns the exit code.
 */
export async function diffCommand(targets: readonly string[], options: DiffOptions): Promise<number> {
  const { store, problems } = await readTraceFiles(targets);
  for (const p of problems) options.err(terminalSafe(`${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}`));
  const a = findTrace(store, options.traceA);
  const b = findTrace(store, options.traceB);
  for (const missing of [a, b]) if (typeof missing === 'string') options.err(`tracerun: ${missing}`);
  if (typeof a === 'string' || typeof b === 'string') return 1;
  const cmp = new RunComparison(a, b);
  const divergence = await cmp.firstDivergence();
  const flags: number[] = new Array(cmp.pairs.length).fill(0);
  await cmp.checkAll((rows, f) => rows.forEach((row, i) => (flags[row] = f[i])));
  const views = cmp.pairs.map((p) => pairView(p, cmp.aStartNs, cmp.bStartNs));
  for (const e of cmp.readErrors) options.err(terminalSafe(`tracerun: ${e}`));
  const has = (row: number, bit: ContentFlag) => (flags[row] & ContentFlag.Checked ? (flags[row] & bit) !== 0 : null);

  if (options.json) {
    const pairs = cmp.pairs.map((p, row) => {
      const paired = p.a !== undefined && p.b !== undefined;
      return {
        a: p.a ? { spanId: p.a.span.spanId, name: p.a.span.name } : null,
        b: p.b ? { spanId: p.b.span.spanId, name: p.b.span.name } : null,
        durationDeltaMs: views[row].durationDeltaMs ?? null,
        statusChanged: paired ? views[row].statusChanged : null,
        inputDiffers: paired ? has(row, ContentFlag.Input) : null,
        outputDiffers: paired ? has(row, ContentFlag.Output) : null,
        messagesDiffer: paired ? has(row, ContentFlag.Messages) : null,
      };
    });
    const first = divergence && cmp.pairs[divergence.row];
    options.out(
      JSON.stringify(
        {
          a: a.traceId,
          b: b.traceId,
          pairs,
          firstDivergence: divergence && first ? { a: first.a?.span.spanId ?? null, b: first.b?.span.spanId ?? null, name: divergence.name, reason: divergence.reason, summary: divergence.summary } : null,
        },
        null,
        2,
      ),
    );
    return 0;
  }

  // Every line passes through terminalSafe: trace text must not drive the terminal.
  const out = (line: string) => options.out(terminalSafe(line));
  out(`A ${a.traceId}  ${a.summary().name}`);
  out(`B ${b.traceId}  ${b.summary().name}`);
  out(divergence ? `first difference: ${divergence.summary}` : 'no difference in inputs, outputs or status');
  out('');
  cmp.pairs.forEach((p, row) => {
    const v = views[row];
    const indent = '  '.repeat(p.depth);
    const mark = row === divergence?.row ? '▶ ' : '  ';
    if (!p.a) return out(`${mark}${indent}+ ${p.b!.span.name}  (only in B)`);
    if (!p.b) return out(`${mark}${indent}- ${p.a.span.name}  (only in A)`);
    const notes = [durationDeltaText(v.durationDeltaMs, v.durationDeltaPct)];
    if (v.statusChanged) notes.push(`status ${v.a!.error ? 'error' : 'ok'} → ${v.b!.error ? 'error' : 'ok'}`);
    if (v.modelChanged) notes.push(`model ${v.a!.model ?? '–'} → ${v.b!.model ?? '–'}`);
    if (v.tokensDelta) notes.push(`tokens ${v.tokensDelta > 0 ? '+' : '−'}${Math.abs(v.tokensDelta).toLocaleString('en-US')}`);
    const differs = [has(row, ContentFlag.Input) && 'input', has(row, ContentFlag.Output) && 'output', has(row, ContentFlag.Messages) && 'messages'].filter(Boolean);
    if (differs.length > 0) notes.push(`${differs.join(', ')} differ${differs.length === 1 ? 's' : ''}`);
    out(`${mark}${indent}${p.a.span.name === p.b.span.name ? p.a.span.name : `${p.a.span.name} / ${p.b.span.name}`}  ${notes.filter((x) => x !== '').join('  ')}`.trimEnd());
  });
  return 0;
}
