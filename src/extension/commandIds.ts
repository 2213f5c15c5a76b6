// The commands of Trace Run and the arguments each takes, in one typed map (as vscode-js-debug's
// contributionUtils.ts does), so `registerCommands` and `executeCommand` in commands.ts are
// checked by the compiler. No `vscode` import at run time: a unit test compares the ids
// with package.json's `contributes.commands`.
import type { SpansInRange, SpanTarget } from './sourceLens';
import type { DatasetsTreeElement } from './datasetsTree';
import type { RunsTreeElement } from './runsTree';
import type { RemoteTreeElement } from './remoteTree';
import type { Uri } from 'vscode';

export const Commands = {
  OpenWaterfall: 'tracerun.openWaterfall',
  GoToSource: 'tracerun.goToSource',
  ShowLog: 'tracerun.showLog',
  ShowMore: 'tracerun.showMore',
  CopyEndpoint: 'tracerun.copyEndpoint',
  ShowSetupSnippet: 'tracerun.showSetupSnippet',
  /** Loads the bundled sample trace (read-only, nothing written) and opens its failing run. */
  OpenSample: 'tracerun.openSample',
  /** Turn `tracerun.configureTerminals` on or off; the palette offers the one that applies. */
  EnableTerminalVariables: 'tracerun.enableTerminalVariables',
  DisableTerminalVariables: 'tracerun.disableTerminalVariables',
  /** The receiver's status bar item: a menu of what to do with the receiver. */
  ReceiverMenu: 'tracerun.receiverMenu',
  /** Two runs selected in the Runs view (VS Code passes the clicked item, then all selected). */
  CompareRuns: 'tracerun.compareRuns',
  CompareWith: 'tracerun.compareWith',
  CompareWithPrevious: 'tracerun.compareWithPrevious',
  /**
   * The command of a click on a run, span or "Show more" item. It takes no arguments: VS Code
   * keeps an item's command arguments only until the item is redrawn, so a click on a run
   * that was just redrawn (running runs are, every second) failed with "command not found".
   * It reads the selection instead, which the click has set by the time the command runs.
   */
  OpenSelected: 'tracerun.openSelected',
  FilterRuns: 'tracerun.filterRuns',
  ClearRunsFilter: 'tracerun.clearRunsFilter',
  CopyRunAsJson: 'tracerun.copyRunAsJson',
  SaveRunAs: 'tracerun.saveRunAs',
  OpenTraceFile: 'tracerun.openTraceFile',
  /** A click on a code lens: open the span of a function (or line), or pick one of its spans. */
  ShowSpansIn: 'tracerun.showSpansIn',
  ShowSpansForFunction: 'tracerun.showSpansForFunction',
  /** A link in a hover: open one span in its waterfall. */
  OpenSpan: 'tracerun.openSpan',
  AddToDataset: 'tracerun.addToDataset',
  CheckForSecrets: 'tracerun.checkForSecrets',
  OpenDataset: 'tracerun.openDataset',
  RefreshDatasets: 'tracerun.refreshDatasets',
  /** A click on a dataset record: its span in the waterfall. */
  OpenDatasetRecord: 'tracerun.openDatasetRecord',
  /** Opens the replay document of an LLM span (the item, else the selection). */
  ReplaySpan: 'tracerun.replaySpan',
  /** Sends the active replay document (or the one given) and shows the answer beside the recorded one. */
  RunReplay: 'tracerun.runReplay',
  /** Asks how many times (1–20), then sends the replay document that often and shows how many answers agree. */
  RunReplayTimes: 'tracerun.runReplayTimes',
  SetReplayApiKey: 'tracerun.setReplayApiKey',
  /** On a backend of the Remote view: choose the service, operation, window and filters it lists. */
  SearchBackend: 'tracerun.searchBackend',
  RefreshRemote: 'tracerun.refreshRemote',
  /** A click on a remote trace: into the store, then its waterfall. */
  OpenRemoteTrace: 'tracerun.openRemoteTrace',
  ShowMoreRemote: 'tracerun.showMoreRemote',
  /** Paste a trace id or a Jaeger trace URL. */
  OpenTraceById: 'tracerun.openTraceById',
  /** On a run: the spans of its trace that went to a backend, merged into it. */
  FetchRestOfTrace: 'tracerun.fetchRestOfTrace',
  SetBackendHeaderSecret: 'tracerun.setBackendHeaderSecret',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** What each command is called with. From a menu or the palette, optional ones are absent. */
export interface CommandArgs {
  [Commands.OpenWaterfall]: [element?: RunsTreeElement];
  [Commands.GoToSource]: [element?: RunsTreeElement];
  [Commands.ShowLog]: [];
  [Commands.ShowMore]: [element: RunsTreeElement];
  [Commands.CopyEndpoint]: [];
  [Commands.ShowSetupSnippet]: [];
  [Commands.OpenSample]: [];
  [Commands.EnableTerminalVariables]: [];
  [Commands.DisableTerminalVariables]: [];
  [Commands.ReceiverMenu]: [];
  [Commands.OpenSelected]: [];
  [Commands.CompareRuns]: [element?: RunsTreeElement, selected?: readonly RunsTreeElement[]];
  [Commands.CompareWith]: [element?: RunsTreeElement];
  [Commands.CompareWithPrevious]: [element?: RunsTreeElement];
  [Commands.FilterRuns]: [];
  [Commands.ClearRunsFilter]: [];
  [Commands.CopyRunAsJson]: [element?: RunsTreeElement];
  [Commands.SaveRunAs]: [element?: RunsTreeElement];
  [Commands.OpenTraceFile]: [];
  [Commands.ShowSpansIn]: [at: SpansInRange];
  [Commands.ShowSpansForFunction]: [];
  [Commands.OpenSpan]: [target: SpanTarget];
  /** From a context menu with several items selected, VS Code passes the clicked one and all selected. */
  [Commands.AddToDataset]: [element?: RunsTreeElement, selected?: readonly RunsTreeElement[]];
  [Commands.CheckForSecrets]: [];
  [Commands.OpenDataset]: [element?: DatasetsTreeElement];
  [Commands.RefreshDatasets]: [];
  [Commands.OpenDatasetRecord]: [element: DatasetsTreeElement];
  [Commands.ReplaySpan]: [element?: RunsTreeElement];
  [Commands.RunReplay]: [uri?: Uri];
  [Commands.RunReplayTimes]: [uri?: Uri];
  [Commands.SetReplayApiKey]: [];
  [Commands.SearchBackend]: [element?: RemoteTreeElement];
  [Commands.RefreshRemote]: [];
  [Commands.OpenRemoteTrace]: [element: RemoteTreeElement];
  [Commands.ShowMoreRemote]: [element: RemoteTreeElement];
  [Commands.OpenTraceById]: [];
  [Commands.FetchRestOfTrace]: [element?: RunsTreeElement];
  [Commands.SetBackendHeaderSecret]: [];
}

/** Commands only items and lenses run: not declared in package.json, so not in the palette. */
export const INTERNAL_COMMANDS: ReadonlySet<CommandId> = new Set<CommandId>([
  Commands.OpenSelected,
  Commands.ShowSpansIn,
  Commands.OpenSpan,
  Commands.ReceiverMenu,
  Commands.OpenDatasetRecord,
  Commands.OpenRemoteTrace,
  Commands.ShowMoreRemote,
]);
