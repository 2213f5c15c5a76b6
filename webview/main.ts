import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import './styles.css';
import { formatDuration, tokensText } from '../src/protocol/format';
import {
  GetSpanDetails,
  GoToSource,
  Ready,
  ROW_KINDS,
  RowFlag,
  SearchSpans,
  SelectSpan,
  TraceBegin,
  TraceRemoved,
  TraceRows as TraceRowsMessage,
  type RowKind,
  type RunHeader,
  type WaterfallState,
} from '../src/protocol/waterfall';
import { renderDetails } from './details';
import { el } from './dom';
import { NO_FILTER, TraceRows, visibleRows, type RowFilter } from './model';
import { TimeRange } from './timeline';
import { HostConnection } from './vscodeApi';

const ROW_HEIGHT = 22;
const OVERSCAN = 8;

const host = new HostConnection();
const app = document.getElementById('app')!;
const saved = (host.getState<WaterfallState>() ?? JSON.parse(app.dataset.state ?? '{}')) as WaterfallState;

let trace: TraceRows | undefined;
let visible: Int32Array<ArrayBufferLike> = new Int32Array(0);
let selectedSpanId: string | undefined = saved.selectedSpanId;
/** Collapsed rows by key (span id, or `g:` + first member for groups) so they survive live updates. */
const collapsedKeys = new Set<string>(saved.collapsed ?? []);
/** Group rows start collapsed; these were opened. */
const openedGroups = new Set<string>(saved.openedGroups ?? []);
let collapsedRows = new Set<number>();
let filter: RowFilter = NO_FILTER;
let matches: number[] = [];
let matchSet = new Set<number>();
let currentMatch = -1;
let searchTicket = 0;
let detailsTicket = 0;
const range = new TimeRange(() => trace?.endMs ?? 1);
let restoredScroll = saved.scrollTop ?? 0;

// ---------- layout ----------
const header = el('header', { className: 'run-header' });
const banner = el('div', { className: 'banner', hidden: true });
const searchBox = el('input', { className: 'search', type: 'search', placeholder: 'Search names, attributes, inputs, outputs  ( / )', ariaLabel: 'Search spans' } as never) as HTMLInputElement;
const matchInfo = el('span', { className: 'match-info', ariaLive: 'polite' } as never);
const prevButton = toolButton('arrow-up', 'Previous match (Shift+Enter)', () => stepMatch(-1));
const nextButton = toolButton('arrow-down', 'Next match (Enter)', () => stepMatch(1));
const kindSelect = el('select', { className: 'kind-filter', ariaLabel: 'Filter by kind', title: 'Filter by kind' } as never) as HTMLSelectElement;
kindSelect.append(el('option', { value: '', textContent: 'All kinds' } as never), ...ROW_KINDS.map((k) => el('option', { value: k, textContent: k } as never)));
const errorsOnly = el('input', { type: 'checkbox', id: 'errors-only' } as never) as HTMLInputElement;
const minDuration = el('input', { className: 'min-duration', type: 'text', placeholder: '≥ 100ms', ariaLabel: 'Minimum duration', title: 'Only spans at least this long (e.g. 250ms, 1.5s)' } as never) as HTMLInputElement;
const depthSelect = el('select', { ariaLabel: 'Expand to depth', title: 'Expand to depth' } as never) as HTMLSelectElement;
depthSelect.append(el('option', { value: '', textContent: 'Depth…' } as never), ...[1, 2, 3, 4, 5].map((d) => el('option', { value: String(d), textContent: `Expand to ${d}` } as never)), el('option', { value: 'all', textContent: 'Expand all' } as never));
const toolbar = el('div', { className: 'toolbar', role: 'toolbar' }, [
  searchBox,
  matchInfo,
  prevButton,
  nextButton,
  el('span', { className: 'sep' }),
  kindSelect,
  el('label', { className: 'check', title: 'Only failed spans (and their parents)' } as never, [errorsOnly, ' Errors only']),
  minDuration,
  el('span', { className: 'sep' }),
  depthSelect,
  toolButton('collapse-all', 'Collapse all', () => collapseAll()),
  toolButton('expand-all', 'Expand all', () => expandTo(Infinity)),
  toolButton('screen-full', 'Fit the whole run (0)', () => (range.fit(), render())),
]);
const axisTime = el('div', { className: 'axis-time' });
const brush = el('div', { className: 'brush', hidden: true });
axisTime.append(brush);
const axis = el('div', { className: 'axis' }, [el('div', { className: 'axis-name', textContent: 'Span' }), axisTime]);
const viewport = el('div', { className: 'rows-viewport', tabIndex: 0, role: 'tree', ariaLabel: 'Spans' });
const spacer = el('div', { className: 'rows-spacer' });
viewport.append(spacer);
const waterfall = el('section', { className: 'waterfall' }, [axis, viewport]);
const details = el('aside', { className: 'details', ariaLabel: 'Span details' }, [el('p', { className: 'muted', textContent: 'Select a span to see its details.' })]);
app.append(header, banner, toolbar, el('div', { className: 'layout' }, [waterfall, details]));

