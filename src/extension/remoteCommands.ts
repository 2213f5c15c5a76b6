import * as vscode from 'vscode';
import { parseDuration } from '../core/runs/filter';
import type { BackendSetting } from '../core/remote/backendConfig';
import { baseUrl, parseTraceRef } from '../core/remote/jaegerQuery';
import { RemoteError } from '../core/remote/remoteError';
import { missingParents } from '../core/remote/remoteRuns';
import type { Trace } from '../core/model/trace';
import { openSettings } from './commands';
import { settingId } from './settings';
import type { RemoteBackends } from './remoteBackends';
import type { RemoteSearch, RemoteTreeElement, RemoteTreeProvider } from './remoteTree';

const WINDOWS: readonly { label: string; ms: number }[] = [
  { label: 'Last 15 minutes', ms: 15 * 60_000 },
  { label: 'Last hour', ms: 3_600_000 },
  { label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { label: 'Last 24 hours', ms: 24 * 3_600_000 },
  { label: 'Last 7 days', ms: 7 * 24 * 3_600_000 },
];

/**
 * The commands of the Remote view and of remote traces: choose what a backend lists, open a
 * listed trace or one by id, and fetch the rest of a local run's trace. `open` adds nothing
 * itself: it shows a run already in the store in its waterfall.
 */
export class RemoteCommands {
  constructor(
    private readonly remote: RemoteBackends,
    private readonly tree: RemoteTreeProvider,
    private readonly open: (traceId: string) => void,
  ) {}

  /** Service, operation, window and filters, each a quick pick; Escape at any step changes nothing. */
  async search(e: RemoteTreeElement | undefined): Promise<void> {
    const backend = e ? this.remote.backend(e.backend) : await this.pickBackend('Search Backend');
    if (!backend) return;
    const client = await this.remote.client(backend);
    const before = this.tree.search(backend.name);
    let services: string[];
    try {
      services = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Listing the services of ${backend.name}` }, () => client.services());
    } catch (err) {
      this.remote.report(err);
      return;
    }
    if (services.length === 0) {
      void vscode.window.showInformationMessage(`${backend.name} (${backend.url}) has no services yet: nothing has sent it traces.`);
      return;
    }
    const service = (await vscode.window.showQuickPick(services.map((s) => ({ label: s, picked: s === before?.service })), { title: `${backend.name}: service`, placeHolder: 'Which service’s traces?' }))?.label;
    if (!service) return;
    let operations: string[] = [];
    try {
      operations = await client.operations(service);
    } catch (err) {
      this.remote.report(err);
      return;
    }
    const ALL = 'All operations';
    const operation = (await vscode.window.showQuickPick([ALL, ...operations], { title: `${backend.name}: operation of ${service}` }));
    if (operation === undefined) return;
    const window = await vscode.window.showQuickPick(WINDOWS.map((w) => ({ ...w, picked: w.ms === before?.windowMs })), { title: `${backend.name}: time window` });
    if (!window) return;
    const ERRORS = 'Errors only';
    const LONGER = 'Longer than…';
    const filters = await vscode.window.showQuickPick(
      [
        { label: ERRORS, picked: before?.errorsOnly },
        { label: LONGER, picked: !!before?.minDurationMs },
      ],
      { title: `${backend.name}: filters (none for every trace)`, canPickMany: true },
    );
    if (!filters) return;
    let minDurationMs: number | undefined;
    if (filters.some((f) => f.label === LONGER)) {
      const text = await vscode.window.showInputBox({ title: 'Minimum duration', prompt: 'e.g. 2s, 500ms, 1m', validateInput: (v) => (parseDuration(v) === undefined ? 'A duration like 2s, 500ms or 1m' : undefined) });
      if (text === undefined) return;
      minDurationMs = parseDuration(text);
    }
    const search: RemoteSearch = { service, operation: operation === ALL ? undefined : operation, windowMs: window.ms, errorsOnly: filters.some((f) => f.label === ERRORS), minDurationMs };
    this.tree.setSearch(backend.name, search);
  }

  /** A listed trace, fetched whole (the list keeps only summaries), then its waterfall. */
  async openListed(e: RemoteTreeElement): Promise<void> {
    if (e.type !== 'remoteTrace') return;
    const backend = this.remote.backend(e.backend);
    if (backend && (await this.remote.fetchTrace(backend, e.traceId))) this.open(e.traceId);
  }

  /** Open Trace by ID…: a trace id or a Jaeger trace URL, from the backend whose URL it is (or each in turn). */
  async openById(): Promise<void> {
    if (this.remote.backends.length === 0) return this.noBackends();
    const text = await vscode.window.showInputBox({
      title: 'Open Trace by ID',
      prompt: 'A trace id, or a link to a trace in Jaeger',
      placeHolder: '4bf92f3577b34da6a3ce929d0e0e4736  or  https://jaeger.example.com/trace/4bf92f…',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' || parseTraceRef(v) ? undefined : 'Not a trace id (hex) or a link to a trace'),
    });
    const ref = text === undefined ? undefined : parseTraceRef(text);
    if (!ref) return;
    let candidates: readonly BackendSetting[] = this.remote.backends;
    if (ref.url) {
      // Only a URL the user configured is contacted: a pasted link picks among those.
      const matching = this.remote.backends.filter((b) => sameBase(b.url, ref.url!));
      if (matching.length === 0) {
        const choice = await vscode.window.showWarningMessage(`No backend in ${settingId('backends')} has the URL ${ref.url}. Add it there to open its traces (only configured URLs are contacted).`, 'Open Settings');
        if (choice) void openSettings(settingId('backends'));
        return;
      }
      candidates = matching;
    }
    const found = await this.fetchFromAny(candidates, ref.traceId);
    if (found) this.open(ref.traceId);
  }

  /** Fetch the Rest of This Trace: from every backend, the spans of the run's trace it lacks. */
  async fetchRest(trace: Trace | undefined): Promise<void> {
    if (!trace) {
      void vscode.window.showInformationMessage('Select a run in the Runs view to fetch the rest of its trace.');
      return;
    }
    if (this.remote.backends.length === 0) return this.noBackends();
    const missing = missingParents(trace).length;
    let added = 0;
    const from: string[] = [];
    for (const backend of this.remote.backends) {
      try {
        const client = await this.remote.client(backend);
        const remote = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Fetching trace ${trace.traceId.slice(0, 8)} from ${backend.name}` }, () => client.trace(trace.traceId));
        const n = await this.remote.add(remote);
        if (n > 0) from.push(`${n} span${n === 1 ? '' : 's'} from ${backend.name}`);
        added += n;
      } catch (err) {
        if (err instanceof RemoteError && err.kind === 'not-found') continue;
        this.remote.report(err);
      }
    }
    const what = `trace ${trace.traceId}${missing > 0 ? ` (${missing} parent span${missing === 1 ? '' : 's'} missing)` : ''}`;
    if (added === 0) void vscode.window.showInformationMessage(`No configured backend has spans of ${what} that this run lacks.`);
    else {
      void vscode.window.showInformationMessage(`Fetched ${from.join(' and ')} into ${what}.`);
      this.open(trace.traceId);
    }
  }

  private async fetchFromAny(backends: readonly BackendSetting[], traceId: string): Promise<boolean> {
    for (const backend of backends) {
      try {
        const client = await this.remote.client(backend);
        const remote = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Fetching trace ${traceId.slice(0, 8)} from ${backend.name}` }, () => client.trace(traceId));
        await this.remote.add(remote);
        return true;
      } catch (err) {
        if (err instanceof RemoteError && err.kind === 'not-found' && backends.length > 1) continue;
        this.remote.report(err);
        return false;
      }
    }
    void vscode.window.showWarningMessage(`No configured backend has trace ${traceId}.`);
    return false;
  }

  private async pickBackend(title: string): Promise<BackendSetting | undefined> {
    const backends = this.remote.backends;
    if (backends.length === 0) return void this.noBackends();
    if (backends.length === 1) return backends[0];
    return (await vscode.window.showQuickPick(backends.map((b) => ({ label: b.name, description: b.url, backend: b })), { title }))?.backend;
  }

  private async noBackends(): Promise<void> {
    const choice = await vscode.window.showInformationMessage(`Add a Jaeger to ${settingId('backends')} first: { "name": "team", "type": "jaeger", "url": "http://jaeger:16686" }.`, 'Open Settings');
    if (choice) void openSettings(settingId('backends'));
  }
}

function sameBase(configured: string, pasted: string): boolean {
  try {
    return baseUrl(configured) === baseUrl(pasted);
  } catch {
    return false;
  }
}
