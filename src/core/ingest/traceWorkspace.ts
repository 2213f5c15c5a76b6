import { Emitter, type Disposable } from '../util/event';
import type { SpanRecord } from '../model/span';
import type { LogRecordRef } from '../model/logRecords';
import type { IndexingSink, TraceProblem } from './tailer';
import type { FileIndex } from '../history/fileIndex';
import { knownSession, sessionOf } from '../runs/sessions';
import { knownTraceTokens, latestTraceTokens, traceTokens } from '../genai/traceTokens';
import { knownLlmCalls, llmCallsForIndex, runFacts } from '../runs/runFacts';
import { cachedRunDigest, digestsToJson, digestToText, knownDigest, runDigestSteps, type RunDigest } from '../source/runDigest';
import { runSteps, runStepsSliced, type Steps } from '../util/steps';
import { TraceStore } from '../model/traceStore';
import { TraceFileWatcher, type WatchOptions } from './watcher';

/** Problems kept per file; later ones are counted. */
export const MAX_PROBLEMS_PER_FILE = 100;

export type ProblemChange = TraceProblem | { readonly file: string; readonly cleared: true } | { readonly file: string; readonly notKept: number };

/**
 * The live model of a workspace's traces: watched files feeding one store, plus the lines
 * that could not be read. What the extension shows and what the benchmarks measure.
 */
export class TraceWorkspace implements Disposable, IndexingSink {
  readonly store = new TraceStore();
  private readonly problemsByFile = new Map<string, TraceProblem[]>();
  /** Problems per file, kept or not. */
  private readonly problemCounts = new Map<string, number>();
  private readonly problemEmitter = new Emitter<ProblemChange>();
  /**
   * Fires for each problem kept, once per problem past a file's first `MAX_PROBLEMS_PER_FILE`
   * (only counted), and when a file's problems are cleared by a re-read.
   */
  readonly onDidChangeProblems = this.problemEmitter.event;
  private watcher: TraceFileWatcher | undefined;

  constructor() {
    // A file bigger than the memory budget (a busy day of the receiver's) has runs evicted
    // while it is first read, before its index is written: what the index keeps of a run is
    // worked out as it goes, so a second start lists, filters and lenses it without reading it back.
    this.store.setBeforeEvict((trace) => {
      runSteps(runDigestSteps(trace));
      traceTokens(trace);
      runFacts(trace);
      sessionOf(trace);
    });
  }

  /** (Re)starts watching; resolves once the files found at start are read. */
  async watch(options: WatchOptions): Promise<void> {
    this.watcher?.dispose();
    for (const file of new Set([...this.problemsByFile.keys(), ...this.store.files(), ...this.store.logRecords.files()])) this.reset(file);
    this.watcher = new TraceFileWatcher(options, this);
    await this.watcher.start();
  }

  watchedFiles(): string[] {
    return this.watcher?.files() ?? [];
  }

  /** The problems kept: each file's first `MAX_PROBLEMS_PER_FILE`. */
  problems(): TraceProblem[] {
    return [...this.problemsByFile.values()].flat();
  }

  /** Every problem found, kept or only counted. */
  problemCount(): number {
    let total = 0;
    for (const count of this.problemCounts.values()) total += count;
    return total;
  }

  spans(file: string, spans: SpanRecord[]): void {
    this.store.addSpans(file, spans);
  }

  logRecords(file: string, records: LogRecordRef[]): void {
    this.store.addLogRecords(file, records);
  }

