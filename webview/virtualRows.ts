/** Rows drawn past each edge of the viewport in a frame. */
const OVERSCAN = 2;
/** Rows drawn ahead in the scroll direction while the page is idle, so the next frame finds them drawn. */
const AHEAD = 28;
/** Rows kept drawn behind, for a scroll that turns back. */
const BEHIND = 6;

/** A drawn row: its element, and whatever parts `fill` writes into. */
export interface RowElement {
  readonly el: HTMLElement;
}

/** What a virtual list needs to know of its rows. */
export interface RowSource<V extends RowElement> {
  /** How many rows there are. */
  count(): number;
  readonly rowHeight: number;
  /** A new, empty row. */
  create(): V;
  /** Draws the row at `index` into `view`, which may have shown another row before. */
  fill(view: V, index: number): void;
  /** A row put away unused; hidden already. */
  park?(view: V): void;
}

/**
 * A list that draws only the rows in view, out of a pool: a row scrolled out of view is
 * refilled for one coming in, so a scroll frame creates and removes no elements; the rows
 * just ahead of the scroll are drawn while the page is idle, so a steady scroll's frame mostly
 * finds its rows drawn already.
 *
 * Geometry is read without forcing layout: the viewport's height from a ResizeObserver
 * (delivered after layout), the scroll position in a scroll frame before it writes. Drawing
 * never reads layout after writing the DOM, so a frame costs one layout, not two.
 */
export class VirtualRows<V extends RowElement> {
  /** Drawn rows by index; kept across scroll frames so only rows coming into view are filled. */
  private readonly drawn = new Map<number, V>();
  /** Rows not in use: hidden, kept for reuse. */
  private readonly spare: V[] = [];
  private viewportHeight = 0;
  private top = 0;
  private lastTop = 0;
  private scrollDirection = 1;
  private scrollFrame = 0;
  private aheadHandle = 0;

  constructor(
    private readonly viewport: HTMLElement,
    /** Holds the rows; as tall as all of them. */
    private readonly spacer: HTMLElement,
    private readonly source: RowSource<V>,
  ) {
    new ResizeObserver((entries) => {
      for (const e of entries) this.viewportHeight = e.contentRect.height;
      this.render();
    }).observe(viewport);
    viewport.addEventListener(
      'scroll',
      () => {
        this.scrollFrame ||= requestAnimationFrame(() => {
          this.scrollFrame = 0;
          // Read before any write of this frame: layout is still clean here.
          this.top = viewport.scrollTop;
          this.draw(false);
        });
      },
      { passive: true },
    );
  }

  get scrollTop(): number {
    return this.top;
  }

  set scrollTop(top: number) {
    this.viewport.scrollTop = top;
    this.top = this.viewport.scrollTop;
  }

  /** Rows a page moves by. */
  get pageRows(): number {
    return Math.floor(this.viewportHeight / this.source.rowHeight);
  }

  /** The row count changed: sizes the list to it. */
  resized(): void {
    this.spacer.style.height = `${this.source.count() * this.source.rowHeight}px`;
  }

  /** Redraws every row on screen (what they show changed). */
  render(): void {
    this.draw(true);
  }

  /** Scrolls the row at `index` to the middle of the view, unless it is in view already. */
  reveal(index: number): void {
    const h = this.source.rowHeight;
    const top = index * h;
    const current = this.clampedTop();
    if (top < current || top + h > current + this.viewportHeight) this.scrollTop = Math.max(0, top - this.viewportHeight / 2);
  }

  /** The scroll position as the browser will have it once the rows' new height is laid out. */
  private clampedTop(): number {
    return Math.max(0, Math.min(this.top, this.source.count() * this.source.rowHeight - this.viewportHeight));
  }

  /** The rows in view, [first, last), with a little overscan. */
  private window(top: number): [number, number] {
    const h = this.source.rowHeight;
    return [Math.max(0, Math.floor(top / h) - OVERSCAN), Math.min(this.source.count(), Math.ceil((top + this.viewportHeight) / h) + OVERSCAN)];
  }

