import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { PathMappings } from '../core/source/pathMapping';
import type { SourceContext } from '../core/source/resolveSpanSource';
import type { SymbolCandidate, SymbolKindName, SymbolQuery } from '../core/source/symbolMatch';

/** workspaceState key: span name → the symbol the user picked for it. */
const CHOICES_KEY = 'tracerun.sourceChoices';
/** Choices kept, the newest: one per span name of a workspace is a few hundred at most. */
const MAX_CHOICES = 500;

interface Choice {
  readonly path: string;
  readonly name: string;
}

function kindName(kind: vscode.SymbolKind): SymbolKindName {
  switch (kind) {
    case vscode.SymbolKind.Function:
      return 'function';
    case vscode.SymbolKind.Method:
    case vscode.SymbolKind.Constructor:
      return 'method';
    case vscode.SymbolKind.Class:
    case vscode.SymbolKind.Interface:
    case vscode.SymbolKind.Struct:
    case vscode.SymbolKind.Module:
      return 'class';
    case vscode.SymbolKind.Variable:
    case vscode.SymbolKind.Constant:
    case vscode.SymbolKind.Field:
    case vscode.SymbolKind.Property:
      return 'variable';
    default:
      return 'other';
  }
}

export function workspaceFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * The extension's side of the source chain: files on disk, the workspace symbol provider of
 * whatever language the code is in, and the user's pick among several symbols, remembered per
 * span name in the workspace's state.
 */
export class SpanSourceServices {
  constructor(
    private readonly state: vscode.Memento,
    private readonly mappings: () => PathMappings,
    /** Text from the trace as the views show it (the `tracerun.redact` rules). */
    readonly masked: (text: string) => string = (text) => text,
  ) {}

  pathMappings(): PathMappings {
    return this.mappings();
  }

  /** For a command the user ran: may ask which symbol. */
  interactive(): SourceContext {
    return { ...this.quiet(), choose: (spanName, ranked) => this.choose(spanName, ranked) };
  }

  /** For lenses, hovers and the details: never asks; several symbols and no remembered choice are `ambiguous`. */
  quiet(): SourceContext {
    return {
      folders: workspaceFolders(),
      pathMappings: this.pathMappings(),
      exists: isFile,
      findSymbols: (query) => this.findSymbols(query),
      remembered: (spanName, ranked) => this.remembered(spanName, ranked),
    };
  }

  async findSymbols(query: SymbolQuery): Promise<SymbolCandidate[]> {
    let found: vscode.SymbolInformation[] | undefined;
    try {
      found = await vscode.commands.executeCommand<vscode.SymbolInformation[]>('vscode.executeWorkspaceSymbolProvider', query.name);
    } catch {
      return [];
    }
    return (found ?? [])
      .filter((s) => s.location?.uri.scheme === 'file')
      .map((s) => ({
        name: s.name,
        container: s.containerName || undefined,
        kind: kindName(s.kind),
        path: s.location.uri.fsPath,
        line: s.location.range.start.line + 1,
        column: s.location.range.start.character + 1,
      }));
  }

  private choices(): Record<string, Choice> {
    return this.state.get<Record<string, Choice>>(CHOICES_KEY) ?? {};
  }

  remembered(spanName: string, ranked: readonly SymbolCandidate[]): SymbolCandidate | undefined {
    const choice = this.choices()[spanName];
    return choice && ranked.find((c) => c.path === choice.path && c.name === choice.name);
  }

  private async choose(spanName: string, ranked: readonly SymbolCandidate[]): Promise<SymbolCandidate | undefined> {
    const known = this.remembered(spanName, ranked);
    if (known) return known;
    const folders = workspaceFolders();
    const relative = (file: string) => {
      const folder = folders.find((f) => !path.relative(f, file).startsWith('..'));
      return folder ? path.relative(folder, file) : file;
    };
    const picked = await vscode.window.showQuickPick(
      ranked.map((c) => ({
        label: `$(symbol-${c.kind === 'class' ? 'class' : c.kind === 'method' ? 'method' : c.kind === 'variable' ? 'variable' : 'function'}) ${c.name}`,
        description: c.container,
        detail: `${relative(c.path)}:${c.line}`,
        candidate: c,
      })),
      { title: `Which code produced span "${this.masked(spanName)}"?`, placeHolder: 'The choice is remembered for spans of this name' },
    );
    if (!picked) return undefined;
    const choices = { ...this.choices(), [spanName]: { path: picked.candidate.path, name: picked.candidate.name } };
    const names = Object.keys(choices);
    for (const old of names.slice(0, Math.max(0, names.length - MAX_CHOICES))) delete choices[old];
    await this.state.update(CHOICES_KEY, choices);
    return picked.candidate;
  }
}
