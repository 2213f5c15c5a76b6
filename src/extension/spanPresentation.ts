import * as vscode from 'vscode';
import type { LlmSpanKind } from '../core/genai/conventions';

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
