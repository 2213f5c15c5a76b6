import * as path from 'node:path';
import * as vscode from 'vscode';
import { OtlpReceivers, type ReceiverStatus } from '../core/receiver/otlpReceivers';
import { TraceFileWriter } from '../core/receiver/traceFileWriter';
import { deleteOldReceiverFiles } from '../core/receiver/retention';
import type { Redactor } from '../core/privacy/redact';
import { RedactingLineSink } from '../core/privacy/redactingLineSink';
import { DisposableStore } from './disposable';
import { DEFAULT_HTTP_PORT } from '../core/config/defaults';
import { Commands } from './commandIds';
import { readConfigureTerminals, readReceiverSettings, settingId, updateSetting, type ReceiverSettings } from './settings';
import { httpEndpoint, setupSnippet } from './setupSnippet';
import { Throttle } from './throttle';

const TAKEOVER_RETRY_MS = 5000;
/** How often old receiver files are looked for: the day rolls over while VS Code stays open. */
const RETENTION_CHECK_MS = 60 * 60 * 1000;
const STATUS_REFRESH_MS = 250;

/**
 * Runs the loopback OTLP receivers for this window (trusted workspaces only) and shows
 * their state in the status bar. When another window already owns a port, this one keeps
 * showing runs from the files and takes the port over once it is free.
 */
