import { runTokens, type TokenCounts } from './conventions';
import type { Trace } from './trace';

const cache = new WeakMap<Trace, { revision: number; tokens: TokenCounts | undefined }>();

/** A run's tokens, the sum over its LLM spans, recomputed only when the trace changed. */
export function traceTokens(trace: Trace): TokenCounts | undefined {
  const cached = cache.get(trace);
  if (cached?.revision === trace.revision) return cached.tokens;
  const tokens = runTokens(trace.allSpans());
  cache.set(trace, { revision: trace.revision, tokens });
  return tokens;
}
