import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeSpan } from '../core/genai/conventions';
import { sourceLocationOf } from '../core/source/source';
import { isInProgress, spanDurationMs, StatusCode } from '../core/model/span';
import { formatDuration, startedLabel } from '../protocol/format';
import { lastEndBelow, settledStandIn } from '../core/model/standIns';
import type { RunState, SpanNode, Trace, TraceTree } from '../core/model/trace';
import type { TraceStoreChange } from '../core/model/traceStore';
import { Commands } from './commandIds';
import { commandOf } from './commands';
import { DisposableStore } from './disposable';
import type { TokenCounts } from '../core/genai/conventions';
import { runStepsSliced } from '../core/util/steps';
import { latestTraceTokens, traceTokens, traceTokensSteps } from '../core/genai/traceTokens';
import { runMissingContext } from '../core/runs/runMissingContext';
import { appendRunTooltip, appendSessionTooltip, appendSpanTooltip, shownSourcePath, type IdKind } from './runTooltips';
import { workspaceFolders } from './symbolSource';
import { kindIcon } from './spanPresentation';
import { tokensLabel, tokensText } from '../protocol/format';
import type { TraceRunService } from './traceRunService';
import { spanErrorText } from '../core/genai/spanError';
import { detailsWithLogRecords } from '../core/ingest/logRecordDetails';
import { NO_FILTER, type RunFilter } from '../core/runs/filter';
import { runList, type RunList } from '../core/runs/runList';
import { RunPreviews } from '../core/runs/runPreviews';
import { firstLineOf } from '../core/runs/runInput';
import { runFacts } from '../core/runs/runFacts';
import { sessionOf } from '../core/runs/sessions';
import { foldedLlmCalls, itemNodeOf, shownChildren } from '../core/runs/nestedLlmCalls';
import type { Redactor } from '../core/privacy/redact';

function deferred(): { readonly done: Promise<void>; readonly resolve: () => void } {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return { done, resolve };
}

export type RunsTreeElement =
  | { readonly type: 'run'; readonly traceId: string }
  | { readonly type: 'session'; readonly sessionId: string }
  | { readonly type: 'span'; readonly traceId: string; readonly spanId: string }
  | { readonly type: 'more'; readonly parentKey: string; readonly hidden: number }
  | { readonly type: 'problems' }
  | { readonly type: 'problem'; readonly file: string; readonly line: number; readonly message: string };

/** How much of a run's input or output is masked for the view (see `maskedPreview`). */
const PREVIEW_MASK_CHARS = 65_536;
const ROOT_KEY = '';
const REFRESH_DELAY_MS = 30;
/** Above this many spans a run's tree and tokens are worked out in time slices, off the refresh. */
const SLICED_ABOVE_SPANS = 10_000;
const BIG_TREE_REBUILD_MS = 3000;
/** How long after the top level is listed VS Code has registered its items, generously. */
const ITEMS_REGISTERED_MS = 50;
/** Invalid ids logged, at most: a hostile file may hold millions, and items redraw every second. */
const MAX_INVALID_IDS_REPORTED = 100;
/** Characters of a run's input shown in its description; the tooltip has more (`TOOLTIP_PAYLOAD_CHARS`). */
const INPUT_PREVIEW_CHARS = 60;

/** How many runs the view lists of how many there are, after each listing. */
export interface RunsListed {
  readonly filter: RunFilter;
  readonly matched: number;
  readonly total: number;
}

function keyOf(e: RunsTreeElement | undefined): string {
  if (!e) return ROOT_KEY;
  if (e.type === 'run') return `run:${e.traceId}`;
  if (e.type === 'session') return `session:${e.sessionId}`;
  if (e.type === 'span') return `span:${e.traceId}:${e.spanId}`;
  return e.type;
}


/**
 * The Runs view: every trace newest first, expandable into its span tree. Long lists are
 * paged with a "Show more" item, since the tree view slows to minutes on ~100k siblings.
 * Refreshes are coalesced and, when no run was added or moved, limited to the runs that changed.
 */
