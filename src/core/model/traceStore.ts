import { asRunningSpan } from '../genai/pendingSpans';
import { Emitter, type Disposable } from '../util/event';
import { LogRecordIndex, type LogRecordRef } from './logRecords';
import type { SpanRecord } from './span';
import { Trace } from './trace';
import { keepFlatTreeOfBigTrace } from './flatTree';
import { SpanPlaces } from '../history/spanPlaces';
import { summaryFromJson, summaryToJson, type IndexedRun } from '../history/fileIndex';

/**
 * What one span costs in memory, roughly, for the memory budget: a SpanRecord with its indexed
 * attributes measures 340 bytes in the bench's plain agent runs and 670 with LLM attributes.
 */
export const BYTES_PER_SPAN_ESTIMATE = 600;
/** Eviction brings the spans held down to this share of the budget, so it runs seldom. */
const EVICT_TO_SHARE = 0.75;

export interface TraceStoreChange {
  /** Traces that gained, lost or replaced spans. */
  readonly changed: ReadonlySet<string>;
  /** Traces that no longer have any span. */
  readonly removed: ReadonlySet<string>;
}

/** Assembles spans from every file into traces, in whatever order they arrive. */
export class TraceStore implements Disposable {
  private readonly traces = new Map<string, Trace>();
  private readonly tracesByFile = new Map<string, Set<string>>();
  private runsCache: Trace[] | undefined;
  private readonly changeEmitter = new Emitter<TraceStoreChange>();
  readonly onDidChange = this.changeEmitter.event;
  /** Log records by span: kept beside the traces, as they may come before their span or from another file. */
  readonly logRecords = new LogRecordIndex();
  /** Where every span was read, so idle runs' spans can be dropped and read again. */
  private readonly places = new SpanPlaces();
  /** Spans held by traces that are not evicted. */
  private heldSpans = 0;
  private budgetSpans = Infinity;
  private evictions = 0;
  private beforeEvict: ((trace: Trace) => void) | undefined;

  /**
   * Spans beyond `mb` megabytes (estimated) are dropped from memory, the least recently used
   * runs' first; a run keeps its summary and reads its spans again when they are asked for.
   * Undefined: no limit.
   */
  setMemoryBudget(mb: number | undefined): void {
    this.budgetSpans = mb === undefined ? Infinity : Math.max(1, Math.floor((mb * 1024 * 1024) / BYTES_PER_SPAN_ESTIMATE));
    this.enforceBudget();
  }

  /** Spans held in memory now, and how many runs were evicted so far. */
  memoryUse(): { heldSpans: number; budgetSpans: number; evictions: number } {
    return { heldSpans: this.heldSpans, budgetSpans: this.budgetSpans, evictions: this.evictions };
  }

  /**
   * `work` is given each run just before its spans are dropped: what is worked out from them
   * then (and cached for the run's revision) need not read them back.
   */
  setBeforeEvict(work: ((trace: Trace) => void) | undefined): void {
    this.beforeEvict = work;
  }

  /** Drops the spans of every run that can read them again (tests, and a user's "free memory"). */
  evictAll(): void {
    for (const trace of this.traces.values()) this.evict(trace);
  }

  /**
   * Drops the spans of `file`'s runs once the start's first read of it has been summed up and
   * indexed, when a memory budget is set. That read is no use of the runs: without this, the
   * budget would stay filled with whichever runs were read last at start (the oldest files',
   * as the newest are read first), and a month of history would hold them for nothing. A run
   * is read back when it is opened, expanded, searched or compared, or when it grows.
   */
  releaseRunsOf(file: string): void {
    if (this.budgetSpans === Infinity) return;
    for (const id of this.tracesByFile.get(file) ?? []) {
      const trace = this.traces.get(id);
      if (trace) this.evict(trace);
    }
  }

  private evict(trace: Trace): boolean {
    if (trace.isEvicted || !this.places.canReload(trace.traceId)) return false;
    const id = trace.traceId;
    this.beforeEvict?.(trace);
    this.heldSpans -= trace.spanCount;
    trace.evict(() => this.loadSpans(id));
    this.places.settle(id);
    this.evictions++;
    return true;
  }

  private enforceBudget(): void {
    if (this.heldSpans <= this.budgetSpans) return;
    const held = [...this.traces.values()].filter((t) => !t.isEvicted).sort((a, b) => a.lastUsed - b.lastUsed);
    const target = this.budgetSpans * EVICT_TO_SHARE;
    // The most recently used run stays, however big: it is the one being looked at.
    for (let i = 0; i < held.length - 1 && this.heldSpans > target; i++) this.evict(held[i]);
  }

  /** Where the run's spans were read (per file, flat triples of line, first byte, end byte): to search them without reading them back. */
  linesOf(traceId: string): Iterable<readonly [file: string, lines: readonly number[]]> | undefined {
    return this.places.placesOf(traceId);
  }

  get traceCount(): number {
    return this.traces.size;
  }

  /** Files that contributed spans still held (`logRecords.files()` for log records). */
  files(): string[] {
    return [...this.tracesByFile.keys()];
  }

  trace(traceId: string): Trace | undefined {
    return this.traces.get(traceId);
  }

