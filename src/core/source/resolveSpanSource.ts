import * as path from 'node:path';
import type { Attributes } from '../model/span';
import { isDependencyPath, mappedSourceCandidates, type PathMappings } from './pathMapping';
import { sourceLocationOf } from './source';
import { sourceAccess } from './sourceAccess';
import { innermostFirst, parseStackTrace, type StackFrame } from './stackFrames';
import { rankSymbols, symbolQueries, type SymbolCandidate, type SymbolQuery } from './symbolMatch';

/** Which step of the chain found a span's source. */
export type SourceVia = 'attributes' | 'stacktrace' | 'symbol';

/** What the chain reads of a span: its name, attributes, events and status message. */
export interface SpanSourceInput {
  readonly name: string;
  readonly attributes: Attributes | undefined;
  readonly events?: readonly { readonly name: string; readonly attributes: Attributes }[];
  readonly statusMessage?: string;
  /** The trace file it was read from: relative paths resolve in its folder first. */
  readonly traceFile?: string;
}

export interface SourceContext {
  readonly folders: readonly string[];
  readonly pathMappings?: PathMappings;
  readonly exists: (file: string) => Promise<boolean>;
  /** Step 3, the workspace's symbols for a name; absent (the CLI), the chain stops at step 2. */
  readonly findSymbols?: (query: SymbolQuery) => Promise<readonly SymbolCandidate[]>;
  /** Several symbols fit: the one the user chose before for this span name, if any. */
  readonly remembered?: (spanName: string, ranked: readonly SymbolCandidate[]) => SymbolCandidate | undefined;
  /**
   * Several symbols fit and none is remembered: ask which (undefined: none chosen). Absent
   * with `remembered` (lenses, hovers, the details: never ask), the result is `ambiguous`;
   * absent with neither, the best ranked is taken.
   */
  readonly choose?: (spanName: string, ranked: readonly SymbolCandidate[]) => Promise<SymbolCandidate | undefined>;
}

export interface ResolvedSource {
  /** Absolute, on this machine. */
  readonly path: string;
  /** 1-based. */
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly function: string | undefined;
  readonly via: SourceVia;
}

export type SourceResolution =
  | { readonly found: ResolvedSource }
  /** `ambiguous`: this many workspace symbols fit, none was chosen, and the context may not ask. */
  | { readonly found: undefined; readonly why: string; readonly cancelled?: true; readonly ambiguous?: number };

/** Frames looked up on disk per span, at most: a deep stack of missing files is not walked to its end. */
const MAX_FRAMES_CHECKED = 64;
/** Names asked of the symbol provider per span. */
const MAX_SYMBOL_QUERIES = 4;

/** The stacks a span carries, the span's own first (`code.stacktrace`: where it was started). */
export function stacksOf(input: SpanSourceInput): string[] {
  const stacks: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.trim() !== '') stacks.push(v);
  };
  add(input.attributes?.['code.stacktrace']);
  for (const event of input.events ?? []) {
    if (event.name !== 'exception') continue;
    add(event.attributes['exception.stacktrace']);
    add(event.attributes['exception.message']);
  }
  add(input.statusMessage);
  return stacks;
}

/**
 * Where a JVM frame's file may be: the class's package as folders (`com.acme.Agent.run` in
 * `Agent.java` → `com/acme/Agent.java`) under the usual source roots of each folder.
 */
function jvmCandidates(frame: StackFrame, folders: readonly string[]): string[] {
  const parts = (frame.function ?? '').split('.');
  const pkg = parts.slice(0, Math.max(0, parts.length - 2));
  const roots = ['', 'src/main/java', 'src/main/kotlin', 'src/main/scala', 'src', 'app/src/main/java'];
  return folders.flatMap((folder) => roots.map((root) => path.join(folder, root, ...pkg, frame.path!)));
}

async function firstExisting(candidates: readonly string[], ctx: SourceContext): Promise<string | undefined> {
  for (const candidate of candidates) if (await ctx.exists(candidate)) return candidate;
  return undefined;
}

