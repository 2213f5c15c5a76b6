// The one trace workspace of a window and when its files are (re)read. No `vscode` import:
// the service adds progress, logging and diagnostics around it, and it is tested in Node.
import { Emitter, type Disposable, type Event } from '../core/util/event';
import { TraceWorkspace } from '../core/ingest/traceWorkspace';
import type { WatchOptions } from '../core/ingest/watcher';

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

  dispose(): void {
    this.readEmitter.dispose();
    this.workspace.dispose();
  }

  private async read(): Promise<void> {
    await this.around(() => this.workspace.watch(this.options()));
    this.hasReadOnce = true;
    this.readEmitter.fire();
  }
}
