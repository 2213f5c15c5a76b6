import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { loadSpanDetails, type SpanDetails } from '../core/ingest/spanDetails';
import { sourceCandidates, sourceLocationOf } from '../core/source/source';
import { isDependencyPath, mappedSourceCandidates } from '../core/source/pathMapping';
import { isNetworkPath, sourceAccess } from '../core/source/sourceAccess';
import { resolveSpanSource, type SourceContext, type SourceVia, type SpanSourceInput } from '../core/source/resolveSpanSource';
import type { SpanRecord } from '../core/model/span';
import { setContext } from './commands';
import { ContextKeys } from './contextKeys';
import { workspaceFolders, type SpanSourceServices } from './symbolSource';

/** The files, symbols and remembered choices Go to Source resolves with (see `useSpanSourceServices`). */
let services: SpanSourceServices | undefined;

/** Whether Go to Source has opened a file in this window yet (the context key is set once). */
let sourceOpened = false;

async function exists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * The first candidate path that exists: as written when absolute, else in the workspace
 * folders, and a path recorded elsewhere by `tracerun.pathMappings` or the longest suffix of
 * it in the workspace (not for a dependency's file: its suffix would find a namesake). Network
 * paths are not candidates: not one file system call is made for them.
 */
async function resolveExisting(recorded: string, traceFile: string | undefined): Promise<{ found?: string; candidates: string[] }> {
  const folders = workspaceFolders();
  const all = isDependencyPath(recorded) ? sourceCandidates(recorded, folders, traceFile) : mappedSourceCandidates(recorded, folders, services?.pathMappings(), traceFile);
  const candidates = all.filter((c) => sourceAccess(c, folders) !== 'never');
  for (const candidate of candidates) if (await exists(candidate)) return { found: candidate, candidates };
  return { candidates };
}

/**
 * Whether `file` may be opened: at once inside a workspace folder (links followed, so a link
 * in the workspace can't lead out of it unasked); anywhere else only once the user says so.
 */
async function mayOpen(file: string, log: vscode.LogOutputChannel): Promise<boolean> {
  const folders = workspaceFolders();
  let access = sourceAccess(file, folders);
  if (access === 'inside') {
    const real = await fs.realpath(file).catch(() => file);
    const realFolders = await Promise.all(folders.map((f) => fs.realpath(f).catch(() => f)));
    access = sourceAccess(real, realFolders);
  }
  if (access === 'inside') return true;
  if (access === 'never') {
    log.warn(`Go to Source: ${file} is a network path; not opened`);
    return false;
  }
  const choice = await vscode.window.showWarningMessage(
    `Open ${file}?`,
    { modal: true, detail: 'A trace names this file, which is outside the workspace folders. Open it only if you trust the trace.' },
    'Open',
  );
  if (choice !== 'Open') log.info(`Go to Source: ${file} is outside the workspace folders; not opened`);
  return choice === 'Open';
}

async function open(file: string, line: number | undefined, column: number | undefined, viewColumn: vscode.ViewColumn | undefined, log: vscode.LogOutputChannel): Promise<boolean> {
  if (!(await mayOpen(file, log))) return false;
  const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), Math.max(0, (column ?? 1) - 1));
  await vscode.window.showTextDocument(vscode.Uri.file(file), {
    selection: new vscode.Range(position, position),
    viewColumn: viewColumn ?? vscode.ViewColumn.One,
    preview: true,
  });
  // Every Go to Source ends here, whichever view it started from: the walkthrough's step
  // completes on the file opening, not on one command (the details and compare panel call no command).
  if (!sourceOpened) void setContext(ContextKeys.SourceOpened, (sourceOpened = true));
  return true;
}

/** Says that a network path is never opened; true when `recorded` is one. */
function refusedNetworkPath(recorded: string, log: vscode.LogOutputChannel): boolean {
  if (!isNetworkPath(recorded)) return false;
  log.warn(`Go to Source: ${recorded} is a network path; not opened`);
  void vscode.window.showWarningMessage(`Trace Run does not open network paths: ${recorded}.`);
  return true;
}

