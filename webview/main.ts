// The waterfall page: wires the view state, the virtual rows, the time axis, the toolbar and
// the keyboard to each other and to the extension.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import './styles/index.css';
import { CopyRunAsJson, GetSpanDetails, GoToSource, Ready, ReplaySpan, RowFlag, SaveRunAs, SelectSpan, TakeFocus, TraceBegin, TraceHeader, TraceRemoved, TraceRows, type RowColumns, type WaterfallState } from '../src/protocol/waterfall';
import { renderDetails } from './details';
import { el } from './dom';
import { renderHeader, warmUpHeaderFormats } from './header';
import { renderLegend } from './legend';
import { bindKeyboard } from './keyboard';
import { NO_FILTER } from './model';
import { rowOfEvent, waterfallRows } from './rowView';
import { Search } from './search';
import { TimeAxis } from './timeAxis';
import { TimeRange } from './timeline';
import { Toolbar } from './toolbar';
import { WaterfallView } from './viewState';
import { VirtualRows } from './virtualRows';
import { HostConnection } from './vscodeApi';

const host = new HostConnection();
const app = document.getElementById('app')!;
const saved = (host.getState<WaterfallState>() ?? JSON.parse(app.dataset.state ?? '{}')) as WaterfallState;
const view = new WaterfallView(saved);
const range = new TimeRange(() => view.trace?.endMs ?? 1);
let restoredScroll = saved.scrollTop ?? 0;

// ---------- layout ----------
const header = el('header', { className: 'run-header' });
const banner = el('div', { className: 'banner', hidden: true });
const viewport = el('div', { className: 'rows-viewport', tabIndex: 0, role: 'tree', ariaLabel: 'Spans' });
const spacer = el('div', { className: 'rows-spacer' });
viewport.append(spacer);
const axis = new TimeAxis(range, () => render());
const search = new Search(view, host, () => viewport.focus());
const toolbar = new Toolbar(search.controls, {
  filter: (filter) => view.setFilter(filter),
  expandTo: (depth) => view.expandTo(depth),
  collapseAll: () => view.collapseAll(),
  fit: () => (range.fit(), render()),
  colorBy: (mode) => view.setColorBy(mode),
}, view.colorBy);
const legend = el('div', { className: 'legend', role: 'list', ariaLabel: 'Services', hidden: true });
const waterfall = el('section', { className: 'waterfall' }, [el('div', { className: 'axis' }, [el('div', { className: 'axis-name', textContent: 'Span' }), axis.element]), viewport]);
axis.bindWheel(waterfall);
const details = el('aside', { className: 'details', ariaLabel: 'Span details' }, [el('p', { className: 'muted', textContent: 'Select a span to see its details.' })]);
app.append(header, banner, toolbar.element, legend, el('div', { className: 'layout' }, [waterfall, details]));
const rows = new VirtualRows(viewport, spacer, waterfallRows(view, range));

/** Draws the axis and the rows in view, now. */
function render(): void {
  axis.render();
  rows.render();
  saveState();
}

view.onChange((change) => {
  if (change.filter && view.filter === NO_FILTER) toolbar.clearFilter();
  if (change.rows) rows.resized();
  if (change.reveal !== undefined) rows.reveal(change.reveal);
  if (change.matches) search.showMatches();
  if (change.colors) {
    renderLegend(legend, view.legend());
    saveState();
  }
  if (change.rows) render();
  else rows.render();
  if (change.selection && view.selectedSpanId) {
    saveState();
    void showDetails(view.selectedSpanId);
  }
});

// ---------- data from the host ----------
const headerActions = { copyRunAsJson: () => host.notify(CopyRunAsJson, undefined), saveRunAs: () => host.notify(SaveRunAs, undefined) };

host.onNotification(TraceBegin, (start) => {
  const previous = view.trace;
  view.begin(start);
  banner.hidden = true;
  renderHeader(header, view.trace!.header, headerActions);
  if (!previous || range.isFit()) range.fit();
});

// The cost and what the run lacks, worked out after the rows.
host.onNotification(TraceHeader, ({ generation, header: whole }) => {
  if (view.setHeader(generation, whole)) renderHeader(header, whole, headerActions);
});

let rebuildFrame = 0;
/** Slices after a send's first, handled once the first rows are painted (`drainSlices`). */
let laterSlices: Array<{ readonly generation: number; readonly rows: RowColumns }> = [];
let drainScheduled = false;

