import { watch, type FSWatcher } from 'chokidar';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { DATASETS_FOLDER, DEFAULT_WATCH } from '../config/defaults';
import type { Disposable } from '../util/event';
import { FileTailer, type IndexingSink, type TailSink } from './tailer';
import { deleteFileIndex, fileEdges, FILE_INDEX_VERSION, readFileIndex, writeFileIndex } from '../history/fileIndex';
import { entryRole, SKIPPED_FOLDER_NAMES } from './traceEntries';

export interface WatchOptions {
  /** Absolute folders to watch (the workspace folders). */
  readonly folders: readonly string[];
  /** Globs relative to a folder, e.g. `**\/.tracerun/**\/*.jsonl`; `DEFAULT_INCLUDE` when absent. */
  readonly include?: readonly string[];
  /** Globs of files and folders never to watch, on top of `node_modules` and `.git`. */
  readonly exclude?: readonly string[];
  /** Errors that are not about one line of one file (permissions, watcher limits). */
  readonly onError?: (message: string) => void;
  /** Longest line read, in bytes; the tailer's default (`DEFAULT_MAX_LINE_BYTES`) when absent. */
  readonly maxLineBytes?: number;
  /**
   * Called after each file found at start has been read, newest first, with how many of them
   * are read: the newest runs can be listed long before a month of files is read. The next
   * file waits for a returned promise, so listing them does not wait behind the older files.
   */
  readonly onInitialFileRead?: (file: string, read: number, total: number) => void | Promise<void>;
  /**
   * A folder for the files' indexes (the extension's storage): a file found at start whose
   * index still matches it is not read again, and one read whole gets its index written.
   */
  readonly indexDir?: string;
  /**
   * Told how each file found at start was had: from its index, or read (and indexed or not);
   * `why` says why an index was not used.
   */
  readonly onIndex?: (file: string, how: 'reused' | 'written' | 'not indexed', why?: string) => void;
}

/** The default of the `tracerun.watch` setting. */
export const DEFAULT_INCLUDE: readonly string[] = DEFAULT_WATCH;

/**
 * chokidar emits at most one `change` per file every 50 ms and drops the rest (no trailing
 * event), so a line written just after a change would wait for the next write. Each change
 * therefore also schedules one more read this long after it.
 */
const TRAILING_READ_MS = 75;

// Dataset records sit under `.tracerun/`, which the default globs watch: never traces.
const ALWAYS_EXCLUDED = [...SKIPPED_FOLDER_NAMES.map((name) => `**/${name}/**`), `**/${DATASETS_FOLDER}/**`];

/**
 * chokidar stops watching a workspace folder that is removed, and never notices it come
 * back: until it does, its existence is checked this often.
 */
const FOLDER_RETURN_POLL_MS = 1000;

/**
 * Finds trace files under the workspace folders with chokidar and tails each one.
 * chokidar 4 takes no globs, so the patterns are matched here with picomatch.
 */
export class TraceFileWatcher implements Disposable {
  private watcher: FSWatcher | undefined;
  private readonly tailers = new Map<string, FileTailer>();
  private readonly trailingReads = new Map<string, NodeJS.Timeout>();
  /** Removed workspace folders being waited for, by folder. */
  private readonly folderReturns = new Map<string, NodeJS.Timeout>();
  /** Ends a start() still waiting for the initial scan when the watcher is disposed first. */
  private cancelStart: (() => void) | undefined;
  /** Files found by the initial scan, read once it is over, newest first; undefined after. */
  private initialFiles: Set<string> | undefined = new Set();
  private disposed = false;
  private readonly isIncluded: (relative: string) => boolean;
  private readonly isExcluded: (relative: string) => boolean;

  constructor(private readonly options: WatchOptions, private readonly sink: TailSink) {
    this.isIncluded = picomatch([...(options.include ?? DEFAULT_INCLUDE)], { dot: true });
    const excluded = picomatch([...ALWAYS_EXCLUDED, ...(options.exclude ?? [])], { dot: true });
    // A folder counts as excluded when anything inside it would be.
    this.isExcluded = (relative) => excluded(relative) || excluded(`${relative}/`) || excluded(`${relative}/_`);
  }

