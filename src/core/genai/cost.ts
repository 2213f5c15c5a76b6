/**
 * What an LLM call cost, from its model, its token counts and a price table the user gives
 * (prices change too often to ship), or as the span states it. Input tokens include cached
 * ones ([GA] cache reads and writes "SHOULD be included in gen_ai.usage.input_tokens"), and
 * output tokens include reasoning ones, which are billed as output.
 */
import type { AttributeValue, Attributes } from '../model/span';
import type { TokenCounts } from './conventions';

export interface ModelPrice {
  /** USD per million input (prompt) tokens. */
  readonly inputPerMTok: number;
  /** USD per million output (completion) tokens. */
  readonly outputPerMTok: number;
  /** USD per million input tokens read from the prompt cache; without it they cost `inputPerMTok`. */
  readonly cachedInputPerMTok?: number;
  /** USD per million input tokens written to the prompt cache; without it they cost `inputPerMTok`. */
  readonly cacheWriteInputPerMTok?: number;
}

/**
 * Model name → price. Keys are exact names (`gpt-4o-mini`), globs with `*` and `?`
 * (`claude-3-5-sonnet*`, `*llama-3.1-70b*`), or plain names that also cover their dated or
 * versioned snapshots (see `findPrice`). Matching ignores case. A table is compiled once per
 * object (cached weakly): pass a new object, not a mutated one, when prices change.
 */
export type PriceTable = Readonly<Record<string, ModelPrice>> | ReadonlyMap<string, ModelPrice>;

export interface Cost {
  /** All input, cached tokens included. */
  readonly inputUsd: number;
  readonly outputUsd: number;
  readonly totalUsd: number;
  /** The part of `inputUsd` for cache reads, when the price gives a cached-input price. */
  readonly cachedInputUsd?: number;
  /** The price table key that matched. */
  readonly priceKey: string;
}

/**
 * The call's cost; undefined when the model has no price or the span states neither input
 * nor output tokens (a bare total cannot be split between the two prices).
 */
export function costOf(model: string | undefined, tokens: TokenCounts | undefined, table: PriceTable): Cost | undefined {
  if (model === undefined || tokens === undefined) return undefined;
  if (tokens.input === undefined && tokens.output === undefined) return undefined;
  const match = findPrice(model, table);
  if (match === undefined) return undefined;
  const { price } = match;
  const input = tokens.input ?? 0;
  // Cached tokens are part of the input; they are split out only when priced differently, and
  // never beyond the input stated (a span may count them apart from it).
  const cacheRead = price.cachedInputPerMTok !== undefined ? Math.min(tokens.cacheRead ?? 0, input) : 0;
  const cacheWrite = price.cacheWriteInputPerMTok !== undefined ? Math.min(tokens.cacheWrite ?? 0, input - cacheRead) : 0;
  const cachedInputUsd = (cacheRead * (price.cachedInputPerMTok ?? 0)) / 1e6;
  const inputUsd =
    ((input - cacheRead - cacheWrite) * price.inputPerMTok) / 1e6 + cachedInputUsd + (cacheWrite * (price.cacheWriteInputPerMTok ?? 0)) / 1e6;
  const outputUsd = ((tokens.output ?? 0) * price.outputPerMTok) / 1e6;
  return {
    inputUsd,
    outputUsd,
    totalUsd: inputUsd + outputUsd,
    ...(price.cachedInputPerMTok !== undefined && { cachedInputUsd }),
    priceKey: match.key,
  };
}

/** A cost the span itself states, in USD. */
export interface StatedCost {
  readonly inputUsd?: number;
  readonly outputUsd?: number;
  readonly totalUsd: number;
  /** The attribute it came from. */
  readonly key: string;
}

/**
 * The cost recorded on the span by its instrumentation: [OI] `llm.cost.total` (with
 * `llm.cost.prompt` / `llm.cost.completion`), or [LF] `langfuse.observation.cost_details`
 * (JSON `{input, output, total, …}`). A total missing is the sum of the parts. Undefined
 * when the span states none; a price table then gives it (`costOf`).
 */
