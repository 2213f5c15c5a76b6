import * as path from 'node:path';
import * as vscode from 'vscode';
import { DATASETS_FOLDER } from '../core/config/defaults';
import { addSpansToDataset } from '../core/dataset/addToDataset';
import { datasetNameProblem, describeAppend, listDatasets } from '../core/dataset/datasetFile';
import { runRootSpans, spanNameCounts, spansNamed } from '../core/dataset/datasetSelection';
import { traceTokens } from '../core/genai/traceTokens';
import { detailsWithLogRecords } from '../core/ingest/logRecordDetails';
import type { TraceWorkspace } from '../core/ingest/traceWorkspace';
import type { SpanRecord } from '../core/model/span';
import type { Trace } from '../core/model/trace';
import type { Redactor } from '../core/privacy/redact';
import type { DatasetsTreeElement } from './datasetsTree';
import type { RunsTreeElement } from './runsTree';

export interface AddToDatasetContext {
  readonly ws: TraceWorkspace;
  /** The folder whose `.tracerun/datasets` receives datasets: the first workspace folder (or the fallback). */
  readonly root: string;
  readonly redactor: Redactor;
  readonly log: vscode.LogOutputChannel;
  /** Told once records are appended, before the notification (which waits for the user). */
  readonly appended?: () => void;
}

type Choice = vscode.QuickPickItem & { readonly spans: () => SpanRecord[]; readonly runRoots?: boolean };

/**
 * Add to Dataset… on runs (each stands for its root span, or every span of a name picked in
 * them) or on spans: asks for what, which dataset and whether to keep outputs as expected,
 * then appends the records that are new to it.
 */
export async function addToDataset(ctx: AddToDatasetContext, targets: readonly RunsTreeElement[]): Promise<void> {
  const store = ctx.ws.store;
  const runs = [...new Set(targets.flatMap((t) => (t.type === 'run' ? [store.trace(t.traceId)] : [])))].filter((t): t is Trace => t !== undefined);
  const spans = targets.flatMap((t) => (t.type === 'span' ? [store.trace(t.traceId)?.span(t.spanId)] : [])).filter((s): s is SpanRecord => s !== undefined);
  if (runs.length === 0 && spans.length === 0) {
    void vscode.window.showInformationMessage('Select one or more runs or spans in the Trace Run view to add them to a dataset.');
    return;
  }
  let chosen: Choice | undefined;
  if (runs.length > 0) {
    const choices: Choice[] = [
      { label: runs.length === 1 ? 'The run' : `The ${runs.length} runs`, description: 'each as its root span', spans: () => [...runRootSpans(runs), ...spans], runRoots: true },
      ...spanNameCounts(runs).map(({ name, count }) => ({ label: `Every span named ${ctx.redactor.text(name)}`, description: `${count} in the selected run${runs.length === 1 ? '' : 's'}`, spans: () => spansNamed(runs, name) })),
    ];
    chosen = await vscode.window.showQuickPick(choices, { title: 'Add to Dataset', placeHolder: 'What to add' });
    if (!chosen) return;
  } else chosen = { label: '', spans: () => spans };
  const name = await pickDataset(ctx.root);
  if (name === undefined) return;
  const keep = await vscode.window.showQuickPick(
    [
      { label: 'Input and output', expected: false },
      { label: 'Input and output, output kept as expected', description: 'the answer given becomes the one to check for', expected: true },
    ],
    { title: `Add to ${name}`, placeHolder: 'Records hold' },
  );
  if (!keep) return;
  const roots = new Set(chosen.runRoots ? runRootSpans(runs) : []);
  const result = await addSpansToDataset({
    root: ctx.root,
    name,
    spans: chosen.spans(),
    expected: keep.expected,
    redactor: ctx.redactor,
    // A call whose messages came as log records (openai-v2 with content capture) keeps them.
    loadDetails: detailsWithLogRecords(store.logRecords),
    tokensFor: (span) => (roots.has(span) ? traceTokens(store.trace(span.traceId)!) : undefined),
  });
  ctx.appended?.();
  for (const f of result.failed) ctx.log.warn(`span "${f.span.name}" not added to ${name}: ${f.message}`);
  const failed = result.failed.length > 0 ? `; ${result.failed.length} could not be read (see the log)` : '';
  const open = await vscode.window.showInformationMessage(`${capitalize(describeAppend(result))}${failed}.`, 'Open Dataset');
  if (open) await openDatasetFile(result.file);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

async function pickDataset(root: string): Promise<string | undefined> {
  const existing = await listDatasets(root);
  const NEW = '$(add) New dataset…';
  if (existing.length > 0) {
    const picked = await vscode.window.showQuickPick([{ label: NEW }, ...existing.map((d) => ({ label: d.name, description: `${d.records} records` }))], {
      title: 'Add to Dataset',
      placeHolder: 'Which dataset',
    });
    if (!picked) return undefined;
    if (picked.label !== NEW) return picked.label;
  }
  return vscode.window.showInputBox({
    title: 'New dataset',
    prompt: `Written to ${path.join(DATASETS_FOLDER, 'NAME.jsonl')}`,
    placeHolder: 'smoke',
    validateInput: (v) => datasetNameProblem(v.trim()),
  }).then((v) => v?.trim());
}

export async function openDatasetFile(file: string): Promise<void> {
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
}

/** A dataset record's span in the waterfall, when its run is loaded. */
export async function openDatasetRecord(ws: TraceWorkspace, e: DatasetsTreeElement, openSpan: (traceId: string, spanId: string) => void): Promise<void> {
  if (e.type !== 'record') return;
  const span = e.traceId && e.spanId ? ws.store.trace(e.traceId)?.span(e.spanId) : undefined;
  if (span) {
    openSpan(span.traceId, span.spanId);
    return;
  }
  const choice = await vscode.window.showInformationMessage(
    `The span this record came from is not in the loaded runs${e.traceId ? ` (trace ${e.traceId})` : ''}: its trace file may be gone or not watched.`,
    'Open Record',
  );
  if (choice) await vscode.window.showTextDocument(vscode.Uri.file(e.file), { selection: new vscode.Range(e.line - 1, 0, e.line - 1, 0) });
}
