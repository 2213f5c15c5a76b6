import * as path from 'node:path';
import { deleteUnusedIndexes } from '../core/history/fileIndex';

/** Indexes of trace files not used for this long are deleted (their files are likely gone). */
const UNUSED_INDEX_DAYS = 60;
import * as vscode from 'vscode';
import { MAX_PROBLEMS_PER_FILE, type ProblemChange, type TraceWorkspace } from '../core/ingest/traceWorkspace';
import type { WatchOptions } from '../core/ingest/watcher';
import type { TraceStore } from '../core/model/traceStore';
import { DisposableStore } from './disposable';
import { readSettings, SECTION, type TraceRunSettings } from './settings';
import { TraceWatch } from './traceWatch';

/**
 * Owns the live trace model of this window: starts watching on first need (a view or
 * command), restarts when the watch settings or workspace folders change, and reports
 * unreadable lines to the log, the Problems panel and once per file as a warning.
 */
export class TraceRunService extends DisposableStore {
  private readonly watch: TraceWatch;
  /** The trace model of this window, the same object for the service's whole life. */
  readonly workspace: TraceWorkspace;
  readonly store: TraceStore;
  private readonly diagnostics = this.register(vscode.languages.createDiagnosticCollection('tracerun'));
  private readonly warnedFiles = new Set<string>();
  private readonly problemsEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeProblems = this.problemsEmitter.event;
  /** Fires each time the files found by a (re)start have been read. */
  readonly onDidReadFiles: vscode.Event<void>;
  /** Fires after each file found at start is read (newest first), while the rest are read. */
  readonly onDidReadSomeFiles: vscode.Event<{ readonly read: number; readonly total: number }>;
  private readonly settingsEmitter = this.register(new vscode.EventEmitter<void>());
  /** Fires after `settings` was re-read because a `tracerun.*` setting changed. */
  readonly onDidChangeSettings = this.settingsEmitter.event;
  settings: TraceRunSettings;

