import type { TokenCounts } from './conventions';
import { runTokensSteps, type RunSpan } from './runTokens';
import { runSteps, type Steps } from '../util/steps';
import type { Trace } from '../model/trace';

const cache = new WeakMap<Trace, { revision: number; tokens: TokenCounts | undefined }>();

/** A run's tokens, the sum over its LLM spans, recomputed only when the trace changed. */
export function traceTokens(trace: Trace): TokenCounts | undefined {
  return runSteps(traceTokensSteps(trace));
}

/**
 * `traceTokens` in steps, for big traces. `candidates`: the trace's spans less some known not
 * to be LLM calls (the waterfall knows each row's kind from its last send), to read fewer.
 */
export function* traceTokensSteps(trace: Trace, candidates?: Iterable<RunSpan>): Steps<TokenCounts | undefined> {
  const cached = cache.get(trace);
  if (cached?.revision === trace.revision) return cached.tokens;
  const revision = trace.revision;
  const tokens = yield* (candidates ? runTokensSteps(candidates, (id) => trace.span(id), trace.spanCount) : runTokensSteps(trace.allSpans(), (id) => trace.span(id)));
  // Spans that arrived meanwhile may be counted or not: cached as of the start, so recounted
  // next time; a count that started earlier and finished later does not replace a newer one.
  const latest = cache.get(trace);
  if (!latest || latest.revision < revision) cache.set(trace, { revision, tokens });
  return tokens;
}

/** What an index of the run's file said its tokens are, so a restored run is not read back for them. */
export function knownTraceTokens(trace: Trace, tokens: TokenCounts | undefined): void {
  cache.set(trace, { revision: trace.revision, tokens });
}

/** The tokens last counted, whether or not spans arrived since; undefined if never counted. */
export function latestTraceTokens(trace: Trace): { readonly current: boolean; readonly tokens: TokenCounts | undefined } | undefined {
  const cached = cache.get(trace);
  return cached && { current: cached.revision === trace.revision, tokens: cached.tokens };
}