function toolButton(icon: string, title: string, onClick: () => void): HTMLElement {
  const b = el('button', { className: 'tool-button', title, ariaLabel: title } as never, [el('span', { className: `codicon codicon-${icon}`, ariaHidden: 'true' })]);
  b.addEventListener('click', onClick);
  return b;
}

// ---------- data from the host ----------
host.on(TraceBegin, (start) => {
  const previous = trace;
  trace = new TraceRows(start);
  banner.hidden = true;
  renderHeader(start.header);
  if (!previous) range.fit();
  else if (previous && range.isFit()) range.fit();
});

let rebuildFrame = 0;
host.on(TraceRowsMessage, ({ generation, rows }) => {
  if (!trace || generation !== trace.generation) return;
  trace.add(rows);
  if (range.isFit() || range.end <= 1) range.fit();
  if (trace.complete) {
    cancelAnimationFrame(rebuildFrame);
    rebuildFrame = 0;
    rebuild();
    onComplete();
  } else if (!rebuildFrame) {
    // Slices of a big trace come quickly: show the first rows, then redraw once per frame.
    rebuildFrame = requestAnimationFrame(() => {
      rebuildFrame = 0;
      rebuild();
    });
  }
});

function onComplete(): void {
  if (!trace) return;
  if (restoredScroll) {
    viewport.scrollTop = restoredScroll;
    restoredScroll = 0;
  }
  if (selectedSpanId && trace.rowOf(selectedSpanId) < 0) selectedSpanId = undefined;
  // The panel may come back narrower or with new rows above: keep the selection in view.
  if (selectedSpanId) revealRow(trace.rowOf(selectedSpanId));
  if (selectedSpanId && details.dataset.spanId !== selectedSpanId) void showDetails(selectedSpanId);
  if (searchBox.value.trim()) void runSearch(false);
  render();
}

host.on(TraceRemoved, () => {
  banner.hidden = false;
  banner.textContent = 'This run is gone: the trace file it came from was deleted or rewritten.';
});

host.on(SelectSpan, ({ spanId }) => {
  selectedSpanId = spanId;
  if (trace?.complete) select(spanId, true);
});

