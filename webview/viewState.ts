import { RowFlag, type ColorBy, type RowColumns, type RunHeader, type TraceStart, type WaterfallState } from '../src/protocol/waterfall';
import { NO_FILTER, TraceRows, visibleRows, type RowFilter } from './model';
import { serviceSlots } from './serviceColors';

/** What one action changed, so the page redraws just that. */
export interface ViewChange {
  /** The visible list changed (rows arrived, folding, filter): its length and every drawn row. */
  rows: boolean;
  /** A span was selected (again): its row and its details. */
  selection: boolean;
  /** The search matches or the current match moved. */
  matches: boolean;
  /** The filter changed, e.g. cleared to reveal a span it hid. */
  filter: boolean;
  /** What the bars' colours tell changed (by kind or by service), or which services there are; absent when not. */
  colors?: boolean;
  /** Position in the visible list to scroll into view. */
  reveal?: number;
}

export type ViewListener = (change: ViewChange) => void;

/** One entry of the legend shown while colouring by service: the service and its palette slot. */
export interface LegendEntry {
  readonly label: string;
  /** The `svc-N` class's N; -1 for spans that name no service (drawn in the neutral colour). */
  readonly slot: number;
}

type SavedView = Pick<WaterfallState, 'selectedSpanId' | 'collapsed' | 'openedGroups' | 'colorBy'>;

/**
 * The waterfall's view state, without the DOM: the trace's rows, which are folded and which
 * groups opened, the filter, the selection, the search matches, and the rows that show
 * (`visible`, with each row's position in it). Actions change it by name; each action ends
 * in one change event, however many parts it touched.
 */
export class WaterfallView {
  private rows: TraceRows | undefined;
  /** Rows that show, in order. */
  visible: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** Each row's position in `visible`, -1 when it does not show: moving the selection is O(1). */
  private position: Int32Array = new Int32Array(0);
  private selected: string | undefined;
  /** Folded rows by key (span id, or `g:` + first member for groups), so they survive live updates. */
  private readonly collapsedKeys: Set<string>;
  /** Group rows start folded; these were opened. */
  private readonly openedGroups: Set<string>;
  private collapsedRows = new Set<number>();
  private rowFilter: RowFilter = NO_FILTER;
  private matches: number[] = [];
  private matchSet = new Set<number>();
  private currentMatch = -1;
  private readonly listeners = new Set<ViewListener>();
  private pending: ViewChange | undefined;
  private colorMode: ColorBy;
  /** Palette slot per entry of the header's services (so per `service` column value − 1). */
  private slots: number[] = [];

  constructor(saved: SavedView = {}) {
    this.colorMode = saved.colorBy ?? 'kind';
    this.selected = saved.selectedSpanId;
    this.collapsedKeys = new Set(saved.collapsed ?? []);
    this.openedGroups = new Set(saved.openedGroups ?? []);
  }

