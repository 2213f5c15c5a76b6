import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { describeSpan } from '../core/genai/conventions';
import { formatDuration } from '../protocol/format';
import type { WaterfallState } from '../protocol/waterfall';
import { goToSpanSource, useSpanSourceServices } from './goToSource';
import { SpanSourceServices } from './symbolSource';
import { ReceiverService } from './receiverService';
import { RunsTreeProvider, type RunsTreeElement } from './runsTree';
import { TraceRunService } from './traceRunService';
import { Commands } from './commandIds';
import { executeCommand, registerCommands, setContext } from './commands';
import { ContextKeys } from './contextKeys';
import { showReceiverMenu } from './receiverMenu';
import { readConfigureTerminals, settingId, updateSettingWhereSet } from './settings';
import { envFileNames, envFilePath, TerminalEnvironment, terminalVariables, withTraceVariables } from './terminalEnvironment';
import { runToShow } from '../core/model/runsFromFile';
import { functionAtCursor, pickSpanIn, SourceLensProvider, spansIn, type SpanPick, type SpanTarget } from './sourceLens';
import { SourceHoverProvider } from './sourceHover';
import { DocumentFunctions } from './documentFunctions';
import { SpanLocationIndex } from './spanLocations';
import type { TraceWorkspace } from '../core/ingest/traceWorkspace';
import { WATERFALL_VIEW_TYPE, WaterfallPanel, type PanelContext } from './waterfallPanel';
import { RunsFilterController } from './runsFilter';
import { copyRunAsJson, openTraceFile, saveRunAs } from './shareRun';
import { COMPARE_VIEW_TYPE, ComparePanel } from './comparePanel';
import { CompareCommands } from './compareCommands';
import type { CompareState } from '../protocol/compare';
import { addToDataset, openDatasetFile, openDatasetRecord } from './datasets';
import { DatasetsTreeProvider } from './datasetsTree';
import { RedactionService } from './redaction';
import { checkForSecrets } from './secrets';
import { ReplayController } from './replayController';
import { ReplaySecrets } from './replaySecrets';
import { RemoteBackends } from './remoteBackends';
import { RemoteTreeProvider } from './remoteTree';
import { RemoteCommands } from './remoteCommands';

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
  // Indexes of the trace files, never beside the user's files. Keyed by each file's path, so
  // one folder serves every window: workspace storage moves with a remote's port (code-server).
  const indexDir = path.join(context.globalStorageUri.fsPath, 'trace-index');
  const service = new TraceRunService(log, fallbackDir, indexDir);
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
    void setContext(ContextKeys.SpanReceived, true);
    void service.ensureStarted();
  });
  context.subscriptions.push(startOnSpans);
  context.subscriptions.push(trackFirstRun(service), registerTerminalEnvironment(context, receiver));

  const sources = new SpanSourceServices(context.workspaceState, () => service.settings.pathMappings, (text) => redaction.redactor.text(text));
  context.subscriptions.push(useSpanSourceServices(sources));

  const locations = new SpanLocationIndex(service, sources);
  const functions = new DocumentFunctions();
  context.subscriptions.push(locations, vscode.languages.registerHoverProvider({ scheme: 'file' }, new SourceHoverProvider(locations, functions, () => redaction.redactor)));

  const runs = new RunsTreeProvider(service, redaction, (recorded) => locations.resolvedPath(recorded));
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
  const runsFilter = new RunsFilterController(service, runs, view, () => redaction.redactor);
  context.subscriptions.push(runsFilter);
  const remote = new RemoteBackends(service, context.secrets);
  const remoteTree = new RemoteTreeProvider(remote, () => redaction.redactor);
  const hasBackends = () => void setContext(ContextKeys.HasBackends, remote.backends.length > 0);
  hasBackends();
  context.subscriptions.push(remote, remoteTree, remote.onDidChange(hasBackends), vscode.window.createTreeView('tracerun.remote', { treeDataProvider: remoteTree }));

  const panelContext = (ws: TraceWorkspace): PanelContext => ({ ws, extensionUri: context.extensionUri, log, prices: () => service.settings.modelPrices, redactor: () => redaction.redactor });
  let waterfallOpened = false;
  const showWaterfall = (ws: TraceWorkspace, traceId: string, spanId?: string): void => {
    WaterfallPanel.show(panelContext(ws), traceId, spanId);
    // For the walkthrough's "open its waterfall" step.
    if (!waterfallOpened) void setContext(ContextKeys.WaterfallOpened, (waterfallOpened = true));
  };
  const sampleFile = vscode.Uri.joinPath(context.extensionUri, 'media', 'sample', 'support-agent.otlp.jsonl').fsPath;

  const compare = new CompareCommands(() => service.ensureStarted(), panelContext, () => view.selection);

  /** Whether a span of the store is a model call: the lens's list offers Replay… on it. */
  const isLlmSpan = (t: SpanTarget) => {
    const span = service.store.trace(t.traceId)?.span(t.spanId);
    return span !== undefined && describeSpan(span).kind === 'llm';
  };
  /** A span picked from a lens's list: replayed (its row's button) or opened in the waterfall. */
  const openPicked = async (pick: SpanPick | undefined) => {
    if (pick?.action === 'replay') await replay.open(await spanOf(pick));
    else if (pick) showWaterfall(await service.ensureStarted(), pick.traceId, pick.spanId);
  };
  const spanOf = async (e: RunsTreeElement | { traceId: string; spanId: string } | undefined) => {
    const ws = await service.ensureStarted();
    if (e && 'type' in e && e.type === 'run') return ws.store.trace(e.traceId)?.summary().root;
    if (!e || !('spanId' in e)) return undefined;
    return ws.store.trace(e.traceId)?.span(e.spanId);
  };

  /** The run a share command is about: the item it was run on, the selection, else a pick. */
  const runOf = async (e: RunsTreeElement | undefined) => {
    const ws = await service.ensureStarted();
    const target = e ?? view.selection[0] ?? (await pickRun(ws));
    return target && (target.type === 'run' || target.type === 'span') ? ws.store.trace(target.traceId) : undefined;
  };

  /** From the palette with a waterfall focused, the run it shows: that is the run in front of the user, not the tree's selection. */
  const shownRunOf = async (e: RunsTreeElement | undefined) => {
    const traceId = e ? undefined : WaterfallPanel.active()?.traceId;
    return runOf(traceId !== undefined ? { type: 'run', traceId } : e);
  };

  const remoteCommands = new RemoteCommands(remote, remoteTree, (traceId) => void service.ensureStarted().then((ws) => showWaterfall(ws, traceId)));

  const replaySecrets = new ReplaySecrets(context.secrets);
  const replay = new ReplayController(service, replaySecrets, (context.storageUri ?? context.globalStorageUri).fsPath, fallbackDir, () => redaction.redactor);
  context.subscriptions.push(replay);

  context.subscriptions.push(
    registerCommands({
      [Commands.OpenWaterfall]: async (e) => {
        const ws = await service.ensureStarted();
        const target = e ?? view.selection[0] ?? (await pickRun(ws));
        if (!target || (target.type !== 'run' && target.type !== 'span')) return;
        showWaterfall(ws, target.traceId, target.type === 'span' ? target.spanId : undefined);
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
        // A click during a redraw of the whole list finds no item until VS Code has it again.
        if (view.selection.length === 0) await runs.settled();
        const e = view.selection[0];
        if (e?.type === 'more') runs.showMore(e);
        else if (e?.type === 'run' || e?.type === 'span') await executeCommand(Commands.OpenWaterfall, e);
      },
      [Commands.CompareRuns]: (e, selected) => compare.compareRuns(e, selected),
      [Commands.CompareWith]: (e) => compare.compareWith(e),
      [Commands.CompareWithPrevious]: (e) => compare.compareWithPrevious(e),
      [Commands.ShowSpansIn]: async (at) => {
        const stats = await spansIn(locations, at);
        if (stats) await openPicked(await pickSpanIn(at, stats, redaction.redactor, isLlmSpan));
      },
      [Commands.ShowSpansForFunction]: async () => {
        const at = await functionAtCursor(functions);
        if (!at) {
          void vscode.window.showInformationMessage('Put the cursor in a function of a source file to see its spans.');
          return;
        }
        await service.ensureStarted();
        const stats = await spansIn(locations, at);
        if (!stats) {
          void vscode.window.showInformationMessage(`No loaded span comes from ${at.name ?? `line ${at.startLine}`}.`);
          return;
        }
        await openPicked(await pickSpanIn(at, stats, redaction.redactor, isLlmSpan));
      },
      [Commands.OpenSpan]: async (target) => {
        if (target && typeof target.traceId === 'string' && typeof target.spanId === 'string') showWaterfall(await service.ensureStarted(), target.traceId, target.spanId);
      },
      [Commands.AddToDataset]: async (e, selected) => {
        const ws = await service.ensureStarted();
        // A context menu on one of several selected items acts on all of them.
        const targets = selected && selected.length > 0 ? selected : e ? [e] : view.selection;
        // The Datasets view counts the new records at once, not when the notification is closed.
        await addToDataset({ ws, root: workspaceFolders()[0], redactor: redaction.redactor, log, appended: () => datasets.refresh() }, targets);
      },
      [Commands.CheckForSecrets]: async () => {
        const ws = await service.ensureStarted();
        await checkForSecrets(ws, redaction.redactor, log, (traceId, spanId) => showWaterfall(ws, traceId, spanId));
      },
      [Commands.OpenDataset]: async (e) => {
        if (e?.type === 'dataset') await openDatasetFile(e.file);
      },
      [Commands.RefreshDatasets]: () => datasets.refresh(),
      [Commands.OpenDatasetRecord]: async (e) => {
        const ws = await service.ensureStarted();
        await openDatasetRecord(ws, e, (traceId, spanId) => showWaterfall(ws, traceId, spanId));
      },
      [Commands.ShowLog]: () => log.show(),
      [Commands.CopyEndpoint]: () => receiver.copyEndpoint(),
      [Commands.ShowSetupSnippet]: () => receiver.showSetupSnippet(),
      [Commands.OpenSample]: async () => {
        const ws = await service.addFile(sampleFile);
        const run = runToShow(ws.store, sampleFile);
        if (!run) {
          log.error(`the sample trace ${sampleFile} gave no runs`);
          void vscode.window.showErrorMessage('Trace Run: the sample trace could not be read; see the log (Trace Run: Show Log).');
          return;
        }
        showWaterfall(ws, run.traceId);
      },
      [Commands.EnableTerminalVariables]: () => updateSettingWhereSet('configureTerminals', true),
      [Commands.DisableTerminalVariables]: () => updateSettingWhereSet('configureTerminals', false),
      [Commands.ReceiverMenu]: () => showReceiverMenu(receiver.endpoints(), readConfigureTerminals()),
      [Commands.FilterRuns]: () => runsFilter.pick(),
      [Commands.ClearRunsFilter]: () => runsFilter.clear(),
      [Commands.CopyRunAsJson]: async (e) => {
        const trace = await shownRunOf(e);
        if (trace) await copyRunAsJson(service, trace, redaction.redactor);
      },
      [Commands.SaveRunAs]: async (e) => {
        const trace = await shownRunOf(e);
        if (trace) await saveRunAs(service, trace, redaction.redactor);
      },
      [Commands.OpenTraceFile]: () => openTraceFile(service),
      [Commands.ReplaySpan]: async (e) => replay.open(await spanOf(e ?? view.selection[0])),
      [Commands.RunReplay]: (uri) => replay.run(uri),
      [Commands.RunReplayTimes]: (uri) => replay.runTimes(uri),
      [Commands.SetReplayApiKey]: () => replaySecrets.prompt(),
      [Commands.SearchBackend]: (e) => remoteCommands.search(e),
      [Commands.RefreshRemote]: () => remoteTree.refresh(),
      [Commands.OpenRemoteTrace]: (e) => remoteCommands.openListed(e),
      [Commands.ShowMoreRemote]: (e) => remoteTree.showMore(e.backend),
      [Commands.OpenTraceById]: () => remoteCommands.openById(),
      [Commands.FetchRestOfTrace]: async (e) => remoteCommands.fetchRest(await runOf(e)),
      [Commands.SetBackendHeaderSecret]: () => remote.promptHeaderSecret(),
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
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const s = state as Partial<CompareState> | undefined;
        if (typeof s?.a !== 'string' || typeof s.b !== 'string') return panel.dispose();
        ComparePanel.revive(panel, panelContext(await service.ensureStarted()), s as CompareState);
      },
    }),
    { dispose: () => ComparePanel.disposeAll() },
  );
  context.subscriptions.push(registerSourceLenses(service, locations, functions));
}