// ---------- header ----------
function renderHeader(h: RunHeader): void {
  const status =
    h.state === 'running'
      ? el('span', { className: 'state running' }, [icon('loading codicon-modifier-spin'), text(' running')])
      : h.errorCount > 0
        ? el('span', { className: 'state error' }, [icon('error'), text(` ${h.errorCount} failed`)])
        : h.state === 'incomplete'
          ? el('span', { className: 'state' }, [icon('question'), text(' root span missing')])
          : el('span', { className: 'state ok' }, [icon('pass'), text(' ok')]);
  header.replaceChildren(
    el('h1', { textContent: h.name, title: `Trace ${h.traceId}` }),
    el('div', { className: 'facts' }, [
      status,
      fact('Duration', formatDuration(h.durationMs)),
      fact('Spans', h.spanCount.toLocaleString()),
      ...(h.tokens?.total !== undefined ? [fact('Tokens', tokensText(h.tokens))] : []),
      ...(h.costUsd !== undefined ? [fact('Cost', `$${h.costUsd.toFixed(4)}`)] : []),
      fact('Started', new Date(h.startTime).toLocaleString()),
      ...(h.services.length > 0 ? [fact(h.services.length > 1 ? 'Services' : 'Service', h.services.join(', '))] : []),
      fact('Trace', h.traceId),
    ]),
  );
}

function fact(label: string, value: string): HTMLElement {
  return el('span', { className: 'fact' }, [el('span', { className: 'label', textContent: `${label} ` }), el('span', { className: 'value', textContent: value })]);
}

function icon(name: string): HTMLElement {
  return el('span', { className: `codicon codicon-${name}`, ariaHidden: 'true' });
}

function text(t: string): Text {
  return document.createTextNode(t);
}

// ---------- rows ----------
function rowKey(t: TraceRows, row: number): string {
  return t.groupSize[row] > 0 ? `g:${t.spanId(row)}` : t.spanId(row);
}

function isCollapsed(t: TraceRows, row: number): boolean {
  // Most rows are neither: skip building a key when there is nothing to look up.
  if (t.groupSize[row] > 0) return openedGroups.size === 0 || !openedGroups.has(rowKey(t, row));
  return collapsedKeys.size > 0 && collapsedKeys.has(rowKey(t, row));
}

/** Recomputes which rows show (after data, collapse or filter changes) and redraws. */
function rebuild(): void {
  if (!trace) return;
  const t = trace;
  collapsedRows = new Set();
  for (let i = 0; i < t.received; i++) if (t.has(i, RowFlag.HasChildren) && isCollapsed(t, i)) collapsedRows.add(i);
  visible = visibleRows(t, collapsedRows, filter);
  spacer.style.height = `${visible.length * ROW_HEIGHT}px`;
  render();
}

function render(): void {
  renderAxis();
  renderRows();
  saveState();
}

function renderAxis(): void {
  const ticks = range.ticks(Math.max(2, Math.floor(axisTime.clientWidth / 90)));
  axisTime.replaceChildren(
    brush,
    ...ticks.map((t) => {
      const tick = el('span', { className: 'tick', textContent: t.label });
      tick.style.left = `${t.at * 100}%`;
      return tick;
    }),
  );
  axisTime.title = range.isFit() ? 'Drag to zoom into a time range; Ctrl+wheel zooms, Shift+wheel pans' : `Showing ${formatDuration(range.start)}–${formatDuration(range.end)} (0 fits the whole run)`;
}

/** Drawn rows by position; kept across scroll frames so only rows coming into view are built. */
let drawn = new Map<number, HTMLElement>();

/** Redraws every row on screen (selection, matches, folding or zoom changed). */
function renderRows(): void {
  drawn = new Map();
  spacer.replaceChildren();
  scrollRows();
}

/** Draws the rows now in view, reusing those already drawn. */
function scrollRows(): void {
  const t = trace;
  if (!t) return;
  const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(visible.length, Math.ceil((viewport.scrollTop + viewport.clientHeight) / ROW_HEIGHT) + OVERSCAN);
  for (const [i, row] of drawn) {
    if (i < first || i >= last) {
      row.remove();
      drawn.delete(i);
    }
  }
  const added: HTMLElement[] = [];
  for (let i = first; i < last; i++) {
    if (drawn.has(i)) continue;
    const row = renderRow(t, visible[i], i);
    drawn.set(i, row);
    added.push(row);
  }
  if (added.length > 0) spacer.append(...added);
}

