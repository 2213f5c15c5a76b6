import * as vscode from 'vscode';
import { backendSecretKey, type BackendSetting } from '../core/remote/backendConfig';
import { JaegerClient, type RemoteSpans } from '../core/remote/jaegerClient';
import { addRemoteSpans, replaceRemoteSpans } from '../core/remote/remoteRuns';
import { REMOTE_HOLDINGS_BUDGET_BYTES, RemoteHoldings } from '../core/remote/remoteHoldings';
import { forgetMemorySource } from '../core/ingest/spanSource';
import { RemoteError } from '../core/remote/remoteError';
import { Commands } from './commandIds';
import { executeCommand } from './commands';
import { DisposableStore } from './disposable';
import { readRemoteSettings, settingId, type RemoteSettings } from './settings';
import type { TraceRunService } from './traceRunService';

/**
 * The trace backends of `tracerun.backends`: a client per backend (its header's value read
 * from secret storage, never from settings), and remote traces brought into the window's one
 * store, so the Runs view, waterfall, compare and dataset commands take them as they take
 * local runs. A re-read of the trace files (settings or folders changed) forgets every
 * source, so what was fetched is added back after it.
 */
export class RemoteBackends extends DisposableStore {
  settings: RemoteSettings;
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  /** Fires when the backends or their settings change. */
  readonly onDidChange = this.changeEmitter.event;
  /** What was fetched into the store, to add back after a re-read; the oldest let go past a budget. */
  private readonly fetched = new RemoteHoldings();

  constructor(
    private readonly service: TraceRunService,
    private readonly secrets: vscode.SecretStorage,
  ) {
    super();
    this.settings = this.read();
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(settingId('backends')) && !e.affectsConfiguration('tracerun.remote')) return;
        this.settings = this.read();
        this.changeEmitter.fire();
      }),
    );
    this.register(service.onDidReadFiles(() => this.addBack()));
  }

  get backends(): readonly BackendSetting[] {
    return this.settings.backends;
  }

  backend(name: string): BackendSetting | undefined {
    return this.backends.find((b) => b.name === name);
  }

  /** A client for the backend, with its header's secret when one is set. */
  async client(backend: BackendSetting): Promise<JaegerClient> {
    let header: { name: string; value?: string } | undefined;
    if (backend.header) {
      const value = await this.secrets.get(backendSecretKey(backend));
      // Named without a value, it is not sent, but a refusal says which header lacks one.
      header = { name: backend.header, value };
      if (!value) this.service.log.warn(`backend "${backend.name}" names the header ${backend.header} but no value is set for it; run "Trace Run: Set Backend Header Secret"`);
    }
    return new JaegerClient({ name: backend.name, url: backend.url, header }, { timeoutMs: this.settings.timeoutMs });
  }

  /** Adds fetched traces to the store (spans already held stay as they are); returns how many spans were added. */
  async add(remote: RemoteSpans, traceIds: readonly string[] = remote.traceIds): Promise<number> {
    const ws = await this.service.ensureStarted();
    for (const p of remote.problems) this.service.log.warn(`${remote.sources[0] ?? ''}: ${p}`);
    const previous = this.fetched.heldAs(remote)?.remote;
    // Chunks of an earlier fetch that this one did not reuse by name hold nothing now.
    for (const source of previous?.sources ?? []) if (!remote.sources.includes(source)) forgetMemorySource(source);
    for (const old of this.fetched.add(remote, traceIds)) {
      this.service.log.info(`letting go of ${old.traceIds.join(', ')} (fetched earliest) to keep fetched traces within ${REMOTE_HOLDINGS_BUDGET_BYTES / 1024 / 1024} MB`);
      for (const source of old.remote.sources) {
        ws.store.removeFile(source);
        forgetMemorySource(source);
      }
    }
    return replaceRemoteSpans(ws.store, previous, remote, this.fetched.heldAs(remote)?.traceIds ?? traceIds);
  }

  /** Fetches one trace from a backend into the store; a failure is logged and shown, naming the request. */
  async fetchTrace(backend: BackendSetting, traceId: string): Promise<boolean> {
    try {
      const client = await this.client(backend);
      const remote = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Fetching trace ${traceId.slice(0, 8)} from ${backend.name}` }, () => client.trace(traceId));
      await this.add(remote);
      return true;
    } catch (err) {
      this.report(err);
      return false;
    }
  }

  /** Logs a backend error and shows it with a way to the log, or for auth, to the secret. */
  report(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.service.log.error(message);
    if (err instanceof RemoteError && err.kind === 'cancelled') return;
    const actions = err instanceof RemoteError && err.kind === 'auth' ? ['Set Header Secret', 'Show Log'] : ['Show Log'];
    void vscode.window.showErrorMessage(`Trace Run: ${message}`, ...actions).then((choice) => {
      if (choice === 'Show Log') this.service.log.show(true);
      if (choice === 'Set Header Secret') void executeCommand(Commands.SetBackendHeaderSecret);
    });
  }

  /** Asks for a backend's header value (a password box) and keeps it in secret storage; empty removes it. */
  async promptHeaderSecret(): Promise<void> {
    const withHeader = this.backends.filter((b) => b.header);
    if (withHeader.length === 0) {
      void vscode.window.showInformationMessage(`No backend in ${settingId('backends')} names a "header". Add one, e.g. "header": "Authorization", then set its value here.`);
      return;
    }
    const backend =
      withHeader.length === 1
        ? withHeader[0]
        : (await vscode.window.showQuickPick(withHeader.map((b) => ({ label: b.name, description: `${b.header} · ${b.url}`, backend: b })), { title: 'Set Backend Header Secret', placeHolder: 'Which backend?' }))?.backend;
    if (!backend) return;
    const value = await vscode.window.showInputBox({
      title: `${backend.header} for ${backend.name}`,
      prompt: `Sent as the ${backend.header} header with every request to ${backend.url}, and nowhere else; kept in VS Code's secret storage. Empty removes it.`,
      placeHolder: backend.header?.toLowerCase() === 'authorization' ? 'Bearer …' : undefined,
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    if (value.trim() === '') await this.secrets.delete(backendSecretKey(backend));
    else await this.secrets.store(backendSecretKey(backend), value.trim());
  }

  private addBack(): void {
    for (const { remote, traceIds } of this.fetched.values()) addRemoteSpans(this.service.store, remote, traceIds);
  }

  private read(): RemoteSettings {
    const problems: string[] = [];
    const settings = readRemoteSettings(problems);
    for (const p of problems) this.service.log.warn(p);
    return settings;
  }
}