/** Step 2: the innermost frame, of the first stack that has one, whose file is in the workspace. */
async function fromStacks(input: SpanSourceInput, ctx: SourceContext): Promise<ResolvedSource | undefined> {
  let checked = 0;
  for (const stack of stacksOf(input)) {
    for (const frame of innermostFirst(parseStackTrace(stack))) {
      if (isDependencyPath(frame.path!)) continue;
      if (++checked > MAX_FRAMES_CHECKED) return undefined;
      const candidates = frame.format === 'jvm' ? jvmCandidates(frame, ctx.folders) : mappedSourceCandidates(frame.path!, ctx.folders, ctx.pathMappings, input.traceFile);
      const found = await firstExisting(candidates.filter((c) => sourceAccess(c, ctx.folders) === 'inside' && !isDependencyPath(c)), ctx);
      if (found) return { path: found, line: frame.line, column: undefined, function: frame.function, via: 'stacktrace' };
    }
  }
  return undefined;
}

/** Step 3: a workspace symbol named as the span's code is. */
async function fromSymbols(input: SpanSourceInput, ctx: SourceContext, queries: readonly SymbolQuery[]): Promise<SourceResolution | undefined> {
  if (!ctx.findSymbols || queries.length === 0) return undefined;
  const found: SymbolCandidate[] = [];
  for (const query of queries.slice(0, MAX_SYMBOL_QUERIES)) found.push(...(await ctx.findSymbols(query)));
  const ranked = rankSymbols(queries, found, ctx.folders);
  if (ranked.length === 0) return undefined;
  let chosen = ranked.length === 1 ? ranked[0] : ctx.remembered?.(input.name, ranked);
  if (!chosen) {
    if (ctx.choose) chosen = await ctx.choose(input.name, ranked);
    else if (ctx.remembered) return { found: undefined, why: `${ranked.length} functions fit — Go to Source asks which.`, ambiguous: ranked.length };
    else chosen = ranked[0];
  }
  if (!chosen) return { found: undefined, why: 'No symbol was chosen.', cancelled: true };
  return { found: { path: chosen.path, line: chosen.line, column: chosen.column, function: chosen.name, via: 'symbol' } };
}

/**
 * Where the code that produced a span is, first hit wins: its `code.*` attributes (the path
 * mapped into the workspace), a stack trace on it (innermost frame in the workspace, not in a
 * dependency), a workspace symbol named as its function, tool or span name suggests. When
 * none finds it, `why` says what was tried and what would help.
 */
export async function resolveSpanSource(input: SpanSourceInput, ctx: SourceContext): Promise<SourceResolution> {
  const tried: string[] = [];
  const location = sourceLocationOf(input.attributes);
  if (location) {
    const candidates = mappedSourceCandidates(location.path, ctx.folders, ctx.pathMappings, input.traceFile);
    const found = await firstExisting(candidates, ctx);
    if (found) return { found: { path: found, line: location.line, column: location.column, function: location.function, via: 'attributes' } };
    tried.push(candidates.length > 0 ? `its code.* attributes name ${location.path}, which is not here (looked for ${candidates.slice(0, 3).join(', ')}${candidates.length > 3 ? ', …' : ''})` : `its code.* attributes name ${location.path}, which is not opened`);
  } else {
    tried.push('it has no code.file.path or code.filepath attribute');
  }
  const fromStack = await fromStacks(input, ctx);
  if (fromStack) return { found: fromStack };
  tried.push(stacksOf(input).length > 0 ? 'no frame of its stack trace is a file in the workspace' : 'it carries no stack trace');
  const queries = ctx.findSymbols ? symbolQueries(input.name, input.attributes) : [];
  const fromSymbol = await fromSymbols(input, ctx, queries);
  if (fromSymbol) return fromSymbol;
  if (ctx.findSymbols) {
    tried.push(queries.length > 0 ? `no workspace symbol is named ${queries.slice(0, MAX_SYMBOL_QUERIES).map((q) => q.name).join(' or ')}` : 'its name names no function');
  }
  const mapping = location ? ' If it was recorded on another machine or in a container, map its folder with tracerun.pathMappings.' : '';
  return {
    found: undefined,
    why: `No source found for span "${input.name}": ${tried.join('; ')}. Record code.file.path and code.line.number on it (or open the folder holding its code).${mapping}`,
  };
}