function renderRow(t: TraceRows, row: number, index: number): HTMLElement {
  const spanId = t.spanId(row);
  const group = t.groupSize[row] > 0;
  const hasChildren = t.has(row, RowFlag.HasChildren);
  const collapsed = collapsedRows.has(row);
  const failed = t.has(row, RowFlag.Error);
  const kind = t.kindOf(row);
  const name = t.name(row);
  const twisty = el('span', { className: `twisty codicon ${hasChildren ? (collapsed ? 'codicon-chevron-right' : 'codicon-chevron-down') : ''}`, ariaHidden: 'true' });
  if (hasChildren) twisty.addEventListener('click', (e) => (e.stopPropagation(), toggle(row)));
  const nameCell = el('div', { className: 'name-cell', title: name }, [
    twisty,
    ...(failed ? [icon('error')] : t.has(row, RowFlag.Orphan) ? [icon('debug-disconnect')] : group ? [icon('layers')] : []),
    el('span', { className: 'span-name', textContent: name }),
    el('span', { className: `kind-chip kind-${kind}`, textContent: kind }),
  ]);
  nameCell.style.paddingLeft = `${4 + t.depth[row] * 14}px`;

  const start = t.startMs[row];
  const duration = t.durationMs[row];
  const left = range.at(start);
  const right = range.at(start + duration);
  const bar = el('div', { className: `bar kind-${kind}${failed ? ' error' : ''}${t.has(row, RowFlag.CriticalPath) ? ' critical' : ''}${group ? ' group' : ''}` });
  const clippedLeft = Math.max(0, Math.min(1, left));
  const clippedRight = Math.max(0, Math.min(1, right));
  bar.style.left = `${clippedLeft * 100}%`;
  bar.style.width = `max(2px, ${(clippedRight - clippedLeft) * 100}%)`;
  if (right < 0 || left > 1) bar.hidden = true;
  const self = t.selfMs[row];
  const labelText = !group && hasChildren && self < duration - 1e-9 ? `${formatDuration(duration)} · self ${formatDuration(self)}` : formatDuration(duration);
  const label = el('span', { className: 'bar-label', textContent: labelText });
  if (clippedRight <= 0.75) label.style.left = `${clippedRight * 100}%`;
  else if (clippedLeft >= 0.25) label.style.right = `${(1 - clippedLeft) * 100}%`;
  else {
    label.classList.add('inside');
    label.style.left = `${clippedLeft * 100}%`;
  }
  const barCell = el('div', { className: 'bar-cell' }, [bar, label]);
  const rowEl = el('div', { className: `row${matchSet.has(row) ? ' match' : ''}${matches[currentMatch] === row ? ' current-match' : ''}`, role: 'treeitem' }, [nameCell, barCell]);
  rowEl.dataset.spanId = spanId;
  rowEl.dataset.row = String(row);
  if (group) rowEl.dataset.group = 'true';
  rowEl.style.top = `${index * ROW_HEIGHT}px`;
  rowEl.setAttribute('aria-level', String(t.depth[row] + 1));
  rowEl.setAttribute('aria-selected', String(!group && spanId === selectedSpanId));
  if (hasChildren) rowEl.setAttribute('aria-expanded', String(!collapsed));
  rowEl.setAttribute('aria-label', `${name}, ${kind}, ${labelText}${failed ? ', failed' : ''}${t.has(row, RowFlag.CriticalPath) ? ', on the critical path' : ''}`);
  rowEl.title = `${name}\n${kind} · ${formatDuration(duration)} total · ${formatDuration(self)} self${t.has(row, RowFlag.CriticalPath) ? ' · critical path' : ''}`;
  rowEl.addEventListener('click', () => (group ? toggle(row) : select(spanId, false)));
  rowEl.addEventListener('dblclick', () => !group && t.has(row, RowFlag.HasSource) && host.notify(GoToSource, { spanId }));
  return rowEl;
}

