/**
 * What an LLM call cost, from its model, its token counts and a price table the user gives
 * (prices change too often to ship). Input and output tokens only: cached-input and reasoning
 * discounts are not modelled.
 */
import type { TokenCounts } from './conventions';

export interface ModelPrice {
  /** USD per million input (prompt) tokens. */
  readonly inputPerMTok: number;
  /** USD per million output (completion) tokens. */
  readonly outputPerMTok: number;
}

/**
 * Model name → price. Keys are exact names (`gpt-4o-mini`), globs with `*` and `?`
 * (`claude-3-5-sonnet*`, `*llama-3.1-70b*`), or plain names that also cover their dated or
 * versioned snapshots (see `findPrice`). Matching ignores case. A table is compiled once per
 * object (cached weakly): pass a new object, not a mutated one, when prices change.
 */
export type PriceTable = Readonly<Record<string, ModelPrice>> | ReadonlyMap<string, ModelPrice>;

export interface Cost {
  readonly inputUsd: number;
  readonly outputUsd: number;
  readonly totalUsd: number;
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
  const inputUsd = ((tokens.input ?? 0) * match.price.inputPerMTok) / 1e6;
  const outputUsd = ((tokens.output ?? 0) * match.price.outputPerMTok) / 1e6;
  return { inputUsd, outputUsd, totalUsd: inputUsd + outputUsd, priceKey: match.key };
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