  constructor(
    readonly log: vscode.LogOutputChannel,
    /** Watched when no folder is open: where the receivers write then. */
    private readonly fallbackDir: string,
    /** Where the trace files' indexes are kept (the extension's storage); none: no indexes. */
    private readonly indexDir?: string,
  ) {
    super();
    this.settings = this.readSettingsLogged();
    this.watch = this.register(new TraceWatch(() => this.watchOptions(), (read) => this.readWithProgress(read)));
    this.workspace = this.watch.workspace;
    this.store = this.watch.store;
    this.onDidReadFiles = this.watch.onDidRead;
    this.onDidReadSomeFiles = this.watch.onDidReadSome;
    this.watch.listedRuns = this.settings.pageSize;
    this.store.setMemoryBudget(this.settings.memoryBudgetMB);
    this.register(this.workspace.onDidChangeProblems((p) => this.onProblem(p)));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SECTION)) return;
        const before = this.settings;
        this.settings = this.readSettingsLogged();
        const watchChanged =
          String(before.watch) !== String(this.settings.watch) || String(before.exclude) !== String(this.settings.exclude) || before.maxLineMB !== this.settings.maxLineMB;
        this.watch.listedRuns = this.settings.pageSize;
        if (before.memoryBudgetMB !== this.settings.memoryBudgetMB) this.store.setMemoryBudget(this.settings.memoryBudgetMB);
        if (watchChanged) this.restart();
        this.settingsEmitter.fire();
      }),
    );
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.restart()));
  }

  /** Whether the files found at the first start have been read (the store is filled). */
  get ready(): boolean {
    return this.watch.ready;
  }

  /** Whether watching has started: before, nothing is read and the store is empty. */
  get started(): boolean {
    return this.watch.started;
  }

  /** The workspace model once the newest runs are in, started on first call (see `TraceWatch.ensureListed`). */
  ensureListed(): Promise<TraceWorkspace> {
    return this.watch.ensureListed();
  }

  /** The Runs view shows its first page: the rest of the files found at start are read now. */
  shownFirstPage(): void {
    this.watch.shownFirstPage();
  }

  /** The workspace model, started on first call. */
  ensureStarted(): Promise<TraceWorkspace> {
    return this.watch.ensureStarted();
  }

  /**
   * Reads one more file into the model, read-only and outside the watch settings (the
   * bundled sample); starts watching if nothing has yet. Resolves once it is read.
   */
  async addFile(file: string): Promise<TraceWorkspace> {
    this.log.info(`reading ${file}`);
    return this.watch.addFile(file);
  }

  /** Reads a trace file from anywhere into the model (Open Trace File…). */
  async openFile(file: string): Promise<void> {
    await this.addFile(file);
  }

  /** Whether `file` was added with `addFile` rather than found by watching. */
  isExtraFile(file: string): boolean {
    return this.watch.isExtraFile(file);
  }

  /** How the files of the last (re)start were had, for the log. */
  private indexUse: Record<'reused' | 'written' | 'not indexed', number> & { firstStale?: string } = { reused: 0, written: 0, 'not indexed': 0 };

  private readSettingsLogged(): TraceRunSettings {
    const problems: string[] = [];
    const settings = readSettings(problems);
    for (const p of problems) this.log.warn(p);
    return settings;
  }

  private restart(): void {
    if (!this.watch.started) return;
    this.log.info('watch settings or folders changed; re-reading trace files');
    void this.watch.restart();
  }

  private watchOptions(): WatchOptions {
    const open = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const folders = open.length > 0 ? open : [this.fallbackDir];
    this.log.info(`watching ${folders.length} folder(s) for ${this.settings.watch.join(', ')}`);
    this.indexUse = { reused: 0, written: 0, 'not indexed': 0 };
    if (this.indexDir) {
      this.log.info(`trace file indexes are kept in ${this.indexDir}`);
      const dir = this.indexDir;
      void deleteUnusedIndexes(dir, UNUSED_INDEX_DAYS).then((n) => n > 0 && this.log.info(`deleted ${n} trace file index(es) unused for ${UNUSED_INDEX_DAYS} days`));
    }
    return {
      folders,
      include: this.settings.watch,
      exclude: this.settings.exclude,
      maxLineBytes: this.settings.maxLineMB * 1024 * 1024,
      onError: (m) => this.log.error(m),
      indexDir: this.indexDir,
      onIndex: (file, how, why) => {
        this.indexUse[how]++;
        const read = why ? `read (${why})` : 'read';
        this.log.debug(`${file}: ${how === 'reused' ? 'its runs taken from its index' : how === 'written' ? `${read}; index written` : `${read}; not indexed`}`);
        if (why && why !== 'no index yet' && !this.indexUse.firstStale) this.indexUse.firstStale = `${path.basename(file)}: ${why}`;
      },
    };
  }

  private async readWithProgress(read: () => Promise<void>): Promise<void> {
    this.diagnostics.clear();
    this.warnedFiles.clear();
    const started = Date.now();
    await vscode.window.withProgress({ location: { viewId: 'tracerun.runs' }, title: 'Reading trace files' }, read);
    const files = this.workspace.watchedFiles();
    const index = this.indexUse;
    this.log.info(
      `read ${files.length} trace file(s), ${this.store.traceCount} run(s) in ${Date.now() - started} ms` +
        (index.reused + index.written > 0 ? ` (${index.reused} from their index, ${index.written} indexed now${index.firstStale ? `; not from its index: ${index.firstStale}` : ''})` : ''),
    );
    for (const f of files) this.log.debug(`tailing ${f}`);
  }

  private onProblem(p: ProblemChange): void {
    const uri = vscode.Uri.file(p.file);
    if ('cleared' in p) {
      this.diagnostics.delete(uri);
      this.warnedFiles.delete(p.file);
      this.problemsEmitter.fire();
      return;
    }
    if ('notKept' in p) {
      if (p.notKept === 1) this.log.warn(`${vscode.workspace.asRelativePath(p.file)}: more unreadable lines; only the first ${MAX_PROBLEMS_PER_FILE} are listed, the rest are counted`);
      this.problemsEmitter.fire();
      return;
    }
    const where = `${vscode.workspace.asRelativePath(p.file)}:${p.line}`;
    this.log.warn(`${where}: ${p.message} (line skipped)`);
    const line = Math.max(0, p.line - 1);
    const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), p.message, vscode.DiagnosticSeverity.Warning);
    diagnostic.source = 'Trace Run';
    this.diagnostics.set(uri, [...(this.diagnostics.get(uri) ?? []), diagnostic]);
    this.problemsEmitter.fire();
    if (!this.warnedFiles.has(p.file)) {
      this.warnedFiles.add(p.file);
      void vscode.window
        .showWarningMessage(`Trace Run: line ${p.line} of ${path.basename(p.file)} could not be read (${p.message}). The other lines were read.`, 'Open File', 'Show Log')
        .then((choice) => {
          if (choice === 'Show Log') this.log.show(true);
          if (choice === 'Open File') void vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0) });
        });
    }
  }
}