export class RunsTreeProvider extends DisposableStore implements vscode.TreeDataProvider<RunsTreeElement> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<RunsTreeElement | RunsTreeElement[] | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly limits = new Map<string, number>();
  private readonly elements = new Map<string, RunsTreeElement>();
  private pendingRuns = new Set<string>();
  private pendingFull = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private lastRunOrder: readonly Trace[] = [];
  private runningTimer: NodeJS.Timeout | undefined;
  private readonly countingTokens = new Set<Trace>();
  private readonly bigTreeBuiltAt = new WeakMap<Trace, number>();
  private readonly bigTreeRedraws = new Map<Trace, NodeJS.Timeout>();
  private readonly reportedInvalidIds = new Set<string>();
  private filter: RunFilter = NO_FILTER;
  /** The top level as last listed: sessions and runs, after the filter. */
  private list: RunList | undefined;
  /** Runs listed at the top or in a session, so only those are redrawn. */
  private readonly listedRuns = new Set<string>();
  /** The top level as last given to VS Code, and what it was made of (see `rootSignature`). */
  private rootElements: RunsTreeElement[] = [];
  private rootListed = '';
  /** How many runs the "Show more" item said were not shown when VS Code last listed the top level. */
  private listedHidden = 0;
  private firstPageAnnounced = false;
  /**
   * Set while a redraw of the top level is on its way: VS Code forgets every item until it has
   * asked for the top level again, so a click made meanwhile finds no item (see `settled`).
   */
  private rootRedraw: { readonly done: Promise<void>; readonly resolve: () => void } | undefined;
  private readonly listedEmitter = this.register(new vscode.EventEmitter<RunsListed>());
  readonly onDidList = this.listedEmitter.event;
  /** What each run was about, read from the trace files for the runs asked about. */
  private readonly previews: RunPreviews;

  constructor(
    private readonly service: TraceRunService,
    /** Masks secrets in the names, errors and problems shown: they come from trace text. */
    private readonly redactor?: { readonly redactor: Redactor; readonly onDidChange: vscode.Event<void> },
    /** Where a recorded `code.*` path is in the workspace, if found (`SpanLocationIndex.resolvedPath`). */
    private readonly resolvedSourcePath: (recorded: string) => Promise<string | undefined> = async () => undefined,
  ) {
    super();
    this.previews = new RunPreviews(
      detailsWithLogRecords(service.store.logRecords),
      (traceId) => {
        const element = this.elements.get(`run:${traceId}`);
        if (element) this.changeEmitter.fire(element);
      },
      (message) => this.service.log.debug(message),
    );
    this.register(this.previews);
    if (redactor) this.register(redactor.onDidChange(() => this.schedule(undefined)));
    // The store is the same for the service's whole life: one subscription. Changes while the
    // first read fills it are left to the full refresh once the read is done.
    this.register(service.store.onDidChange((change) => service.ready && this.schedule(change)));
    this.register(service.onDidReadFiles(() => this.schedule(undefined)));
    // While a long history is read, newest files first, the list grows file by file.
    this.register(service.onDidReadSomeFiles(() => this.schedule(undefined)));
    this.register(service.onDidChangeProblems(() => this.schedule(undefined)));
    this.register({ dispose: () => this.stopTimers() });
  }

  /** Lists only the runs that pass `filter`. */
  setFilter(filter: RunFilter): void {
    this.filter = filter;
    this.schedule(undefined);
  }

  private schedule(change: TraceStoreChange | undefined): void {
    if (change && change.removed.size > 0) {
      this.forgetElements(change.removed);
      this.previews.forget(change.removed);
    }
    // A filter or sessions make any change one that may add, drop or move a listed item.
    const listChanges = this.filter !== NO_FILTER || (this.list?.sessions.size ?? 0) > 0;
    if (!change || change.removed.size > 0 || listChanges) this.pendingFull = true;
    else for (const id of change.changed) this.pendingRuns.add(id);
    this.refreshTimer ??= setTimeout(() => this.flush(), REFRESH_DELAY_MS);
  }

  private flush(): void {
    this.refreshTimer = undefined;
    const runs = this.service.started ? this.service.store.runs() : [];
    // New or reordered runs change the root list; otherwise only the changed runs redraw.
    const orderChanged = runs !== this.lastRunOrder;
    this.lastRunOrder = runs;
    if (this.pendingFull || orderChanged) {
      this.redrawTop();
    } else if (this.pendingRuns.size > 0) {
      const changed = [...this.pendingRuns].filter((id) => this.elements.has(`run:${id}`)).map((id) => this.elements.get(`run:${id}`)!);
      if (changed.length > 0) this.changeEmitter.fire(changed);
    }
    this.pendingFull = false;
    this.pendingRuns.clear();
    this.updateRunningTimer();
  }

  /**
   * Redraws the top level: whole only when what it lists changed (a run added, moved or
   * filtered out, a page more), else item by item, which keeps every item known to VS Code,
   * so a click landing meanwhile is not lost.
   */
  private redrawTop(): void {
    const ws = this.service.started ? this.service.workspace : undefined;
    if (ws) {
      const list = runList(this.service.store.runs(), this.filter, Date.now());
      const hidden = list.entries.length - (this.limits.get(ROOT_KEY) ?? this.service.settings.pageSize);
      // VS Code does not show a new count on a "Show more" item redrawn alone: while files are
      // read it may lag, and once they are the list is redrawn whole if the count moved.
      const countMoved = this.service.ready && hidden > 0 && hidden !== this.listedHidden;
      if (this.rootSignature(list, ws.problems().length > 0) === this.rootListed && !countMoved) {
        if (this.rootElements.some((e) => e.type === 'more')) this.moreItem(ROOT_KEY, hidden);
        if (this.rootElements.length > 0) this.changeEmitter.fire(this.rootElements);
        return;
      }
    }
    this.rootRedraw ??= deferred();
    this.changeEmitter.fire(undefined);
  }

  private rootSignature(list: RunList, hasProblems: boolean): string {
    const limit = this.limits.get(ROOT_KEY) ?? this.service.settings.pageSize;
    const keys = list.entries.slice(0, limit).map((e) => (e.type === 'session' ? `session:${e.sessionId}` : e.trace.traceId));
    // How many are not shown is not part of it: the "Show more" item says that, redrawn alone.
    return `${hasProblems}|${limit}|${list.entries.length > limit}|${keys.join(',')}`;
  }

  /**
   * Resolves once VS Code knows the top level's items again after a redraw (at once when
   * none is on its way, and after `maxMs` at most), so the selection a click made can be read.
   */
  async settled(maxMs = 2000): Promise<void> {
    const redraw = this.rootRedraw;
    if (!redraw) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([redraw.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)))]);
    clearTimeout(timer);
  }

  /** Running runs show a live duration: redraw just them once a second while any is shown. */
  private updateRunningTimer(): void {
    const running = this.runningShown();
    if (running.length > 0 && !this.runningTimer) {
      this.runningTimer = setInterval(() => {
        const shown = this.runningShown();
        if (shown.length === 0) {
          clearInterval(this.runningTimer);
          this.runningTimer = undefined;
        } else this.changeEmitter.fire(shown);
      }, 1000);
    }
  }

  private runningShown(): RunsTreeElement[] {
    if (!this.service.started) return [];
    const store = this.service.store;
    const now = Date.now();
    return [...this.listedRuns]
      .map((id) => store.trace(id))
      .filter((t): t is Trace => t !== undefined && t.state(now) === 'running')
      .map((t) => this.element({ type: 'run', traceId: t.traceId }));
  }

  private stopTimers(): void {
    clearTimeout(this.refreshTimer);
    clearInterval(this.runningTimer);
    for (const timer of this.bigTreeRedraws.values()) clearTimeout(timer);
    this.bigTreeRedraws.clear();
  }

  /** One object per key, so VS Code keeps expansion and selection across refreshes. */
  private element<T extends RunsTreeElement>(e: T): T {
    const key = keyOf(e);
    const known = this.elements.get(key);
    if (known && (e.type === 'run' || e.type === 'span' || e.type === 'problems')) return known as T;
    this.elements.set(key, e);
    return e;
  }

  /** Drops the cached elements and page sizes of runs that are gone. */
  private forgetElements(traceIds: ReadonlySet<string>): void {
    for (const key of [...this.elements.keys()]) {
      // A list's "Show more" element is keyed by the list's own key.
      const of = key.startsWith('more:') ? key.slice(5) : key;
      const id = of.startsWith('run:') ? of.slice(4) : of.startsWith('span:') ? of.slice(5, of.indexOf(':', 5)) : undefined;
      if (id !== undefined && traceIds.has(id)) {
        this.elements.delete(key);
        this.limits.delete(key);
        this.listedRuns.delete(id);
      }
    }
  }

  showMore(item: RunsTreeElement): void {
    if (item.type !== 'more') return;
    const page = this.service.settings.pageSize;
    this.limits.set(item.parentKey, (this.limits.get(item.parentKey) ?? page) + page);
    if (item.parentKey === ROOT_KEY) this.redrawTop();
    else this.changeEmitter.fire(this.elements.get(item.parentKey));
  }

  async getChildren(parent?: RunsTreeElement): Promise<RunsTreeElement[]> {
    const ws = await this.service.ensureListed();
    const store = ws.store;
    if (!parent) {
      const runs = store.runs();
      this.lastRunOrder = runs;
      const list = runList(runs, this.filter, Date.now());
      this.list = list;
      this.listedRuns.clear();
      this.listedEmitter.fire({ filter: this.filter, matched: list.matched, total: list.total });
      const hasProblems = ws.problems().length > 0;
      const problems = hasProblems ? [this.element<RunsTreeElement>({ type: 'problems' })] : [];
      this.rootElements = [
        ...problems,
        ...this.page(ROOT_KEY, list.entries, (e) => {
          if (e.type === 'session') return this.element({ type: 'session', sessionId: e.sessionId });
          this.listedRuns.add(e.trace.traceId);
          return this.element({ type: 'run', traceId: e.trace.traceId });
        }),
      ];
      this.rootListed = this.rootSignature(list, hasProblems);
      this.listedHidden = list.entries.length - (this.limits.get(ROOT_KEY) ?? this.service.settings.pageSize);
      if (!this.service.ready && !this.firstPageAnnounced) {
        this.firstPageAnnounced = true;
        // Once VS Code has asked for the items (and so their previews), and those are read.
        setTimeout(() => void this.previews.idle().then(() => this.service.shownFirstPage()), ITEMS_REGISTERED_MS);
      }
      const redraw = this.rootRedraw;
      this.rootRedraw = undefined;
      // VS Code registers the items once it has their tree items, just after this returns.
      if (redraw) setTimeout(redraw.resolve, ITEMS_REGISTERED_MS);
      return this.rootElements;
    }
    if (parent.type === 'session') {
      const runs = this.list?.sessions.get(parent.sessionId) ?? [];
      return this.page(keyOf(parent), runs, (t) => {
        this.listedRuns.add(t.traceId);
        return this.element({ type: 'run', traceId: t.traceId });
      });
    }
    if (parent.type === 'problems') {
      return ws.problems().map((p) => ({ type: 'problem', file: p.file, line: p.line, message: p.message }));
    }
    if (parent.type === 'run' || parent.type === 'span') {
      const trace = store.trace(parent.traceId);
      if (!trace) return [];
      const tree = trace.spanCount > SLICED_ABOVE_SPANS ? await this.bigTree(trace) : trace.tree();
      const parentNode = parent.type === 'span' ? tree.nodes.get(parent.spanId) : undefined;
      const nodes = parent.type === 'run' ? runChildren(tree) : parentNode ? shownChildren(parentNode, siblingsOf(parentNode, tree)) : [];
      return this.page(keyOf(parent), nodes, (n) => this.element({ type: 'span', traceId: parent.traceId, spanId: n.span.spanId }));
    }
    return [];
  }

  private page<T>(key: string, items: readonly T[], toElement: (item: T) => RunsTreeElement): RunsTreeElement[] {
    const limit = this.limits.get(key) ?? this.service.settings.pageSize;
    const shown = items.slice(0, limit).map(toElement);
    if (items.length > limit) shown.push(this.moreItem(key, items.length - limit));
    return shown;
  }

  /**
   * One "Show more" element per list, its count updated in place: when only the count changes
   * (older files still being read) that item alone is redrawn, not the whole list.
   */
  private moreItem(parentKey: string, hidden: number): RunsTreeElement {
    const key = `more:${parentKey}`;
    const known = this.elements.get(key) as { type: 'more'; parentKey: string; hidden: number } | undefined;
    if (known) {
      known.hidden = hidden;
      return known;
    }
    const item = { type: 'more' as const, parentKey, hidden };
    this.elements.set(key, item);
    return item;
  }

  getParent(element: RunsTreeElement): RunsTreeElement | undefined {
    if (element.type === 'span') {
      const trace = this.service.store.trace(element.traceId);
      const tree = trace && (trace.latestTree() ?? trace.tree());
      const node = tree?.nodes.get(element.spanId);
      const parentOf = (n: SpanNode) => (n.span.parentSpanId ? tree?.nodes.get(n.span.parentSpanId) : undefined);
      const found = node && parentOf(node);
      // A parent folded into its own parent (one model call recorded twice) has no item: the outer one's lists this.
      const parentNode = found && itemNodeOf(found, parentOf);
      if (!parentNode || node?.orphan || parentNode === tree?.roots[0]) return this.elements.get(`run:${element.traceId}`);
      return this.elements.get(`span:${element.traceId}:${parentNode.span.spanId}`);
    }
    if (element.type === 'problem') return this.elements.get('problems');
    if (element.type === 'run') {
      const trace = this.service.store.trace(element.traceId);
      const session = trace && sessionOf(trace);
      return session !== undefined && this.list?.sessions.has(session) ? this.elements.get(`session:${session}`) : undefined;
    }
    return undefined;
  }

  /** A span's tooltip that names its source waits for the hover: the path is looked up then. */
  private readonly tooltipsOnHover = new WeakMap<vscode.TreeItem, () => Promise<vscode.MarkdownString>>();

  async resolveTreeItem(item: vscode.TreeItem): Promise<vscode.TreeItem> {
    const tooltip = this.tooltipsOnHover.get(item);
    if (tooltip && item.tooltip === undefined) item.tooltip = await tooltip();
    return item;
  }

  getTreeItem(e: RunsTreeElement): vscode.TreeItem {
    switch (e.type) {
      case 'run':
        return this.runItem(e.traceId);
      case 'span':
        return this.spanItem(e.traceId, e.spanId);
      case 'session':
        return this.sessionItem(e.sessionId);
      case 'more': {
        const page = this.service.settings.pageSize;
        const item = new vscode.TreeItem(`Show ${Math.min(page, e.hidden)} more…`);
        item.description = `${e.hidden.toLocaleString()} not shown`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'more';
        item.id = `more:${e.parentKey}`;
        item.command = commandOf(Commands.OpenSelected, 'Show More');
        return item;
      }
      case 'problems': {
        const problems = this.service.workspace.problems();
        const total = this.service.workspace.problemCount();
        const files = new Set(problems.map((p) => p.file)).size;
        const item = new vscode.TreeItem(`${total.toLocaleString()} unreadable line${total === 1 ? '' : 's'}`, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = 'problems';
        item.description = `in ${files} file${files === 1 ? '' : 's'} · skipped${total > problems.length ? ` · first ${problems.length.toLocaleString()} listed` : ''}`;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.contextValue = 'problems';
        return item;
      }
      case 'problem': {
        const item = new vscode.TreeItem(`${path.basename(e.file)}:${e.line}`);
        item.description = this.masked(e.message);
        item.tooltip = `${e.file}:${e.line}\n${this.masked(e.message)}`;
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.command = {
          command: 'vscode.open',
          title: 'Open',
          arguments: [vscode.Uri.file(e.file), { selection: new vscode.Range(e.line - 1, 0, e.line - 1, 0) }],
        };
        return item;
      }
    }
  }

  private masked(text: string): string;
  private masked(text: string | undefined): string | undefined;
  private masked(text: string | undefined): string | undefined {
    return text === undefined || !this.redactor ? text : this.redactor.redactor.text(text);
  }

  /**
   * A run's input or output, masked, for a description or tooltip that shows its start only:
   * the first 64K characters are masked (a whole prompt of megabytes is not run through the
   * rules at every redraw), far more than either shows.
   */
  private maskedPreview(text: string): string {
    return this.masked(text.length > PREVIEW_MASK_CHARS ? text.slice(0, PREVIEW_MASK_CHARS) : text);
  }

  /** Ids that are not hex show as "invalid id" in tooltips; each is logged once. */
  private readonly reportInvalidId = (kind: IdKind, raw: string): void => {
    if (this.reportedInvalidIds.has(raw) || this.reportedInvalidIds.size > MAX_INVALID_IDS_REPORTED) return;
    this.reportedInvalidIds.add(raw);
    const shown = JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
    if (this.reportedInvalidIds.size > MAX_INVALID_IDS_REPORTED) this.service.log.warn(`more ids that are not hex of the right length; no longer logged`);
    else this.service.log.warn(`a ${kind} is not hex of the right length, shown as "invalid id": ${shown}`);
  };

  private runItem(traceId: string): vscode.TreeItem {
    const trace = this.service.store.trace(traceId);
    const item = new vscode.TreeItem(traceId, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `run:${traceId}`;
    if (!trace) return item;
    const s = trace.summary();
    const now = Date.now();
    const state = trace.state(now);
    const durationMs = trace.durationMs(now);
    item.label = this.masked(s.name);
    const preview = this.previews.get(trace);
    // A big run's models and cost would take a pass over its spans at every redraw of a live run.
    const facts = trace.spanCount <= SLICED_ABOVE_SPANS ? runFacts(trace, this.service.settings.modelPrices) : undefined;
    const parts = [state === 'running' ? `running ${formatDuration(durationMs)}` : formatDuration(durationMs), `${s.spanCount.toLocaleString()} span${s.spanCount === 1 ? '' : 's'}`];
    const tokens = this.tokensOf(trace);
    const tokenText = tokensLabel(tokens);
    if (tokenText) parts.push(tokenText);
    if (s.errorCount > 0) parts.push(`${s.errorCount} error${s.errorCount === 1 ? '' : 's'}`);
    // Runs of one agent share a name: when each started tells them apart.
    parts.push(startedLabel(Number(s.startNs / 1_000_000n), now, vscode.env.language));
    // What each run was asked comes first: it tells them apart better than when they started.
    // Masked whole, then cut: a key cut short first would no longer match its rule.
    if (preview?.input) parts.unshift(firstLineOf(this.maskedPreview(preview.input), INPUT_PREVIEW_CHARS));
    item.description = parts.join(' · ');
    item.iconPath =
      state === 'running'
        ? new vscode.ThemeIcon('loading~spin')
        : s.errorCount > 0
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
          : state === 'incomplete'
            ? new vscode.ThemeIcon('question')
            : new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    const tooltip = new vscode.MarkdownString(undefined, true);
    appendRunTooltip(
      tooltip,
      {
        name: this.masked(s.name),
        stateText: runStateText(state, s.hasRoot),
        startedText: new Date(Number(s.startNs / 1_000_000n)).toLocaleString(),
        durationText: formatDuration(durationMs),
        spanCount: s.spanCount,
        tokensText: tokens && tokensText(tokens, 'tokens'),
        errorCount: s.errorCount,
        serviceNames: s.serviceNames,
        traceId,
        input: preview?.input && this.maskedPreview(preview.input),
        output: preview?.output && this.maskedPreview(preview.output),
        models: facts?.models,
        costText: facts?.costUsd === undefined ? undefined : formatUsd(facts.costUsd),
        missingContext: facts && runMissingContext(trace, now, this.service.store.logRecords).map((n) => n.message),
      },
      this.reportInvalidId,
    );
    item.tooltip = tooltip;
    // Go to Source for every span: its code.*, a stack trace or its name may find the code.
    item.contextValue = s.root ? 'run source' : 'run';
    item.command = commandOf(Commands.OpenSelected, 'Open Waterfall');
    item.accessibilityInformation = { label: `${item.label}, ${item.description}, ${state === 'running' ? 'running' : s.errorCount > 0 ? 'failed' : 'succeeded'}` };
    return item;
  }

  private sessionItem(sessionId: string): vscode.TreeItem {
    const runs = this.list?.sessions.get(sessionId) ?? [];
    const item = new vscode.TreeItem(`Session ${sessionId}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `session:${sessionId}`;
    const newest = runs[runs.length - 1];
    const errors = runs.filter((t) => t.summary().errorCount > 0).length;
    const parts = [`${runs.length} run${runs.length === 1 ? '' : 's'}`];
    if (errors > 0) parts.push(`${errors} failed`);
    if (newest) parts.push(startedLabel(Number(newest.summary().startNs / 1_000_000n), Date.now(), vscode.env.language));
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon('comment-discussion', errors > 0 ? new vscode.ThemeColor('errorForeground') : undefined);
    const tooltip = new vscode.MarkdownString(undefined, true);
    appendSessionTooltip(tooltip, { sessionId, runCount: runs.length, failedCount: errors });
    item.tooltip = tooltip;
    item.contextValue = 'session';
    return item;
  }

  /**
   * A big run's tree, built in time slices and at most every few seconds while spans stream
   * in: every redraw of an expanded item asks for its children again.
   */
  private async bigTree(trace: Trace): Promise<TraceTree> {
    const latest = trace.latestTree();
    const wait = (this.bigTreeBuiltAt.get(trace) ?? 0) + BIG_TREE_REBUILD_MS - Date.now();
    if (latest && !trace.treeIsCurrent && wait > 0) {
      // Redraw once the wait is over, in case no other change comes to do it.
      if (!this.bigTreeRedraws.has(trace)) {
        const timer = setTimeout(() => {
          this.bigTreeRedraws.delete(trace);
          const element = this.elements.get(`run:${trace.traceId}`);
          if (element) this.changeEmitter.fire(element);
        }, wait);
        this.bigTreeRedraws.set(trace, timer);
      }
      return latest;
    }
    const tree = await trace.treeSliced();
    this.bigTreeBuiltAt.set(trace, Date.now());
    return tree;
  }

  /**
   * A big run's tokens are counted in time slices: until the count is done the item shows the
   * last one, and is redrawn when it is.
   */
  private tokensOf(trace: Trace): TokenCounts | undefined {
    if (trace.spanCount <= SLICED_ABOVE_SPANS) return traceTokens(trace);
    const latest = latestTraceTokens(trace);
    if (!latest?.current && !this.countingTokens.has(trace)) {
      this.countingTokens.add(trace);
      runStepsSliced(traceTokensSteps(trace))
        .then(() => {
          const element = this.elements.get(`run:${trace.traceId}`);
          if (element && this.service.store.trace(trace.traceId) === trace) this.changeEmitter.fire(element);
        })
        .catch((err: unknown) => this.service.log.error(`counting the tokens of run ${trace.traceId}: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => this.countingTokens.delete(trace));
    }
    return latest?.tokens;
  }

  private spanItem(traceId: string, spanId: string): vscode.TreeItem {
    const trace = this.service.store.trace(traceId);
    // The tree getChildren just built (or, while spans stream in, the one before it).
    const tree = trace && (trace.latestTree() ?? trace.tree());
    const node: SpanNode | undefined = tree?.nodes.get(spanId);
    const item = new vscode.TreeItem(spanId, vscode.TreeItemCollapsibleState.None);
    item.id = `span:${traceId}:${spanId}`;
    if (!tree || !node) return item;
    // A finished run's stand-in will not arrive: it is not said to be running (as in the waterfall).
    const standInSettled = node.notReceived && trace.state(Date.now()) !== 'running';
    const span = standInSettled ? settledStandIn(node.span, lastEndBelow(node)) : node.span;
    item.label = this.masked(span.name);
    // One model call recorded by nested LLM spans, or side by side, reads as one item: the outer
    // (or first) span's, with the model, tokens and failure of whichever of them states them.
    const siblings = siblingsOf(node, tree);
    const folded = foldedLlmCalls(node, siblings);
    const chain = [span, ...folded.map((f) => f.span)];
    const failedSpan = chain.find((s) => s.statusCode === StatusCode.Error);
    const failed = failedSpan !== undefined;
    const conventions = describeSpan(span);
    const described = folded.map((f) => describeSpan(f.span));
    // A folded item is a model call, whatever the outer span reads as (the AI SDK's generateText is an agent loop of one step here).
    const shownKind = folded.length > 0 ? 'llm' : conventions.kind;
    const model = conventions.model ?? described.find((d) => d.model)?.model;
    const tokens = conventions.tokens ?? described.find((d) => d.tokens)?.tokens;
    const parts = [isInProgress(span) ? 'running' : formatDuration(spanDurationMs(span))];
    if (model) parts.push(model);
    const tokenText = tokensLabel(tokens);
    if (tokenText) parts.push(tokenText);
    if (folded.length > 0) parts.push(`+ ${folded.length === 1 ? this.masked(folded[0].span.name) : `${folded.length} nested calls`}`);
    if (node.orphan && !node.notReceived) parts.push('parent missing');
    // Many instrumentations set the ERROR status alone: error.type or the HTTP status says why.
    const errorText = failedSpan ? spanErrorText(failedSpan.errorMessage, failedSpan.attributes) : undefined;
    if (errorText) parts.push(this.masked(errorText));
    item.description = parts.join(' · ');
    item.collapsibleState = shownChildren(node, siblings).length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    item.iconPath = failed
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
      : node.notReceived
        ? new vscode.ThemeIcon(standInSettled ? 'debug-disconnect' : 'loading~spin')
        : node.orphan
        ? new vscode.ThemeIcon('debug-disconnect')
        : kindIcon(shownKind);
    const source = sourceLocationOf(span.attributes) ?? folded.map((f) => sourceLocationOf(f.span.attributes)).find((l) => l !== undefined);
    // ` llm` offers Replay… on model calls.
    item.contextValue = (node.notReceived ? 'span' : 'span source') + (conventions.kind === 'llm' ? ' llm' : '');
    const tooltipOf = (sourcePath: string | undefined): vscode.MarkdownString => {
      const tooltip = new vscode.MarkdownString(undefined, true);
      // The folded spans' names link to them in the waterfall: that command only.
      if (folded.length > 0) tooltip.isTrusted = { enabledCommands: [Commands.OpenSpan] };
      appendSpanTooltip(
        tooltip,
        {
          name: this.masked(span.name),
          kind: shownKind,
          durationText: isInProgress(span) ? 'running' : formatDuration(spanDurationMs(span)),
          model,
          tokensText: tokens && tokensText(tokens, 'tokens'),
          error: failed ? { message: this.masked(errorText) } : undefined,
          source: source && { ...source, path: sourcePath ?? source.path },
          notReceivedChildren: node.notReceived ? node.children.length : undefined,
          runFinished: standInSettled,
          missingParentId: node.orphan && !node.notReceived ? span.parentSpanId : undefined,
          folded: folded.map((f) => ({ name: this.masked(f.span.name), traceId, spanId: f.span.spanId })),
          serviceName: span.resource.serviceName === undefined ? undefined : this.masked(span.resource.serviceName),
          runServiceNames: trace?.summary().serviceNames,
        },
        this.reportInvalidId,
      );
      return tooltip;
    };
    // The path as it is in the workspace (a container's /app/… is not), relative to its folder.
    if (source) this.tooltipsOnHover.set(item, async () => tooltipOf(shownSourcePath(source.path, await this.resolvedSourcePath(source.path).catch(() => undefined), workspaceFolders())));
    else item.tooltip = tooltipOf(undefined);
    item.command = commandOf(Commands.OpenSelected, 'Open Waterfall');
    return item;
  }
}

