// The commands that open a compare panel: two runs selected in the Runs view, one run and a
// run picked from a list, or one run and the previous run of its name.
import * as vscode from 'vscode';
import { previousRunOf } from '../core/compare/previousRun';
import type { TraceWorkspace } from '../core/ingest/traceWorkspace';
import type { Trace } from '../core/model/trace';
import { formatDuration } from '../protocol/format';
import { ComparePanel } from './comparePanel';
import type { RunsTreeElement } from './runsTree';
import type { PanelContext } from './waterfallPanel';

const runIds = (elements: readonly (RunsTreeElement | undefined)[]): string[] => [
  ...new Set(elements.flatMap((e) => (e && (e.type === 'run' || e.type === 'span') ? [e.traceId] : []))),
];

/** Run names as the Runs view shows them: masked by the `tracerun.redact` rules. */
type Mask = (text: string) => string;

function pickItem(t: Trace, mask: Mask): vscode.QuickPickItem & { traceId: string } {
  const s = t.summary();
  return {
    label: `${s.errorCount > 0 ? '$(error) ' : ''}${mask(s.name)}`,
    description: `${formatDuration(t.durationMs(Date.now()))} · ${s.spanCount} spans · ${t.traceId.slice(0, 8)}`,
    detail: new Date(Number(s.startNs / 1_000_000n)).toLocaleString(),
    traceId: t.traceId,
  };
}

/** One of the newest runs other than `except`, runs of the same name first. */
async function pickOtherRun(ws: TraceWorkspace, except: string | undefined, title: string, mask: Mask): Promise<string | undefined> {
  const name = except ? ws.store.trace(except)?.summary().name : undefined;
  const runs = ws.store.runs().filter((t) => t.traceId !== except).slice(0, 500);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('Trace Run has no other run to compare with.');
    return undefined;
  }
  const sameName = runs.filter((t) => t.summary().name === name);
  const others = runs.filter((t) => t.summary().name !== name);
  const items: (vscode.QuickPickItem & { traceId?: string })[] = [
    ...(sameName.length > 0 ? [{ label: mask(name!), kind: vscode.QuickPickItemKind.Separator }, ...sameName.map((t) => pickItem(t, mask))] : []),
    ...(others.length > 0 ? [{ label: 'other runs', kind: vscode.QuickPickItemKind.Separator }, ...others.map((t) => pickItem(t, mask))] : []),
  ];
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Choose a run (newest first)', matchOnDescription: true });
  return picked?.traceId;
}

export class CompareCommands {
  constructor(
    private readonly ws: () => Promise<TraceWorkspace>,
    private readonly context: (ws: TraceWorkspace) => PanelContext,
    private readonly selection: () => readonly RunsTreeElement[],
  ) {}

  /** Two runs selected in the Runs view (the older as A); with fewer, the missing ones are picked. */
  async compareRuns(element?: RunsTreeElement, selected?: readonly RunsTreeElement[]): Promise<void> {
    const ws = await this.ws();
    let ids = runIds(selected && selected.length > 0 ? selected : element ? [element] : this.selection());
    if (ids.length > 2) {
      void vscode.window.showInformationMessage('Select two runs to compare.');
      return;
    }
    while (ids.length < 2) {
      const other = await pickOtherRun(ws, ids[0], ids.length === 0 ? 'Compare Runs: first run' : 'Compare Runs: compare with', this.mask(ws));
      if (!other) return;
      ids = [...ids, other];
    }
    this.open(ws, ids[0], ids[1]);
  }

  private mask(ws: TraceWorkspace): Mask {
    const r = this.context(ws).redactor?.();
    return r ? (text) => r.text(text) : (text) => text;
  }

  /** The earlier run is A: "what changed since" reads forward in time. */
  private open(ws: TraceWorkspace, first: string, second: string): void {
    const x = ws.store.trace(first);
    const y = ws.store.trace(second);
    if (!x || !y) return;
    const [a, b] = x.summary().startNs <= y.summary().startNs ? [x, y] : [y, x];
    ComparePanel.show(this.context(ws), a.traceId, b.traceId);
  }

  async compareWith(element?: RunsTreeElement): Promise<void> {
    const ws = await this.ws();
    const [id] = runIds([element ?? this.selection()[0]]);
    const other = await pickOtherRun(ws, id, 'Compare with…', this.mask(ws));
    if (!other) return;
    if (id) this.open(ws, id, other);
    else await this.compareRuns(undefined, [{ type: 'run', traceId: other }]);
  }

  async compareWithPrevious(element?: RunsTreeElement): Promise<void> {
    const ws = await this.ws();
    const [id] = runIds([element ?? this.selection()[0]]);
    if (!id) {
      void vscode.window.showInformationMessage('Select a run in the Trace Run view to compare it with the previous run of its name.');
      return;
    }
    const previous = previousRunOf(ws.store.runs(), id);
    if (!previous) {
      const name = ws.store.trace(id)?.summary().name;
      void vscode.window.showInformationMessage(`No earlier run of ${name === undefined ? 'this name' : this.mask(ws)(name)} to compare with.`);
      return;
    }
    this.open(ws, previous.traceId, id);
  }
}
