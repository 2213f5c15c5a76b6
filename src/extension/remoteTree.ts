import * as vscode from 'vscode';
import type { Redactor } from '../core/privacy/redact';
import { RemotePager, type PagedSearch } from '../core/remote/remotePager';
import { formatDuration, startedLabel } from '../protocol/format';
import { Commands } from './commandIds';
import { commandOf } from './commands';
import { DisposableStore } from './disposable';
import type { RemoteBackends } from './remoteBackends';

/** What a backend's list shows: a service's traces in a time window, with filters. */
export type RemoteSearch = PagedSearch;

export type RemoteTreeElement =
  | { readonly type: 'backend'; readonly backend: string }
  | { readonly type: 'remoteHint'; readonly backend: string }
  | { readonly type: 'remoteTrace'; readonly backend: string; readonly traceId: string }
  | { readonly type: 'remoteMore'; readonly backend: string }
  | { readonly type: 'remoteError'; readonly backend: string; readonly message: string };

/** A backend's search and the pages fetched so far. */
interface Listing {
  readonly pager: RemotePager;
  error?: string;
  loading?: Promise<void>;
}

/** A search window as people say it: 15m, 1h, 7d. */
function windowText(ms: number): string {
  if (ms % 86_400_000 === 0 && ms >= 86_400_000 * 2) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${Math.round(ms / 60_000)}m`;
}

/** A short description of a search, for the backend's item. */
export function searchLabel(s: RemoteSearch): string {
  const parts = [s.operation ? `${s.service} · ${s.operation}` : s.service, `last ${windowText(s.windowMs)}`];
  if (s.errorsOnly) parts.push('errors only');
  if (s.minDurationMs) parts.push(`≥ ${formatDuration(s.minDurationMs)}`);
  return parts.join(' · ');
}

/**
 * The Remote view: one item per backend of `tracerun.backends`; under it the traces of the
 * search chosen for it (Search Backend…), newest first, paged with "Show more…". Opening one
 * adds it to the Runs view's store and opens its waterfall.
 */
export class RemoteTreeProvider extends DisposableStore implements vscode.TreeDataProvider<RemoteTreeElement> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<RemoteTreeElement | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly listings = new Map<string, Listing>();

  constructor(
    private readonly remote: RemoteBackends,
    private readonly redactor: () => Redactor,
  ) {
    super();
    this.register(
      remote.onDidChange(() => {
        for (const name of [...this.listings.keys()]) if (!remote.backend(name)) this.listings.delete(name);
        this.changeEmitter.fire(undefined);
      }),
    );
  }

  search(backend: string): RemoteSearch | undefined {
    return this.listings.get(backend)?.pager.search;
  }

  /** Lists the backend's traces for a new search, from its first page. */
  setSearch(backend: string, search: RemoteSearch): void {
    this.listings.set(backend, { pager: new RemotePager(search, this.remote.settings.pageSize) });
    // The whole view: VS Code knows an item by the object it was given, not an equal one.
    this.changeEmitter.fire(undefined);
  }

  /** Searches again from now. */
  refresh(): void {
    for (const [backend, l] of this.listings) this.setSearch(backend, l.pager.search);
    this.changeEmitter.fire(undefined);
  }

  /** The next page of older traces. */
  async showMore(backend: string): Promise<void> {
    const listing = this.listings.get(backend);
    if (!listing) return;
    await this.load(backend, listing);
    // The whole view: VS Code knows an item by the object it was given, not an equal one.
    this.changeEmitter.fire(undefined);
  }

  async getChildren(element?: RemoteTreeElement): Promise<RemoteTreeElement[]> {
    if (!element) return this.remote.backends.map((b) => ({ type: 'backend' as const, backend: b.name }));
    if (element.type !== 'backend') return [];
    const listing = this.listings.get(element.backend);
    if (!listing) return [{ type: 'remoteHint', backend: element.backend }];
    const { pager } = listing;
    if (pager.traces.length === 0 && pager.more && !listing.error) await this.load(element.backend, listing);
    const out: RemoteTreeElement[] = pager.traces.map((t) => ({ type: 'remoteTrace' as const, backend: element.backend, traceId: t.traceId }));
    if (listing.error) out.push({ type: 'remoteError', backend: element.backend, message: listing.error });
    else if (out.length === 0) out.push({ type: 'remoteError', backend: element.backend, message: pager.more ? 'None of the latest traces match; Show more looks further back' : 'No traces in that window' });
    if (pager.more && !listing.error) out.push({ type: 'remoteMore', backend: element.backend });
    return out;
  }

  getTreeItem(e: RemoteTreeElement): vscode.TreeItem {
    const backend = this.remote.backend(e.backend);
    if (e.type === 'backend') {
      const item = new vscode.TreeItem(e.backend, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `backend:${e.backend}`;
      const search = this.listings.get(e.backend)?.pager.search;
      item.description = search ? searchLabel(search) : backend?.url;
      item.tooltip = `${backend?.type ?? 'jaeger'} · ${backend?.url ?? ''}${backend?.header ? `\nsends the ${backend.header} header` : ''}`;
      item.iconPath = new vscode.ThemeIcon('cloud');
      item.contextValue = 'backend';
      return item;
    }
    if (e.type === 'remoteHint') {
      const item = new vscode.TreeItem('Choose a service to list its traces…');
      // A stable id: VS Code keeps an item's command arguments only while it knows the item.
      item.id = `remoteHint:${e.backend}`;
      item.iconPath = new vscode.ThemeIcon('search');
      item.command = commandOf(Commands.SearchBackend, 'Search Backend…', { type: 'backend', backend: e.backend });
      return item;
    }
    if (e.type === 'remoteMore') {
      const item = new vscode.TreeItem('Show more…');
      item.id = `remoteMore:${e.backend}`;
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      item.command = commandOf(Commands.ShowMoreRemote, 'Show more', e);
      return item;
    }
    if (e.type === 'remoteError') {
      const item = new vscode.TreeItem(this.redactor().text(e.message));
      item.tooltip = item.label as string;
      item.iconPath = new vscode.ThemeIcon(e.message.startsWith('No traces') ? 'info' : 'warning');
      return item;
    }
    const t = this.listings.get(e.backend)?.pager.traces.find((x) => x.traceId === e.traceId);
    const item = new vscode.TreeItem(this.redactor().text(t?.name ?? e.traceId));
    item.id = `remoteTrace:${e.backend}:${e.traceId}`;
    if (t) {
      item.description = `${formatDuration(t.durationMs)} · ${t.spanCount} span${t.spanCount === 1 ? '' : 's'} · ${startedLabel(t.startMs, Date.now())}`;
      item.tooltip = `trace ${t.traceId}\n${new Date(t.startMs).toLocaleString()}${t.errorCount > 0 ? `\n${t.errorCount} failed span(s)` : ''}\nfrom ${backend?.url ?? e.backend}`;
      item.iconPath = new vscode.ThemeIcon(t.errorCount > 0 ? 'error' : 'pass', t.errorCount > 0 ? new vscode.ThemeColor('errorForeground') : undefined);
    }
    item.contextValue = 'remoteTrace';
    item.command = commandOf(Commands.OpenRemoteTrace, 'Open Waterfall', e);
    return item;
  }

  private load(backendName: string, listing: Listing): Promise<void> {
    return (listing.loading ??= this.fetchPage(backendName, listing).finally(() => (listing.loading = undefined)));
  }

  private async fetchPage(backendName: string, listing: Listing): Promise<void> {
    const backend = this.remote.backend(backendName);
    if (!backend) return;
    try {
      await listing.pager.next(await this.remote.client(backend));
      listing.error = undefined;
    } catch (err) {
      listing.error = err instanceof Error ? err.message : String(err);
      this.remote.report(err);
    }
  }
}
