import { describeSpan } from '../genai/conventions';
import { costOf, type PriceTable } from '../genai/cost';
import type { Trace } from '../model/trace';

export interface RunFacts {
  /** Models of the run's LLM spans, in order of first use. */
  readonly models: readonly string[];
  /** Summed over the LLM spans that state tokens and have a price; undefined when none has. */
  readonly costUsd: number | undefined;
}

const cache = new WeakMap<Trace, { revision: number; prices: PriceTable; value: RunFacts }>();

/**
 * The models and cost of a run, from the indexed attributes (no file reads); cached per
 * trace revision and price table. Filtering by model asks this of every run.
 */
export function runFacts(trace: Trace, prices: PriceTable = {}): RunFacts {
  const cached = cache.get(trace);
  if (cached && cached.revision === trace.revision && cached.prices === prices) return cached.value;
  const llm = [...trace.allSpans()].filter((s) => describeSpan(s).kind === 'llm').sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  const models: string[] = [];
  let costUsd: number | undefined;
  for (const span of llm) {
    const { model, tokens } = describeSpan(span);
    if (model !== undefined && !models.includes(model)) models.push(model);
    const cost = costOf(model, tokens, prices);
    if (cost) costUsd = (costUsd ?? 0) + cost.totalUsd;
  }
  const value: RunFacts = { models, costUsd };
  cache.set(trace, { revision: trace.revision, prices, value });
  return value;
}
