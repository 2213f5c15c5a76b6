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
/** Rows drawn past each edge of the viewport in a frame. */
const OVERSCAN = 2;
/** Rows drawn ahead in the scroll direction while the page is idle, so the next frame finds them drawn. */
const AHEAD = 28;
/** Rows kept drawn behind, for a scroll that turns back. */
const BEHIND = 6;

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
host.onNotification(TraceBegin, (start) => {
  const previous = trace;
  trace = new TraceRows(start);
  banner.hidden = true;
  renderHeader(start.header);
  if (!previous) range.fit();
  else if (previous && range.isFit()) range.fit();
});

let rebuildFrame = 0;
host.onNotification(TraceRowsMessage, ({ generation, rows }) => {
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
    setScrollTop(restoredScroll);
    restoredScroll = 0;
  }
  if (selectedSpanId && trace.rowOf(selectedSpanId) < 0) selectedSpanId = undefined;
  // The panel may come back narrower or with new rows above: keep the selection in view.
  if (selectedSpanId) revealRow(trace.rowOf(selectedSpanId));
  if (selectedSpanId && (details.dataset.spanId !== selectedSpanId || details.dataset.live)) void showDetails(selectedSpanId);
  if (searchBox.value.trim()) void runSearch(false);
  render();
}

host.onNotification(TraceRemoved, () => {
  banner.hidden = false;
  banner.textContent = 'This run is gone: the trace file it came from was deleted or rewritten.';
});

