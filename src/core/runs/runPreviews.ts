import type { SpanContent } from '../genai/conversation';
import type { SpanRecord } from '../model/span';
import type { Trace } from '../model/trace';
import { previewSpansOf, runPreviewFrom, type RunPreview } from './runInput';

/** Reads a span's full attributes and events back from its file (`loadSpanDetails`). */
export type SpanLoader = (span: SpanRecord) => Promise<SpanContent>;

/** Span reads in flight at once: a page of 200 runs should not open 600 files together. */
const MAX_CONCURRENT_LOADS = 8;

interface Entry {
  /** Which spans the preview was read from; a new root or LLM span means reading again. */
  readonly key: string;
  value: RunPreview | undefined;
}

/**
 * Run previews, read lazily for the runs a view asks about (the ones on screen) and kept
 * until the spans they came from change. `get` answers at once with what is known and
 * starts a read when needed; `onLoaded` says which run to redraw when it is done.
 */
export class RunPreviews {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: (() => Promise<void>)[] = [];
  private active = 0;
  private disposed = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly load: SpanLoader,
    private readonly onLoaded: (traceId: string) => void,
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  /** The preview if read; undefined while it is being read (or the run has nothing to show). */
  get(trace: Trace): RunPreview | undefined {
    const spans = previewSpansOf(trace);
    const key = [spans.root, spans.firstLlm, spans.lastLlm].map((s) => (s ? `${s.spanId}@${s.byteStart}` : '')).join('|');
    const known = this.entries.get(trace.traceId);
    if (known?.key === key) return known.value;
    const entry: Entry = { key, value: known?.value };
    this.entries.set(trace.traceId, entry);
    if (key === '||') {
      entry.value = {};
      return entry.value;
    }
    this.enqueue(async () => {
      const read = async (span: SpanRecord | undefined): Promise<SpanContent | undefined> => {
        if (!span) return undefined;
        try {
          return await this.load(span);
        } catch (err) {
          this.onError(`reading span ${span.spanId} of run ${trace.traceId} for its preview: ${err instanceof Error ? err.message : String(err)}`);
          return undefined;
        }
      };
      const root = await read(spans.root);
      const firstLlm = spans.firstLlm === spans.root ? root : await read(spans.firstLlm);
      const lastLlm = spans.lastLlm === spans.firstLlm ? firstLlm : spans.lastLlm === spans.root ? root : await read(spans.lastLlm);
      if (this.entries.get(trace.traceId) !== entry || this.disposed) return;
      entry.value = runPreviewFrom({ root, firstLlm, lastLlm });
      this.onLoaded(trace.traceId);
    });
    return entry.value;
  }

  /** Forgets runs that are gone. */
  forget(traceIds: Iterable<string>): void {
    for (const id of traceIds) this.entries.delete(id);
  }

  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
    this.entries.clear();
  }

  private enqueue(job: () => Promise<void>): void {
    this.queue.push(job);
    this.pump();
  }

  /** Resolves once no preview is being read or waiting to be. */
  idle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.active < MAX_CONCURRENT_LOADS && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.active++;
      void job().finally(() => {
        this.active--;
        this.pump();
      });
    }
    if (this.active === 0 && this.queue.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
