import * as vscode from 'vscode';
import type { CodeRange } from '../core/source/functionSpans';

const FUNCTION_KINDS = new Set([vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Constructor, vscode.SymbolKind.Class]);
/** Documents whose symbols are kept: the visible editors and a few more. */
const KEPT = 16;

function isFunctionLike(kind: vscode.SymbolKind, range: vscode.Range): boolean {
  // `const lookupOrder = async () => { … }`: some providers call it a variable.
  return FUNCTION_KINDS.has(kind) || ((kind === vscode.SymbolKind.Variable || kind === vscode.SymbolKind.Constant) && range.end.line > range.start.line);
}

/**
 * The functions, methods and classes of a document, from whatever document symbol provider its
 * language has (none: no ranges, and the lenses fall back to lines). Asked once per version.
 */
export class DocumentFunctions {
  private readonly cache = new Map<string, { version: number; ranges: Promise<CodeRange[]> }>();

  of(document: vscode.TextDocument): Promise<CodeRange[]> {
    const key = document.uri.toString();
    const known = this.cache.get(key);
    if (known && known.version === document.version) return known.ranges;
    const ranges = this.read(document.uri);
    this.cache.delete(key);
    this.cache.set(key, { version: document.version, ranges });
    // None may mean the language server has not started yet: ask again next time.
    void ranges.then((r) => r.length === 0 && this.cache.get(key)?.ranges === ranges && this.cache.delete(key));
    for (const old of this.cache.keys()) {
      if (this.cache.size <= KEPT) break;
      this.cache.delete(old);
    }
    return ranges;
  }

  private async read(uri: vscode.Uri): Promise<CodeRange[]> {
    let symbols: (vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined;
    try {
      symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[]>('vscode.executeDocumentSymbolProvider', uri);
    } catch {
      return [];
    }
    const out: CodeRange[] = [];
    const visit = (s: vscode.DocumentSymbol | vscode.SymbolInformation) => {
      const range = 'range' in s ? s.range : s.location.range;
      const nameLine = 'selectionRange' in s ? s.selectionRange.start.line : range.start.line;
      if (isFunctionLike(s.kind, range)) out.push({ name: s.name, startLine: range.start.line + 1, endLine: range.end.line + 1, nameLine: nameLine + 1 });
      if ('children' in s) s.children.forEach(visit);
    };
    (symbols ?? []).forEach(visit);
    return out;
  }
}
