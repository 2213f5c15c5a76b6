import * as vscode from 'vscode';
import type { SpanNode, Trace, TraceTree } from '../core/model/trace';
import type { TraceStoreChange } from '../core/model/traceStore';
import { DisposableStore } from './disposable';
import type { TraceRunService } from './traceRunService';
import { detailsWithLogRecords } from '../core/ingest/logRecordDetails';
import { NO_FILTER, type RunFilter } from '../core/runs/filter';
import { runList, type RunList } from '../core/runs/runList';
import { RunPreviews } from '../core/runs/runPreviews';
import { sessionOf } from '../core/runs/sessions';
import { itemNodeOf, shownChildren } from '../core/runs/nestedLlmCalls';
import type { Redactor } from '../core/privacy/redact';
import { RunsTreeItems, siblingsOf, SLICED_ABOVE_SPANS } from './runsTreeItems';

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

const ROOT_KEY = '';
const REFRESH_DELAY_MS = 30;
const BIG_TREE_REBUILD_MS = 3000;
/** How long after the top level is listed VS Code has registered its items, generously. */
const ITEMS_REGISTERED_MS = 50;

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
  private readonly bigTreeBuiltAt = new WeakMap<Trace, number>();
  private readonly bigTreeRedraws = new Map<Trace, NodeJS.Timeout>();
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
  /** Each item's labels, tooltips and text. */
  private readonly items: RunsTreeItems;

  constructor(
    private readonly service: TraceRunService,
    /** Masks secrets in the names, errors and problems shown: they come from trace text. */
    redactor?: { readonly redactor: Redactor; readonly onDidChange: vscode.Event<void> },
    /** Where a recorded `code.*` path is in the workspace, if found (`SpanLocationIndex.resolvedPath`). */
    resolvedSourcePath?: (recorded: string) => Promise<string | undefined>,
  ) {
    super();
    this.previews = new RunPreviews(
      detailsWithLogRecords(service.store.logRecords),
      (traceId) => this.redrawRun(traceId),
      (message) => this.service.log.debug(message),
    );
    this.register(this.previews);
    this.items = new RunsTreeItems(service, this.previews, (traceId) => this.redrawRun(traceId), redactor, resolvedSourcePath);
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

  async resolveTreeItem(item: vscode.TreeItem): Promise<vscode.TreeItem> {
    return this.items.resolveTreeItem(item);
  }

  getTreeItem(e: RunsTreeElement): vscode.TreeItem {
    switch (e.type) {
      case 'run':
        return this.items.runItem(e.traceId);
      case 'span':
        return this.items.spanItem(e.traceId, e.spanId);
      case 'session':
        return this.items.sessionItem(e.sessionId, this.list?.sessions.get(e.sessionId) ?? []);
      case 'more':
        return this.items.showMoreItem(e);
      case 'problems':
        return this.items.problemsItem();
      case 'problem':
        return this.items.problemItem(e);
    }
  }

  private redrawRun(traceId: string): void {
    const element = this.elements.get(`run:${traceId}`);
    if (element) this.changeEmitter.fire(element);
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
          this.redrawRun(trace.traceId);
        }, wait);
        this.bigTreeRedraws.set(trace, timer);
      }
      return latest;
    }
    const tree = await trace.treeSliced();
    this.bigTreeBuiltAt.set(trace, Date.now());
    return tree;
  }
}

/**
 * A run's item stands for its root span, so expanding it lists the root's children, then
 * any orphans. A run without its root yet lists all the spans it has at the top.
 */
function runChildren(tree: TraceTree): readonly SpanNode[] {
  const [primary, ...rest] = tree.roots;
  if (!primary) return [];
  // The run item stands for its root span, or, while the run goes on, for the stand-in of it.
  // A root that is one model call recorded twice lists what its innermost span holds.
  return !primary.orphan || (primary.notReceived && rest.length === 0) ? [...shownChildren(primary), ...rest] : tree.roots;
}