  restore(file: string, index: FileIndex): void {
    this.store.restoreRuns(file, index.runs);
    for (const run of index.runs) {
      const trace = run.summary && run.session !== undefined ? this.store.trace(run.traceId) : undefined;
      // Grouping by session asks every run: from the index, not by reading each one back.
      if (trace?.isEvicted) knownSession(trace, run.session ?? undefined);
      // Tokens (a page of runs) and LLM calls (filtering by model): from the index as well.
      const restored = run.summary ? this.store.trace(run.traceId) : undefined;
      if (restored?.isEvicted && run.tokens !== undefined) knownTraceTokens(restored, run.tokens ?? undefined);
      if (restored?.isEvicted && run.llm) knownLlmCalls(restored, run.llm);
      // The code lenses sum up every run: from the index too.
      const lensed = run.summary && run.lenses ? this.store.trace(run.traceId) : undefined;
      if (lensed?.isEvicted) knownDigest(lensed, file, run.lenses!);
    }
    for (const p of index.problems) this.problem({ file, line: p.line, message: p.message });
    if (index.moreProblems > 0) {
      this.problemCounts.set(file, (this.problemCounts.get(file) ?? 0) + index.moreProblems);
      this.problemEmitter.fire({ file, notKept: this.problemCounts.get(file)! - (this.problemsByFile.get(file)?.length ?? 0) });
    }
  }

  /** The lens digests of the file's runs still in memory, worked out in time slices before `indexContent` takes them. */
  async prepareIndex(file: string): Promise<void> {
    const traces = (this.store.indexRuns(file) ?? []).flatMap((run) => {
      const trace = run.summary ? this.store.trace(run.traceId) : undefined;
      return trace && !trace.isEvicted && !cachedRunDigest(trace) ? [trace] : [];
    });
    if (traces.length === 0) return;
    await runStepsSliced(
      (function* (): Steps<void> {
        for (const trace of traces) {
          yield* runDigestSteps(trace);
          yield;
        }
      })(),
    );
  }

  initialReadIndexed(file: string): void {
    this.store.releaseRunsOf(file);
  }

  indexContent(file: string): Pick<FileIndex, 'runs' | 'problems' | 'moreProblems'> | undefined {
    const indexed = this.store.indexRuns(file);
    if (!indexed) return undefined;
    const traces = indexed.map((run) => (run.summary ? this.store.trace(run.traceId) : undefined));
    // A run's lens digest when worked out already or its spans are still in memory (not read back for it).
    const digests = traces.map((t): RunDigest | undefined => t && (cachedRunDigest(t) ?? (t.isEvicted ? undefined : runSteps(runDigestSteps(t)))));
    const present = digests.filter((d): d is RunDigest => d !== undefined);
    const json = new Map(digestsToJson(present).map((j, i) => [present[i], digestToText(j)]));
    const runs = indexed.map((run, i) => {
      const trace = traces[i];
      const digest = digests[i];
      if (!trace) return run;
      const tokens = latestTraceTokens(trace)?.current || !trace.isEvicted ? { tokens: traceTokens(trace) ?? null } : {};
      const llm = llmCallsForIndex(trace);
      return { ...run, session: sessionOf(trace) ?? null, ...tokens, ...(llm ? { llm } : {}), ...(digest ? { lenses: json.get(digest) } : {}) };
    });
    const problems = (this.problemsByFile.get(file) ?? []).map((p) => ({ line: p.line, message: p.message }));
    return { runs, problems, moreProblems: (this.problemCounts.get(file) ?? 0) - problems.length };
  }

  reset(file: string): void {
    this.store.removeFile(file);
    this.problemCounts.delete(file);
    if (this.problemsByFile.delete(file)) this.problemEmitter.fire({ file, cleared: true });
  }

  /**
   * A file of garbage (a binary, another format) has a problem on every line: past the first
   * ones they are only counted, so neither memory nor the Problems panel grows with the file.
   */
  problem(problem: TraceProblem): void {
    const count = (this.problemCounts.get(problem.file) ?? 0) + 1;
    this.problemCounts.set(problem.file, count);
    let list = this.problemsByFile.get(problem.file);
    if (!list) this.problemsByFile.set(problem.file, (list = []));
    if (list.length >= MAX_PROBLEMS_PER_FILE) {
      this.problemEmitter.fire({ file: problem.file, notKept: count - list.length });
      return;
    }
    list.push(problem);
    this.problemEmitter.fire(problem);
  }

  dispose(): void {
    this.watcher?.dispose();
    this.problemEmitter.dispose();
    this.store.dispose();
  }
}
