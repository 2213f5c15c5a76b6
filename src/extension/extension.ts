import * as vscode from 'vscode';
import { formatDuration } from '../protocol/format';
import type { WaterfallState } from '../protocol/waterfall';
import { goToSpanSource } from './goToSource';
import { ReceiverService } from './receiverService';
import { RunsTreeProvider, type RunsTreeElement } from './runsTree';
import { TraceRunService } from './traceRunService';
import { Commands } from './commandIds';
import { executeCommand, registerCommands } from './commands';
import { pickSpanAtLine, SourceLensProvider } from './sourceLens';
import type { TraceWorkspace } from '../core/ingest/traceWorkspace';
import { WATERFALL_VIEW_TYPE, WaterfallPanel, type PanelContext } from './waterfallPanel';
import { addToDataset, openDatasetFile, openDatasetRecord } from './datasets';
import { DatasetsTreeProvider } from './datasetsTree';
import { RedactionService } from './redaction';
import { checkForSecrets } from './secrets';

/**
 * Activation is cheap: it registers the view, commands and serializer, and starts the
 * loopback receivers. Trace files are watched only when the Runs view asks for children, a
 * command needs the model, or the receivers get spans.
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Trace Run', { log: true });
  context.subscriptions.push(log);
  // Received traces land in the first workspace folder; with none open, in global storage.
  const fallbackDir = context.globalStorageUri.fsPath;
  const service = new TraceRunService(log, fallbackDir);
  context.subscriptions.push(service);
  // Activation on startup is for this: a small loopback server, so an app pointed at it
  // from the first second loses nothing. Files are watched only when the view opens.
  const redaction = new RedactionService(log);
  context.subscriptions.push(redaction);
  const receiver = new ReceiverService(log, fallbackDir, () => redaction.redactor);
  context.subscriptions.push(receiver);
  void receiver.start();
  // Spans coming in mean someone is tracing: watch the files, so the Runs view and the
  // lenses in the editor have them, even before the view is first opened.
  const startOnSpans = receiver.onDidReceiveSpans(() => {
    startOnSpans.dispose();
    void service.ensureStarted();
  });
  context.subscriptions.push(startOnSpans);

  const runs = new RunsTreeProvider(service, redaction);
  context.subscriptions.push(runs);
  // Several runs at once: Add to Dataset takes them all.
  const view = vscode.window.createTreeView('tracerun.runs', { treeDataProvider: runs, showCollapseAll: true, canSelectMany: true });
  context.subscriptions.push(view);
  const workspaceFolders = () => {
    const open = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    return open.length > 0 ? open : [fallbackDir];
  };
  const datasets = new DatasetsTreeProvider(workspaceFolders, () => redaction.redactor);
  context.subscriptions.push(datasets, vscode.window.createTreeView('tracerun.datasets', { treeDataProvider: datasets }));

  const panelContext = (ws: TraceWorkspace): PanelContext => ({ ws, extensionUri: context.extensionUri, log, prices: () => service.settings.modelPrices });

  const spanOf = async (e: RunsTreeElement | { traceId: string; spanId: string } | undefined) => {
    const ws = await service.ensureStarted();
    if (e && 'type' in e && e.type === 'run') return ws.store.trace(e.traceId)?.summary().root;
    if (!e || !('spanId' in e)) return undefined;
    return ws.store.trace(e.traceId)?.span(e.spanId);
  };

  context.subscriptions.push(
    registerCommands({
      [Commands.OpenWaterfall]: async (e) => {
        const ws = await service.ensureStarted();
        const target = e ?? view.selection[0] ?? (await pickRun(ws));
        if (!target || (target.type !== 'run' && target.type !== 'span')) return;
        WaterfallPanel.show(panelContext(ws), target.traceId, target.type === 'span' ? target.spanId : undefined);
      },
      [Commands.GoToSource]: async (e) => {
        const span = await spanOf(e ?? view.selection[0]);
        if (!span) {
          void vscode.window.showInformationMessage('Select a span in the Trace Run view to go to its source.');
          return;
        }
        await goToSpanSource(span, log);
      },
      [Commands.ShowMore]: (e) => runs.showMore(e),
      // What a click on a Runs item does, read from the selection the click just made.
      [Commands.OpenSelected]: async () => {
        const e = view.selection[0];
        if (e?.type === 'more') runs.showMore(e);
        else if (e?.type === 'run' || e?.type === 'span') await executeCommand(Commands.OpenWaterfall, e);
      },
      [Commands.ShowSpansAtLine]: async (at) => {
        const target = await pickSpanAtLine(at);
        if (target) WaterfallPanel.show(panelContext(await service.ensureStarted()), target.traceId, target.spanId);
      },
      [Commands.AddToDataset]: async (e, selected) => {
        const ws = await service.ensureStarted();
        // A context menu on one of several selected items acts on all of them.
        const targets = selected && selected.length > 0 ? selected : e ? [e] : view.selection;
        await addToDataset({ ws, root: workspaceFolders()[0], redactor: redaction.redactor, log }, targets);
        datasets.refresh();
      },
      [Commands.CheckForSecrets]: async () => {
        const ws = await service.ensureStarted();
        await checkForSecrets(ws, redaction.redactor, log, (traceId, spanId) => WaterfallPanel.show(panelContext(ws), traceId, spanId));
      },
      [Commands.OpenDataset]: async (e) => {
        if (e?.type === 'dataset') await openDatasetFile(e.file);
      },
      [Commands.RefreshDatasets]: () => datasets.refresh(),
      [Commands.OpenDatasetRecord]: async (e) => {
        const ws = await service.ensureStarted();
        await openDatasetRecord(ws, e, (traceId, spanId) => WaterfallPanel.show(panelContext(ws), traceId, spanId));
      },
      [Commands.ShowLog]: () => log.show(),
      [Commands.CopyEndpoint]: () => receiver.copyEndpoint(),
      [Commands.ShowSetupSnippet]: () => receiver.showSetupSnippet(),
    }),
    vscode.window.registerWebviewPanelSerializer(WATERFALL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const traceId = (state as Partial<WaterfallState> | undefined)?.traceId;
        if (typeof traceId !== 'string') {
          panel.dispose();
          return;
        }
        const ws = await service.ensureStarted();
        WaterfallPanel.revive(panel, panelContext(ws), state as WaterfallState);
      },
    }),
    { dispose: () => WaterfallPanel.disposeAll() },
  );
  context.subscriptions.push(registerSourceLenses(service));
}

/** Lenses over code that produced spans, while `tracerun.codeLens.enabled` is on. */
function registerSourceLenses(service: TraceRunService): vscode.Disposable {
  let lenses: vscode.Disposable | undefined;
  const update = (): void => {
    const enabled = service.settings.codeLensEnabled;
    if (enabled && !lenses) {
      const provider = new SourceLensProvider(service);
      lenses = vscode.Disposable.from(provider, vscode.languages.registerCodeLensProvider({ scheme: 'file' }, provider));
    } else if (!enabled && lenses) {
      lenses.dispose();
      lenses = undefined;
    }
  };
  update();
  const listener = service.onDidChangeSettings(update);
  return { dispose: () => (listener.dispose(), lenses?.dispose()) };
}

/** From the command palette: choose one of the newest runs. */
async function pickRun(ws: TraceWorkspace): Promise<RunsTreeElement | undefined> {
  const runs = ws.store.runs().slice(0, 500);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('Trace Run has found no runs yet. Open the Trace Run view to see which files it watches.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((t) => {
      const s = t.summary();
      return {
        label: `${s.errorCount > 0 ? '$(error) ' : ''}${s.name}`,
        description: `${formatDuration(t.durationMs(Date.now()))} · ${s.spanCount} spans`,
        detail: new Date(Number(s.startNs / 1_000_000n)).toLocaleString(),
        traceId: t.traceId,
      };
    }),
    { title: 'Open Waterfall', placeHolder: 'Choose a run (newest first)', matchOnDescription: true },
  );
  return picked && { type: 'run', traceId: picked.traceId };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
