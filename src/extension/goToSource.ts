import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { sourceCandidates, sourceLocationOf } from '../core/source/source';
import type { SpanRecord } from '../core/model/span';

async function exists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The first candidate path that exists: as written when absolute, else in the workspace folders. */
async function resolveExisting(recorded: string, traceFile: string | undefined): Promise<{ found?: string; candidates: string[] }> {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const candidates = sourceCandidates(recorded, folders, traceFile);
  for (const candidate of candidates) if (await exists(candidate)) return { found: candidate, candidates };
  return { candidates };
}

async function open(file: string, line: number | undefined, column: number | undefined, viewColumn: vscode.ViewColumn | undefined): Promise<void> {
  const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), Math.max(0, (column ?? 1) - 1));
  await vscode.window.showTextDocument(vscode.Uri.file(file), {
    selection: new vscode.Range(position, position),
    viewColumn: viewColumn ?? vscode.ViewColumn.One,
    preview: true,
  });
}

/** Opens a file and line named by a stack frame; says so when the file isn't there. */
export async function goToLocation(recorded: string, line: number | undefined, traceFile: string | undefined, log: vscode.LogOutputChannel, viewColumn?: vscode.ViewColumn): Promise<boolean> {
  const { found, candidates } = await resolveExisting(recorded, traceFile);
  if (!found) {
    log.warn(`stack frame: ${recorded} does not exist (looked for ${candidates.join(', ')})`);
    void vscode.window.showErrorMessage(`File not found: ${recorded}. Looked for: ${candidates.join(', ') || recorded}.`);
    return false;
  }
  await open(found, line, undefined, viewColumn);
  return true;
}

/** Whether a stack frame's file is there to open (absolute, or in a workspace folder). */
export async function frameExists(recorded: string, traceFile: string | undefined): Promise<boolean> {
  return (await resolveExisting(recorded, traceFile)).found !== undefined;
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
  const { found, candidates } = await resolveExisting(location.path, span.origin.file);
  if (!found) {
    const looked = candidates.length > 0 ? ` Looked for: ${candidates.join(', ')}.` : ' Open the folder it belongs to.';
    log.warn(`Go to Source: ${location.path} (span "${span.name}") does not exist.${looked}`);
    void vscode.window.showErrorMessage(`Source file not found: ${location.path} (recorded on span "${span.name}").${looked}`);
    return false;
  }
  await open(found, location.line, location.column, viewColumn);
  return true;
}
