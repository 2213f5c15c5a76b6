import { loadSpanDetails } from '../ingest/spanDetails';
import type { SpanRecord } from '../model/span';
import { StatusCode } from '../model/span';
import type { Trace } from '../model/trace';
import { type DiffSectionView, type DivergenceView, type PairDiffView } from '../../protocol/compare';
import { alignTrees, type AlignedPair } from './align';
import { contentFlags, payloadsDiffer, spanContent, type ComparedPayload, type SpanContent } from './content';
import { divergenceSummary, firstDivergence } from './divergence';
import { diffJson, diffWords } from './textDiff';
import { maskContent } from './maskCompare';
import type { Redactor } from '../privacy/redact';

/** Reads what a comparison looks at of a span; throws when its file no longer holds it. */
export type ContentReader = (span: SpanRecord) => Promise<SpanContent>;

export const readSpanContent: ContentReader = async (span) => (span.byteStart < 0 ? {} : spanContent(await loadSpanDetails(span)));

/** Payload reads in flight at once while all pairs are checked. */
const PARALLEL_READS = 8;

/** Two runs aligned span by span, with their payloads compared as they are asked for. */
export class RunComparison {
  readonly pairs: readonly AlignedPair[];
  readonly aStartNs: bigint;
  readonly bStartNs: bigint;
  /** `ContentFlag` bits per pair; 0 until read. */
  private readonly flags: Uint8Array;
  private readonly reading = new Map<number, Promise<number>>();
  /** Why some payloads could not be read (the first few), for a log. */
  readonly readErrors: string[] = [];

  /** `pairs`: the two trees aligned already (`alignTreesSteps`, in time slices); else aligned here. */
  constructor(
    readonly a: Trace,
    readonly b: Trace,
    pairs?: readonly AlignedPair[],
    private readonly read: ContentReader = readSpanContent,
  ) {
    this.pairs = pairs ?? alignTrees(a.tree(), b.tree());
    this.aStartNs = a.summary().startNs;
    this.bStartNs = b.summary().startNs;
    this.flags = new Uint8Array(this.pairs.length);
  }

  /** Both sides' content; a side that could not be read is undefined, its reason kept in `readErrors`. */
  async contentOf(row: number): Promise<{ a: SpanContent | undefined; b: SpanContent | undefined; error?: string }> {
    const { a, b } = this.pairs[row];
    let error: string | undefined;
    const one = async (span: SpanRecord | undefined) => {
      if (!span) return undefined;
      try {
        return await this.read(span);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
        if (this.readErrors.length < 5) this.readErrors.push(error);
        return undefined;
      }
    };
    const [x, y] = await Promise.all([one(a?.span), one(b?.span)]);
    return { a: x, b: y, ...(error !== undefined && { error }) };
  }

  /** What differs in the pair's payloads; 0 for a one-sided pair or one whose payloads could not be read. */
  flagsOf(row: number): Promise<number> {
    if (this.flags[row] !== 0) return Promise.resolve(this.flags[row]);
    const { a, b } = this.pairs[row];
    if (!a || !b) return Promise.resolve(0);
    let pending = this.reading.get(row);
    if (!pending) {
      pending = this.contentOf(row).then(({ a: x, b: y }) => (this.flags[row] = x && y ? contentFlags(x, y) : 0));
      pending.finally(() => this.reading.delete(row)).catch(() => undefined);
      this.reading.set(row, pending);
    }
    return pending;
  }

  /** Flags already read, without reading. */
  knownFlags(row: number): number {
    return this.flags[row];
  }

  async firstDivergence(isCancelled?: () => boolean): Promise<DivergenceView | null> {
    const found = await firstDivergence(this.pairs, this.aStartNs, this.bStartNs, (row) => this.flagsOf(row), isCancelled);
    if (!found) return null;
    const pair = this.pairs[found.row];
    const needsContent = found.reason === 'input' || found.reason === 'output';
    const content = needsContent ? await this.contentOf(found.row) : undefined;
    return { row: found.row, name: (pair.a ?? pair.b)!.span.name, reason: found.reason, summary: divergenceSummary(pair, found.reason, content?.a, content?.b) };
  }

