import * as vscode from 'vscode';
import type { Redactor } from '../core/privacy/redact';
import { describeFilter, distinctValues, isFilterActive, NO_FILTER, parseDuration, type RunFilter, type TextMatches, type TimeWindow } from '../core/runs/filter';
import { searchNewRuns, searchRuns } from '../core/runs/runSearch';
import { runModels } from '../core/runs/runFacts';
import type { Trace } from '../core/model/trace';
import { CancelledError } from '../core/util/steps';
import { setContext } from './commands';
import { DisposableStore } from './disposable';
import type { RunsListed, RunsTreeElement, RunsTreeProvider } from './runsTree';
import type { TraceRunService } from './traceRunService';

/** The `when` key of the title bar's Clear Runs Filter button. */
export const FILTERED_CONTEXT_KEY = 'tracerun.runsFiltered';

type Choice = 'errors' | 'name' | 'model' | 'duration' | 'window' | 'text' | 'clear';

/**
 * The Runs view's filter: picked from its title bar, shown in its message, cleared by one
 * click on the title bar's filled filter button. The filter itself is core (`runs/filter.ts`).
 */
export class RunsFilterController extends DisposableStore {
  private filter: RunFilter = NO_FILTER;
  private widening = false;

  constructor(
    private readonly service: TraceRunService,
    private readonly runs: RunsTreeProvider,
    private readonly view: vscode.TreeView<RunsTreeElement>,
    /** The current `tracerun.redact` rules: run names and models picked from, and the filter shown, are masked. */
    private readonly redactor: () => Redactor,
  ) {
    super();
    this.register(runs.onDidList((listed) => this.onListed(listed)));
  }

  private readonly mask = (text: string): string => this.redactor().text(text);

  clear(): void {
    this.set(NO_FILTER);
  }

  /** The quick pick of the title bar's filter button: one part of the filter at a time. */
  async pick(): Promise<void> {
    const f = this.filter;
    const on = (value: string | undefined) => (value === undefined ? undefined : `now: ${value}`);
    const items: (vscode.QuickPickItem & { choice: Choice })[] = [
      { choice: 'errors', label: '$(error) Errors only', description: f.errorsOnly ? 'on: click to show all' : undefined },
      { choice: 'name', label: '$(symbol-class) Run name…', description: on(f.rootName) },
      { choice: 'model', label: '$(hubot) Model…', description: on(f.model) },
      { choice: 'duration', label: '$(watch) Minimum duration…', description: on(f.minDurationMs ? describeFilter({ minDurationMs: f.minDurationMs }) : undefined) },
      { choice: 'window', label: '$(calendar) Time window…', description: on(f.window && f.window !== 'all' ? describeFilter({ window: f.window }) : undefined) },
      { choice: 'text', label: '$(search) Text in spans…', detail: 'Span names, attribute values, inputs and outputs', description: on(f.text?.query) },
    ];
    if (isFilterActive(f)) items.push({ choice: 'clear', label: '$(clear-all) Clear filter' });
    const picked = await vscode.window.showQuickPick(items, { title: 'Filter Runs', placeHolder: isFilterActive(f) ? `Filtered: ${describeFilter(f)}` : 'Show only the runs that…' });
    if (!picked) return;
    const ws = await this.service.ensureStarted();
    const all = ws.store.runs();
    switch (picked.choice) {
      case 'errors':
        return this.set({ ...f, errorsOnly: !f.errorsOnly || undefined });
      case 'clear':
        return this.clear();
      case 'name': {
        const name = await pickValue('Run name', distinctValues(all, (t) => [t.summary().name]), f.rootName, this.mask);
        if (name !== undefined) this.set({ ...f, rootName: name || undefined });
        return;
      }
      case 'model': {
        const model = await pickValue('Model', distinctValues(all, (t) => runModels(t)), f.model, this.mask);
        if (model !== undefined) this.set({ ...f, model: model || undefined });
        return;
      }
      case 'duration': {
        const text = await vscode.window.showInputBox({
          title: 'Minimum duration',
          prompt: 'Runs that took at least this long: 500ms, 2s, 1.5m. Empty: any duration.',
          value: f.minDurationMs ? describeFilter({ minDurationMs: f.minDurationMs }).replace('≥ ', '') : '',
          validateInput: (v) => (v.trim() === '' || parseDuration(v) !== undefined ? undefined : 'A duration such as 500ms, 2s or 1.5m'),
        });
        if (text !== undefined) this.set({ ...f, minDurationMs: text.trim() === '' ? undefined : parseDuration(text) });
        return;
      }
      case 'window': {
        const windows: (vscode.QuickPickItem & { window: TimeWindow })[] = [
          { window: 'hour', label: 'Last hour' },
          { window: 'today', label: 'Today' },
          { window: 'all', label: 'All time' },
        ];
        const w = await vscode.window.showQuickPick(windows, { title: 'Runs started in' });
        if (w) this.set({ ...f, window: w.window === 'all' ? undefined : w.window });
        return;
      }
      case 'text': {
        const query = await vscode.window.showInputBox({ title: 'Text in spans', prompt: 'Runs with a span whose name, attribute values, input or output contain this text. Empty: no text filter.', value: f.text?.query ?? '' });
        if (query === undefined) return;
        if (query.trim() === '') return this.set({ ...f, text: undefined });
        const text = await this.search(query, all);
        if (text) this.set({ ...this.filter, text });
        return;
      }
    }
  }