/** Opens a file and line named by a stack frame (or the webview); says so when the file isn't there. */
export async function goToLocation(recorded: string, line: number | undefined, traceFile: string | undefined, log: vscode.LogOutputChannel, viewColumn?: vscode.ViewColumn): Promise<boolean> {
  if (refusedNetworkPath(recorded, log)) return false;
  const { found, candidates } = await resolveExisting(recorded, traceFile);
  if (!found) {
    log.warn(`stack frame: ${recorded} does not exist (looked for ${candidates.join(', ')})`);
    void vscode.window.showErrorMessage(`File not found: ${recorded}. Looked for: ${candidates.join(', ') || recorded}.`);
    return false;
  }
  return open(found, line, undefined, viewColumn, log);
}

/** Whether a stack frame's file is there to open (absolute, or in a workspace folder). */
export async function frameExists(recorded: string, traceFile: string | undefined): Promise<boolean> {
  return (await resolveExisting(recorded, traceFile)).found !== undefined;
}

/**
 * The source chain as the details pane runs it: workspace symbols too, but never asking (a
 * remembered choice, else none when several fit). Before activation sets the services, files only.
 */
export function detailsSourceContext(): SourceContext {
  return services?.quiet() ?? { folders: workspaceFolders(), exists };
}

/** The files, symbols and remembered choices Go to Source resolves with; set once on activation. */
export function useSpanSourceServices(value: SpanSourceServices): vscode.Disposable {
  services = value;
  return { dispose: () => (services === value ? (services = undefined) : undefined) };
}

/** What the source chain reads of a span: its full attributes and events when its file still has them. */
export async function spanSourceInput(span: SpanRecord, log?: vscode.LogOutputChannel): Promise<SpanSourceInput> {
  let details: SpanDetails | undefined;
  try {
    details = await loadSpanDetails(span);
  } catch (err) {
    log?.warn(`Go to Source: ${err instanceof Error ? err.message : String(err)}; using the attributes kept in memory`);
  }
  return { name: span.name, attributes: details?.attributes ?? span.attributes, events: details?.events, statusMessage: span.errorMessage, traceFile: span.origin.file };
}

/**
 * Opens the code that produced a span, found by the chain of `resolveSpanSource`: its `code.*`
 * attributes, a stack trace on it, or a workspace symbol of its name (asking which when
 * several fit). When nothing finds it, says what was tried and what would help.
 */
export async function goToSpanSource(span: SpanRecord, log: vscode.LogOutputChannel, viewColumn?: vscode.ViewColumn): Promise<boolean> {
  const location = sourceLocationOf(span.attributes);
  if (location && refusedNetworkPath(location.path, log)) return false;
  const context = services?.interactive() ?? { folders: workspaceFolders(), exists };
  // The symbol provider may be slow while a language server starts: say what is going on.
  // Messages quote the span's name (and the chain's reason does too): masked as the views show it.
  const shown = services ? services.masked : (text: string) => text;
  const resolution = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Finding the source of span "${shown(span.name)}"` }, async () =>
    resolveSpanSource(await spanSourceInput(span, log), context),
  );
  if (resolution.found) {
    const { path: file, line, column, via } = resolution.found;
    log.info(`Go to Source: span "${span.name}" → ${file}${line ? `:${line}` : ''} (found through its ${VIA_WORDS[via]})`);
    return open(file, line, column, viewColumn, log);
  }
  if (resolution.cancelled) return false;
  log.warn(`Go to Source: ${resolution.why}`);
  if (location) void vscode.window.showErrorMessage(shown(`Source file not found: ${location.path} (recorded on span "${span.name}"). ${resolution.why}`));
  else void vscode.window.showInformationMessage(shown(resolution.why));
  return false;
}

/** How the log says which step of the chain found a span's source. */
export const VIA_WORDS: Record<SourceVia, string> = { attributes: 'code.* attributes', stacktrace: 'stack trace', symbol: 'name, among the workspace symbols' };
