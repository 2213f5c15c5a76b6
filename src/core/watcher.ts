import { watch, type FSWatcher } from 'chokidar';
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { Disposable } from './event';
import { FileTailer, type TailSink } from './tailer';

export interface WatchOptions {
  /** Absolute folders to watch (the workspace folders). */
  readonly folders: readonly string[];
  /** Globs relative to a folder, e.g. `**\/.tracerun/**\/*.jsonl`. */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Errors that are not about one line of one file (permissions, watcher limits). */
  readonly onError?: (message: string) => void;
}

/** Folders never worth watching: huge, and never where an app writes traces. */
const ALWAYS_EXCLUDED = ['**/node_modules/**', '**/.git/**'];

/**
 * Finds trace files under the workspace folders with chokidar and tails each one.
 * chokidar 4 takes no globs, so the patterns are matched here with picomatch.
 */
export class TraceFileWatcher implements Disposable {
  private watcher: FSWatcher | undefined;
  private readonly tailers = new Map<string, FileTailer>();
  private readonly isIncluded: (relative: string) => boolean;
  private readonly isExcluded: (relative: string) => boolean;

  constructor(private readonly options: WatchOptions, private readonly sink: TailSink) {
    this.isIncluded = picomatch([...options.include], { dot: true });
    const excluded = picomatch([...ALWAYS_EXCLUDED, ...options.exclude], { dot: true });
    // A folder counts as excluded when anything inside it would be.
    this.isExcluded = (relative) => excluded(relative) || excluded(`${relative}/`) || excluded(`${relative}/_`);
  }

  /** Resolves once the initial scan is done and every file found has been read. */
  async start(): Promise<void> {
    if (this.options.folders.length === 0) return;
    const watcher = watch([...this.options.folders], {
      ignoreInitial: false,
      ignored: (p, stats) => this.ignored(p, stats?.isFile()),
      followSymlinks: false,
    });
    this.watcher = watcher;
    watcher.on('add', (p) => void this.read(p));
    watcher.on('change', (p) => void this.read(p));
    watcher.on('unlink', (p) => this.forget(p));
    watcher.on('unlinkDir', (dir) => {
      for (const file of [...this.tailers.keys()]) if (file.startsWith(dir + path.sep)) this.forget(file);
    });
    watcher.on('error', (err) => this.options.onError?.(`watcher: ${err instanceof Error ? err.message : String(err)}`));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    await Promise.all([...this.tailers.values()].map((t) => t.poke()));
  }

  /** The files being tailed now. */
  files(): string[] {
    return [...this.tailers.keys()];
  }

  private relative(p: string): string | undefined {
    for (const folder of this.options.folders) {
      const rel = path.relative(folder, p);
      if (rel === '') return '';
      if (!rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
    }
    return undefined;
  }

  private ignored(p: string, isFile: boolean | undefined): boolean {
    const rel = this.relative(p);
    if (rel === undefined) return true;
    if (rel === '') return false;
    if (this.isExcluded(rel)) return true;
    return isFile === true && !this.isIncluded(rel);
  }

  private read(file: string): Promise<void> {
    const rel = this.relative(file);
    if (rel === undefined || !this.isIncluded(rel) || this.isExcluded(rel)) return Promise.resolve();
    let tailer = this.tailers.get(file);
    if (!tailer) this.tailers.set(file, (tailer = new FileTailer(file, this.sink)));
    return tailer.poke().catch((err) => this.options.onError?.(`${file}: ${err instanceof Error ? err.message : String(err)}`));
  }

  private forget(file: string): void {
    const tailer = this.tailers.get(file);
    if (!tailer) return;
    tailer.dispose();
    this.tailers.delete(file);
    this.sink.reset(file);
  }

  dispose(): void {
    for (const tailer of this.tailers.values()) tailer.dispose();
    this.tailers.clear();
    void this.watcher?.close();
    this.watcher = undefined;
  }
}
