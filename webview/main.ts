import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import './styles.css';
import { formatDuration, tickStep, tokensText } from '../src/protocol/format';
import type { SpanDetailsView, TraceView, WaterfallRow, WaterfallState } from '../src/protocol/waterfall';
import { GetSpanDetails, GoToSource, Ready, SelectSpan, ShowTrace, TraceRemoved } from '../src/protocol/waterfall';
import { el } from './dom';
import { renderDetails } from './details';
import { HostConnection } from './vscodeApi';

const ROW_HEIGHT = 22;
const OVERSCAN = 10;

const host = new HostConnection();
const app = document.getElementById('app')!;
const initial = (host.getState<WaterfallState>() ?? JSON.parse(app.dataset.state ?? '{}')) as WaterfallState;

let view: TraceView | undefined;
let visible: WaterfallRow[] = [];
let selectedSpanId: string | undefined = initial.selectedSpanId;
const collapsed = new Set<string>();
let detailsRequest = 0;

const header = el('header', { className: 'run-header' });
const axis = el('div', { className: 'axis', ariaHidden: 'true' });
const viewport = el('div', { className: 'rows-viewport', tabIndex: 0, role: 'tree', ariaLabel: 'Spans' });
const spacer = el('div', { className: 'rows-spacer' });
viewport.append(spacer);
const waterfall = el('section', { className: 'waterfall' }, [axis, viewport]);
const details = el('aside', { className: 'details', ariaLabel: 'Span details' }, [el('p', { className: 'muted', textContent: 'Select a span to see its details.' })]);
const banner = el('div', { className: 'banner', hidden: true });
app.append(header, banner, el('div', { className: 'layout' }, [waterfall, details]));

host.on(ShowTrace, (trace) => {
  view = trace;
  banner.hidden = true;
  renderHeader(trace);
  computeVisible();
  renderAxis();
  renderRows();
  if (selectedSpanId && !trace.rows.some((r) => r.spanId === selectedSpanId)) selectedSpanId = undefined;
  if (selectedSpanId && details.dataset.spanId !== selectedSpanId) void showDetails(selectedSpanId);
});

host.on(TraceRemoved, () => {
  banner.hidden = false;
  banner.textContent = 'This run is gone: the trace file it came from was deleted or rewritten.';
});

host.on(SelectSpan, ({ spanId }) => select(spanId, true));

