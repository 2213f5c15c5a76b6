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

/** Which of a call's facts follow its head in the packed numbers. */
const Has = {
  Model: 1,
  Tokens: 2,
  /** Then one bit per `TOKEN_FIELDS` entry, from bit 2. */
  FirstToken: 4,
  StatedUsd: 1 << (2 + TOKEN_FIELDS.length),
  /** Its total is input + output (as `tokenCounts` works it out when none is stated): not packed. */
  TotalIsSum: 1 << (3 + TOKEN_FIELDS.length),
} as const;
/** A call's head: its flags (`Has`) plus its model's index times this. */
const MODEL_UNIT = 1 << 10;

/**
 * A run's LLM calls as plain numbers in one array: per call its head (flags, and the index of
 * its model among the run's models), then its token counts and its stated cost, each only
 * when it has one. Kept for every run of a month of history, where an object per call (with
 * its tokens in another) held about 24 bytes per span; this holds about 3 numbers per call.
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
    let head = 0;
    numbers.push(0);
    if (call.model !== undefined) {
      head |= Has.Model;
      let i = models.indexOf(call.model);
      if (i < 0) {
        otherModels ??= [];
        i = otherModels.indexOf(call.model);
        if (i < 0) i = otherModels.push(call.model) - 1;
        i += models.length;
      }
      head += i * MODEL_UNIT;
    }
    const tokens = call.tokens;
    if (tokens !== undefined) {
      head |= Has.Tokens;
      const sum = (tokens.input !== undefined || tokens.output !== undefined) && tokens.total === (tokens.input ?? 0) + (tokens.output ?? 0);
      if (sum) head |= Has.TotalIsSum;
      TOKEN_FIELDS.forEach((field, bit) => {
        const n = tokens[field];
        if (n === undefined || (sum && field === 'total')) return;
        head |= Has.FirstToken << bit;
        numbers.push(n);
      });
    }
    if (call.statedUsd !== undefined) {
      head |= Has.StatedUsd;
      numbers.push(call.statedUsd);
    }
    numbers[at] = head;
  }
  // A copy to the exact length: the pushes leave spare room, held for as long as the run is.
  return otherModels ? { models, otherModels, numbers: numbers.slice() } : { models, numbers: numbers.slice() };
}

/** The calls as packed, in order; tokens as a new object each. */
export function* unpackLlmCalls(packed: PackedLlmCalls): IterableIterator<LlmCallFacts> {
  const { models, numbers } = packed;
  let i = 0;
  while (i < numbers.length) {
    const head = numbers[i++];
    const flags = head % MODEL_UNIT;
    let model: string | undefined;
    if (flags & Has.Model) {
      const m = Math.floor(head / MODEL_UNIT);
      model = m < models.length ? models[m] : packed.otherModels![m - models.length];
    }
    let tokens: TokenCounts | undefined;
    if (flags & Has.Tokens) {
      const counts: TokenCounts = {};
      for (let bit = 0; bit < TOKEN_FIELDS.length; bit++) if (flags & (Has.FirstToken << bit)) counts[TOKEN_FIELDS[bit]] = numbers[i++];
      // `total` first, as `tokenCounts` states it.
      tokens = flags & Has.TotalIsSum ? { total: (counts.input ?? 0) + (counts.output ?? 0), ...counts } : counts;
    }
    const statedUsd = flags & Has.StatedUsd ? numbers[i++] : undefined;
    yield { model, tokens, statedUsd };
  }
}

/** Whether `v` reads as packed calls to the end: every count and index there, every model index naming a model. */
export function isPackedLlmCalls(v: unknown): v is PackedLlmCalls {
  const p = v as PackedLlmCalls;
  const strings = (a: unknown) => Array.isArray(a) && a.every((s) => typeof s === 'string');
  if (typeof p !== 'object' || p === null || !strings(p.models) || (p.otherModels !== undefined && !strings(p.otherModels)) || !Array.isArray(p.numbers)) return false;
  const modelCount = p.models.length + (p.otherModels?.length ?? 0);
  const { numbers } = p;
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n))) return false;
  let i = 0;
  while (i < numbers.length) {
    const head = numbers[i++];
    if (!Number.isInteger(head) || head < 0) return false;
    const flags = head % MODEL_UNIT;
    const model = Math.floor(head / MODEL_UNIT);
    if (flags & Has.Model ? model >= modelCount : model !== 0) return false;
    let follow = flags & Has.StatedUsd ? 1 : 0;
    for (let bit = 0; bit < TOKEN_FIELDS.length; bit++) if (flags & (Has.FirstToken << bit)) follow++;
    // Token counts, or a total worked out from them, only in a call that has tokens.
    if (!(flags & Has.Tokens) && (follow !== (flags & Has.StatedUsd ? 1 : 0) || flags & Has.TotalIsSum)) return false;
    i += follow;
  }
  return i === numbers.length;
}
