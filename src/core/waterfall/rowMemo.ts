/**
 * What the waterfall keeps of each span in its flat tree's `memo` byte: its row's kind and
 * whether it has source. Read from the span alone, once: a live update of a big trace reads
 * the conventions of the new spans only, and the header's passes over the run (its tokens,
 * what it lacks) go through the LLM spans without describing every span again.
 */
import { spanKindOf, type LlmSpanKind } from '../genai/conventions';
import { NONE, type FlatTree } from '../model/flatTree';
import type { SpanRecord } from '../model/span';
import type { LlmAbove } from '../runs/runFacts';
import type { KnownContextSpans } from '../runs/runMissingContext';
import { sourceLocationOf } from '../source/source';
import { StepBudget, type Steps } from '../util/steps';
import { ROW_KINDS, type RowKind } from '../../protocol/waterfall';

const KIND_INDEX = new Map<RowKind, number>(ROW_KINDS.map((k, i) => [k, i]));
/** Kind index + 1 in the low bits (0: not known yet). */
export const MEMO_KIND = 31;
export const MEMO_HAS_SOURCE = 32;
export const LLM_MEMO = ROW_KINDS.indexOf('llm') + 1;

/** The memo of a span of `kind` (`spanKindOf`). */
export function memoOf(span: SpanRecord, kind: LlmSpanKind): number {
  return ((KIND_INDEX.get(kind) ?? 0) + 1) | (sourceLocationOf(span.attributes) ? MEMO_HAS_SOURCE : 0);
}

/** A received span's memo (the slot must hold one), worked out and kept if not known yet. */
function memoAt(tree: FlatTree, slot: number): number {
  let memo = tree.memo[slot];
  if (memo === 0) {
    const span = tree.records[slot]!;
    memo = tree.memo[slot] = memoOf(span, spanKindOf(span));
  }
  return memo;
}

/** The flat tree's spans less those whose memo says they are not LLM calls. */
export function* maybeLlmSpans(tree: FlatTree): Generator<SpanRecord> {
  for (let s = 0; s < tree.size; s++) {
    const span = tree.records[s];
    const memo = tree.memo[s];
    if (span !== undefined && (memo === 0 || (memo & MEMO_KIND) === LLM_MEMO)) yield span;
  }
}

/**
 * The run's LLM spans, and the spans whose parent has not been received (a stand-in's
 * children), in the trace's order (`spansInTraceOrder`): what the header's missing-context
 * notes need, from the tree's columns and memos instead of a lookup and a description per span.
 */
export function* knownContextSpans(tree: FlatTree): Steps<KnownContextSpans> {
  const order = yield* tree.spansInTraceOrder();
  const { records, parent } = tree;
  const llmSpans: SpanRecord[] = [];
  const orphanCandidates: SpanRecord[] = [];
  const budget = new StepBudget();
  for (let i = 0; i < order.length; i++) {
    if (budget.spend()) yield;
    const slot = order[i];
    const span = records[slot]!;
    if ((memoAt(tree, slot) & MEMO_KIND) === LLM_MEMO) llmSpans.push(span);
    const p = parent[slot];
    if (p !== NONE && records[p] === undefined) orphanCandidates.push(span);
  }
  return { llmSpans, orphanCandidates };
}

/**
 * The nearest LLM span above an LLM row's span, up the tree's parent links (`LlmAbove`):
 * the run's cost then looks up no span by id per level. `slotOfCall`: the slots of the LLM
 * rows' spans; null for any other span (a stand-in's, one sent again since the rows).
 */
export function llmAboveInTree(tree: FlatTree, slotOfCall: ReadonlyMap<SpanRecord, number>): LlmAbove {
  const { parent, records, memo, ids } = tree;
  return (span, llmWithId) => {
    const slot = slotOfCall.get(span);
    if (slot === undefined || records[slot] !== span) return null;
    // Bounded by the tree's size, as the walk by ids is by the span count: parent cycles end.
    for (let a = parent[slot], steps = tree.size; a !== NONE && steps > 0; a = parent[a], steps--) {
      // A span the rows (or `knownContextSpans`) read as of another kind is no LLM call: its
      // memo is cleared when it is sent again. Stand-ins and spans not read yet are asked by id.
      const m = memo[a];
      if (records[a] !== undefined && m !== 0 && (m & MEMO_KIND) !== LLM_MEMO) continue;
      const llm = llmWithId(ids[a]);
      if (llm) return llm;
    }
    return undefined;
  };
}
