// The memory that requests being received may hold at once, shared by both receivers: in VS
// Code they run in the extension host every extension shares, so one budget bounds them all.

/**
 * Bytes held by requests in flight, taken as they are produced (received or decompressed),
 * never declared up front: a client that announces a large body and then stalls holds only
 * what it sent. Past the limit a request is refused (the receivers answer a retryable
 * "unavailable"), except when it is the only holder, so one body up to the body limit always
 * gets through.
 */
export class InFlightBudget {
  private used = 0;
  private readonly waiters = new Set<() => void>();

  constructor(readonly limit: number) {}

  /** Bytes held now, all requests. */
  get bytes(): number {
    return this.used;
  }

  /** A request's share: what it takes is counted until `release()`. */
  open(): Reservation {
    return new Reservation(this);
  }

  /**
   * @internal Reservation's side. While a request waits (`waitFor`), requests that hold nothing
   * yet are refused, so a steady stream of small ones cannot keep a large one waiting forever.
   */
  tryTake(bytes: number, heldByCaller: number, waiting = false): boolean {
    if (!waiting && heldByCaller === 0 && this.waiters.size > 0) return false;
    if (this.used + bytes > this.limit && this.used !== heldByCaller) return false;
    this.used += bytes;
    return true;
  }

  /** @internal Reservation's side. */
  give(bytes: number): void {
    this.used -= bytes;
    // First come, first served: the longest waiter gets the room first.
    if (bytes > 0) for (const wake of [...this.waiters]) wake();
  }

  /**
   * Resolves true once `bytes` could be taken for a holder that has `heldByCaller`, false
   * after `timeoutMs` or once the `stop` handed to `onWaiting` is called.
   */
  waitFor(bytes: number, heldByCaller: number, timeoutMs: number, onWaiting?: (stop: () => void) => void): Promise<boolean> {
    if (this.waiters.size === 0 && this.tryTake(bytes, heldByCaller)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(retry);
        resolve(ok);
      };
      const retry = () => {
        if (this.tryTake(bytes, heldByCaller, true)) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(retry);
      onWaiting?.(() => done(false));
    });
  }
}

/** What one request holds of a budget. */
export class Reservation {
  private heldBytes = 0;
  private released = false;
  /** Ends a wait in `takeWhenFree`: a cancelled call must not keep others waiting behind it. */
  private stopWaiting: (() => void) | undefined;

  constructor(private readonly budget: InFlightBudget) {}

  get held(): number {
    return this.heldBytes;
  }

  /** Takes `bytes` more; false (taking nothing) when the budget has no room for them. */
  take(bytes: number): boolean {
    if (this.released || !this.budget.tryTake(bytes, this.heldBytes)) return false;
    this.heldBytes += bytes;
    return true;
  }

  /** Waits up to `timeoutMs` for room for `bytes` more. */
  async takeWhenFree(bytes: number, timeoutMs: number): Promise<boolean> {
    if (this.released) return false;
    const ok = await this.budget.waitFor(bytes, this.heldBytes, timeoutMs, (stop) => (this.stopWaiting = stop));
    this.stopWaiting = undefined;
    if (!ok) return false;
    if (this.released) {
      this.budget.give(bytes);
      return false;
    }
    this.heldBytes += bytes;
    return true;
  }

  /** Gives back all but `bytes` (what the request still holds once its size is known). */
  shrinkTo(bytes: number): void {
    if (this.released || bytes >= this.heldBytes) return;
    this.budget.give(this.heldBytes - bytes);
    this.heldBytes = bytes;
  }

  /** Gives everything back; later takes fail. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.stopWaiting?.();
    this.budget.give(this.heldBytes);
    this.heldBytes = 0;
  }
}
