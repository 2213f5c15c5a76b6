import * as path from 'node:path';
import * as vscode from 'vscode';
import { runJson } from '../core/export/runJson';
import { detailsWithLogRecords } from '../core/ingest/logRecordDetails';
import { runOtlpLines } from '../core/export/otlpLogsJson';
import type { Trace } from '../core/model/trace';
import type { TraceRunService } from './traceRunService';
import type { Redactor } from '../core/privacy/redact';
import { redactOtlpLine } from '../core/privacy/redactingLineSink';

/** Above this many spans the tree is built in time slices before it is exported. */
const SLICED_ABOVE_SPANS = 10_000;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Copy Run as JSON: the run as one nested document (`core/export/runJson.ts`) on the
 * clipboard, payloads read back from the trace files and shortened by
 * `tracerun.copy.maxPayloadChars`.
 */
export async function copyRunAsJson(service: TraceRunService, trace: Trace, redactor: Redactor): Promise<void> {
  const name = trace.summary().name;
  try {
    const text = await vscode.window.withProgress({ location: { viewId: 'tracerun.runs' }, title: 'Copying run as JSON' }, async () => {
      const tree = trace.spanCount > SLICED_ABOVE_SPANS ? await trace.treeSliced() : trace.tree();
      const doc = await runJson(trace, { maxPayloadChars: service.settings.copyMaxPayloadChars, tree, load: detailsWithLogRecords(service.store.logRecords) });
      // What leaves the editor has its secrets masked by the `tracerun.redact` rules.
      return JSON.stringify(redactor.value(doc), null, 2);
    });
    await vscode.env.clipboard.writeText(text);
    const kb = Math.max(1, Math.round(Buffer.byteLength(text) / 1024));
    void vscode.window.showInformationMessage(`Copied run "${name}" as JSON: ${trace.spanCount.toLocaleString()} spans, ${kb.toLocaleString()} KB.`);
  } catch (err) {
    service.log.error(`copying run ${trace.traceId} as JSON: ${errorText(err)}`);
    void vscode.window.showErrorMessage(`Trace Run could not copy run "${name}": ${errorText(err)}`);
  }
}

/** A file name from the run's name: letters, digits, dots, dashes and underscores only. */
export function runFileName(name: string, traceId: string): string {
  const base = name.replace(/[^\w.-]+/g, '_').replace(/^[._]+|_+$/g, '').slice(0, 60) || 'run';
  return `${base}-${traceId.slice(0, 8)}.otlp.jsonl`;
}

/** Save Run As…: the run's spans as one OTLP JSON line, and its log records as another, where the user chooses. */
export async function saveRunAs(service: TraceRunService, trace: Trace, redactor: Redactor): Promise<void> {
  const name = trace.summary().name;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const fileName = runFileName(name, trace.traceId);
  const target = await vscode.window.showSaveDialog({
    title: `Save run "${name}" as OTLP JSON`,
    defaultUri: folder ? vscode.Uri.joinPath(folder, fileName) : undefined,
    filters: { 'OTLP JSON lines': ['jsonl', 'json'] },
    saveLabel: 'Save Run',
  });
  if (!target) return;
  try {
    // The spans' line, then the log records' line (a call's messages, for some instrumentations).
    const lines = (await runOtlpLines(trace, service.store.logRecords)).map((line) => redactOtlpLine(line, redactor));
    await vscode.workspace.fs.writeFile(target, Buffer.concat(lines.flatMap((line) => [typeof line === 'string' ? Buffer.from(line, 'utf8') : line, Buffer.from('\n')])));
    service.log.info(`saved run ${trace.traceId} (${trace.spanCount} spans) to ${target.fsPath}`);
    void vscode.window.showInformationMessage(`Saved run "${name}" to ${path.basename(target.fsPath)}.`);
  } catch (err) {
    service.log.error(`saving run ${trace.traceId}: ${errorText(err)}`);
    void vscode.window.showErrorMessage(`Trace Run could not save run "${name}": ${errorText(err)}`);
  }
}

/** Open Trace File…: OTLP JSON files from anywhere, read into the Runs view beside the watched ones. */
export async function openTraceFile(service: TraceRunService): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Open Trace File',
    canSelectMany: true,
    filters: { 'OTLP JSON': ['jsonl', 'json'], 'All files': ['*'] },
    openLabel: 'Open',
  });
  if (!picked || picked.length === 0) return;
  const before = service.store.traceCount;
  for (const uri of picked.filter((u) => u.scheme === 'file')) {
    try {
      await service.openFile(uri.fsPath);
    } catch (err) {
      service.log.error(`opening ${uri.fsPath}: ${errorText(err)}`);
      void vscode.window.showErrorMessage(`Trace Run could not open ${path.basename(uri.fsPath)}: ${errorText(err)}`);
    }
  }
  const added = service.store.traceCount - before;
  void vscode.window.showInformationMessage(
    added > 0 ? `Opened ${picked.length === 1 ? path.basename(picked[0].fsPath) : `${picked.length} files`}: ${added.toLocaleString()} run${added === 1 ? '' : 's'} added to the Runs view.` : 'No new runs in the file(s): they may be in the Runs view already.',
  );
}
