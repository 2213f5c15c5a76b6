// The commands of Trace Run and the arguments each takes, in one typed map (as vscode-js-debug's
// contributionUtils.ts does), so `registerCommands` and `executeCommand` in commands.ts are
// checked by the compiler. No `vscode` import at run time: a unit test compares the ids
// with package.json's `contributes.commands`.
import type { SpansAtLine } from '../core/source/sourceIndex';
import type { DatasetsTreeElement } from './datasetsTree';
import type { RunsTreeElement } from './runsTree';

export const Commands = {
  OpenWaterfall: 'tracerun.openWaterfall',
  GoToSource: 'tracerun.goToSource',
  ShowLog: 'tracerun.showLog',
  ShowMore: 'tracerun.showMore',
  CopyEndpoint: 'tracerun.copyEndpoint',
  ShowSetupSnippet: 'tracerun.showSetupSnippet',
  /**
   * The command of a click on a run, span or "Show more" item. It takes no arguments: VS Code
   * keeps an item's command arguments only until the item is redrawn, so a click on a run
   * that was just redrawn (running runs are, every second) failed with "command not found".
   * It reads the selection instead, which the click has set by the time the command runs.
   */
  OpenSelected: 'tracerun.openSelected',
  /** A click on a code lens: pick one of the spans recorded at that line. */
  ShowSpansAtLine: 'tracerun.showSpansAtLine',
  AddToDataset: 'tracerun.addToDataset',
  CheckForSecrets: 'tracerun.checkForSecrets',
  OpenDataset: 'tracerun.openDataset',
  RefreshDatasets: 'tracerun.refreshDatasets',
  /** A click on a dataset record: its span in the waterfall. */
  OpenDatasetRecord: 'tracerun.openDatasetRecord',
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
  [Commands.OpenSelected]: [];
  [Commands.ShowSpansAtLine]: [at: SpansAtLine];
  /** From a context menu with several items selected, VS Code passes the clicked one and all selected. */
  [Commands.AddToDataset]: [element?: RunsTreeElement, selected?: readonly RunsTreeElement[]];
  [Commands.CheckForSecrets]: [];
  [Commands.OpenDataset]: [element?: DatasetsTreeElement];
  [Commands.RefreshDatasets]: [];
  [Commands.OpenDatasetRecord]: [element: DatasetsTreeElement];
}

/** Commands only items and lenses run: not declared in package.json, so not in the palette. */
export const INTERNAL_COMMANDS: ReadonlySet<CommandId> = new Set<CommandId>([Commands.OpenSelected, Commands.ShowSpansAtLine, Commands.OpenDatasetRecord]);
