import { formatDuration, tickStep } from '../src/protocol/format';

/** The visible time range of the waterfall, in ms from the trace's start. */
export class TimeRange {
  start = 0;
  end = 1;

  constructor(private readonly total: () => number) {}

  fit(): void {
    this.start = 0;
    this.end = Math.max(this.total(), 1e-6);
  }

  get span(): number {
    return this.end - this.start;
  }

  /** Fraction of the axis width at time `ms`. */
  at(ms: number): number {
    return (ms - this.start) / this.span;
  }

  /** Zooms by `factor` (< 1 zooms in) keeping the time under `anchor` (0..1 of the axis) in place. */
  zoom(factor: number, anchor = 0.5): void {
    const total = Math.max(this.total(), 1e-6);
    const pivot = this.start + this.span * anchor;
    const span = Math.min(total, Math.max(total * 1e-7, this.span * factor, 1e-6));
    this.start = pivot - span * anchor;
    this.end = this.start + span;
    this.clamp();
  }

  /** Pans by a fraction of the visible span. */
  pan(fraction: number): void {
    const d = this.span * fraction;
    this.start += d;
    this.end += d;
    this.clamp();
  }

  set(start: number, end: number): void {
    if (!(end > start)) return;
    this.start = start;
    this.end = end;
    this.clamp();
  }

  private clamp(): void {
    const total = Math.max(this.total(), 1e-6);
    const span = Math.min(this.span, total);
    if (this.start < 0) this.start = 0;
    if (this.start + span > total) this.start = total - span;
    this.end = this.start + span;
  }

  isFit(): boolean {
    return this.start <= 0 && this.end >= this.total();
  }

  ticks(target: number): { at: number; label: string }[] {
    const step = tickStep(this.span, target);
    const first = Math.ceil(this.start / step) * step;
    const out: { at: number; label: string }[] = [];
    for (let t = first; t <= this.end + step * 1e-9 && out.length < 50; t += step) out.push({ at: this.at(t), label: formatDuration(t) });
    return out;
  }
}
