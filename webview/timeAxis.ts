import { formatDuration } from '../src/protocol/format';
import { el } from './dom';
import type { TimeRange } from './timeline';

/**
 * The time axis over the bars: its ticks, a brush dragged across it to zoom into a time
 * range, and the wheel over the waterfall (Ctrl zooms, Shift or sideways pans). Its size
 * comes from a ResizeObserver, so reading it never forces layout.
 */
export class TimeAxis {
  readonly element = el('div', { className: 'axis-time' });
  private readonly brush = el('div', { className: 'brush', hidden: true });
  private tickNodes: HTMLElement[] = [];
  private width = 0;
  private left = 0;
  private dragFrom: number | undefined;
  private frame = 0;

  /**
   * @param redraw draws the axis and the bars again after the range changed.
   */
  constructor(
    private readonly range: TimeRange,
    private readonly redraw: () => void,
  ) {
    this.element.append(this.brush);
    new ResizeObserver((entries) => {
      for (const e of entries) {
        this.width = e.contentRect.width;
        this.left = this.element.getBoundingClientRect().left;
      }
      this.redraw();
    }).observe(this.element);
    this.bindBrush();
  }

  render(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    const range = this.range;
    const ticks = range.ticks(Math.max(2, Math.floor(this.width / 90)));
    // Reuse the tick nodes: zooming redraws the axis on every wheel frame.
    while (this.tickNodes.length < ticks.length) {
      const tick = el('span', { className: 'tick' }, ['']);
      this.tickNodes.push(tick);
      this.element.append(tick);
    }
    while (this.tickNodes.length > ticks.length) this.tickNodes.pop()!.remove();
    ticks.forEach((t, i) => {
      (this.tickNodes[i].firstChild as Text).data = t.label;
      this.tickNodes[i].style.left = `${t.at * 100}%`;
    });
    this.element.title = range.isFit() ? 'Drag to zoom into a time range; Ctrl+wheel zooms, Shift+wheel pans' : `Showing ${formatDuration(range.start)}–${formatDuration(range.end)} (0 fits the whole run)`;
  }

  /** Zooms and pans with the wheel over `area` (the whole waterfall, not just the axis). */
  bindWheel(area: HTMLElement): void {
    area.addEventListener(
      'wheel',
      (e) => {
        const anchor = Math.max(0, Math.min(1, (e.clientX - this.left) / Math.max(1, this.width)));
        if (e.ctrlKey || e.metaKey) {
          e.preventDefault();
          this.range.zoom(Math.exp(e.deltaY * 0.002), anchor);
          this.scheduleRedraw();
        } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
          e.preventDefault();
          this.range.pan(((e.shiftKey ? e.deltaY : 0) + e.deltaX) / Math.max(1, this.width));
          this.scheduleRedraw();
        }
      },
      { passive: false },
    );
  }

  /** Redraws on the next frame: wheel events come several to a frame. */
  private scheduleRedraw(): void {
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      this.redraw();
    });
  }

  private bindBrush(): void {
    const axis = this.element;
    axis.addEventListener('pointerdown', (e) => {
      this.dragFrom = e.clientX;
      axis.setPointerCapture(e.pointerId);
    });
    axis.addEventListener('pointermove', (e) => {
      if (this.dragFrom === undefined) return;
      const a = Math.min(this.dragFrom, e.clientX) - this.left;
      const b = Math.max(this.dragFrom, e.clientX) - this.left;
      this.brush.hidden = false;
      this.brush.style.left = `${a}px`;
      this.brush.style.width = `${b - a}px`;
    });
    axis.addEventListener('pointerup', (e) => {
      if (this.dragFrom === undefined) return;
      const a = (Math.min(this.dragFrom, e.clientX) - this.left) / Math.max(1, this.width);
      const b = (Math.max(this.dragFrom, e.clientX) - this.left) / Math.max(1, this.width);
      this.dragFrom = undefined;
      this.brush.hidden = true;
      if (b - a > 0.01) {
        this.range.set(this.range.start + this.range.span * a, this.range.start + this.range.span * b);
        this.redraw();
      }
    });
  }
}