function toggle(row: number, open?: boolean): void {
  const t = trace;
  if (!t || !t.has(row, RowFlag.HasChildren)) return;
  const isOpen = !collapsedRows.has(row);
  if (open === isOpen) return;
  const key = rowKey(t, row);
  if (t.groupSize[row] > 0) {
    if (isOpen) openedGroups.delete(key);
    else openedGroups.add(key);
  } else if (isOpen) collapsedKeys.add(key);
  else collapsedKeys.delete(key);
  rebuild();
}

function collapseAll(): void {
  const t = trace;
  if (!t) return;
  openedGroups.clear();
  for (let i = 0; i < t.received; i++) if (t.has(i, RowFlag.HasChildren) && t.groupSize[i] === 0 && t.depth[i] === 0) collapsedKeys.add(rowKey(t, i));
  rebuild();
}

/** Expands every row above `depth` and collapses the rest (Infinity: all, groups too). */
function expandTo(depth: number): void {
  const t = trace;
  if (!t) return;
  collapsedKeys.clear();
  if (depth === Infinity) {
    for (let i = 0; i < t.received; i++) if (t.groupSize[i] > 0) openedGroups.add(rowKey(t, i));
  } else {
    for (let i = 0; i < t.received; i++) if (t.has(i, RowFlag.HasChildren) && t.groupSize[i] === 0 && t.depth[i] >= depth - 1) collapsedKeys.add(rowKey(t, i));
  }
  rebuild();
}

function select(spanId: string, reveal: boolean): void {
  const t = trace;
  if (!t) return;
  const row = t.rowOf(spanId);
  if (row < 0) return;
  selectedSpanId = spanId;
  if (reveal) revealRow(row);
  renderRows();
  saveState();
  void showDetails(spanId);
}

/** Opens collapsed ancestors (and groups) and scrolls the row into view. */
function revealRow(row: number): void {
  const t = trace;
  if (!t) return;
  let changed = false;
  for (let r = t.parent[row]; r >= 0; r = t.parent[r]) {
    if (collapsedRows.has(r)) {
      const key = rowKey(t, r);
      if (t.groupSize[r] > 0) openedGroups.add(key);
      else collapsedKeys.delete(key);
      changed = true;
    }
  }
  if (changed) rebuild();
  let index = -1;
  for (let i = 0; i < visible.length; i++) if (visible[i] === row) index = i;
  if (index < 0 && filter !== NO_FILTER) {
    // Hidden by a filter: clear it rather than fail to show what was asked for.
    setFilter(NO_FILTER);
    for (let i = 0; i < visible.length; i++) if (visible[i] === row) index = i;
  }
  if (index < 0) return;
  const top = index * ROW_HEIGHT;
  if (top < viewport.scrollTop || top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = Math.max(0, top - viewport.clientHeight / 2);
}

async function showDetails(spanId: string): Promise<void> {
  const ticket = ++detailsTicket;
  details.dataset.spanId = spanId;
  try {
    const result = await host.request(GetSpanDetails, { spanId });
    if (ticket !== detailsTicket) return;
    renderDetails(details, result, {
      goToSource: () => host.notify(GoToSource, { spanId }),
      openFrame: (path, line) => host.notify(GoToSource, { spanId, path, line }),
    });
  } catch (err) {
    if (ticket !== detailsTicket) return;
    details.replaceChildren(el('p', { className: 'error-text', textContent: String(err instanceof Error ? err.message : err) }));
  }
}

// ---------- search ----------
let searchTimer: ReturnType<typeof setTimeout> | undefined;
searchBox.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void runSearch(true), 200);
});
searchBox.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    clearTimeout(searchTimer);
    if (matches.length === 0 || searchBox.dataset.query !== searchBox.value.trim()) void runSearch(true);
    else stepMatch(e.shiftKey ? -1 : 1);
  } else if (e.key === 'Escape') {
    viewport.focus();
  }
});

