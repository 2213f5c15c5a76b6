import type { Attributes } from '../model/span';
import { isDependencyPath } from './pathMapping';
import { sourceAccess } from './sourceAccess';

/** A name to look for among the workspace's symbols, with the class or module it should be in. */
export interface SymbolQuery {
  readonly name: string;
  readonly container?: string;
  /** What it was read from, for the message when nothing is found. */
  readonly from: 'code.function' | 'tool name' | 'span name';
}

/** The kinds of symbol a span can come from; VS Code's `SymbolKind`s are mapped onto these. */
export type SymbolKindName = 'function' | 'method' | 'class' | 'variable' | 'other';

/** A symbol the workspace symbol provider found. */
export interface SymbolCandidate {
  readonly name: string;
  readonly container: string | undefined;
  readonly kind: SymbolKindName;
  readonly path: string;
  /** 1-based. */
  readonly line: number;
  readonly column: number;
}

/**
 * Where a tool span names its tool: the GenAI conventions, OpenInference (its LangChain,
 * LlamaIndex and other instrumentations write `tool.name`) and the Vercel AI SDK. The index
 * keeps them in memory (`INDEXED_ATTRIBUTE_KEYS`), so the lenses place a span by its tool too.
 */
export const TOOL_NAME_KEYS: readonly string[] = ['gen_ai.tool.name', 'tool.name', 'ai.toolCall.name'];

/**
 * GenAI operations whose span name is `{operation} {name}` with the name of code: a tool or an
 * agent (`execute_tool lookup_order`). `chat gpt-4o` names a model, not code.
 */
const NAMED_OPERATIONS = new Set(['execute_tool', 'invoke_agent', 'create_agent', 'invoke_workflow']);

/** OpenLLMetry's `@tool`/`@task`/`@workflow`/`@agent` spans are named `{function}.{kind}`. */
const TRACELOOP_KINDS = new Set(['tool', 'task', 'workflow', 'agent']);

const IDENTIFIER = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

function pushDotted(out: SymbolQuery[], text: string, from: SymbolQuery['from'], namespace?: string): void {
  const trimmed = text.trim().replace(/\(\)$/, '');
  // `module.func`, `Class.method`, `com.acme.Agent.run`; Go's `main.(*Agent).Run`.
  const parts = trimmed.split(/[.:]+|::|#/).map((p) => p.replace(/^\(\*?|\)$/g, '')).filter((p) => p !== '');
  const name = parts[parts.length - 1];
  if (!name || !IDENTIFIER.test(name)) return;
  let container = parts.length > 1 ? parts[parts.length - 2] : undefined;
  if (container === undefined && namespace) container = namespace.split(/[.:]+|::/).filter((p) => p !== '').pop();
  out.push(container && IDENTIFIER.test(container) ? { name, container, from } : { name, from });
}

/**
 * The names a span's code may go by, most telling first: `code.function` (with
 * `code.namespace`), the tool's name, then the span's name read under the usual
 * instrumentation patterns: `module.func`, `Class.method`, `execute_tool lookup_order`,
 * `lookup_order.tool`, a decorated function's or a LangGraph node's own name.
 */
export function symbolQueries(spanName: string, attributes: Attributes | undefined): SymbolQuery[] {
  const out: SymbolQuery[] = [];
  const attr = (key: string): string | undefined => {
    const v = attributes?.[key];
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  };
  const fn = attr('code.function.name') ?? attr('code.function');
  if (fn) pushDotted(out, fn, 'code.function', attr('code.namespace'));
  for (const key of TOOL_NAME_KEYS) {
    const tool = attr(key);
    if (tool) pushDotted(out, tool, 'tool name');
  }
  const name = spanName.trim();
  const space = name.indexOf(' ');
  if (space > 0) {
    if (NAMED_OPERATIONS.has(name.slice(0, space))) pushDotted(out, name.slice(space + 1), 'span name');
  } else {
    const parts = name.split('.');
    if (parts.length === 2 && TRACELOOP_KINDS.has(parts[1])) pushDotted(out, parts[0], 'span name');
    else pushDotted(out, name, 'span name');
  }
  const seen = new Set<string>();
  return out.filter((q) => {
    const key = `${q.container ?? ''}.${q.name}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** `lookup_order`, `lookupOrder` and `LookupOrder` are one name written in three conventions. */
function loose(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/** A provider may write a method with its signature: `run()`, `Run(string)`. */
function bareName(name: string): string {
  const open = name.indexOf('(');
  return open > 0 ? name.slice(0, open) : name;
}

const KIND_SCORE: Record<SymbolKindName, number> = { function: 3, method: 3, class: 2, variable: 1, other: 0 };

/**
 * The candidates that can be a span's code, best first: inside a workspace folder, not in a
 * dependency, named as a query names it (exactly, then ignoring case, then ignoring `_` too: a
 * provider's fuzzy matches that are other names are dropped); an earlier query, the container
 * the query names and a function over a variable rank higher.
 */
export function rankSymbols(queries: readonly SymbolQuery[], candidates: readonly SymbolCandidate[], folders: readonly string[]): SymbolCandidate[] {
  const scored: { c: SymbolCandidate; score: number }[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    const key = `${c.path}:${c.line}`;
    if (seen.has(key) || sourceAccess(c.path, folders) !== 'inside' || isDependencyPath(c.path)) continue;
    const name = bareName(c.name);
    let best = -1;
    queries.forEach((q, i) => {
      const match = name === q.name ? 3 : name.toLowerCase() === q.name.toLowerCase() ? 2 : loose(name) === loose(q.name) ? 1 : 0;
      if (match === 0) return;
      const container = q.container && c.container && (c.container === q.container || c.container.endsWith(`.${q.container}`)) ? 1 : 0;
      const score = (queries.length - i) * 100 + match * 10 + container * 5 + KIND_SCORE[c.kind];
      if (score > best) best = score;
    });
    if (best < 0) continue;
    seen.add(key);
    scored.push({ c, score: best });
  }
  return scored.sort((a, b) => b.score - a.score || a.c.path.localeCompare(b.c.path) || a.c.line - b.c.line).map((s) => s.c);
}
