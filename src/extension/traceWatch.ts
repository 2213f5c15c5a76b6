// The one trace workspace of a window and when its files are (re)read. No `vscode` import:
// the service adds progress, logging and diagnostics around it, and it is tested in Node.
import { Emitter, type Disposable, type Event } from '../core/util/event';
import * as path from 'node:path';
import { FileTailer } from '../core/ingest/tailer';
import { TraceWorkspace } from '../core/ingest/traceWorkspace';
import type { WatchOptions } from '../core/ingest/watcher';

/** Longest the rest of a long history waits for the Runs view's first page to be shown. */
const FIRST_PAGE_WAIT_MS = 3000;

/**
 * Owns one `TraceWorkspace` for its whole life, so views subscribe to its store once: a
 * restart (other watch settings, folders) re-reads the files into the same store, which
 * tells its listeners what was removed and added like any other change.
 */
export class TraceWatch implements Disposable {
  readonly workspace = new TraceWorkspace();
  readonly store = this.workspace.store;
  private reading: Promise<void> | undefined;
  private restartQueued = false;
  private hasReadOnce = false;
  private readonly readEmitter = new Emitter<void>();
  /** Files read besides the watched ones (the bundled sample, Open Trace File…), each with its tailer once read. */
  private readonly extraFiles = new Map<string, FileTailer | undefined>();
  /** Fires each time the files found by a (re)start have been read. */
  readonly onDidRead: Event<void> = this.readEmitter.event;
  private readonly readSomeEmitter = new Emitter<{ readonly read: number; readonly total: number }>();
  /** Fires after each file found by a (re)start is read, newest first, while they are read. */
  readonly onDidReadSome: Event<{ readonly read: number; readonly total: number }> = this.readSomeEmitter.event;
  /** Resolves once the first read has the newest `listedRuns` runs, or has read everything. */
  private listed: Promise<void> | undefined;
  private resolveListed: (() => void) | undefined;
  /** Runs enough for a first listing: the Runs view's first page. */
  listedRuns = 200;
  private firstPageShown: (() => void) | undefined;

  constructor(
    /** The folders and globs to watch, as they are when a (re)start begins. */
    private readonly options: () => WatchOptions,
    /** Wraps each read (progress, logging); by default just runs it. */
    private readonly around: (read: () => Promise<void>) => Promise<void> = (read) => read(),
  ) {}

  /** Whether watching was asked for (it may still be reading). */
  get started(): boolean {
    return this.reading !== undefined;
  }

  /** Whether the first read is done: before that, the store is still filling up. */
  get ready(): boolean {
    return this.hasReadOnce;
  }

  /**
   * Starts watching on the first call; resolves once the newest files found hold `listedRuns`
   * runs (or all are read): the Runs view lists those while older files are still read.
   */
  async ensureListed(): Promise<TraceWorkspace> {
    this.listed ??= new Promise<void>((resolve) => (this.resolveListed = resolve));
    const reading = (this.reading ??= this.read());
    await Promise.race([this.listed, reading]);
    return this.workspace;
  }

  /** The first page of runs is on screen: the rest of the files found at start are read now. */
  shownFirstPage(): void {
    this.firstPageShown?.();
    this.firstPageShown = undefined;
  }

  /** Starts watching on the first call; resolves once the files found then are read. */
  async ensureStarted(): Promise<TraceWorkspace> {
    await (this.reading ??= this.read());
    return this.workspace;
  }

  /**
   * Watches again with the options of the moment, once any read under way is done; restarts
   * asked for meanwhile are one. Nothing happens before the first start.
   */
  restart(): Promise<void> {
    const current = this.reading;
    if (!current) return Promise.resolve();
    if (this.restartQueued) return current;
    this.restartQueued = true;
    const next = current
      .catch(() => undefined)
      .then(() => {
        this.restartQueued = false;
        return this.read();
      });
    this.reading = next;
    return next;
  }

  /**
   * Reads one more file into the store, outside the workspace and its watch settings: the
   * bundled sample, which must show in a window with no trace files, or no folder at all.
   * It is read once (it does not change) and again after every restart, which forgets every
   * file's spans. Starts watching if nobody has yet; resolves once the file is read.
   */
  async addFile(file: string): Promise<TraceWorkspace> {
    file = path.resolve(file);
    if (this.extraFiles.has(file)) return this.ensureStarted();
    this.extraFiles.set(file, undefined);
    // A first start reads the extra files itself; otherwise queue behind any read under way,
    // so a restart's reset cannot land between this read and its caller looking at the store.
    if (!this.reading) return this.ensureStarted();
    const next = this.reading.catch(() => undefined).then(() => this.readExtraFile(file));
    this.reading = next;
    await next;
    return this.workspace;
  }

  /** Whether `file` is one of the files added with `addFile`. */
  isExtraFile(file: string): boolean {
    return this.extraFiles.has(path.resolve(file));
  }

  dispose(): void {
    for (const tailer of this.extraFiles.values()) tailer?.dispose();
    this.extraFiles.clear();
    this.readEmitter.dispose();
    this.readSomeEmitter.dispose();
    this.workspace.dispose();
  }

  private async read(): Promise<void> {
    await this.around(async () => {
      const options = this.options();
      await this.workspace.watch({
        ...options,
        onInitialFileRead: (file, read, total) => {
          options.onInitialFileRead?.(file, read, total);
          this.readSomeEmitter.fire({ read, total });
          if (this.store.traceCount < this.listedRuns || !this.resolveListed) return;
          this.resolveListed();
          this.resolveListed = undefined;
          // The older files wait while the first page is listed and its previews read (they
          // would otherwise queue behind every chunk of a month of files), a few seconds at most.
          return new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, FIRST_PAGE_WAIT_MS);
            this.firstPageShown = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        },
      });
      for (const file of this.extraFiles.keys()) await this.readExtraFile(file);
    });
    this.hasReadOnce = true;
    this.resolveListed?.();
    this.readEmitter.fire();
  }

  private async readExtraFile(file: string): Promise<void> {
    this.extraFiles.get(file)?.dispose();
    this.extraFiles.set(file, undefined);
    // Inside a watched folder (the extension's own repository) the watcher reads it already.
    if (this.workspace.watchedFiles().some((f) => path.resolve(f) === file)) return;
    this.workspace.reset(file);
    // Taken as complete: read to its last line, newline or not.
    const tailer = new FileTailer(file, this.workspace, { complete: true, maxLineBytes: this.options().maxLineBytes });
    this.extraFiles.set(file, tailer);
    await tailer.poke();
  }
}