/** Names match here; attribute values, inputs and outputs are searched by the host in the files. */
async function runSearch(jump: boolean): Promise<void> {
  const t = trace;
  const query = searchBox.value.trim();
  searchBox.dataset.query = query;
  const ticket = ++searchTicket;
  if (!t || query === '') {
    setMatches([], false);
    return;
  }
  const needle = query.toLowerCase();
  const found = new Set<number>();
  for (let i = 0; i < t.received; i++) if (t.groupSize[i] === 0 && t.name(i).toLowerCase().includes(needle)) found.add(i);
  setMatches([...found], false);
  matchInfo.textContent = `${found.size} … searching`;
  try {
    const { spanIds } = await host.request(SearchSpans, { query });
    if (ticket !== searchTicket) return;
    for (const id of spanIds) {
      const row = t.rowOf(id);
      if (row >= 0) found.add(row);
    }
  } catch {
    // Names still matched; the host could not read the files.
  }
  if (ticket !== searchTicket) return;
  setMatches([...found].sort((a, b) => a - b), jump);
}

function setMatches(rows: number[], jump: boolean): void {
  matches = rows;
  matchSet = new Set(rows);
  currentMatch = rows.length > 0 && jump ? 0 : -1;
  matchInfo.textContent = searchBox.value.trim() === '' ? '' : rows.length === 0 ? 'No results' : `${currentMatch + 1 || '–'} of ${rows.length}`;
  if (currentMatch >= 0 && trace) select(trace.spanId(matches[currentMatch]), true);
  else renderRows();
}

function stepMatch(delta: number): void {
  if (!trace || matches.length === 0) return;
  currentMatch = (currentMatch + delta + matches.length) % matches.length;
  matchInfo.textContent = `${currentMatch + 1} of ${matches.length}`;
  select(trace.spanId(matches[currentMatch]), true);
}

// ---------- filters ----------
function parseDuration(text: string): number {
  const m = /^\s*([\d.]+)\s*(ns|µs|us|ms|s|m)?\s*$/i.exec(text);
  if (!m) return 0;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  return unit === 'ns' ? n / 1e6 : unit === 'µs' || unit === 'us' ? n / 1e3 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

function setFilter(next: RowFilter): void {
  filter = next;
  if (next === NO_FILTER) {
    kindSelect.value = '';
    errorsOnly.checked = false;
    minDuration.value = '';
  }
  rebuild();
}

function readFilter(): void {
  const kind = kindSelect.value as RowKind | '';
  setFilter({ kinds: kind ? new Set([kind]) : undefined, errorsOnly: errorsOnly.checked, minDurationMs: parseDuration(minDuration.value) });
}
kindSelect.addEventListener('change', readFilter);
errorsOnly.addEventListener('change', readFilter);
minDuration.addEventListener('change', readFilter);
depthSelect.addEventListener('change', () => {
  const v = depthSelect.value;
  depthSelect.value = '';
  if (v) expandTo(v === 'all' ? Infinity : Number(v));
});

// ---------- zoom and pan ----------
waterfall.addEventListener(
  'wheel',
  (e) => {
    const rect = axisTime.getBoundingClientRect();
    const anchor = Math.max(0, Math.min(1, (e.clientX - rect.left) / rect.width));
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      range.zoom(Math.exp(e.deltaY * 0.002), anchor);
      render();
    } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      e.preventDefault();
      range.pan(((e.shiftKey ? e.deltaY : 0) + e.deltaX) / Math.max(1, rect.width));
      render();
    }
  },
  { passive: false },
);

