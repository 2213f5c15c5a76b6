// Messages between the compare panel and its webview. Times are ms from each run's own start.
import { notification, request } from './messages';
import type { RowKind } from './waterfall';

/** Which run: the first chosen (A) or the second (B). */
export type Side = 'a' | 'b';

/** One span of one side of a pair, as a compare row shows it. */
export interface CompareSpanView {
  readonly spanId: string;
  readonly name: string;
  readonly kind: RowKind;
  readonly startMs: number;
  /** 0 while the span runs (`running`). */
  readonly durationMs: number;
  readonly running: boolean;
  readonly error: boolean;
  readonly errorMessage?: string;
  readonly model?: string;
  readonly tokens?: number;
  /** An LLM span's time to first token, ms from its start, when recorded. */
  readonly ttftMs?: number;
  readonly hasSource: boolean;
}

/** One aligned pair; a side is absent when the span is only in the other run. */
export interface ComparePairView {
  readonly a?: CompareSpanView;
  readonly b?: CompareSpanView;
  readonly depth: number;
  /** B − A; absent for a one-sided pair or a running span. */
  readonly durationDeltaMs?: number;
  /** B − A over A, in %; absent when A took no time. */
  readonly durationDeltaPct?: number;
  readonly statusChanged: boolean;
  readonly modelChanged: boolean;
  /** B − A total tokens, when both state them. */
  readonly tokensDelta?: number;
  /** B − A time to first token, when both recorded it. */
  readonly ttftDeltaMs?: number;
}

/** Bits of a pair's content flags: what differs once both spans' payloads are read. */
export const enum ContentFlag {
  Checked = 1,
  Input = 2,
  Output = 4,
  Messages = 8,
}

export interface CompareRunView {
  readonly traceId: string;
  readonly name: string;
  readonly durationMs: number;
  readonly spanCount: number;
  readonly errorCount: number;
  readonly startedAt: string;
}

export interface CompareStart {
  readonly generation: number;
  readonly a: CompareRunView;
  readonly b: CompareRunView;
  /** The longer run's duration: both sides' bars are drawn on this one scale. */
  readonly scaleMs: number;
  readonly pairCount: number;
  /** The first pairs; the rest follow in `ComparePairs` slices, in order. */
  readonly pairs: readonly ComparePairView[];
  /** Some text of the runs or these pairs matched the `tracerun.redact` rules and is masked until Reveal. */
  readonly secretsMasked?: boolean;
}

/** Pairs sent per message: the first rows show at once, and neither side takes one long step. */
export const PAIRS_PER_SLICE = 4096;

export type DivergenceReason = 'input' | 'output' | 'status' | 'onlyInA' | 'onlyInB';

export interface DivergenceView {
  readonly row: number;
  readonly name: string;
  readonly reason: DivergenceReason;
  /** "`retrieve_policies` output — 2 of 3 documents differ". */
  readonly summary: string;
}

/** A run of words in a word-level diff. */
export interface WordRun {
  readonly op: 'same' | 'removed' | 'added';
  readonly text: string;
}

/** One place where two JSON values differ, by path (`$.documents[1].content`). */
export interface JsonChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly a?: string;
  readonly b?: string;
}

/** The diff of one payload (input, output, a message) of a pair. */
export interface DiffSectionView {
  readonly label: string;
  readonly same: boolean;
  /** Prose: word-level. */
  readonly words?: readonly WordRun[];
  /** JSON on both sides: structural. */
  readonly changes?: readonly JsonChange[];
}

export interface PairDiffView {
  readonly sections: readonly DiffSectionView[];
  /** Why a side's payloads could not be read. */
  readonly loadError?: string;
  /** Some text matched the `tracerun.redact` rules and is masked until Reveal. */
  readonly secretsMasked?: boolean;
}

/** Saved by the webview, handed back when VS Code restores the panel. */
export interface CompareState {
  readonly a: string;
  readonly b: string;
  readonly selectedRow?: number;
}

export const CompareReady = notification<void>('compare/ready');
export const CompareBegin = notification<CompareStart>('compare/begin');
export const ComparePairs = notification<{ generation: number; offset: number; pairs: readonly ComparePairView[]; secretsMasked?: boolean }>('compare/pairs');
/** Content flags for some rows, as the host reads payloads in the background. */
export const CompareContent = notification<{ generation: number; rows: number[]; flags: number[] }>('compare/content');
/** The first divergence, once found (`null`: the runs do not differ in input, output or status). */
export const CompareDivergence = notification<{ generation: number; divergence: DivergenceView | null; secretsMasked?: boolean }>('compare/divergence');
export const CompareRemoved = notification<{ side: Side }>('compare/removed');
export const GetPairDiff = request<{ row: number }, PairDiffView>('compare/pairDiff');
export const OpenSideWaterfall = notification<{ side: Side; spanId: string }>('compare/openWaterfall');
/** The user clicked Reveal: this panel shows secrets as recorded from now on (everything is sent again). */
export const RevealSecrets = notification<void>('compare/revealSecrets');
export const GoToSideSource = notification<{ side: Side; spanId: string }>('compare/goToSource');
