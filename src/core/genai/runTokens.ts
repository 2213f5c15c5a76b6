// A run's token usage, summed over its model calls: each call once, however many spans
// (nested or side by side) recorded it.
import { runSteps, StepBudget, type Steps } from '../util/steps';
import { describeSpan, type DescribableSpan, type TokenCounts } from './conventions';
import { siblingTwinsSteps } from './siblingLlmCalls';

/** A span as `runTokens` takes it; with ids it can tell nested LLM spans apart, with times too sibling ones. */
export interface RunSpan extends DescribableSpan {
  readonly spanId?: string;
  readonly parentSpanId?: string;
  readonly startNs?: bigint;
  readonly endNs?: bigint;
}

/**
 * The run's token usage: the sum over its LLM spans only. Agent, chain and Vercel outer
 * spans (`ai.generateText` …) state aggregates of the LLM calls below them, and [GA]
 * `invoke_agent` spans may too, so counting them would count the same tokens twice.
 * When spans come with ids, an LLM span below another LLM span that states usage is not
 * counted either: that is one call seen by two instrumentations (say, LangChain's and the
 * OpenAI SDK's), nor is one recorded beside another of the same call (`siblingTwinsOf`: the
 * same parent and response id, at the same time). Undefined when no LLM span states any usage.
 */
export function runTokens(spans: Iterable<RunSpan>, spanById?: (spanId: string) => RunSpan | undefined): TokenCounts | undefined {
  return runSteps(runTokensSteps(spans, spanById));
}

/**
 * `runTokens` in steps. `spanById` finds a span's parent (a trace has its own index); without
 * it one is built from `spans`. `spanCount`: how many spans the run has, when `spans` leaves
 * out some that are known not to be LLM calls (with `spanById`, which knows them all).
 */
export function* runTokensSteps(spans: Iterable<RunSpan>, spanById?: (spanId: string) => RunSpan | undefined, spanCount?: number): Steps<TokenCounts | undefined> {
  const calls: { span: RunSpan; tokens: TokenCounts }[] = [];
  const index = spanById ? undefined : new Map<string, RunSpan>();
  const llmWithTokens = new Set<string>();
  let count = 0;
  const budget = new StepBudget();
  for (const span of spans) {
    count++;
    if (budget.spend()) yield;
    if (index && span.spanId) index.set(span.spanId, span);
    const { kind, tokens } = describeSpan(span);
    if (kind !== 'llm' || tokens === undefined) continue;
    calls.push({ span, tokens });
    if (span.spanId) llmWithTokens.add(span.spanId);
  }
  if (calls.length === 0) return undefined;
  const parentOf = spanById ?? ((id: string) => index!.get(id));
  // Among the spans stating usage: the tokens of a call recorded side by side count once.
  const twins = calls.length > 1 ? yield* siblingTwinsSteps(calls.map((c) => c.span)) : undefined;
  const sum: TokenCounts = {};
  for (let i = 0; i < calls.length; i++) {
    if (budget.spend()) yield;
    const { span, tokens } = calls[i];
    if (twins?.has(span)) continue;
    if (llmWithTokens.size > 1 && hasAncestorIn(span, parentOf, llmWithTokens, spanCount ?? count)) continue;
    if (tokens.input !== undefined) sum.input = (sum.input ?? 0) + tokens.input;
    if (tokens.output !== undefined) sum.output = (sum.output ?? 0) + tokens.output;
    if (tokens.total !== undefined) sum.total = (sum.total ?? 0) + tokens.total;
    if (tokens.cacheRead !== undefined) sum.cacheRead = (sum.cacheRead ?? 0) + tokens.cacheRead;
    if (tokens.cacheWrite !== undefined) sum.cacheWrite = (sum.cacheWrite ?? 0) + tokens.cacheWrite;
    if (tokens.reasoning !== undefined) sum.reasoning = (sum.reasoning ?? 0) + tokens.reasoning;
  }
  return sum;
}

function hasAncestorIn(span: RunSpan, spanById: (spanId: string) => RunSpan | undefined, set: ReadonlySet<string>, spanCount: number): boolean {
  // Bounded by the number of spans, so a parent cycle in bad data cannot loop forever.
  let id = span.parentSpanId ?? '';
  for (let steps = spanCount; id !== '' && steps > 0; steps--) {
    if (set.has(id)) return true;
    id = spanById(id)?.parentSpanId ?? '';
  }
  return false;
}