/**
 * Sets the walkthrough's "see the first run" key once the model holds a run from the
 * workspace's files or the receiver; the sample's runs don't count. A run read from a file
 * also means traces reach this window, as a span received does.
 */
function trackFirstRun(service: TraceRunService): vscode.Disposable {
  const listener = service.store.onDidChange(() => {
    if (!service.store.files().some((f) => !service.isExtraFile(f))) return;
    listener.dispose();
    void setContext(ContextKeys.HasRuns, true);
    void setContext(ContextKeys.SpanReceived, true);
  });
  return listener;
}

/** `tracerun.configureTerminals`: new terminals and debug sessions get the OTLP variables of this window's receiver. */
function registerTerminalEnvironment(context: vscode.ExtensionContext, receiver: ReceiverService): vscode.Disposable {
  const collection = context.environmentVariableCollection;
  // The port may differ in the next session: never restore these variables before we set them.
  collection.persistent = false;
  const environment = new TerminalEnvironment(collection);
  const update = () => environment.update(readConfigureTerminals(), receiver.endpoints());
  update();
  // Debug sessions launched here get them too, unless their configuration sets them.
  const debugSessions: vscode.DebugConfigurationProvider = {
    async resolveDebugConfiguration(folder, config) {
      const variables = readConfigureTerminals() ? terminalVariables(receiver.endpoints()) : undefined;
      if (!variables || config.request !== 'launch') return config;
      // What the launch configuration's envFile sets is the user's: `env` would override it.
      const envFile = envFilePath(config.envFile, (folder ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath);
      const setByEnvFile = envFile ? envFileNames(await fs.readFile(envFile, 'utf8').catch(() => '')) : new Set<string>();
      const env = withTraceVariables(config.env, variables, setByEnvFile);
      if (env) config.env = env;
      return config;
    },
  };
  return vscode.Disposable.from(
    environment,
    receiver.onDidChangeEndpoints(update),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(settingId('configureTerminals')) && update()),
    vscode.debug.registerDebugConfigurationProvider('*', debugSessions),
  );
}

/** Lenses over code that produced spans, while `tracerun.codeLens.enabled` is on. */
function registerSourceLenses(service: TraceRunService, locations: SpanLocationIndex, functions: DocumentFunctions): vscode.Disposable {
  let lenses: vscode.Disposable | undefined;
  const update = (): void => {
    const enabled = service.settings.codeLensEnabled;
    if (enabled && !lenses) {
      const provider = new SourceLensProvider(locations, functions);
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