  addSpans(file: string, spans: readonly SpanRecord[]): void {
    if (spans.length === 0) return;
    const changed = new Set<string>();
    let fileTraces = this.tracesByFile.get(file);
    if (!fileTraces) this.tracesByFile.set(file, (fileTraces = new Set()));
    let orderChanged = false;
    for (const written of spans) {
      // Logfire exports a zero-length twin of each span when it starts: it stands for that span, running.
      const span = asRunningSpan(written);
      let trace = this.traces.get(span.traceId);
      if (!trace) {
        this.traces.set(span.traceId, (trace = new Trace(span.traceId)));
        orderChanged = true;
      }
      const before = trace.spanCount;
      if (trace.add(span)) orderChanged = true;
      this.heldSpans += trace.spanCount - before;
      this.places.add(span);
      fileTraces.add(span.traceId);
      changed.add(span.traceId);
    }
    if (orderChanged) this.runsCache = undefined;
    for (const id of changed) keepFlatTreeOfBigTrace(this.traces.get(id)!);
    this.enforceBudget();
    this.changeEmitter.fire({ changed, removed: new Set() });
  }

  /**
   * The runs `file` gave, for its index: their lines there, and their summaries when all their
   * spans came from it. Undefined when the file cannot be indexed: a span of it has no line of
   * its own (another format), or it holds log records (kept only while read).
   */
  indexRuns(file: string): IndexedRun[] | undefined {
    if (this.logRecords.files().includes(file)) return undefined;
    const runs: IndexedRun[] = [];
    for (const id of this.tracesByFile.get(file) ?? []) {
      const trace = this.traces.get(id);
      const lines = this.places.linesOf(id, file);
      if (!trace || !lines || this.places.isPinned(id)) return undefined;
      runs.push({ traceId: id, lines: [...lines], summary: this.places.inSeveralFiles(id) ? undefined : summaryToJson(trace.summary()) });
    }
    return runs;
  }

  /**
   * Takes the runs an index of `file` lists as if the file had been read: a run all in this file
   * is summarised from the index, its spans read when asked for; one that spans files has its
   * spans from here read now and joined to the rest.
   */
  restoreRuns(file: string, runs: readonly IndexedRun[]): void {
    if (runs.length === 0) return;
    let fileTraces = this.tracesByFile.get(file);
    if (!fileTraces) this.tracesByFile.set(file, (fileTraces = new Set()));
    const changed = new Set<string>();
    for (const run of runs) {
      const id = run.traceId;
      this.places.addLines(id, file, run.lines);
      fileTraces.add(id);
      changed.add(id);
      const known = this.traces.get(id);
      if (!known && run.summary) {
        this.traces.set(id, Trace.restored(id, summaryFromJson(run.summary, id, file), () => this.loadSpans(id)));
        continue;
      }
      const trace = known ?? new Trace(id);
      if (!known) this.traces.set(id, trace);
      if (trace.isEvicted) trace.reread();
      else {
        const before = trace.spanCount;
        for (const span of this.places.read(id)) trace.add(span);
        this.heldSpans += trace.spanCount - before;
      }
    }
    this.runsCache = undefined;
    this.enforceBudget();
    this.changeEmitter.fire({ changed, removed: new Set() });
  }

  /** A run's spans read again from their lines, counted as held. */
  private loadSpans(traceId: string): readonly SpanRecord[] {
    const spans = this.places.read(traceId);
    this.heldSpans += spans.length;
    // After this trace has its spans: it is the most recently used, so never the one evicted.
    queueMicrotask(() => this.enforceBudget());
    return spans;
  }

  /** Log records read from `file`; traces already held that gain content are reported changed. */
  addLogRecords(file: string, records: readonly LogRecordRef[]): void {
    if (records.length === 0) return;
    this.logRecords.add(file, records);
    const changed = new Set<string>();
    for (const r of records) if (this.traces.has(r.traceId)) changed.add(r.traceId);
    if (changed.size > 0) this.changeEmitter.fire({ changed, removed: new Set() });
  }

  /** Forgets what `file` contributed: it was deleted, truncated or replaced. */
  removeFile(file: string): void {
    const changed = new Set<string>();
    // A trace whose spans stay but whose content came from this file changes too.
    for (const id of this.logRecords.removeFile(file)) if (this.traces.has(id)) changed.add(id);
    const traceIds = this.tracesByFile.get(file) ?? new Set<string>();
    this.tracesByFile.delete(file);
    const removed = new Set<string>();
    for (const id of traceIds) {
      const trace = this.traces.get(id);
      if (!trace) continue;
      if (trace.isEvicted) {
        // Its spans from this file may no longer read: read the rest again from the other files.
        this.places.removeFile(file, [id]);
        trace.reread();
      } else {
        const before = trace.spanCount;
        if (!trace.removeFromFile(file)) continue;
        this.places.removeFile(file, [id]);
        this.heldSpans += trace.spanCount - before;
      }
      if (trace.spanCount === 0) {
        this.traces.delete(id);
        this.places.removeTrace(id);
        removed.add(id);
      } else changed.add(id);
    }
    for (const id of removed) changed.delete(id);
    if (changed.size === 0 && removed.size === 0) return;
    this.runsCache = undefined;
    this.changeEmitter.fire({ changed, removed });
  }

  /** Every trace as a run, newest first. */
  runs(): readonly Trace[] {
    if (!this.runsCache) {
      const starts = new Map<Trace, bigint>();
      for (const t of this.traces.values()) starts.set(t, t.summary().startNs);
      this.runsCache = [...this.traces.values()].sort((a, b) => {
        const sa = starts.get(a)!;
        const sb = starts.get(b)!;
        return sa > sb ? -1 : sa < sb ? 1 : a.traceId < b.traceId ? -1 : 1;
      });
    }
    return this.runsCache;
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
