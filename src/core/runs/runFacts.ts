import { describeSpan, type SpanConventions, type TokenCounts } from '../genai/conventions';
import { costOf, statedCost, type PriceTable } from '../genai/cost';
import { siblingTwinsSteps } from '../genai/siblingLlmCalls';
import type { SpanRecord } from '../model/span';
import type { Trace } from '../model/trace';
import { Interned } from '../util/interned';
import { isPackedLlmCalls, packLlmCalls, unpackLlmCalls, type PackedLlmCalls } from './packedLlmCalls';
import { runSteps, StepBudget, type Steps } from '../util/steps';

export interface RunFacts {
  /** Models of the run's LLM spans, in order of first use. */
  readonly models: readonly string[];
  /** Summed over the LLM calls that state their cost or have a price for their tokens (`callCostUsd`); undefined when none has. */
  readonly costUsd: number | undefined;
}

interface LlmCalls {
  readonly revision: number;
  /** With the run's models; kept for every run, evicted or not, so packed. */
  readonly calls: PackedLlmCalls;
}

/** Model names repeat in every run: one copy each. */
const modelNames = new Interned();

/** The default table, one object: prices compile once per table. */
const NO_PRICES: PriceTable = {};

const cache = new WeakMap<Trace, LlmCalls>();

/** A run's LLM calls as an index keeps them: packed, as in memory (enough for its models and cost). */
export type IndexedLlmCalls = PackedLlmCalls;

/** The run's LLM calls if worked out for its current revision (or its spans are in memory, to work them out). */
export function llmCallsForIndex(trace: Trace): IndexedLlmCalls | undefined {
  const cached = cache.get(trace);
  const known = cached?.revision === trace.revision ? cached : trace.isEvicted ? undefined : llmCalls(trace);
  return known?.calls;
}

/**
 * What an index of the run's file said its LLM calls are, so filtering by model reads no run
 * back. Kept as read (its numbers are already a list of their own length), once checked: an
 * index is data, and one that does not read as packed calls is ignored (the run is then
 * worked out from its spans when asked).
 */
export function knownLlmCalls(trace: Trace, known: IndexedLlmCalls): void {
  if (!isPackedLlmCalls(known)) return;
  const models = known.models.map((m) => modelNames.get(m));
  const calls: PackedLlmCalls = known.otherModels ? { models, otherModels: known.otherModels, numbers: known.numbers } : { models, numbers: known.numbers };
  cache.set(trace, { revision: trace.revision, calls });
}

/** One model call: the model, tokens and cost its spans state. */
export interface LlmCall {
  readonly startNs: bigint;
  model: string | undefined;
  tokens: TokenCounts | undefined;
  /** The cost its instrumentation recorded (`statedCost`), in USD. */
  statedUsd: number | undefined;
}

/**
 * What a call cost: its tokens priced by the user's `prices` when they price its model (a
 * price the user set is what they asked for, as the span's details say too), else what its
 * instrumentation recorded; undefined when neither says.
 */
export function callCostUsd(call: Pick<LlmCall, 'model' | 'tokens' | 'statedUsd'>, prices: PriceTable): number | undefined {
  return costOf(call.model, call.tokens, prices)?.totalUsd ?? call.statedUsd;
}

/**
 * Which call each of `llmSpans` (a run's LLM spans) records: one call recorded twice, nested (an
 * SDK's span under an instrumentation's) or side by side (`siblingTwinsOf`), is one call, and
 * the outermost or first span stands for it. `spanOf` finds a span's parent among the run's
 * `spanCount` spans.
 */
export function llmCallOf(llmSpans: Iterable<SpanRecord>, spanOf: (spanId: string) => SpanRecord | undefined, spanCount: number): (span: SpanRecord) => SpanRecord {
  return runSteps(llmCallOfSteps(llmSpans, spanOf, spanCount));
}

/**
 * The nearest LLM span above `span` (`llmWithId` tells which ids are LLM spans), found by a
 * caller that holds the run's tree (parent links, not an id lookup per level): undefined when
 * there is none, null when it cannot tell for this span (then the ids are walked).
 */
export type LlmAbove = (span: SpanRecord, llmWithId: (spanId: string) => SpanRecord | undefined) => SpanRecord | undefined | null;

