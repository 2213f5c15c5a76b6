import { formatDuration } from '../src/protocol/format';
import { RowFlag } from '../src/protocol/waterfall';
import { el } from './dom';
import type { TraceRows } from './model';
import type { TimeRange } from './timeline';
import type { WaterfallView } from './viewState';
import type { RowSource } from './virtualRows';

export const ROW_HEIGHT = 22;

/**
 * One drawn row's elements. Rows are pooled: a row scrolled out of view is refilled for one
 * coming into view, so a scroll frame creates and removes no elements, and events are
 * handled once on the rows' container.
 */
export interface RowView {
  readonly el: HTMLElement;
  readonly nameCell: HTMLElement;
  readonly twisty: HTMLElement;
  readonly status: HTMLElement;
  readonly name: Text;
  readonly chip: HTMLElement;
  readonly chipText: Text;
  readonly bar: HTMLElement;
  /** On an LLM bar that recorded its time to first token: the waiting part, ending in a tick. */
  readonly wait: HTMLElement;
  readonly label: HTMLElement;
  readonly labelText: Text;
}

export function newRowView(): RowView {
  const twisty = el('span', { className: 'twisty codicon', ariaHidden: 'true' });
  const status = el('span', { ariaHidden: 'true', hidden: true });
  const name = document.createTextNode('');
  const chipText = document.createTextNode('');
  const chip = el('span', { className: 'kind-chip' }, [chipText]);
  const nameCell = el('div', { className: 'name-cell' }, [twisty, status, el('span', { className: 'span-name' }, [name]), chip]);
  const wait = el('div', { className: 'bar-wait', hidden: true });
  const bar = el('div', { className: 'bar' }, [wait]);
  const labelText = document.createTextNode('');
  const label = el('span', { className: 'bar-label' }, [labelText]);
  const rowEl = el('div', { className: 'row', role: 'treeitem' }, [nameCell, el('div', { className: 'bar-cell' }, [bar, label])]);
  return { el: rowEl, nameCell, twisty, status, name, chip, chipText, bar, wait, label, labelText };
}

/** A row put away: hidden, and out of the tree for assistive technology and selectors alike. */
export function parkRow(view: RowView): void {
  view.el.removeAttribute('aria-selected');
  view.el.removeAttribute('data-span-id');
}

function setClass(node: HTMLElement, className: string): void {
  if (node.className !== className) node.className = className;
}

/** Draws trace row `row` into a pooled row element. */
export function fillRow(view: RowView, t: TraceRows, row: number, state: WaterfallView, range: TimeRange): void {
  const spanId = t.spanId(row);
  const group = t.groupSize[row] > 0;
  const hasChildren = t.has(row, RowFlag.HasChildren);
  const collapsed = state.isCollapsed(row);
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
  const slot = state.colorSlot(row);
  const service = t.serviceOf(row);
  // A service's class comes after the kind's: its colour wins while colouring by service.
  setClass(bar, `bar kind-${kind}${slot >= 0 ? ` svc-${slot}` : state.colorBy === 'service' ? ' svc-none' : ''}${failed ? ' error' : ''}${critical ? ' critical' : ''}${group ? ' group' : ''}${running ? ' running' : ''}`);
  const clippedLeft = Math.max(0, Math.min(1, left));
  const clippedRight = Math.max(0, Math.min(1, right));
  bar.style.left = `${clippedLeft * 100}%`;
  bar.style.width = `max(${running ? 14 : 2}px, ${(clippedRight - clippedLeft) * 100}%)`;
  bar.hidden = right < 0 || left > 1;
  // The wait for the first token, then the streaming part: a streamed call's two halves.
  const ttft = group ? 0 : t.ttftMs[row];
  const shownTtft = ttft > 0 && (running || ttft < duration) ? ttft : 0;
  view.wait.hidden = shownTtft === 0;
  if (shownTtft > 0) {
    // As a share of the bar as drawn, which a zoomed-in axis may cut on either side.
    const tick = Math.max(0, Math.min(1, range.at(start + shownTtft)));
    view.wait.style.width = `${Math.max(0, Math.min(1, (tick - clippedLeft) / Math.max(clippedRight - clippedLeft, 1e-12))) * 100}%`;
  }
  const firstToken = shownTtft > 0 ? ` · first token after ${formatDuration(shownTtft)}` : '';
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
  setClass(rowEl, `row${state.isMatch(row) ? ' match' : ''}${state.isCurrentMatch(row) ? ' current-match' : ''}${running ? ' running' : ''}${failed ? ' failed' : ''}`);
  rowEl.dataset.spanId = spanId;
  rowEl.dataset.row = String(row);
  if (group) rowEl.dataset.group = 'true';
  else delete rowEl.dataset.group;
  rowEl.setAttribute('aria-level', String(t.depth[row] + 1));
  rowEl.setAttribute('aria-selected', String(!group && spanId === state.selectedSpanId));
  if (hasChildren) rowEl.setAttribute('aria-expanded', String(!collapsed));
  else rowEl.removeAttribute('aria-expanded');
  const spoken = running ? `still running${soFar > 0 ? `, at least ${formatDuration(soFar)} so far` : ''}` : view.labelText.data;
  rowEl.setAttribute('aria-label', `${name}, ${kind}, ${spoken}${firstToken ? `, first token after ${formatDuration(shownTtft)}` : ''}${failed ? ', failed' : ''}${critical ? ', on the critical path' : ''}`);
  rowEl.title = running
    ? `${name}\n${kind}${service ? ` · ${service}` : ''} · still running: started at +${formatDuration(start)}, no end yet${soFar > 0 ? ` (≥ ${formatDuration(soFar)} so far)` : ''}${failed ? ' · failed' : ''}${critical ? ' · critical path' : ''}`
    : `${name}\n${kind}${service ? ` · ${service}` : ''} · ${formatDuration(duration)} total · ${formatDuration(self)} self${firstToken}${failed ? ' · failed' : ''}${critical ? ' · critical path' : ''}`;
}


/** The trace row of a row element an event happened in, or -1. */
export function rowOfEvent(e: Event): number {
  const rowEl = (e.target as Element | null)?.closest?.('.row') as HTMLElement | null;
  return rowEl?.dataset.row !== undefined ? Number(rowEl.dataset.row) : -1;
}

/** The waterfall's rows for a virtual list: the visible rows of the view state, drawn against the time range. */
export function waterfallRows(state: WaterfallView, range: TimeRange): RowSource<RowView> {
  return {
    count: () => (state.trace ? state.visible.length : 0),
    rowHeight: ROW_HEIGHT,
    create: newRowView,
    fill: (view, index) => fillRow(view, state.trace!, state.visible[index], state, range),
    park: parkRow,
  };
}
