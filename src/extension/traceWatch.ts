// The one trace workspace of a window and when its files are (re)read. No `vscode` import:
// the service adds progress, logging and diagnostics around it, and it is tested in Node.
import { Emitter, type Disposable, type Event } from '../core/util/event';
import { TraceWorkspace } from '../core/ingest/traceWorkspace';
import type { WatchOptions } from '../core/ingest/watcher';
import { FileTailer } from '../core/ingest/tailer';

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
  /** Files opened from outside the watched folders (Open Trace File…), by path. */
  private readonly openedFiles = new Map<string, FileTailer>();
  private readonly readEmitter = new Emitter<void>();
  /** Fires each time the files found by a (re)start have been read. */
  readonly onDidRead: Event<void> = this.readEmitter.event;

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
   * Reads one trace file into the model, wherever it is: a run saved elsewhere, opened with
   * Open Trace File…. It is taken as complete (not tailed), kept for the watch's life and
   * read again after a restart, which clears every file's runs. A file the watch already
   * reads is left to it.
   */
  async addFile(file: string): Promise<void> {
    const ws = await this.ensureStarted();
    if (ws.watchedFiles().includes(file)) return;
    this.openedFiles.get(file)?.dispose();
    ws.reset(file);
    const tailer = new FileTailer(file, ws, { complete: true, maxLineBytes: this.options().maxLineBytes });
    this.openedFiles.set(file, tailer);
    await tailer.poke();
  }

  dispose(): void {
    for (const tailer of this.openedFiles.values()) tailer.dispose();
    this.openedFiles.clear();
    this.readEmitter.dispose();
    this.workspace.dispose();
  }

  private async read(): Promise<void> {
    await this.around(async () => {
      await this.workspace.watch(this.options());
      for (const file of [...this.openedFiles.keys()]) await this.reopen(file);
    });
    this.hasReadOnce = true;
    this.readEmitter.fire();
  }

  private async reopen(file: string): Promise<void> {
    this.openedFiles.get(file)?.dispose();
    const tailer = new FileTailer(file, this.workspace, { complete: true, maxLineBytes: this.options().maxLineBytes });
    this.openedFiles.set(file, tailer);
    await tailer.poke();
  }
}