/**
 * A run's item stands for its root span, so expanding it lists the root's children, then
 * any orphans. A run without its root yet lists all the spans it has at the top.
 */
function runStateText(state: RunState, hasRoot: boolean): string {
  if (state === 'running') return hasRoot ? 'Running: its root span has not ended yet' : 'Running: root span not received yet';
  if (state === 'incomplete') return hasRoot ? 'Incomplete: its root span never ended' : 'Incomplete: its root span never arrived';
  return 'Complete';
}

function runChildren(tree: TraceTree): readonly SpanNode[] {
  const [primary, ...rest] = tree.roots;
  if (!primary) return [];
  // The run item stands for its root span, or, while the run goes on, for the stand-in of it.
  // A root that is one model call recorded twice lists what its innermost span holds.
  return !primary.orphan || (primary.notReceived && rest.length === 0) ? [...shownChildren(primary), ...rest] : tree.roots;
}

/** The children of `node`'s parent; none for a root (roots are runs, never folded side by side). */
function siblingsOf(node: SpanNode, tree: TraceTree): readonly SpanNode[] {
  return (node.span.parentSpanId ? tree.nodes.get(node.span.parentSpanId)?.children : undefined) ?? [];
}

/** Dollars: cents from a cent up, two significant digits below. */
function formatUsd(usd: number): string {
  return usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(2)}`;
}