/** `llmCallOf` in steps: what it works out up front is a pass over the LLM spans. */
function* llmCallOfSteps(llmSpans: Iterable<SpanRecord>, spanOf: (spanId: string) => SpanRecord | undefined, spanCount: number, inTree?: LlmAbove): Steps<(span: SpanRecord) => SpanRecord> {
  const llmById = new Map<string, SpanRecord>();
  const budget = new StepBudget();
  for (const span of llmSpans) {
    if (budget.spend()) yield;
    llmById.set(span.spanId, span);
  }
  const twins = yield* siblingTwinsSteps(llmById.values());
  // The nearest LLM span above `span`, through spans of other kinds (an SDK's HTTP span, say).
  // Bounded by the number of spans, so a parent cycle in bad data cannot loop forever.
  const llmWithId = (id: string): SpanRecord | undefined => llmById.get(id);
  const llmAbove = (span: SpanRecord): SpanRecord | undefined => {
    if (inTree) {
      const found = inTree(span, llmWithId);
      if (found !== null) return found;
    }
    let id = span.parentSpanId;
    for (let steps = spanCount; id !== '' && steps > 0; steps--) {
      const llm = llmById.get(id);
      if (llm) return llm;
      id = spanOf(id)?.parentSpanId ?? '';
    }
    return undefined;
  };
  // Each LLM span's call: the outermost LLM span above it, or the sibling that stands for it.
  return (span) => {
    let call = span;
    for (let steps = llmById.size; steps > 0; steps--) {
      const next = twins.get(call) ?? llmAbove(call);
      if (next === undefined) break;
      call = next;
    }
    return call;
  };
}

/**
 * The model calls that `described` (a run's LLM spans, each with its conventions) record, one
 * per call (`llmCallOf`): its model, tokens and stated cost are the outer or first span's, else
 * its twin's, so its cost counts once.
 */
export function llmCallsOf(described: ReadonlyMap<SpanRecord, SpanConventions>, spanOf: (spanId: string) => SpanRecord | undefined, spanCount: number): LlmCall[] {
  return runSteps(llmCallsOfSteps(described, spanOf, spanCount));
}

/**
 * `llmCallsOf` in steps (each call's parents are looked up), for a big trace's waterfall
 * header; `inTree` finds parents through the run's tree where it can.
 */
export function* llmCallsOfSteps(described: ReadonlyMap<SpanRecord, SpanConventions>, spanOf: (spanId: string) => SpanRecord | undefined, spanCount: number, inTree?: LlmAbove): Steps<LlmCall[]> {
  const callOf = yield* llmCallOfSteps(described.keys(), spanOf, spanCount, inTree);
  const byCall = new Map<SpanRecord, LlmCall>();
  const budget = new StepBudget();
  for (const [span, d] of described) {
    if (budget.spend()) yield;
    const call = callOf(span);
    const known = byCall.get(call);
    const own = call === span;
    const statedUsd = span.attributes && statedCost(span.attributes)?.totalUsd;
    if (!known) byCall.set(call, { startNs: call.startNs, model: d.model, tokens: d.tokens, statedUsd });
    else {
      // The span standing for the call states first; its twins fill in what it leaves out.
      if (d.model !== undefined && (own || known.model === undefined)) known.model = d.model;
      if (d.tokens !== undefined && (own || known.tokens === undefined)) known.tokens = d.tokens;
      if (statedUsd !== undefined && (own || known.statedUsd === undefined)) known.statedUsd = statedUsd;
    }
  }
  return [...byCall.values()];
}

/** The run's LLM calls (`llmCallsOf`), from the indexed attributes (no file reads), once per trace revision. */
function llmCalls(trace: Trace): LlmCalls {
  const cached = cache.get(trace);
  if (cached?.revision === trace.revision) return cached;
  const described = new Map<SpanRecord, SpanConventions>();
  for (const span of trace.allSpans()) {
    const d = describeSpan(span);
    if (d.kind === 'llm') described.set(span, d);
  }
  const calls = llmCallsOf(described, (id) => trace.span(id), trace.spanCount);
  // Only the LLM calls are sorted, by start, for the models' order.
  calls.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const models: string[] = [];
  for (const call of calls) if (call.model !== undefined && !models.includes(call.model)) models.push(modelNames.get(call.model));
  const value: LlmCalls = { revision: trace.revision, calls: packLlmCalls(calls, models.slice()) };
  cache.set(trace, value);
  return value;
}

/**
 * The models of a run's LLM calls, in order of first use. Filtering by model asks this of
 * every run of a month: no cost is worked out for it.
 */
export function runModels(trace: Trace): readonly string[] {
  return llmCalls(trace).calls.models;
}

/**
 * The models and cost of a run. The pass over the spans is cached per trace revision, and
 * the cost is worked out from the few LLM calls.
 */
export function runFacts(trace: Trace, prices: PriceTable = NO_PRICES): RunFacts {
  const { calls } = llmCalls(trace);
  let costUsd: number | undefined;
  for (const call of unpackLlmCalls(calls)) {
    const cost = callCostUsd(call, prices);
    if (cost !== undefined) costUsd = (costUsd ?? 0) + cost;
  }
  return { models: calls.models, costUsd };
}