  /** Resolves once the initial scan is done and every file found has been read. */
  async start(): Promise<void> {
    if (this.options.folders.length === 0) return;
    const watcher = watch([...this.options.folders], {
      ignoreInitial: false,
      ignored: (p, stats) => this.ignored(p, stats),
      followSymlinks: false,
    });
    this.watcher = watcher;
    watcher.on('add', (p) => {
      if (this.initialFiles) this.initialFiles.add(p);
      else void this.read(p);
    });
    watcher.on('change', (p) => {
      void this.read(p);
      this.readAgainSoon(p);
    });
    // The raw fs.watch events are not throttled: they make an append show within a blink.
    // A poke during a read only asks for one more pass, so bursts cost nothing extra.
    watcher.on('raw', (_event, evPath, details: unknown) => {
      const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
      if (!watched) return;
      const file = this.tailers.has(watched) ? watched : evPath ? path.join(watched, evPath) : undefined;
      if (file !== undefined && this.tailers.has(file)) void this.read(file);
    });
    watcher.on('unlink', (p) => this.forget(p));
    watcher.on('unlinkDir', (dir) => {
      for (const file of [...this.tailers.keys()]) if (file.startsWith(dir + path.sep)) this.forget(file);
      if (this.options.folders.some((folder) => path.resolve(folder) === path.resolve(dir))) this.awaitFolderReturn(dir);
    });
    watcher.on('error', (err) => this.options.onError?.(`watcher: ${err instanceof Error ? err.message : String(err)}`));
    await new Promise<void>((resolve) => {
      this.cancelStart = resolve;
      watcher.once('ready', () => resolve());
    });
    this.cancelStart = undefined;
    await this.readInitialFiles();
  }

  /**
   * Reads the files found at start one after another, the most recently modified first: the
   * newest runs are in the newest files (the receiver writes one a day), so they show first.
   * Events for a file during this pass are reads of it like any other.
   */
  private async readInitialFiles(): Promise<void> {
    const found = [...(this.initialFiles ?? [])];
    const modified = new Map<string, number>();
    await Promise.all(found.map(async (file) => modified.set(file, await fs.stat(file).then((s) => s.mtimeMs, () => 0))));
    found.sort((a, b) => modified.get(b)! - modified.get(a)! || (a < b ? 1 : a > b ? -1 : 0));
    this.initialFiles = undefined;
    let read = 0;
    for (const file of found) {
      if (this.disposed) return;
      const indexDir = this.options.indexDir;
      const stale = indexDir ? await this.restoreFromIndex(indexDir, file) : undefined;
      if (indexDir && stale === undefined) this.options.onIndex?.(file, 'reused');
      else {
        // read() already reported any failure through onError; one unreadable file must not fail the rest.
        await this.read(file);
        if (indexDir) {
          const how = await this.writeIndex(indexDir, file);
          if (how === 'written') (this.sink as Partial<IndexingSink>).initialReadIndexed?.(file);
          this.options.onIndex?.(file, how, stale);
        }
      }
      await this.options.onInitialFileRead?.(file, ++read, found.length);
    }
  }

  /** Takes the file's runs from its index when it matches the file; else says why not (read the file). */
  private async restoreFromIndex(dir: string, file: string): Promise<string | undefined> {
    const sink = this.sink as Partial<IndexingSink>;
    const rel = this.relative(file);
    if (!sink.restore || rel === undefined || !this.isIncluded(rel) || this.isExcluded(rel)) return 'not watched';
    const found = await readFileIndex(dir, file);
    if ('stale' in found) return found.stale;
    const index = found.index;
    if (this.disposed || this.tailers.has(file)) return 'already being read';
    const tailer = new FileTailer(file, this.sink, { maxLineBytes: this.options.maxLineBytes });
    try {
      await tailer.resumeAt(index.size, index.lines, index.inode);
    } catch {
      return 'it could not be read';
    }
    this.tailers.set(file, tailer);
    sink.restore(file, index);
    // Anything appended since the index was written (nothing, when it matched) is read now.
    await this.read(file);
    return undefined;
  }