  /** The rows worth having drawn around a window: more ahead in the scroll direction. */
  private reach(first: number, last: number): [number, number] {
    const n = this.source.count();
    return this.scrollDirection > 0 ? [Math.max(0, first - BEHIND), Math.min(n, last + AHEAD)] : [Math.max(0, first - AHEAD), Math.min(n, last + BEHIND)];
  }

  private park(view: V): void {
    view.el.hidden = true;
    this.source.park?.(view);
    this.spare.push(view);
  }

  private fill(view: V, index: number): void {
    this.source.fill(view, index);
    view.el.style.top = `${index * this.source.rowHeight}px`;
  }

  /**
   * Rows to reuse: drawn ones out of `[from, to)`, farthest first, then spare ones, then new
   * ones (appended to `added`). A reused row keeps showing its old row until it is refilled.
   */
  private rowsToReuse(from: number, to: number, added: HTMLElement[]): () => V {
    const out: [number, V][] = [];
    for (const entry of this.drawn) if (entry[0] < from || entry[0] >= to) out.push(entry);
    const mid = (from + to) / 2;
    out.sort((a, b) => Math.abs(a[0] - mid) - Math.abs(b[0] - mid));
    return () => {
      const far = out.pop();
      if (far) {
        this.drawn.delete(far[0]);
        return far[1];
      }
      const view = this.spare.pop();
      if (view) {
        view.el.hidden = false;
        return view;
      }
      const fresh = this.source.create();
      added.push(fresh.el);
      return fresh;
    };
  }

  /** Draws the rows now in view, reusing those already drawn (all refilled when `refill`). */
  private draw(refill: boolean): void {
    const top = this.clampedTop();
    if (top !== this.lastTop) {
      this.scrollDirection = top > this.lastTop ? 1 : -1;
      this.lastTop = top;
    }
    const [first, last] = this.window(top);
    if (refill) {
      // Rows out of view would show what changed as it was: put them away; the idle pass redraws them.
      for (const [i, view] of this.drawn) {
        if (i < first || i >= last) {
          this.drawn.delete(i);
          this.park(view);
        }
      }
    }
    const added: HTMLElement[] = [];
    const [reachFirst, reachLast] = this.reach(first, last);
    let take: (() => V) | undefined;
    for (let i = first; i < last; i++) {
      let view = this.drawn.get(i);
      if (view && !refill) continue;
      if (!view) {
        take ??= this.rowsToReuse(reachFirst, reachLast, added);
        view = take();
        this.drawn.set(i, view);
      }
      this.fill(view, i);
    }
    const count = this.source.count();
    if (count === 0) for (const [i, view] of this.drawn) this.drawn.delete(i), this.park(view);
    if (added.length > 0) this.spacer.append(...added);
    if (count > 0) this.scheduleDrawAhead();
  }

  private scheduleDrawAhead(): void {
    this.aheadHandle ||= requestIdleCallback((deadline) => this.drawAhead(deadline), { timeout: 500 });
  }

  /**
   * While the page is idle: draws the rows within reach of the view, ahead of the scroll first,
   * and lays them out, so the next scroll frame has little left to do but paint.
   */
  private drawAhead(deadline: IdleDeadline): void {
    this.aheadHandle = 0;
    const [first, last] = this.window(this.clampedTop());
    const [reachFirst, reachLast] = this.reach(first, last);
    const order: number[] = [];
    if (this.scrollDirection > 0) {
      for (let i = last; i < reachLast; i++) order.push(i);
      for (let i = first - 1; i >= reachFirst; i--) order.push(i);
    } else {
      for (let i = first - 1; i >= reachFirst; i--) order.push(i);
      for (let i = last; i < reachLast; i++) order.push(i);
    }
    const added: HTMLElement[] = [];
    let take: (() => V) | undefined;
    let filled = 0;
    for (const i of order) {
      if (this.drawn.has(i)) continue;
      if (filled % 8 === 7 && deadline.timeRemaining() < 3) {
        this.scheduleDrawAhead();
        break;
      }
      take ??= this.rowsToReuse(reachFirst, reachLast, added);
      const view = take();
      this.drawn.set(i, view);
      this.fill(view, i);
      filled++;
    }
    if (added.length > 0) this.spacer.append(...added);
    // Lay the new rows out now, in idle time, rather than in the next frame.
    if (filled > 0) void this.spacer.offsetHeight;
  }
}