  /**
   * Reads every pair's payloads, a few at a time, in row order; `onRead` gets batches of
   * (row, flags). Stops early when cancelled.
   */
  async checkAll(onRead: (rows: number[], flags: number[]) => void, isCancelled: () => boolean = () => false, batch = 64): Promise<void> {
    let next = 0;
    let rows: number[] = [];
    let flags: number[] = [];
    const flush = () => {
      if (rows.length === 0) return;
      onRead(rows, flags);
      rows = [];
      flags = [];
    };
    const worker = async () => {
      while (next < this.pairs.length && !isCancelled()) {
        const row = next++;
        if (!this.pairs[row].a || !this.pairs[row].b) continue;
        const f = await this.flagsOf(row);
        rows.push(row);
        flags.push(f);
        if (rows.length >= batch) flush();
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_READS }, worker));
    if (!isCancelled()) flush();
  }

  /**
   * The diff a selected pair shows: status, input, output, and each conversation message.
   * With a redactor, what is shown is masked (and diffed masked), while "same" or "differs"
   * is still decided on the payloads as recorded.
   */
  async pairDiff(row: number, redactor?: Redactor): Promise<PairDiffView> {
    const pair = this.pairs[row];
    const raw = await this.contentOf(row);
    const shown = (c: SpanContent | undefined) => (c && redactor ? maskContent(c, redactor) : c);
    const a = shown(raw.a);
    const b = shown(raw.b);
    const sections: DiffSectionView[] = [];
    const status = (span: SpanRecord | undefined) => (!span ? '' : span.statusCode === StatusCode.Error ? `error: ${span.errorMessage ?? ''}`.trim() : 'ok');
    const statusA = status(pair.a?.span);
    const statusB = status(pair.b?.span);
    const mask = (text: string) => (redactor ? redactor.text(text) : text);
    sections.push(statusA === statusB ? { label: 'Status', same: true, words: [{ op: 'same', text: mask(statusA) }] } : { label: 'Status', same: false, words: diffWords(mask(statusA), mask(statusB)) });
    const hasMessages = a?.messages !== undefined || b?.messages !== undefined;
    const payload = (label: string, x: ComparedPayload | undefined, y: ComparedPayload | undefined, rawX: ComparedPayload | undefined, rawY: ComparedPayload | undefined) => {
      if (!x && !y) return;
      // An LLM span's input and output are its messages: shown message by message below.
      if (hasMessages && (x ?? y)!.label.startsWith('messages')) return;
      sections.push(payloadSection(`${label} (${(x ?? y)!.label})`, x, y, payloadsDiffer(rawX, rawY)));
    };
    payload('Input', a?.input, b?.input, raw.a?.input, raw.b?.input);
    payload('Output', a?.output, b?.output, raw.a?.output, raw.b?.output);
    const ma = a?.messages ?? [];
    const mb = b?.messages ?? [];
    const rawMa = raw.a?.messages ?? [];
    const rawMb = raw.b?.messages ?? [];
    for (let i = 0; i < Math.max(ma.length, mb.length); i++) sections.push(payloadSection(`${ma[i]?.label ?? mb[i]?.label}`, ma[i], mb[i], payloadsDiffer(rawMa[i], rawMb[i])));
    const masked = a !== raw.a || b !== raw.b || mask(statusA) !== statusA || mask(statusB) !== statusB;
    return { sections, ...(raw.error !== undefined && { loadError: raw.error }), ...(masked && { secretsMasked: true }) };
  }
}

/** `differ`: whether the payloads as recorded differ (masked, two different keys read the same). */
function payloadSection(label: string, x: ComparedPayload | undefined, y: ComparedPayload | undefined, differ: boolean): DiffSectionView {
  if (!differ) return { label, same: true, words: [{ op: 'same', text: x!.text }] };
  const structured = (p: ComparedPayload | undefined) => p !== undefined && p.json && typeof p.value === 'object' && p.value !== null;
  if (structured(x) && structured(y)) {
    const changes = diffJson(x!.value, y!.value);
    // No change left once masked (two different keys): the masked text, marked as differing.
    if (changes.length > 0) return { label, same: false, changes };
  }
  return { label, same: false, words: diffWords(x?.text ?? '', y?.text ?? '') };
}