host.onNotification(SelectSpan, ({ spanId }) => {
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
          ? el('span', { className: 'state' }, [icon('question'), text(' incomplete')])
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

// ---------- geometry, read without forcing layout ----------
// Sizes come from ResizeObservers (delivered after layout, so reading there is free) and the
// scroll position from scroll frames before they write: drawing never reads layout after
// writing the DOM, so a frame costs one layout, not two.
let axisWidth = 0;
let axisLeft = 0;
let viewportHeight = 0;
let scrollTop = 0;

function setScrollTop(top: number): void {
  viewport.scrollTop = top;
  scrollTop = viewport.scrollTop;
}

/** The scroll position as the browser will have it once the rows' new height is laid out. */
function clampedScrollTop(): number {
  return Math.max(0, Math.min(scrollTop, visible.length * ROW_HEIGHT - viewportHeight));
}

const sizes = new ResizeObserver((entries) => {
  for (const e of entries) {
    if (e.target === axisTime) {
      axisWidth = e.contentRect.width;
      axisLeft = axisTime.getBoundingClientRect().left;
    } else viewportHeight = e.contentRect.height;
  }
  render();
});
sizes.observe(axisTime);
sizes.observe(viewport);

let renderFrame = 0;
/** Redraws on the next frame: wheel and pointer events come several to a frame. */
function scheduleRender(): void {
  renderFrame ||= requestAnimationFrame(() => {
    renderFrame = 0;
    render();
  });
}

function render(): void {
  cancelAnimationFrame(renderFrame);
  renderFrame = 0;
  renderAxis();
  renderRows();
  saveState();
}

let tickNodes: HTMLElement[] = [];
function renderAxis(): void {
  const ticks = range.ticks(Math.max(2, Math.floor(axisWidth / 90)));
  // Reuse the tick nodes: zooming redraws the axis on every wheel frame.
  while (tickNodes.length < ticks.length) {
    const tick = el('span', { className: 'tick' }, ['']);
    tickNodes.push(tick);
    axisTime.append(tick);
  }
  while (tickNodes.length > ticks.length) tickNodes.pop()!.remove();
  ticks.forEach((t, i) => {
    (tickNodes[i].firstChild as Text).data = t.label;
    tickNodes[i].style.left = `${t.at * 100}%`;
  });
  axisTime.title = range.isFit() ? 'Drag to zoom into a time range; Ctrl+wheel zooms, Shift+wheel pans' : `Showing ${formatDuration(range.start)}–${formatDuration(range.end)} (0 fits the whole run)`;
}

/**
 * One drawn row's elements. Rows are pooled: a row scrolled out of view is refilled for one
 * coming into view, so a scroll frame creates and removes no elements, and events are
 * handled once on the rows' container.
 */
interface RowView {
  readonly el: HTMLElement;
  readonly nameCell: HTMLElement;
  readonly twisty: HTMLElement;
  readonly status: HTMLElement;
  readonly name: Text;
  readonly chip: HTMLElement;
  readonly chipText: Text;
  readonly bar: HTMLElement;
  readonly label: HTMLElement;
  readonly labelText: Text;
}

/** Drawn rows by position in `visible`; kept across scroll frames so only rows coming into view are filled. */
const drawn = new Map<number, RowView>();
/** Rows not in use: hidden, kept for reuse. */
const spare: RowView[] = [];

function newRowView(): RowView {
  const twisty = el('span', { className: 'twisty codicon', ariaHidden: 'true' });
  const status = el('span', { ariaHidden: 'true', hidden: true });
  const name = document.createTextNode('');
  const chipText = document.createTextNode('');
  const chip = el('span', { className: 'kind-chip' }, [chipText]);
  const nameCell = el('div', { className: 'name-cell' }, [twisty, status, el('span', { className: 'span-name' }, [name]), chip]);
  const bar = el('div', { className: 'bar' });
  const labelText = document.createTextNode('');
  const label = el('span', { className: 'bar-label' }, [labelText]);
  const rowEl = el('div', { className: 'row', role: 'treeitem' }, [nameCell, el('div', { className: 'bar-cell' }, [bar, label])]);
  return { el: rowEl, nameCell, twisty, status, name, chip, chipText, bar, label, labelText };
}

function parkRow(view: RowView): void {
  view.el.hidden = true;
  // Out of the tree for assistive technology and selectors alike.
  view.el.removeAttribute('aria-selected');
  view.el.removeAttribute('data-span-id');
  spare.push(view);
}

/** Redraws every row on screen (selection, matches, folding, zoom or the rows changed). */
function renderRows(): void {
  scrollRows(true);
}

let scrollDirection = 1;
let lastTop = 0;

/** The rows in view, [first, last), with a little overscan. */
function rowWindow(top: number): [number, number] {
  const n = trace ? visible.length : 0;
  return [Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN), Math.min(n, Math.ceil((top + viewportHeight) / ROW_HEIGHT) + OVERSCAN)];
}

/** The rows worth having drawn around a window: more ahead in the scroll direction. */
function rowReach(first: number, last: number): [number, number] {
  const n = visible.length;
  return scrollDirection > 0 ? [Math.max(0, first - BEHIND), Math.min(n, last + AHEAD)] : [Math.max(0, first - AHEAD), Math.min(n, last + BEHIND)];
}

/**
 * Rows to reuse: drawn ones out of `[from, to)`, farthest first, then spare ones, then new
 * ones (appended to `added`). A reused row keeps showing its old row until it is refilled.
 */
function rowSource(from: number, to: number, added: HTMLElement[]): () => RowView {
  const out: [number, RowView][] = [];
  for (const entry of drawn) if (entry[0] < from || entry[0] >= to) out.push(entry);
  const mid = (from + to) / 2;
  out.sort((a, b) => Math.abs(a[0] - mid) - Math.abs(b[0] - mid));
  return () => {
    const far = out.pop();
    if (far) {
      drawn.delete(far[0]);
      return far[1];
    }
    const view = spare.pop();
    if (view) {
      view.el.hidden = false;
      return view;
    }
    const fresh = newRowView();
    added.push(fresh.el);
    return fresh;
  };
}

/**
 * Draws the rows now in view, reusing those already drawn (all refilled when `refill`). Rows
 * scrolled far out are refilled for rows coming in, so a scroll frame creates no elements;
 * and the rows just ahead are drawn while the page is idle (`drawAhead`), so a steady
 * scroll's frame mostly finds its rows drawn already.
 */
function scrollRows(refill: boolean): void {
  const t = trace;
  const top = clampedScrollTop();
  if (top !== lastTop) {
    scrollDirection = top > lastTop ? 1 : -1;
    lastTop = top;
  }
  const [first, last] = rowWindow(top);
  if (refill) {
    // Rows out of view would show what changed as it was: put them away; the idle pass redraws them.
    for (const [i, view] of drawn) {
      if (i < first || i >= last) {
        drawn.delete(i);
        parkRow(view);
      }
    }
  }
  const added: HTMLElement[] = [];
  const [reachFirst, reachLast] = rowReach(first, last);
  let take: (() => RowView) | undefined;
  for (let i = first; i < last; i++) {
    let view = drawn.get(i);
    if (view && !refill) continue;
    if (!view) {
      take ??= rowSource(reachFirst, reachLast, added);
      view = take();
      drawn.set(i, view);
    }
    fillRow(view, t!, visible[i], i);
  }
  if (!t || visible.length === 0) for (const [i, view] of drawn) drawn.delete(i), parkRow(view);
  if (added.length > 0) spacer.append(...added);
  if (t && visible.length > 0) scheduleDrawAhead();
}

let aheadHandle = 0;
function scheduleDrawAhead(): void {
  aheadHandle ||= requestIdleCallback(drawAhead, { timeout: 500 });
}

/**
 * While the page is idle: draws the rows within reach of the view, ahead of the scroll first,
 * and lays them out, so the next scroll frame has little left to do but paint.
 */
function drawAhead(deadline: IdleDeadline): void {
  aheadHandle = 0;
  const t = trace;
  if (!t) return;
  const [first, last] = rowWindow(clampedScrollTop());
  const [reachFirst, reachLast] = rowReach(first, last);
  const order: number[] = [];
  if (scrollDirection > 0) {
    for (let i = last; i < reachLast; i++) order.push(i);
    for (let i = first - 1; i >= reachFirst; i--) order.push(i);
  } else {
    for (let i = first - 1; i >= reachFirst; i--) order.push(i);
    for (let i = last; i < reachLast; i++) order.push(i);
  }
  const added: HTMLElement[] = [];
  let take: (() => RowView) | undefined;
  let filled = 0;
  for (const i of order) {
    if (drawn.has(i)) continue;
    if (filled % 8 === 7 && deadline.timeRemaining() < 3) {
      scheduleDrawAhead();
      break;
    }
    take ??= rowSource(reachFirst, reachLast, added);
    const view = take();
    drawn.set(i, view);
    fillRow(view, t, visible[i], i);
    filled++;
  }
  if (added.length > 0) spacer.append(...added);
  // Lay the new rows out now, in idle time, rather than in the next frame.
  if (filled > 0) void spacer.offsetHeight;
}

function setClass(node: HTMLElement, className: string): void {
  if (node.className !== className) node.className = className;
}

function fillRow(view: RowView, t: TraceRows, row: number, index: number): void {
  const spanId = t.spanId(row);
  const group = t.groupSize[row] > 0;
  const hasChildren = t.has(row, RowFlag.HasChildren);
  const collapsed = collapsedRows.has(row);
  const failed = t.has(row, RowFlag.Error);
  const running = t.running(row);
  const critical = t.has(row, RowFlag.CriticalPath);
  const kind = t.kindOf(row);
  const name = t.name(row);

  setClass(view.twisty, hasChildren ? (collapsed ? 'twisty codicon codicon-chevron-right' : 'twisty codicon codicon-chevron-down') : 'twisty codicon');
  const status = failed ? 'error' : running ? 'loading codicon-modifier-spin' : t.has(row, RowFlag.Orphan) ? 'debug-disconnect' : group ? 'layers' : '';
  view.status.hidden = status === '';
  if (status) setClass(view.status, `codicon codicon-${status}`);
  view.name.data = name;
  view.nameCell.style.paddingLeft = `${4 + t.depth[row] * 14}px`;
  setClass(view.chip, `kind-chip kind-${kind}`);
  view.chipText.data = kind;

  const start = t.startMs[row];
  const duration = t.durationMs[row];
  // A span still running has no end: its bar runs to the run's latest time, open on the right.
  const end = t.endOf(row);
  const left = range.at(start);
  const right = range.at(end);
  const bar = view.bar;
  setClass(bar, `bar kind-${kind}${failed ? ' error' : ''}${critical ? ' critical' : ''}${group ? ' group' : ''}${running ? ' running' : ''}`);
  const clippedLeft = Math.max(0, Math.min(1, left));
  const clippedRight = Math.max(0, Math.min(1, right));
  bar.style.left = `${clippedLeft * 100}%`;
  bar.style.width = `max(${running ? 14 : 2}px, ${(clippedRight - clippedLeft) * 100}%)`;
  bar.hidden = right < 0 || left > 1;
  const self = t.selfMs[row];
  const soFar = end - start;
  const durationText = running ? (soFar > 0 ? `running ≥ ${formatDuration(soFar)}` : 'running') : formatDuration(duration);
  view.labelText.data = !running && !group && hasChildren && self < duration - 1e-9 ? `${durationText} · self ${formatDuration(self)}` : durationText;
  const label = view.label.style;
  if (clippedRight <= 0.75) {
    setClass(view.label, 'bar-label');
    label.left = `${clippedRight * 100}%`;
    label.right = '';
  } else if (clippedLeft >= 0.25) {
    setClass(view.label, 'bar-label');
    label.left = '';
    label.right = `${(1 - clippedLeft) * 100}%`;
  } else {
    setClass(view.label, 'bar-label inside');
    label.left = `${clippedLeft * 100}%`;
    label.right = '';
  }

  const rowEl = view.el;
  setClass(rowEl, `row${matchSet.has(row) ? ' match' : ''}${matches[currentMatch] === row ? ' current-match' : ''}${running ? ' running' : ''}${failed ? ' failed' : ''}`);
  rowEl.dataset.spanId = spanId;
  rowEl.dataset.row = String(row);
  if (group) rowEl.dataset.group = 'true';
  else delete rowEl.dataset.group;
  rowEl.style.top = `${index * ROW_HEIGHT}px`;
  rowEl.setAttribute('aria-level', String(t.depth[row] + 1));
  rowEl.setAttribute('aria-selected', String(!group && spanId === selectedSpanId));
  if (hasChildren) rowEl.setAttribute('aria-expanded', String(!collapsed));
  else rowEl.removeAttribute('aria-expanded');
  const spoken = running ? `still running${soFar > 0 ? `, at least ${formatDuration(soFar)} so far` : ''}` : view.labelText.data;
  rowEl.setAttribute('aria-label', `${name}, ${kind}, ${spoken}${failed ? ', failed' : ''}${critical ? ', on the critical path' : ''}`);
  rowEl.title = running
    ? `${name}\n${kind} · still running: started at +${formatDuration(start)}, no end yet${soFar > 0 ? ` (≥ ${formatDuration(soFar)} so far)` : ''}${failed ? ' · failed' : ''}${critical ? ' · critical path' : ''}`
    : `${name}\n${kind} · ${formatDuration(duration)} total · ${formatDuration(self)} self${failed ? ' · failed' : ''}${critical ? ' · critical path' : ''}`;
}

/** The trace row of a row element an event happened in, or -1. */
function rowOfEvent(e: Event): number {
  const rowEl = (e.target as Element | null)?.closest?.('.row') as HTMLElement | null;
  return rowEl?.dataset.row !== undefined ? Number(rowEl.dataset.row) : -1;
}

spacer.addEventListener('click', (e) => {
  const t = trace;
  const row = rowOfEvent(e);
  if (!t || row < 0 || row >= t.received) return;
  if (t.groupSize[row] > 0 || (t.has(row, RowFlag.HasChildren) && (e.target as Element).closest('.twisty'))) toggle(row);
  else select(t.spanId(row), false);
});
spacer.addEventListener('dblclick', (e) => {
  const t = trace;
  const row = rowOfEvent(e);
  if (t && row >= 0 && row < t.received && t.groupSize[row] === 0 && t.has(row, RowFlag.HasSource)) host.notify(GoToSource, { spanId: t.spanId(row) });
});

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
  const current = clampedScrollTop();
  if (top < current || top + ROW_HEIGHT > current + viewportHeight) setScrollTop(Math.max(0, top - viewportHeight / 2));
}

