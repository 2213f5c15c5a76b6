/**
 * Long computations over big traces (a million spans) are written as generators that
 * `yield` every few thousand items. The same code then runs to the end at once (`runSteps`,
 * for the CLI and small traces) or in time slices that give the event loop back every few
 * milliseconds (`runStepsSliced`), so the extension host never blocks for long.
 */
export type Steps<T> = Generator<void, T, void>;

/**
 * Items a loop handles between two `yield`s: a few ms of work at the slowest per-item cost.
 * That cost is the one during V8's incremental marking of a big heap, which a send of a
 * million-span waterfall starts (its arrays pass V8's 64 MB external-memory trigger): then a
 * loop that allocates as it goes (the rows describing their LLM spans) runs several times
 * slower, and 4096 items a step held the event loop for 50–150 ms.
 */
export const STEP_ITEMS = 2048;

/** Longest a loop with a `StepBudget` runs before it yields, however few items that was. */
export const STEP_MS = 4;

/**
 * When a loop should yield: after `STEP_ITEMS` items of work, or sooner once `STEP_MS` have
 * passed (looked at every 64 calls). While V8 marks a big heap, a loop that allocates runs
 * several times slower, and a count of items alone let a step of a million-span send hold the
 * host for over 100 ms.
 */
export class StepBudget {
  private work = 0;
  private calls = 0;
  private since = performance.now();

  /** Counts `weight` items of work; true when the loop should yield now (the budget starts again). */
  spend(weight = 1): boolean {
    this.work += weight;
    if (this.work < STEP_ITEMS && ((++this.calls & 63) !== 0 || performance.now() - this.since < STEP_MS)) return false;
    this.work = 0;
    this.since = performance.now();
    return true;
  }
}

/**
 * A pass over [0, n) in steps of `STEP_ITEMS`: `pass(from, to)` for each, then a yield (`down`:
 * from the end, each range for the pass to go down). The loop lives in a plain function, which
 * V8 optimizes as it runs; a loop inside a generator called once would run unoptimized.
 */
export function* inSteps(n: number, pass: (from: number, to: number) => void, down = false): Steps<void> {
  for (let k = 0; k < n; k += STEP_ITEMS) {
    const from = down ? Math.max(0, n - k - STEP_ITEMS) : k;
    const to = down ? n - k : Math.min(n, k + STEP_ITEMS);
    pass(from, to);
    yield;
  }
}

export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * One run of some async work at a time: callers that ask while it runs share it. For sliced
 * builds that several views may want at once.
 */
export class SharedRun<T> {
  private running: Promise<T> | undefined;

  /** The run in progress, or a new one from `start`. */
  run(start: () => Promise<T>): Promise<T> {
    if (this.running) return this.running;
    const run = start();
    this.running = run;
    const clear = (): void => {
      if (this.running === run) this.running = undefined;
    };
    run.then(clear, clear);
    return run;
  }
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export interface SliceOptions {
  /** Longest stretch of work between two returns to the event loop. Default 8 ms. */
  readonly budgetMs?: number;
  /** Checked between slices; when true the work stops with a `CancelledError`. */
  readonly isCancelled?: () => boolean;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runStepsSliced<T>(steps: Steps<T>, options: SliceOptions = {}): Promise<T> {
  const budget = options.budgetMs ?? 8;
  let deadline = performance.now() + budget;
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() < deadline) continue;
    await yieldToEventLoop();
    if (options.isCancelled?.()) {
      steps.return(undefined as never);
      throw new CancelledError();
    }
    deadline = performance.now() + budget;
  }
}
