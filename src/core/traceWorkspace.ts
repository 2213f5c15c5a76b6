import { Emitter, type Disposable } from './event';
import type { SpanRecord } from './span';
import type { TailSink, TraceProblem } from './tailer';
import { TraceStore } from './traceStore';
import { TraceFileWatcher, type WatchOptions } from './watcher';

/**
 * The live model of a workspace's traces: watched files feeding one store, plus the lines
 * that could not be read. What the extension shows and what the benchmarks measure.
 */
export class TraceWorkspace implements Disposable, TailSink {
  readonly store = new TraceStore();
  private readonly problemsByFile = new Map<string, TraceProblem[]>();
  private readonly problemEmitter = new Emitter<TraceProblem | { file: string; cleared: true }>();
  /** Fires for each new problem, and when a file's problems are cleared by a re-read. */
  readonly onDidChangeProblems = this.problemEmitter.event;
  private watcher: TraceFileWatcher | undefined;

  /** (Re)starts watching; resolves once the files found at start are read. */
  async watch(options: WatchOptions): Promise<void> {
    this.watcher?.dispose();
    for (const file of new Set([...this.problemsByFile.keys(), ...this.store.files()])) this.reset(file);
    this.watcher = new TraceFileWatcher(options, this);
    await this.watcher.start();
  }

  watchedFiles(): string[] {
    return this.watcher?.files() ?? [];
  }

  problems(): TraceProblem[] {
    return [...this.problemsByFile.values()].flat();
  }

  spans(file: string, spans: SpanRecord[]): void {
    this.store.addSpans(file, spans);
  }

  reset(file: string): void {
    this.store.removeFile(file);
    if (this.problemsByFile.delete(file)) this.problemEmitter.fire({ file, cleared: true });
  }

  problem(problem: TraceProblem): void {
    let list = this.problemsByFile.get(problem.file);
    if (!list) this.problemsByFile.set(problem.file, (list = []));
    list.push(problem);
    this.problemEmitter.fire(problem);
  }

  dispose(): void {
    this.watcher?.dispose();
    this.problemEmitter.dispose();
    this.store.dispose();
  }
}