async function showDetails(spanId: string): Promise<void> {
  const ticket = ++detailsTicket;
  details.dataset.spanId = spanId;
  try {
    const result = await host.request(GetSpanDetails, { spanId });
    if (ticket !== detailsTicket) return;
    // The host's details know the span's times, not that the run has moved on: a span with
    // no end yet says so, with how long it has run as far as the rows go.
    const t = trace;
    const row = t ? t.rowOf(spanId) : -1;
    const running = t && row >= 0 && t.running(row) ? { soFarMs: t.shownDurationOf(row) } : undefined;
    // Details of a span still running (or not yet received) go stale as the run goes on.
    // So do details shown before the span's row arrived (no self time yet).
    details.dataset.live = running || result.inProgress || result.notice || row < 0 ? '1' : '';
    renderDetails(
      details,
      result,
      {
        goToSource: () => host.notify(GoToSource, { spanId }),
        openFrame: (path, line) => host.notify(GoToSource, { spanId, path, line }),
      },
      // Self time is in the rows: the host does not keep a span → row map for it.
      { selfMs: t && row >= 0 ? t.selfMs[row] : undefined, running },
    );
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
    const anchor = Math.max(0, Math.min(1, (e.clientX - axisLeft) / Math.max(1, axisWidth)));
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      range.zoom(Math.exp(e.deltaY * 0.002), anchor);
      scheduleRender();
    } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      e.preventDefault();
      range.pan(((e.shiftKey ? e.deltaY : 0) + e.deltaX) / Math.max(1, axisWidth));
      scheduleRender();
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
  const a = Math.min(dragFrom, e.clientX) - axisLeft;
  const b = Math.max(dragFrom, e.clientX) - axisLeft;
  brush.hidden = false;
  brush.style.left = `${a}px`;
  brush.style.width = `${b - a}px`;
});
axisTime.addEventListener('pointerup', (e) => {
  if (dragFrom === undefined) return;
  const a = (Math.min(dragFrom, e.clientX) - axisLeft) / Math.max(1, axisWidth);
  const b = (Math.max(dragFrom, e.clientX) - axisLeft) / Math.max(1, axisWidth);
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
      // Read before any write of this frame: layout is still clean here.
      scrollTop = viewport.scrollTop;
      scrollRows(false);
    });
  },
  { passive: true },
);

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
      move(index + Math.floor(viewportHeight / ROW_HEIGHT));
      break;
    case 'PageUp':
      move(index - Math.floor(viewportHeight / ROW_HEIGHT));
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
      scrollTop,
    });
  }, 100);
}
viewport.addEventListener('scroll', saveState, { passive: true });

host.notify(Ready, undefined);