  private async search(query: string, all: readonly Trace[]): Promise<TextMatches | undefined> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Searching ${all.length.toLocaleString()} runs for "${query}"`, cancellable: true },
      async (progress, token) => {
        const signal = { cancelled: false };
        token.onCancellationRequested(() => (signal.cancelled = true));
        let reported = 0;
        const store = this.service.store;
        const found = await searchRuns(all, query, {
          signal,
          linesOf: (t) => store.linesOf(t.traceId),
          onProgress: ({ done, total }) => {
            const pct = total > 0 ? (done / total) * 100 : 100;
            progress.report({ increment: pct - reported, message: `${done.toLocaleString()} of ${total.toLocaleString()} spans` });
            reported = pct;
          },
        });
        if (signal.cancelled) return undefined;
        return { query, traceIds: found, searched: new Set(all.map((t) => t.traceId)) };
      },
    );
  }

  private set(filter: RunFilter): void {
    this.filter = isFilterActive(filter) ? filter : NO_FILTER;
    this.runs.setFilter(this.filter);
    void setContext(FILTERED_CONTEXT_KEY, isFilterActive(this.filter));
    if (!isFilterActive(this.filter)) this.view.message = undefined;
  }

  private onListed(listed: RunsListed): void {
    if (listed.filter !== this.filter) return;
    if (!isFilterActive(listed.filter)) {
      this.view.message = undefined;
      return;
    }
    const of = `${listed.matched.toLocaleString()} of ${listed.total.toLocaleString()} run${listed.total === 1 ? '' : 's'}`;
    this.view.message = `Filtered: ${this.mask(describeFilter(listed.filter))} (${of}). Clear it with the filled filter button above.`;
    this.widenTextSearch();
  }

  /** Runs that arrived after a text search are searched too, quietly, one batch at a time. */
  private widenTextSearch(): void {
    const text = this.filter.text;
    if (!text || this.widening) return;
    const store = this.service.store;
    const all = store.runs();
    if (all.every((t) => text.searched.has(t.traceId))) return;
    this.widening = true;
    searchNewRuns(text, all, { linesOf: (t) => store.linesOf(t.traceId) })
      .then((widened) => {
        if (this.filter.text === text && widened !== text) this.set({ ...this.filter, text: widened });
      })
      .catch((err: unknown) => {
        if (!(err instanceof CancelledError)) this.service.log.warn(`searching new runs for "${text.query}": ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => (this.widening = false));
  }
}

/** A pick of `values` (most runs first), with an entry to drop this part of the filter; '' means drop it. */
async function pickValue(title: string, values: readonly { value: string; runs: number }[], current: string | undefined, mask: (text: string) => string): Promise<string | undefined> {
  if (values.length === 0) {
    void vscode.window.showInformationMessage(`No run has a ${title.toLowerCase()} to filter by.`);
    return undefined;
  }
  const items: (vscode.QuickPickItem & { value: string })[] = values.map((v) => ({
    value: v.value,
    label: mask(v.value),
    description: `${v.runs.toLocaleString()} run${v.runs === 1 ? '' : 's'}${v.value === current ? ' · current' : ''}`,
  }));
  if (current !== undefined) items.unshift({ value: '', label: `$(close) Any ${title.toLowerCase()}` });
  const picked = await vscode.window.showQuickPick(items, { title: `Runs with ${title.toLowerCase()}`, matchOnDescription: false });
  return picked?.value;
}