export function statedCost(a: Attributes): StatedCost | undefined {
  const prompt = usd(a['llm.cost.prompt']);
  const completion = usd(a['llm.cost.completion']);
  const total = usd(a['llm.cost.total']);
  if (total !== undefined || prompt !== undefined || completion !== undefined) {
    return parts('llm.cost.total', prompt, completion, total);
  }
  const details = a['langfuse.observation.cost_details'];
  let parsed: unknown = details;
  if (typeof details === 'string') {
    try {
      parsed = JSON.parse(details);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const d = parsed as Record<string, AttributeValue>;
  const input = usd(d.input);
  const output = usd(d.output);
  const sum = usd(d.total);
  if (sum === undefined && input === undefined && output === undefined) return undefined;
  return parts('langfuse.observation.cost_details', input, output, sum);
}

function parts(key: string, input: number | undefined, output: number | undefined, total: number | undefined): StatedCost {
  return {
    ...(input !== undefined && { inputUsd: input }),
    ...(output !== undefined && { outputUsd: output }),
    totalUsd: total ?? (input ?? 0) + (output ?? 0),
    key,
  };
}

function usd(v: AttributeValue | undefined): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The price for a model name. In order:
 * 1. an exact key;
 * 2. a glob key matching the whole name, the most specific (most literal characters) first;
 * 3. a plain key the name starts with, followed by a snapshot suffix: a separator (`-`, `@`,
 *    `:`, `.`, `_`) and a digit, as in `gpt-4o-2024-08-06`, `claude-3-5-sonnet@20240620`,
 *    `gemini-1.5-pro-002`. `gpt-4o` therefore does not price `gpt-4o-mini`. Longest key first.
 * Then the same again with a provider prefix (`openai/`, `models/`) cut off the name.
 */
export function findPrice(model: string, table: PriceTable): { key: string; price: ModelPrice } | undefined {
  const compiled = compile(table);
  const name = model.trim().toLowerCase();
  const slash = name.lastIndexOf('/');
  return match(compiled, name) ?? (slash >= 0 ? match(compiled, name.slice(slash + 1)) : undefined);
}

interface Entry {
  key: string;
  lower: string;
  price: ModelPrice;
}

interface Compiled {
  exact: Map<string, Entry>;
  /** Most specific first. */
  globs: Entry[];
  /** Longest first. */
  plain: Entry[];
}

const SNAPSHOT_SUFFIX = /^[-@:._]\d/;

function match(c: Compiled, name: string): { key: string; price: ModelPrice } | undefined {
  const exact = c.exact.get(name);
  if (exact) return { key: exact.key, price: exact.price };
  for (const g of c.globs) if (globMatches(g.lower, name)) return { key: g.key, price: g.price };
  for (const e of c.plain) {
    if (name.length > e.lower.length && name.startsWith(e.lower) && SNAPSHOT_SUFFIX.test(name.slice(e.lower.length))) {
      return { key: e.key, price: e.price };
    }
  }
  return undefined;
}

const cache = new WeakMap<object, Compiled>();

function compile(table: PriceTable): Compiled {
  const hit = cache.get(table);
  if (hit) return hit;
  const entries = table instanceof Map ? [...table.entries()] : Object.entries(table as Record<string, ModelPrice>);
  const compiled: Compiled = { exact: new Map(), globs: [], plain: [] };
  for (const [key, price] of entries) {
    const entry: Entry = { key, lower: key.trim().toLowerCase(), price };
    if (/[*?]/.test(entry.lower)) compiled.globs.push(entry);
    else {
      if (!compiled.exact.has(entry.lower)) compiled.exact.set(entry.lower, entry);
      compiled.plain.push(entry);
    }
  }
  const literal = (s: string): number => s.replace(/[*?]/g, '').length;
  compiled.globs.sort((a, b) => literal(b.lower) - literal(a.lower));
  compiled.plain.sort((a, b) => b.lower.length - a.lower.length);
  cache.set(table, compiled);
  return compiled;
}

/**
 * Whether a glob of `*` (any run) and `?` (any one character) matches the whole name. Keys
 * come from a settings file, possibly a hostile workspace's: a glob turned into a regular
 * expression backtracked for 28 s on 12 stars. This keeps one resume point, the last star,
 * so a match costs at most (glob length × name length) steps, never more.
 */
export function globMatches(glob: string, name: string): boolean {
  let g = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    const c = glob.charCodeAt(g);
    if (g < glob.length && (c === 0x3f /* ? */ || c === name.charCodeAt(n)) && c !== 0x2a) {
      g++;
      n++;
    } else if (c === 0x2a /* * */) {
      // Try the star as empty first; on a mismatch it takes one more character.
      star = g++;
      resume = n;
    } else if (star >= 0) {
      g = star + 1;
      n = ++resume;
    } else return false;
  }
  while (glob.charCodeAt(g) === 0x2a) g++;
  return g === glob.length;
}