  onChange(listener: ViewListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  get trace(): TraceRows | undefined {
    return this.rows;
  }

  get selectedSpanId(): string | undefined {
    return this.selected;
  }

  get filter(): RowFilter {
    return this.rowFilter;
  }

  get colorBy(): ColorBy {
    return this.colorMode;
  }

  /** The palette slot a row's bar takes: -1 when bars are coloured by kind, or its span names no service. */
  colorSlot(row: number): number {
    if (this.colorMode !== 'service' || !this.rows) return -1;
    const i = this.rows.service[row];
    return i > 0 ? (this.slots[i - 1] ?? -1) : -1;
  }

  /** What each colour means while colouring by service (empty while by kind): the services in the run's order, then "no service" if a span names none. */
  legend(): LegendEntry[] {
    const t = this.rows;
    if (this.colorMode !== 'service' || !t) return [];
    const out: LegendEntry[] = t.header.services.map((label, i) => ({ label, slot: this.slots[i] }));
    for (let i = 0; i < t.received; i++) {
      if (t.service[i] === 0) {
        out.push({ label: 'no service.name', slot: -1 });
        break;
      }
    }
    return out;
  }

  /** The selected span's row, or -1. */
  selectedRow(): number {
    return this.rows && this.selected ? this.rows.rowOf(this.selected) : -1;
  }

  /** A row's position in `visible`, or -1. */
  positionOf(row: number): number {
    return row >= 0 && row < this.position.length ? this.position[row] : -1;
  }

  isCollapsed(row: number): boolean {
    return this.collapsedRows.has(row);
  }

  isMatch(row: number): boolean {
    return this.matchSet.has(row);
  }

  isCurrentMatch(row: number): boolean {
    return this.currentMatch >= 0 && this.matches[this.currentMatch] === row;
  }

  /** How many rows match the search, and which of them is current (-1: none yet). */
  matchInfo(): { readonly count: number; readonly current: number } {
    return { count: this.matches.length, current: this.currentMatch };
  }

  /** What to remember across reloads. */
  saved(): SavedView {
    return { selectedSpanId: this.selected, collapsed: [...this.collapsedKeys].slice(0, 10_000), openedGroups: [...this.openedGroups].slice(0, 10_000), colorBy: this.colorMode };
  }

  // ---------- actions ----------

  /** A trace is (re)sent: its rows follow. What shows changes once they arrive (`rebuild`). */
  begin(start: TraceStart): void {
    const shown = this.rows?.header;
    this.rows = new TraceRows(start);
    // A send's header leaves out what comes after its rows (`TraceHeader`): until then, a live
    // update of the same run keeps the cost and notes shown, rather than blink them away.
    if (shown?.traceId === start.header.traceId) this.rows.header = withLateParts(start.header, shown);
    this.slots = serviceSlots(start.header.services);
  }

  /** The current send's whole header (cost, missing context); false when it belongs to an older one. */
  setHeader(generation: number, header: RunHeader): boolean {
    if (!this.rows || generation !== this.rows.generation) return false;
    this.rows.header = header;
    return true;
  }

  /** Adds a slice of rows of the current send; false when it belongs to an older one. */
  addRows(generation: number, rows: RowColumns): boolean {
    if (!this.rows || generation !== this.rows.generation) return false;
    this.rows.add(rows);
    return true;
  }

  /** Recomputes which rows show, after data, folding or filter changed. */
  rebuild(): void {
    this.act((c) => {
      const t = this.rows;
      if (!t) return;
      this.collapsedRows = new Set();
      for (let i = 0; i < t.received; i++) if (t.has(i, RowFlag.HasChildren) && this.isFolded(t, i)) this.collapsedRows.add(i);
      this.visible = visibleRows(t, this.collapsedRows, this.rowFilter);
      if (this.position.length !== t.count) this.position = new Int32Array(t.count);
      this.position.fill(-1);
      for (let i = 0; i < this.visible.length; i++) this.position[this.visible[i]] = i;
      c.rows = true;
      // New rows may bring a service (or a span without one) into the legend.
      if (this.colorMode === 'service') c.colors = true;
    });
  }

  /** The send is complete: a selection no longer in the trace is dropped, one still there is revealed. */
  settle(): void {
    this.act(() => {
      const t = this.rows;
      if (!t || !this.selected) return;
      const row = t.rowOf(this.selected);
      if (row < 0) this.selected = undefined;
      else this.revealRow(row);
    });
  }

  /** Remembers a span to select once its row has arrived. */
  preselect(spanId: string): void {
    this.selected = spanId;
  }

  select(spanId: string, reveal: boolean): void {
    this.act((c) => {
      const row = this.rows ? this.rows.rowOf(spanId) : -1;
      if (row < 0) return;
      this.selected = spanId;
      if (reveal) this.revealRow(row);
      c.selection = true;
    });
  }

  /** Selects the span row at position `to` (clamped), stepping over group rows in the direction moved. */
  moveSelection(to: number): void {
    const t = this.rows;
    const visible = this.visible;
    if (!t || visible.length === 0) return;
    const from = this.positionOf(this.selectedRow());
    let i = Math.max(0, Math.min(visible.length - 1, to));
    const step = to < from ? -1 : 1;
    while (t.groupSize[visible[i]] > 0 && i + step >= 0 && i + step < visible.length) i += step;
    this.select(t.spanId(visible[i]), true);
  }

  /** Left arrow: folds the selected row, or when it is folded (or a leaf) selects its parent span. */
  collapseOrSelectParent(): void {
    const t = this.rows;
    const row = this.selectedRow();
    if (!t || this.positionOf(row) < 0) return;
    if (t.has(row, RowFlag.HasChildren) && !this.collapsedRows.has(row)) {
      this.toggle(row, false);
      return;
    }
    let p = t.parent[row];
    while (p >= 0 && t.groupSize[p] > 0) p = t.parent[p];
    if (p >= 0) this.select(t.spanId(p), true);
  }

  /** Right arrow: unfolds the selected row. */
  expandSelected(): void {
    const row = this.selectedRow();
    if (this.positionOf(row) >= 0) this.toggle(row, true);
  }

  /** Folds or unfolds a row (`open` forces one way). */
  toggle(row: number, open?: boolean): void {
    const t = this.rows;
    if (!t || !t.has(row, RowFlag.HasChildren)) return;
    const isOpen = !this.collapsedRows.has(row);
    if (open === isOpen) return;
    const key = rowKey(t, row);
    if (t.groupSize[row] > 0) {
      if (isOpen) this.openedGroups.delete(key);
      else this.openedGroups.add(key);
    } else if (isOpen) this.collapsedKeys.add(key);
    else this.collapsedKeys.delete(key);
    this.rebuild();
  }

  collapseAll(): void {
    const t = this.rows;
    if (!t) return;
    this.openedGroups.clear();
    for (let i = 0; i < t.received; i++) if (t.has(i, RowFlag.HasChildren) && t.groupSize[i] === 0 && t.depth[i] === 0) this.collapsedKeys.add(rowKey(t, i));
    this.rebuild();
  }

  /** Unfolds every row above `depth` and folds the rest (Infinity: all, groups too). */
  expandTo(depth: number): void {
    const t = this.rows;
    if (!t) return;
    this.collapsedKeys.clear();
    if (depth === Infinity) {
      for (let i = 0; i < t.received; i++) if (t.groupSize[i] > 0) this.openedGroups.add(rowKey(t, i));
    } else {
      for (let i = 0; i < t.received; i++) if (t.has(i, RowFlag.HasChildren) && t.groupSize[i] === 0 && t.depth[i] >= depth - 1) this.collapsedKeys.add(rowKey(t, i));
    }
    this.rebuild();
  }

  setFilter(filter: RowFilter): void {
    this.act((c) => {
      this.rowFilter = filter;
      c.filter = true;
      this.rebuild();
    });
  }

  /** Colours the bars by the spans' kind or by the service that sent them. */
  setColorBy(mode: ColorBy): void {
    this.act((c) => {
      if (mode === this.colorMode) return;
      this.colorMode = mode;
      c.colors = true;
    });
  }

  /** Span rows whose name contains `query` (case-insensitive), in row order. */
  nameMatches(query: string): number[] {
    const t = this.rows;
    const needle = query.toLowerCase();
    const out: number[] = [];
    if (t && needle !== '') for (let i = 0; i < t.received; i++) if (t.groupSize[i] === 0 && t.name(i).toLowerCase().includes(needle)) out.push(i);
    return out;
  }

  /** Sets the search's matching rows; `jump` selects the first. */
  setMatches(rows: number[], jump: boolean): void {
    this.act((c) => {
      this.matches = rows;
      this.matchSet = new Set(rows);
      this.currentMatch = rows.length > 0 && jump ? 0 : -1;
      c.matches = true;
      if (this.currentMatch >= 0 && this.rows) this.select(this.rows.spanId(rows[0]), true);
    });
  }

  /** Selects the next (1) or previous (-1) match, wrapping around. */
  stepMatch(delta: number): void {
    this.act((c) => {
      if (!this.rows || this.matches.length === 0) return;
      this.currentMatch = (this.currentMatch + delta + this.matches.length) % this.matches.length;
      c.matches = true;
      this.select(this.rows.spanId(this.matches[this.currentMatch]), true);
    });
  }

  // ---------- inside actions ----------

  /** Unfolds the row's ancestors (and groups), clears a filter that hides it, and asks for it to be scrolled into view. */
  private revealRow(row: number): void {
    this.act((c) => {
      const t = this.rows;
      if (!t) return;
      let changed = false;
      for (let r = t.parent[row]; r >= 0; r = t.parent[r]) {
        if (this.collapsedRows.has(r)) {
          const key = rowKey(t, r);
          if (t.groupSize[r] > 0) this.openedGroups.add(key);
          else this.collapsedKeys.delete(key);
          changed = true;
        }
      }
      if (changed) this.rebuild();
      // Hidden by a filter: clear it rather than fail to show what was asked for.
      if (this.positionOf(row) < 0 && this.rowFilter !== NO_FILTER) this.setFilter(NO_FILTER);
      const index = this.positionOf(row);
      if (index >= 0) c.reveal = index;
    });
  }

  private isFolded(t: TraceRows, row: number): boolean {
    // Most rows are neither: skip building a key when there is nothing to look up.
    if (t.groupSize[row] > 0) return this.openedGroups.size === 0 || !this.openedGroups.has(rowKey(t, row));
    return this.collapsedKeys.size > 0 && this.collapsedKeys.has(rowKey(t, row));
  }

  /** Runs an action; nested actions add to the outermost one's change, which is told once at its end. */
  private act(action: (change: ViewChange) => void): void {
    const outer = this.pending === undefined;
    const change = (this.pending ??= { rows: false, selection: false, matches: false, filter: false });
    try {
      action(change);
    } finally {
      if (outer) {
        this.pending = undefined;
        if (change.rows || change.selection || change.matches || change.filter || change.colors || change.reveal !== undefined) for (const l of [...this.listeners]) l(change);
      }
    }
  }
}

function rowKey(t: TraceRows, row: number): string {
  return t.groupSize[row] > 0 ? `g:${t.spanId(row)}` : t.spanId(row);
}

/** `header`, with what a send works out after its rows taken from the header shown before where it has none yet. */
function withLateParts(header: RunHeader, shown: RunHeader): RunHeader {
  return {
    ...header,
    tokens: header.tokens ?? shown.tokens,
    costUsd: header.costUsd ?? shown.costUsd,
    missingContext: header.missingContext ?? shown.missingContext,
  };
}