export class ReceiverService extends DisposableStore {
  private receivers: OtlpReceivers | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  /**
   * The span counter is shown at once when a request comes after a quiet spell, and at most
   * every STATUS_REFRESH_MS during a burst, the last of which is always shown. (It used to
   * wait STATUS_REFRESH_MS after every first request, so the count lagged what was acknowledged.)
   */
  private readonly statusUpdates = this.register(new Throttle(() => this.showStatus(), STATUS_REFRESH_MS));
  private readonly warnedPorts = new Set<number>();
  private readonly statusItem = this.register(vscode.window.createStatusBarItem('tracerun.receiver', vscode.StatusBarAlignment.Right, 100));
  private settings: ReceiverSettings;
  private outputDir: string | undefined;
  private readonly receivedEmitter = this.register(new vscode.EventEmitter<number>());
  /** Fires with the span count of each request written. */
  readonly onDidReceiveSpans = this.receivedEmitter.event;
  private readonly endpointsEmitter = this.register(new vscode.EventEmitter<void>());
  /** Fires when a receiver starts or stops listening, or moves to another port. */
  readonly onDidChangeEndpoints = this.endpointsEmitter.event;
  private shownEndpoints = '';

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly fallbackDir: string,
    /** The `tracerun.redact` rules, for `tracerun.receiver.redactOnWrite`. */
    private readonly redactor?: () => Redactor,
  ) {
    super();
    this.statusItem.name = 'Trace Run Receiver';
    this.statusItem.command = Commands.ReceiverMenu;
    this.settings = this.readSettings();
    this.register({ dispose: () => this.stop() });
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(settingId('receiver'))) return;
        this.settings = this.readSettings();
        void this.restart();
      }),
    );
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.restart()));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.restart()));
  }

  /** Where accepted requests are written: `.tracerun` in the first workspace folder by default. */
  get traceDir(): string {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
    return path.resolve(folder ?? this.fallbackDir, this.settings.folder);
  }

  private readSettings(): ReceiverSettings {
    const problems: string[] = [];
    const settings = readReceiverSettings(problems);
    for (const p of problems) this.log.warn(p);
    return settings;
  }

  async start(): Promise<void> {
    if (this.receivers || this.isDisposed) return;
    if (!this.settings.enabled) return this.showStatus();
    if (!vscode.workspace.isTrusted) {
      this.log.info('OTLP receivers not started: the workspace is not trusted');
      return this.showStatus();
    }
    this.outputDir = this.traceDir;
    const receivers = new OtlpReceivers({
      sink: this.settings.redactOnWrite && this.redactor ? new RedactingLineSink(new TraceFileWriter({ dir: this.outputDir }), this.redactor) : new TraceFileWriter({ dir: this.outputDir }),
      httpPort: this.settings.port === 0 ? false : this.settings.port,
      grpcPort: this.settings.grpcPort === 0 ? false : this.settings.grpcPort,
      maxBodyBytes: this.settings.maxRequestMB * 1024 * 1024,
      onSpans: (count) => {
        this.scheduleStatus();
        this.receivedEmitter.fire(count);
      },
      onLog: (level, message) => this.log[level](message),
    });
    this.receivers = receivers;
    // A receiver starting is shown once start() is done, not as "not receiving" meanwhile.
    receivers.onDidChangeStatus((status) => status.state !== 'starting' && this.scheduleStatus());
    const statuses = await receivers.start();
    if (this.receivers !== receivers) return;
    this.log.info(`received traces are written to ${this.outputDir}`);
    void this.deleteOldFiles();
    this.retentionTimer ??= setInterval(() => void this.deleteOldFiles(), RETENTION_CHECK_MS);
    this.showStatus();
    this.handlePortsInUse(statuses);
  }

  private async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** `tracerun.receiver.keepDays`: the receivers' daily files older than that go. */
  private async deleteOldFiles(): Promise<void> {
    const dir = this.outputDir;
    if (!dir) return;
    const keepDays = this.settings.keepDays;
    for (const file of await deleteOldReceiverFiles(dir, keepDays, new Date())) {
      this.log.info(`deleted ${file}: older than ${keepDays} day(s) (tracerun.receiver.keepDays)`);
    }
  }

  private async stop(): Promise<void> {
    clearInterval(this.retentionTimer);
    this.retentionTimer = undefined;
    clearInterval(this.retryTimer);
    this.retryTimer = undefined;
    this.statusUpdates.cancel();
    const receivers = this.receivers;
    this.receivers = undefined;
    if (receivers) {
      await receivers.close();
      receivers.dispose();
    }
    if (!this.isDisposed) this.showStatus();
  }

  private handlePortsInUse(statuses: ReceiverStatus[]): void {
    const taken = statuses.filter((s) => s.state === 'port-in-use');
    if (taken.length === 0) return;
    // Another window (or collector) owns the port: show runs from the files, and try again
    // now and then so this window takes over when the owner closes.
    this.retryTimer ??= setInterval(() => void this.retryTakenPorts(), TAKEOVER_RETRY_MS);
    const fresh = taken.filter((s) => s.port !== undefined && !this.warnedPorts.has(s.port));
    if (fresh.length === 0) return;
    for (const s of fresh) this.warnedPorts.add(s.port!);
    const ports = fresh.map((s) => `${s.port} (${s.protocol === 'http' ? 'OTLP/HTTP' : 'OTLP/gRPC'})`).join(' and ');
    void vscode.window
      .showWarningMessage(
        `Trace Run: port ${ports} is already in use, probably by another VS Code window or a collector. This window still shows the runs written to the watched files, and takes the port over when it is free.`,
        'Use Another Port…',
        'Just Watch Files',
      )
      .then((choice) => {
        if (choice === 'Use Another Port…') void this.pickPort(fresh[0]);
        if (choice === 'Just Watch Files') void updateSetting('receiver.enabled', false);
      });
  }

  private async retryTakenPorts(): Promise<void> {
    const receivers = this.receivers;
    if (!receivers) return;
    const statuses = await receivers.start();
    if (!statuses.some((s) => s.state === 'port-in-use')) {
      clearInterval(this.retryTimer);
      this.retryTimer = undefined;
      this.log.info('took over the OTLP receiver port(s)');
    }
    this.showStatus();
  }

  private async pickPort(status: ReceiverStatus): Promise<void> {
    const key = status.protocol === 'http' ? 'receiver.port' : 'receiver.grpcPort';
    const value = await vscode.window.showInputBox({
      title: `Trace Run: ${status.protocol === 'http' ? 'OTLP/HTTP' : 'OTLP/gRPC'} receiver port`,
      value: String((status.port ?? DEFAULT_HTTP_PORT) + 10),
      validateInput: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? undefined : 'A port number from 1 to 65535'),
    });
    if (value) await updateSetting(key, Number(value));
  }

  private scheduleStatus(): void {
    if (!this.isDisposed) this.statusUpdates.schedule();
  }

  /** The endpoints exporters can use now (undefined where a receiver is not listening). */
  endpoints(): { httpPort: number | undefined; grpcPort: number | undefined } {
    const statuses = this.receivers?.statuses() ?? [];
    const port = (protocol: string) => statuses.find((s) => s.protocol === protocol && s.state === 'listening')?.port;
    return { httpPort: port('http'), grpcPort: port('grpc') };
  }

  private showStatus(): void {
    const endpoints = JSON.stringify(this.endpoints());
    if (endpoints !== this.shownEndpoints) {
      this.shownEndpoints = endpoints;
      this.endpointsEmitter.fire();
    }
    const item = this.statusItem;
    const statuses = this.receivers?.statuses() ?? [];
    const listening = statuses.filter((s) => s.state === 'listening');
    const taken = statuses.filter((s) => s.state === 'port-in-use');
    const count = this.receivers?.spanCount ?? 0;
    const tooltip = new vscode.MarkdownString(undefined, true);
    item.backgroundColor = undefined;
    if (listening.length > 0) {
      const http = listening.find((s) => s.protocol === 'http');
      item.text = `$(radio-tower) ${http ? `:${http.port}` : 'OTLP'} · ${count.toLocaleString()} span${count === 1 ? '' : 's'}`;
      tooltip.appendMarkdown(`**Trace Run is receiving traces**\n\n`);
      for (const s of listening) tooltip.appendMarkdown(`- ${s.protocol === 'http' ? 'OTLP/HTTP' : 'OTLP/gRPC'}: \`${httpEndpoint(s.port!)}\`\n`);
      for (const s of taken) tooltip.appendMarkdown(`- ${s.protocol === 'http' ? 'OTLP/HTTP' : 'OTLP/gRPC'}: port ${s.port} in use elsewhere\n`);
      tooltip.appendMarkdown(`\n${count.toLocaleString()} spans received this session, written to \`${this.outputDir}\`.\n\nClick for the endpoint, the setup snippet and terminal variables.`);
    } else if (taken.length > 0) {
      item.text = `$(radio-tower) Trace Run: port in use`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      tooltip.appendMarkdown(`Port ${taken.map((s) => s.port).join(', ')} is in use by another process; watching files only. Retrying every ${TAKEOVER_RETRY_MS / 1000}s.`);
    } else {
      item.text = `$(circle-slash) Trace Run: not receiving`;
      const why = !this.settings.enabled
        ? 'The OTLP receivers are turned off (`tracerun.receiver.enabled`).'
        : !vscode.workspace.isTrusted
          ? 'The OTLP receivers only run in trusted workspaces.'
          : (statuses.find((s) => s.error)?.error ?? 'The OTLP receivers are not running.');
      tooltip.appendMarkdown(`${why} Trace files in the workspace are still watched.`);
    }
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: item.text.replace(/\$\([^)]+\)\s*/g, '') };
    item.show();
  }

  async copyEndpoint(): Promise<void> {
    const { httpPort, grpcPort } = this.endpoints();
    if (httpPort === undefined && grpcPort === undefined) {
      void vscode.window.showWarningMessage('Trace Run is not receiving traces in this window; see the status bar for why.');
      return;
    }
    const endpoint = httpEndpoint(httpPort ?? grpcPort!);
    await vscode.env.clipboard.writeText(endpoint);
    void vscode.window.showInformationMessage(
      `Copied ${endpoint}: set OTEL_EXPORTER_OTLP_ENDPOINT to it with OTEL_EXPORTER_OTLP_PROTOCOL=${httpPort !== undefined ? 'http/protobuf' : 'grpc'}.`,
    );
  }

  async showSetupSnippet(): Promise<void> {
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: setupSnippet(this.endpoints(), readConfigureTerminals()) });
    await vscode.window.showTextDocument(document, { preview: true });
  }
}
