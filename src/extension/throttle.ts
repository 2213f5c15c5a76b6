// Coalesces bursts of updates (a status bar counter, say) without ever losing the last one.
// No `vscode` import: tested in Node with mocked timers.

/**
 * Runs `update` at once when called after a quiet spell, then at most once per `intervalMs`
 * while calls keep coming; a call inside a spell is always followed by one more run at its
 * end, so what is shown converges on the latest state within `intervalMs`.
 */
export class Throttle {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending = false;

  constructor(
    private readonly update: () => void,
    private readonly intervalMs: number,
  ) {}

  schedule(): void {
    if (this.timer) {
      this.pending = true;
      return;
    }
    this.run();
  }

  /** Drops a pending run. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = false;
  }

  dispose(): void {
    this.cancel();
  }

  private run(): void {
    this.pending = false;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending) this.run();
    }, this.intervalMs);
    this.update();
  }
}