host.onNotification(TraceRows, (slice) => {
  // A send's first rows show at once; the others, which come in a burst, wait for that paint.
  if (view.trace?.generation === slice.generation && view.trace.received === 0) {
    addSlice(slice.generation, slice.rows, true);
    return;
  }
  laterSlices.push(slice);
  if (drainScheduled) return;
  drainScheduled = true;
  // After the next frame; a hidden panel gets no frames, so a timer stands in.
  const timer = setTimeout(drainSlices, 100);
  requestAnimationFrame(() => {
    clearTimeout(timer);
    setTimeout(drainSlices, 0);
  });
});

function drainSlices(): void {
  drainScheduled = false;
  const slices = laterSlices;
  laterSlices = [];
  for (const { generation, rows: slice } of slices) addSlice(generation, slice, false);
}

/** `first`: a send's first slice, shown now so it is painted before the others are handled. */
function addSlice(generation: number, slice: RowColumns, first: boolean): void {
  if (!view.addRows(generation, slice)) return;
  if (range.isFit() || range.end <= 1) range.fit();
  if (view.trace!.complete) {
    cancelAnimationFrame(rebuildFrame);
    rebuildFrame = 0;
    view.rebuild();
    onComplete();
  } else if (first) {
    view.rebuild();
  } else if (!rebuildFrame) {
    // Slices of a big trace come quickly: redraw once per frame.
    rebuildFrame = requestAnimationFrame(() => {
      rebuildFrame = 0;
      view.rebuild();
    });
  }
}

function onComplete(): void {
  if (restoredScroll) {
    rows.scrollTop = restoredScroll;
    restoredScroll = 0;
  }
  // The panel may come back narrower or with new rows above: keep the selection in view.
  view.settle();
  const selected = view.selectedSpanId;
  if (selected && (details.dataset.spanId !== selected || details.dataset.live)) void showDetails(selected);
  if (search.query) void search.run(false);
  render();
}

host.onNotification(TraceRemoved, () => {
  banner.hidden = false;
  banner.textContent = 'This run is gone: the trace file it came from was deleted or rewritten.';
});

host.onNotification(SelectSpan, ({ spanId }) => {
  view.preselect(spanId);
  if (view.trace?.complete) view.select(spanId, true);
});

// Only when the user brought the waterfall forward: never on a load, a reload or a live update.
host.onNotification(TakeFocus, () => viewport.focus());

// ---------- rows: one listener for all of them ----------
spacer.addEventListener('click', (e) => {
  const t = view.trace;
  const row = rowOfEvent(e);
  if (!t || row < 0 || row >= t.received) return;
  if (t.groupSize[row] > 0 || (t.has(row, RowFlag.HasChildren) && (e.target as Element).closest('.twisty'))) view.toggle(row);
  else view.select(t.spanId(row), false);
});
spacer.addEventListener('dblclick', (e) => {
  const t = view.trace;
  const row = rowOfEvent(e);
  if (t && row >= 0 && row < t.received && t.groupSize[row] === 0 && t.has(row, RowFlag.HasSource)) host.notify(GoToSource, { spanId: t.spanId(row) });
});

bindKeyboard(viewport, search.box, {
  view,
  range,
  pageRows: () => rows.pageRows,
  focusSearch: () => search.focus(),
  goToSource: (spanId) => host.notify(GoToSource, { spanId }),
  render,
});

// ---------- details ----------
let detailsTicket = 0;
/** Secrets are shown as recorded in this panel once the user clicked Reveal. */
let revealed = false;
async function showDetails(spanId: string): Promise<void> {
  const ticket = ++detailsTicket;
  details.dataset.spanId = spanId;
  try {
    const result = await host.request(GetSpanDetails, { spanId, reveal: revealed });
    if (ticket !== detailsTicket) return;
    // The host's details know the span's times, not that the run has moved on: a span with
    // no end yet says so, with how long it has run as far as the rows go.
    const t = view.trace;
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
        replay: () => host.notify(ReplaySpan, { spanId }),
        reveal: () => {
          revealed = true;
          void showDetails(spanId);
        },
      },
      // Self time is in the rows: the host does not keep a span → row map for it.
      { selfMs: t && row >= 0 ? t.selfMs[row] : undefined, running },
    );
  } catch (err) {
    if (ticket !== detailsTicket) return;
    details.replaceChildren(el('p', { className: 'error-text', textContent: String(err instanceof Error ? err.message : err) }));
  }
}

// ---------- state across hide/show and reloads ----------
let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveState(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    const t = view.trace;
    if (t) host.setState<WaterfallState>({ traceId: t.header.traceId, ...view.saved(), scrollTop: rows.scrollTop });
  }, 100);
}
viewport.addEventListener('scroll', saveState, { passive: true });

host.notify(Ready, undefined);
// While the host lays the run out: the header's first number and date would take tens of ms.
setTimeout(warmUpHeaderFormats, 0);
