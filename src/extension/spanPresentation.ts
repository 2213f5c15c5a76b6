import * as vscode from 'vscode';
import type { LlmSpanKind, TokenCounts } from '../core/genai/conventions';

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

