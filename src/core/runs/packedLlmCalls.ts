import type { TokenCounts } from '../genai/conventions';

/** What a run keeps of one LLM call once its spans are evicted: enough for models and cost. */
export interface LlmCallFacts {
  readonly model: string | undefined;
  readonly tokens: TokenCounts | undefined;
  /** The cost its instrumentation recorded, in USD. */
  readonly statedUsd: number | undefined;
}

/** The token counts in the order packed (and unpacked: `tokenCounts` states `total` first). */
const TOKEN_FIELDS = ['total', 'input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'] as const;

/** Which of a call's facts follow its flags in the packed numbers. */
const Has = {
  Model: 1,
  Tokens: 2,
  /** Then one bit per `TOKEN_FIELDS` entry, from bit 2. */
  FirstToken: 4,
  StatedUsd: 1 << (2 + TOKEN_FIELDS.length),
} as const;

/**
 * A run's LLM calls as plain numbers in one array: per call its flags (`Has`), then the index
 * of its model among the run's models, its token counts and its stated cost, each only when
 * it has one. Kept for every run of a month of history, where an object per call (with its
 * tokens in another) held about 24 bytes per span; numbers in one array hold about 5.
 */
export interface PackedLlmCalls {
  /** Models of the calls, in order of first use (the run's models). */
  readonly models: readonly string[];
  /** Models that calls name and `models` lacks (only from an index that does not agree with itself). */
  readonly otherModels?: readonly string[];
  readonly numbers: readonly number[];
}

export function packLlmCalls(calls: Iterable<LlmCallFacts>, models: readonly string[]): PackedLlmCalls {
  const numbers: number[] = [];
  let otherModels: string[] | undefined;
  for (const call of calls) {
    const at = numbers.length;
    let flags = 0;
    numbers.push(0);
    if (call.model !== undefined) {
      flags |= Has.Model;
      let i = models.indexOf(call.model);
      if (i < 0) {
        otherModels ??= [];
        i = otherModels.indexOf(call.model);
        if (i < 0) i = otherModels.push(call.model) - 1;
        i += models.length;
      }
      numbers.push(i);
    }
    if (call.tokens !== undefined) {
      flags |= Has.Tokens;
      TOKEN_FIELDS.forEach((field, bit) => {
        const n = call.tokens![field];
        if (n === undefined) return;
        flags |= Has.FirstToken << bit;
        numbers.push(n);
      });
    }
    if (call.statedUsd !== undefined) {
      flags |= Has.StatedUsd;
      numbers.push(call.statedUsd);
    }
    numbers[at] = flags;
  }
  // A copy to the exact length: the pushes leave spare room, held for as long as the run is.
  return otherModels ? { models, otherModels, numbers: numbers.slice() } : { models, numbers: numbers.slice() };
}

/** The calls as packed, in order; tokens as a new object each. */
export function* unpackLlmCalls(packed: PackedLlmCalls): IterableIterator<LlmCallFacts> {
  const { models, numbers } = packed;
  let i = 0;
  while (i < numbers.length) {
    const flags = numbers[i++];
    let model: string | undefined;
    if (flags & Has.Model) {
      const m = numbers[i++];
      model = m < models.length ? models[m] : packed.otherModels![m - models.length];
    }
    let tokens: TokenCounts | undefined;
    if (flags & Has.Tokens) {
      tokens = {};
      for (let bit = 0; bit < TOKEN_FIELDS.length; bit++) if (flags & (Has.FirstToken << bit)) tokens[TOKEN_FIELDS[bit]] = numbers[i++];
    }
    const statedUsd = flags & Has.StatedUsd ? numbers[i++] : undefined;
    yield { model, tokens, statedUsd };
  }
}