let dragFrom: number | undefined;
axisTime.addEventListener('pointerdown', (e) => {
  dragFrom = e.clientX;
  axisTime.setPointerCapture(e.pointerId);
});
axisTime.addEventListener('pointermove', (e) => {
  if (dragFrom === undefined) return;
  const rect = axisTime.getBoundingClientRect();
  const a = Math.min(dragFrom, e.clientX) - rect.left;
  const b = Math.max(dragFrom, e.clientX) - rect.left;
  brush.hidden = false;
  brush.style.left = `${a}px`;
  brush.style.width = `${b - a}px`;
});
axisTime.addEventListener('pointerup', (e) => {
  if (dragFrom === undefined) return;
  const rect = axisTime.getBoundingClientRect();
  const a = (Math.min(dragFrom, e.clientX) - rect.left) / rect.width;
  const b = (Math.max(dragFrom, e.clientX) - rect.left) / rect.width;
  dragFrom = undefined;
  brush.hidden = true;
  if (b - a > 0.01) {
    range.set(range.start + range.span * a, range.start + range.span * b);
    render();
  }
});

// ---------- keyboard ----------
let scrollFrame = 0;
viewport.addEventListener(
  'scroll',
  () => {
    scrollFrame ||= requestAnimationFrame(() => {
      scrollFrame = 0;
      scrollRows();
    });
  },
  { passive: true },
);
new ResizeObserver(() => render()).observe(viewport);

document.addEventListener('keydown', (e) => {
  if (e.key === '/' && document.activeElement !== searchBox && !(document.activeElement instanceof HTMLInputElement)) {
    e.preventDefault();
    searchBox.focus();
    searchBox.select();
  }
});

viewport.addEventListener('keydown', (e) => {
  const t = trace;
  if (!t || visible.length === 0) return;
  const selectedRow = selectedSpanId ? t.rowOf(selectedSpanId) : -1;
  let index = -1;
  if (selectedRow >= 0) for (let i = 0; i < visible.length; i++) if (visible[i] === selectedRow) index = i;
  const move = (to: number) => {
    let i = Math.max(0, Math.min(visible.length - 1, to));
    const step = to < index ? -1 : 1;
    // Group rows are not spans: step over them to the next span row.
    while (t.groupSize[visible[i]] > 0 && i + step >= 0 && i + step < visible.length) i += step;
    select(t.spanId(visible[i]), true);
  };
  const row = index >= 0 ? visible[index] : -1;
  switch (e.key) {
    case 'ArrowDown':
      move(index + 1);
      break;
    case 'ArrowUp':
      move(index < 0 ? 0 : index - 1);
      break;
    case 'Home':
      move(0);
      break;
    case 'End':
      move(visible.length - 1);
      break;
    case 'PageDown':
      move(index + Math.floor(viewport.clientHeight / ROW_HEIGHT));
      break;
    case 'PageUp':
      move(index - Math.floor(viewport.clientHeight / ROW_HEIGHT));
      break;
    case 'ArrowLeft':
      if (row >= 0 && t.has(row, RowFlag.HasChildren) && !collapsedRows.has(row)) toggle(row, false);
      else if (row >= 0 && t.parent[row] >= 0) {
        let p = t.parent[row];
        while (p >= 0 && t.groupSize[p] > 0) p = t.parent[p];
        if (p >= 0) select(t.spanId(p), true);
      }
      break;
    case 'ArrowRight':
      if (row >= 0 && t.has(row, RowFlag.HasChildren)) toggle(row, true);
      break;
    case 'Enter':
      if (row >= 0 && t.has(row, RowFlag.HasSource)) host.notify(GoToSource, { spanId: t.spanId(row) });
      break;
    case '+':
    case '=':
      range.zoom(0.5);
      render();
      break;
    case '-':
      range.zoom(2);
      render();
      break;
    case '0':
      range.fit();
      render();
      break;
    default:
      return;
  }
  e.preventDefault();
});

// ---------- state across hide/show and reloads ----------
let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveState(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    if (!trace) return;
    host.setState<WaterfallState>({
      traceId: trace.header.traceId,
      selectedSpanId,
      collapsed: [...collapsedKeys].slice(0, 10_000),
      openedGroups: [...openedGroups].slice(0, 10_000),
      scrollTop: viewport.scrollTop,
    });
  }, 100);
}
viewport.addEventListener('scroll', saveState, { passive: true });

host.notify(Ready, undefined);
