import { allocateColumns, ROW_KINDS, RowFlag, setColumns, type Columns, type RowColumns, type RowKind, type RunHeader, type TraceStart } from '../src/protocol/waterfall';

// The columns are the class's own fields (`t.depth[row]`), assigned from the one declaration.
export interface TraceRows extends Columns {}

/** One trace's rows as columns, filled slice by slice as messages arrive. */
export class TraceRows {
  readonly count: number;
  readonly names: readonly string[];
  /** As first sent, then whole (`TraceHeader`): the same services and duration. */
  header: RunHeader;
  readonly generation: number;
  received = 0;
  private spanIds = '';
  private idIndex: Map<string, number> | undefined;
  /** The latest end of any row: the right edge of the "fit" time range. */
  endMs = 0;

  constructor(start: TraceStart) {
    this.count = start.rowCount;
    this.names = start.names;
    this.header = start.header;
    this.generation = start.generation;
    Object.assign(this, allocateColumns(start.rowCount));
    this.endMs = Math.max(start.header.durationMs, 1e-6);
  }

  get complete(): boolean {
    return this.received >= this.count;
  }

  add(rows: RowColumns): void {
    const o = rows.offset;
    setColumns(this, rows, o);
    // Slices arrive in order; ids are fixed-width, so row i's id is at 16 * i.
    this.spanIds += rows.spanIds;
    for (let i = 0; i < rows.startMs.length; i++) this.endMs = Math.max(this.endMs, rows.startMs[i] + rows.durationMs[i]);
    this.received = o + rows.startMs.length;
    this.idIndex = undefined;
  }

  spanId(row: number): string {
    return this.spanIds.slice(row * 16, row * 16 + 16);
  }

  name(row: number): string {
    const base = this.names[this.nameIndex[row]] ?? '';
    return this.groupSize[row] > 0 ? `${base} ×${this.groupSize[row]}` : base;
  }

  /** The `service.name` of the row's span, when it states one. */
  serviceOf(row: number): string | undefined {
    const i = this.service[row];
    return i > 0 ? this.header.services[i - 1] : undefined;
  }

  kindOf(row: number): RowKind {
    return ROW_KINDS[this.kind[row]] ?? 'other';
  }

  has(row: number, flag: RowFlag): boolean {
    return (this.flags[row] & flag) !== 0;
  }

  /** The span has not ended yet: its bar runs open-ended to the run's latest time. */
  running(row: number): boolean {
    return (this.flags[row] & RowFlag.InProgress) !== 0;
  }

  /** Where the row's bar ends: the span's end, or for one still running the run's latest time. */
  endOf(row: number): number {
    const start = this.startMs[row];
    return this.running(row) ? Math.max(this.endMs, start) : start + this.durationMs[row];
  }

  /** How long the row has taken: its duration, or for a span still running at least this much so far. */
  shownDurationOf(row: number): number {
    return this.endOf(row) - this.startMs[row];
  }

  /** The span row of an id (not a group row), or -1. */
  rowOf(spanId: string): number {
    if (!this.idIndex) {
      this.idIndex = new Map();
      for (let i = 0; i < this.received; i++) if (this.groupSize[i] === 0) this.idIndex.set(this.spanId(i), i);
    }
    return this.idIndex.get(spanId) ?? -1;
  }
}

export interface RowFilter {
  readonly kinds: ReadonlySet<RowKind> | undefined;
  readonly errorsOnly: boolean;
  readonly minDurationMs: number;
}

export const NO_FILTER: RowFilter = { kinds: undefined, errorsOnly: false, minDurationMs: 0 };

export function isFiltering(f: RowFilter): boolean {
  return f.kinds !== undefined || f.errorsOnly || f.minDurationMs > 0;
}

/**
 * The rows to draw, in order: collapsed subtrees are skipped whole; with a filter, rows that
 * match are kept along with their ancestors, so every shown row keeps its place in the tree.
 */
export function visibleRows(t: TraceRows, collapsed: ReadonlySet<number>, filter: RowFilter): Int32Array<ArrayBufferLike> {
  const n = t.received;
  const out = new Int32Array(n);
  let count = 0;
  if (!isFiltering(filter)) {
    for (let i = 0; i < n; ) {
      out[count++] = i;
      i = collapsed.has(i) ? Math.max(i + 1, t.subtreeEnd[i]) : i + 1;
    }
    return out.subarray(0, count);
  }
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (t.groupSize[i] > 0) continue;
    const kindOk = !filter.kinds || filter.kinds.has(t.kindOf(i));
    const errorOk = !filter.errorsOnly || t.has(i, RowFlag.Error);
    if (kindOk && errorOk && (filter.minDurationMs <= 0 || t.shownDurationOf(i) >= filter.minDurationMs)) {
      for (let r = i; r >= 0 && !keep[r]; r = t.parent[r]) keep[r] = 1;
    }
  }
  for (let i = 0; i < n; ) {
    if (!keep[i]) {
      i++;
      continue;
    }
    out[count++] = i;
    i = collapsed.has(i) ? Math.max(i + 1, t.subtreeEnd[i]) : i + 1;
  }
  return out.subarray(0, count);
}

/** A minimum duration typed in the filter box ("250ms", "1.5s", "100": ms), in ms; 0 when it does not read as one. */
export function parseDuration(text: string): number {
  const m = /^\s*([\d.]+)\s*(ns|µs|us|ms|s|m)?\s*$/i.exec(text);
  if (!m) return 0;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  return unit === 'ns' ? n / 1e6 : unit === 'µs' || unit === 'us' ? n / 1e3 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}
