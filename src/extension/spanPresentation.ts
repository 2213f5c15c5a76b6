import * as vscode from 'vscode';
import { runTokens, type LlmSpanKind, type TokenCounts } from '../core/conventions';
import type { Trace } from '../core/trace';

/** Codicons that read as each kind of span at a glance. */
const KIND_ICONS: Record<LlmSpanKind, string> = {
  agent: 'hubot',
  chain: 'link',
  llm: 'sparkle',
  tool: 'tools',
  retriever: 'search',
  embedding: 'symbol-array',
  reranker: 'list-ordered',
  guardrail: 'shield',
  evaluator: 'beaker',
  http: 'globe',
  db: 'database',
  other: 'circle-outline',
};

export function kindIcon(kind: LlmSpanKind): vscode.ThemeIcon {
  return new vscode.ThemeIcon(KIND_ICONS[kind]);
}

export function tokensLabel(tokens: TokenCounts | undefined): string | undefined {
  if (tokens?.total === undefined) return undefined;
  return `${tokens.total.toLocaleString('en-US')} tok`;
}

export function tokensTooltip(tokens: TokenCounts | undefined): string | undefined {
  if (tokens?.total === undefined) return undefined;
  const parts = [`${tokens.total.toLocaleString('en-US')} tokens`];
  if (tokens.input !== undefined || tokens.output !== undefined) parts.push(`(${tokens.input ?? '?'} in, ${tokens.output ?? '?'} out)`);
  return parts.join(' ');
}

const runTokenCache = new WeakMap<Trace, { revision: number; tokens: TokenCounts | undefined }>();

/** A run's tokens: the sum over its LLM spans, recomputed only when the trace changed. */
export function traceTokens(trace: Trace): TokenCounts | undefined {
  const cached = runTokenCache.get(trace);
  if (cached?.revision === trace.revision) return cached.tokens;
  const tokens = runTokens(trace.allSpans());
  runTokenCache.set(trace, { revision: trace.revision, tokens });
  return tokens;
}

