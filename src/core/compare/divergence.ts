import { spanErrorText } from '../genai/spanError';
import { isInProgress, StatusCode } from '../model/span';
import { ContentFlag, type DivergenceReason } from '../../protocol/compare';
import type { AlignedPair } from './align';
import type { ComparedPayload, SpanContent } from './content';
import { changedWords, diffWords } from './textDiff';
import { canonicalJson } from './content';

export interface Divergence {
  /** Index into the aligned pairs. */
  readonly row: number;
  readonly reason: DivergenceReason;
}

/** `ContentFlag` bits of a pair, read from both spans' payloads when first asked. */
export type FlagsOf = (row: number) => Promise<number>;

interface Moment {
  readonly row: number;
  /** ns from the run's start (an end's a millisecond early: see `firstDivergence`); Infinity for an end that has not come. */
  readonly at: number;
  readonly end: boolean;
}

const NS_PER_MS = 1_000_000;

/**
 * The first divergence: the earliest pair, in execution order, whose input, output or status
 * differs (or a span that ran on one side only). "Earliest" is when the difference shows: an
 * input at the span's start, an output or status at its end. So a run whose tool call failed
 * diverges at that tool call, not at the agent above it, whose output and status differ too but
 * only later, as a consequence; and two runs given different questions diverge at their roots.
 * Times are A's (B's for a span only in B), each from its own run's start; ties go to the pair
 * shown first, so a parent whose input differs comes before its children starting with it.
 * Payloads are read only as far as the search goes.
 */
export async function firstDivergence(pairs: readonly AlignedPair[], aStartNs: bigint, bStartNs: bigint, flagsOf: FlagsOf, isCancelled: () => boolean = () => false): Promise<Divergence | undefined> {
  const moments: Moment[] = [];
  for (let row = 0; row < pairs.length; row++) {
    const { a, b } = pairs[row];
    const node = a ?? b!;
    const start = Number(node.span.startNs - (a ? aStartNs : bStartNs));
    moments.push({ row, at: start, end: false });
    // An end counts a millisecond early, never before its own start: SDKs that stamp a start to
    // the whole millisecond (the OpenTelemetry JS SDK: Date.now()) and its end as that plus a
    // precise duration put a step that began once the last one ended up to 1 ms before that end.
    if (a && b) moments.push({ row, at: isInProgress(a.span) ? Infinity : Math.max(start, Number(a.span.endNs - aStartNs) - NS_PER_MS), end: true });
  }
  // At the same time an end goes first (the step that ended is what the next one was given),
  // except a pair's own start before its end.
  moments.sort((x, y) => x.at - y.at || (x.row === y.row ? Number(x.end) - Number(y.end) : Number(y.end) - Number(x.end) || x.row - y.row));
  for (const m of moments) {
    if (isCancelled()) return undefined;
    const { a, b } = pairs[m.row];
    if (!a) return { row: m.row, reason: 'onlyInB' };
    if (!b) return { row: m.row, reason: 'onlyInA' };
    if (m.end && (a.span.statusCode === StatusCode.Error) !== (b.span.statusCode === StatusCode.Error)) return { row: m.row, reason: 'status' };
    const flags = await flagsOf(m.row);
    if (flags & ContentFlag.Input) return { row: m.row, reason: 'input' };
    if (m.end && flags & ContentFlag.Output) return { row: m.row, reason: 'output' };
  }
  return undefined;
}

const firstLine = (text: string): string => {
  const line = text.split('\n', 1)[0];
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
};

/** "2 of 3 documents differ", "`status` differs", "4 words removed, 6 added": how two payloads differ, briefly. */
export function howPayloadsDiffer(a: ComparedPayload | undefined, b: ComparedPayload | undefined): string {
  if (!a) return 'none in A';
  if (!b) return 'none in B';
  if (a.json && b.json) {
    const x = a.value;
    const y = b.value;
    if (Array.isArray(x) && Array.isArray(y)) {
      const n = Math.max(x.length, y.length);
      let differ = 0;
      for (let i = 0; i < n; i++) if (i >= x.length || i >= y.length || canonicalJson(x[i]) !== canonicalJson(y[i])) differ++;
      const noun = a.label === 'documents' ? 'documents' : 'items';
      return x.length === y.length ? `${differ} of ${n} ${noun} differ` : `${x.length} ${noun} in A, ${y.length} in B (${differ} differ)`;
    }
    if (x && y && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x) && !Array.isArray(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
      const differ = keys.filter((k) => canonicalJson((x as Record<string, unknown>)[k]) !== canonicalJson((y as Record<string, unknown>)[k]));
      const named = differ.slice(0, 3).map((k) => `\`${k}\``).join(', ') + (differ.length > 3 ? '…' : '');
      return `${differ.length} of ${keys.length} fields differ (${named})`;
    }
  }
  const { removed, added } = changedWords(diffWords(a.text, b.text));
  return `${removed} word${removed === 1 ? '' : 's'} removed, ${added} added`;
}

/** The header's one line about a divergence: "`retrieve_policies` output — 2 of 3 documents differ". */
export function divergenceSummary(pair: AlignedPair, reason: DivergenceReason, a: SpanContent | undefined, b: SpanContent | undefined): string {
  const name = `\`${(pair.a ?? pair.b)!.span.name}\``;
  switch (reason) {
    case 'onlyInA':
      return `${name} ran only in A`;
    case 'onlyInB':
      return `${name} ran only in B`;
    case 'status': {
      const failedInB = pair.b?.span.statusCode === StatusCode.Error;
      const failed = (failedInB ? pair.b : pair.a)?.span;
      const message = failed && spanErrorText(failed.errorMessage, failed.attributes);
      return `${name} failed in ${failedInB ? 'B' : 'A'} only${message ? `: ${firstLine(message)}` : ''}`;
    }
    case 'input':
      return `${name} input — ${howPayloadsDiffer(a?.input, b?.input)}`;
    case 'output':
      return `${name} output — ${howPayloadsDiffer(a?.output, b?.output)}`;
  }
}
