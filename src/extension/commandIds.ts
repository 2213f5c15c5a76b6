// The commands of Trace Run and the arguments each takes, in one typed map (as vscode-js-debug's
// contributionUtils.ts does), so `registerCommands` and `executeCommand` in commands.ts are
// checked by the compiler. No `vscode` import at run time: a unit test compares the ids
// with package.json's `contributes.commands`.
import type { SpansAtLine } from '../core/source/sourceIndex';
import type { RunsTreeElement } from './runsTree';
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
  /**
   * The command of a click on a run, span or "Show more" item. It takes no arguments: VS Code
   * keeps an item's command arguments only until the item is redrawn, so a click on a run
   * that was just redrawn (running runs are, every second) failed with "command not found".
   * It reads the selection instead, which the click has set by the time the command runs.
   */
  OpenSelected: 'tracerun.openSelected',
  /** A click on a code lens: pick one of the spans recorded at that line. */
  ShowSpansAtLine: 'tracerun.showSpansAtLine',
  FilterRuns: 'tracerun.filterRuns',
  ClearRunsFilter: 'tracerun.clearRunsFilter',
  CopyRunAsJson: 'tracerun.copyRunAsJson',
  SaveRunAs: 'tracerun.saveRunAs',
  OpenTraceFile: 'tracerun.openTraceFile',
  /** Opens the replay document of an LLM span (the item, else the selection). */
  ReplaySpan: 'tracerun.replaySpan',
  /** Sends the active replay document (or the one given) and shows the answer beside the recorded one. */
  RunReplay: 'tracerun.runReplay',
  SetReplayApiKey: 'tracerun.setReplayApiKey',
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
  [Commands.ShowSpansAtLine]: [at: SpansAtLine];
  [Commands.FilterRuns]: [];
  [Commands.ClearRunsFilter]: [];
  [Commands.CopyRunAsJson]: [element?: RunsTreeElement];
  [Commands.SaveRunAs]: [element?: RunsTreeElement];
  [Commands.OpenTraceFile]: [];
  [Commands.ReplaySpan]: [element?: RunsTreeElement];
  [Commands.RunReplay]: [uri?: Uri];
  [Commands.SetReplayApiKey]: [];
}

/** Commands only items and lenses run: not declared in package.json, so not in the palette. */
export const INTERNAL_COMMANDS: ReadonlySet<CommandId> = new Set<CommandId>([Commands.OpenSelected, Commands.ShowSpansAtLine, Commands.ReceiverMenu]);
