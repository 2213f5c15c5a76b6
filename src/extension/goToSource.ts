import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { sourceCandidates, sourceLocationOf } from '../core/source';
import type { SpanRecord } from '../core/span';

async function exists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * Opens the file and line recorded in a span's `code.*` attributes. Relative paths resolve
 * against the workspace folders; a path that isn't there is said so, naming where we looked.
 */
export async function goToSpanSource(span: SpanRecord, log: vscode.LogOutputChannel, viewColumn?: vscode.ViewColumn): Promise<boolean> {
  const location = sourceLocationOf(span.attributes);
  if (!location) {
    void vscode.window.showInformationMessage(`Span "${span.name}" records no source location (no code.file.path or code.filepath attribute).`);
    return false;
  }
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const candidates = sourceCandidates(location.path, folders, span.origin.file);
  let found: string | undefined;
  for (const candidate of candidates) {
    if (await exists(candidate)) {
      found = candidate;
      break;
    }
  }
  if (!found) {
    const looked = candidates.length > 0 ? ` Looked for: ${candidates.join(', ')}.` : ' Open the folder it belongs to.';
    log.warn(`Go to Source: ${location.path} (span "${span.name}") does not exist.${looked}`);
    void vscode.window.showErrorMessage(`Source file not found: ${location.path} (recorded on span "${span.name}").${looked}`);
    return false;
  }
  const line = Math.max(0, (location.line ?? 1) - 1);
  const column = Math.max(0, (location.column ?? 1) - 1);
  const position = new vscode.Position(line, column);
  await vscode.window.showTextDocument(vscode.Uri.file(found), {
    selection: new vscode.Range(position, position),
    viewColumn: viewColumn ?? vscode.ViewColumn.One,
    preview: true,
  });
  return true;
}