  /** Writes the index of a file just read whole, when it can be indexed. */
  private async writeIndex(dir: string, file: string): Promise<'written' | 'not indexed'> {
    const sink = this.sink as Partial<IndexingSink>;
    await sink.prepareIndex?.(file);
    const position = this.tailers.get(file)?.position();
    const content = position && sink.indexContent?.(file);
    if (!position || !content) return 'not indexed';
    try {
      const stat = await fs.stat(file);
      if (stat.size !== position.offset || stat.ino !== position.inode) return 'not indexed';
      await writeFileIndex(dir, {
        version: FILE_INDEX_VERSION,
        file,
        size: stat.size,
        mtimeMs: stat.mtimeMs,
        inode: stat.ino,
        edges: await fileEdges(file, stat.size),
        lines: position.lines,
        ...content,
      });
      return 'written';
    } catch (err) {
      this.options.onError?.(`${file}: its index could not be written: ${err instanceof Error ? err.message : String(err)}`);
      return 'not indexed';
    }
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

  /** `stats` is the entry's own (links not followed); absent on chokidar's first look. */
  private ignored(p: string, stats: { isDirectory(): boolean } | undefined): boolean {
    const rel = this.relative(p);
    if (rel === undefined) return true;
    if (rel === '') return false;
    if (this.isExcluded(rel)) return true;
    return stats !== undefined && entryRole(path.basename(p), stats) === 'try' && !this.isIncluded(rel);
  }

  /** Watches a removed workspace folder again once it is back, reading what it then holds. */
  private awaitFolderReturn(folder: string): void {
    if (this.folderReturns.has(folder)) return;
    const check = (): void => {
      fs.stat(folder).then(
        (stat) => {
          if (!this.folderReturns.has(folder)) return;
          if (!stat.isDirectory()) return void this.folderReturns.set(folder, setTimeout(check, FOLDER_RETURN_POLL_MS));
          this.folderReturns.delete(folder);
          this.watcher?.add(folder);
        },
        () => {
          if (this.folderReturns.has(folder)) this.folderReturns.set(folder, setTimeout(check, FOLDER_RETURN_POLL_MS));
        },
      );
    };
    this.folderReturns.set(folder, setTimeout(check, FOLDER_RETURN_POLL_MS));
  }

  private read(file: string): Promise<void> {
    const rel = this.relative(file);
    if (rel === undefined || !this.isIncluded(rel) || this.isExcluded(rel)) return Promise.resolve();
    let tailer = this.tailers.get(file);
    if (!tailer) this.tailers.set(file, (tailer = new FileTailer(file, this.sink, { maxLineBytes: this.options.maxLineBytes })));
    const t = tailer;
    return t
      .poke()
      .then(() => {
        // An event may come for a file already gone (deleted, or renamed by rotation).
        if (t.missing && this.tailers.get(file) === t) this.forget(file);
      })
      .catch((err) => this.options.onError?.(`${file}: ${err instanceof Error ? err.message : String(err)}`));
  }

  private readAgainSoon(file: string): void {
    clearTimeout(this.trailingReads.get(file));
    const timer = setTimeout(() => {
      this.trailingReads.delete(file);
      if (this.tailers.has(file)) void this.read(file);
    }, TRAILING_READ_MS);
    this.trailingReads.set(file, timer);
  }

  private forget(file: string): void {
    // The file is gone: so is what its index said.
    if (this.options.indexDir) void deleteFileIndex(this.options.indexDir, file).catch(() => undefined);
    clearTimeout(this.trailingReads.get(file));
    this.trailingReads.delete(file);
    const tailer = this.tailers.get(file);
    if (!tailer) return;
    tailer.dispose();
    this.tailers.delete(file);
    this.sink.reset(file);
  }

  dispose(): void {
    this.disposed = true;
    for (const tailer of this.tailers.values()) tailer.dispose();
    this.tailers.clear();
    for (const timer of this.trailingReads.values()) clearTimeout(timer);
    this.trailingReads.clear();
    for (const timer of this.folderReturns.values()) clearTimeout(timer);
    this.folderReturns.clear();
    void this.watcher?.close();
    this.watcher = undefined;
    this.cancelStart?.();
  }
}