function renderHeader(trace: TraceView): void {
  const h = trace.header;
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
      fact('Started', new Date(h.startTime).toLocaleString()),
      ...(h.tokens?.total !== undefined ? [fact('Tokens', tokensText(h.tokens))] : []),
      ...(h.services.length > 0 ? [fact('Service', h.services.join(', '))] : []),
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

/** The rows not hidden under a collapsed span, in depth-first order. */
function computeVisible(): void {
  visible = [];
  if (!view) return;
  let hideBelow = Infinity;
  for (const row of view.rows) {
    if (row.depth > hideBelow) continue;
    hideBelow = Infinity;
    visible.push(row);
    if (collapsed.has(row.spanId) && row.hasChildren) hideBelow = row.depth;
  }
  spacer.style.height = `${visible.length * ROW_HEIGHT}px`;
}

function totalMs(): number {
  if (!view) return 1;
  let end = 0;
  for (const r of view.rows) end = Math.max(end, r.startMs + r.durationMs);
  return Math.max(end, view.header.durationMs, 1e-6);
}

function renderAxis(): void {
  const total = totalMs();
  const step = tickStep(total, 6);
  const ticks: HTMLElement[] = [];
  for (let t = 0; t <= total + step * 1e-9; t += step) {
    const tick = el('span', { className: 'tick', textContent: formatDuration(t) });
    tick.style.left = `${(t / total) * 100}%`;
    ticks.push(tick);
  }
  axis.replaceChildren(el('div', { className: 'axis-name', textContent: 'Span' }), el('div', { className: 'axis-time' }, ticks));
}

function renderRows(): void {
  if (!view) return;
  const total = totalMs();
  const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(visible.length, Math.ceil((viewport.scrollTop + viewport.clientHeight) / ROW_HEIGHT) + OVERSCAN);
  const rows: HTMLElement[] = [];
  for (let i = first; i < last; i++) rows.push(renderRow(visible[i], i, total));
  spacer.replaceChildren(...rows);
}

function renderRow(row: WaterfallRow, index: number, total: number): HTMLElement {
  const isCollapsed = collapsed.has(row.spanId);
  const twisty = el('span', {
    className: `twisty codicon ${row.hasChildren ? (isCollapsed ? 'codicon-chevron-right' : 'codicon-chevron-down') : ''}`,
    ariaHidden: 'true',
  });
  if (row.hasChildren) twisty.addEventListener('click', (e) => (e.stopPropagation(), toggle(row.spanId)));
  const nameCell = el('div', { className: 'name-cell', title: row.name }, [
    twisty,
    ...(row.status === 'error' ? [icon('error')] : row.orphan ? [icon('debug-disconnect')] : []),
    el('span', { className: 'span-name', textContent: row.name }),
    el('span', { className: `kind-chip kind-${row.kind}`, textContent: row.kind, title: row.model ? `${row.kind} · ${row.model}` : row.kind }),
  ]);
  nameCell.style.paddingLeft = `${4 + row.depth * 14}px`;
  const bar = el('div', { className: `bar kind-${row.kind} ${row.status}` });
  const left = (row.startMs / total) * 100;
  bar.style.left = `${left}%`;
  bar.style.width = `max(2px, ${(row.durationMs / total) * 100}%)`;
  const label = el('span', { className: 'bar-label', textContent: formatDuration(row.durationMs) });
  // Labels sit right of the bar, or left of it when the bar ends near the edge.
  const end = left + (row.durationMs / total) * 100;
  if (end <= 80) label.style.left = `${end}%`;
  else if (left >= 15) label.style.right = `${100 - left}%`;
  else {
    // A bar spanning most of the axis carries its label inside.
    label.classList.add('inside');
    label.style.left = `${left}%`;
  }
  const barCell = el('div', { className: 'bar-cell' }, [bar, label]);
  const rowEl = el('div', { className: 'row', role: 'treeitem' }, [nameCell, barCell]);
  rowEl.dataset.spanId = row.spanId;
  rowEl.style.top = `${index * ROW_HEIGHT}px`;
  rowEl.setAttribute('aria-level', String(row.depth + 1));
  rowEl.setAttribute('aria-selected', String(row.spanId === selectedSpanId));
  if (row.hasChildren) rowEl.setAttribute('aria-expanded', String(!isCollapsed));
  rowEl.setAttribute('aria-label', `${row.name}, ${formatDuration(row.durationMs)}${row.status === 'error' ? ', failed' : ''}`);
  rowEl.addEventListener('click', () => select(row.spanId, false));
  rowEl.addEventListener('dblclick', () => row.hasSource && host.notify(GoToSource, { spanId: row.spanId }));
  return rowEl;
}

function toggle(spanId: string, open?: boolean): void {
  const isOpen = !collapsed.has(spanId);
  if (open === isOpen) return;
  if (isOpen) collapsed.add(spanId);
  else collapsed.delete(spanId);
  computeVisible();
  renderRows();
}

function select(spanId: string, reveal: boolean): void {
  if (!view?.rows.some((r) => r.spanId === spanId)) return;
  selectedSpanId = spanId;
  host.setState<WaterfallState>({ traceId: view.header.traceId, selectedSpanId: spanId });
  if (reveal) revealRow(spanId);
  renderRows();
  void showDetails(spanId);
}

/** Expands collapsed ancestors and scrolls the row into view. */
function revealRow(spanId: string): void {
  if (!view) return;
  const byId = new Map(view.rows.map((r) => [r.spanId, r]));
  for (let r = byId.get(spanId); r; r = byId.get(r.parentSpanId)) if (r.spanId !== spanId) collapsed.delete(r.spanId);
  computeVisible();
  const index = visible.findIndex((r) => r.spanId === spanId);
  if (index < 0) return;
  const top = index * ROW_HEIGHT;
  if (top < viewport.scrollTop || top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) {
    viewport.scrollTop = Math.max(0, top - viewport.clientHeight / 2);
  }
}

async function showDetails(spanId: string): Promise<void> {
  const ticket = ++detailsRequest;
  details.dataset.spanId = spanId;
  try {
    const result: SpanDetailsView = await host.request(GetSpanDetails, { spanId });
    if (ticket !== detailsRequest) return;
    renderDetails(details, result, () => host.notify(GoToSource, { spanId }));
  } catch (err) {
    if (ticket !== detailsRequest) return;
    details.replaceChildren(el('p', { className: 'error-text', textContent: String(err instanceof Error ? err.message : err) }));
  }
}

viewport.addEventListener('scroll', () => requestAnimationFrame(renderRows), { passive: true });
new ResizeObserver(() => renderRows()).observe(viewport);

viewport.addEventListener('keydown', (e) => {
  if (!view || visible.length === 0) return;
  const index = visible.findIndex((r) => r.spanId === selectedSpanId);
  const row = index >= 0 ? visible[index] : undefined;
  const move = (to: number) => select(visible[Math.max(0, Math.min(visible.length - 1, to))].spanId, true);
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
    case 'ArrowLeft':
      if (row?.hasChildren && !collapsed.has(row.spanId)) toggle(row.spanId, false);
      else if (row?.parentSpanId) select(row.parentSpanId, true);
      break;
    case 'ArrowRight':
      if (row?.hasChildren) toggle(row.spanId, true);
      break;
    case 'Enter':
      if (row?.hasSource) host.notify(GoToSource, { spanId: row.spanId });
      break;
    default:
      return;
  }
  e.preventDefault();
});

host.notify(Ready, undefined);
