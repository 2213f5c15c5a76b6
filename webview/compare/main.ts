// The compare page: two runs' span trees side by side, the pairs' deltas, the first divergence
// and the diff of the selected pair.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '../styles/index.css';
import './compare.css';
import {
  CompareBegin,
  CompareContent,
  CompareDivergence,
  ComparePairs,
  CompareReady,
  CompareRemoved,
  GetPairDiff,
  GoToSideSource,
  OpenSideWaterfall,
  RevealSecrets,
  type ComparePairView,
  type CompareRunView,
  type CompareState,
  type DivergenceView,
} from '../../src/protocol/compare';
import { formatDuration } from '../../src/protocol/format';
import { el } from '../dom';
import { VirtualRows } from '../virtualRows';
import { HostConnection } from '../vscodeApi';
import { renderDiff, renderPair } from './pairDetails';
import { compareRows, rowOfEvent, type CompareModel } from './rows';

const host = new HostConnection();
const app = document.getElementById('app')!;
const saved = (host.getState<CompareState>() ?? JSON.parse(app.dataset.state ?? '{}')) as CompareState;

const model: CompareModel = { pairs: [], pairCount: 0, scaleMs: 1, flags: new Uint8Array(0), selected: -1, divergence: -1 };
let generation = -1;
let divergence: DivergenceView | null | undefined;
/** The user picked a row: the divergence arriving later does not take the selection away. */
let userSelected = saved.selectedRow !== undefined;

// ---------- layout ----------
const header = el('header', { className: 'run-header cmp-header' });
const banner = el('div', { className: 'banner', hidden: true });
const revealButton = document.createElement('vscode-button');
revealButton.textContent = 'Reveal';
revealButton.setAttribute('secondary', '');
revealButton.title = 'Show the masked text as recorded, in this panel';
// The host sends everything again unmasked; the notice goes with the masked text.
revealButton.addEventListener('click', () => host.notify(RevealSecrets, undefined));
const secretsNotice = el('div', { className: 'notice-box secrets-masked', role: 'note', hidden: true }, [
  el('span', { className: 'codicon codicon-shield', ariaHidden: 'true' }),
  el('span', { textContent: ' Secrets in these runs are masked (tracerun.redact). ' }),
  revealButton,
]);
const headA = el('div', { className: 'cmp-head cmp-a' });
const headB = el('div', { className: 'cmp-head cmp-b' });
const heads = el('div', { className: 'cmp-heads' }, [headA, el('div', { className: 'cmp-head cmp-delta', textContent: 'Change' }), headB]);
const viewport = el('div', { className: 'rows-viewport', tabIndex: 0, role: 'tree', ariaLabel: 'Aligned spans' });
const spacer = el('div', { className: 'rows-spacer' });
viewport.append(spacer);
const details = el('aside', { className: 'details cmp-details', ariaLabel: 'Pair details' }, [el('p', { className: 'muted', textContent: 'Select a pair to see what changed.' })]);
const rowsSection = el('section', { className: 'cmp-rows' }, [heads, viewport]);
app.append(header, secretsNotice, banner, el('div', { className: 'cmp-layout' }, [rowsSection, details]));
// The heads and the rows share the change column's width.
const rows = new VirtualRows(viewport, spacer, compareRows(model, (px) => rowsSection.style.setProperty('--cmp-change-width', `${px}px`)));

function runHead(target: HTMLElement, label: string, r: CompareRunView): void {
  target.replaceChildren(
    el('span', { className: 'cmp-side-label', textContent: label }),
    el('span', { className: 'span-name', textContent: r.name, title: `Trace ${r.traceId}` }),
    el('span', { className: 'muted', textContent: ` ${formatDuration(r.durationMs)} · ${r.spanCount.toLocaleString()} spans${r.errorCount > 0 ? ` · ${r.errorCount} failed` : ''} · ${new Date(r.startedAt).toLocaleTimeString()}` }),
  );
}

function renderHeader(a: CompareRunView, b: CompareRunView): void {
  const line =
    divergence === undefined
      ? el('div', { className: 'divergence-summary muted', textContent: 'Looking for the first difference…' })
      : divergence === null
        ? el('div', { className: 'divergence-summary', textContent: 'No difference in inputs, outputs or status.' })
        : el('div', { className: 'divergence-summary' }, [el('span', { className: 'codicon codicon-debug-breakpoint-unverified', ariaHidden: 'true' }), ` first difference: ${divergence.summary}`]);
  if (divergence) {
    line.classList.add('link');
    line.title = 'Show the first difference';
    line.addEventListener('click', () => select(divergence!.row, true));
  }
  header.replaceChildren(el('h1', { textContent: a.name === b.name ? `Compare: ${a.name}` : `Compare: ${a.name} ↔ ${b.name}` }), line);
  runHead(headA, 'A', a);
  runHead(headB, 'B', b);
}

let runs: { a: CompareRunView; b: CompareRunView } | undefined;

/** Something shown was masked: the notice with Reveal shows (until the next comparison is sent). */
function noteMasked(masked: boolean | undefined): void {
  if (masked) secretsNotice.hidden = false;
}

// ---------- data from the host ----------
/** The pair selected before a realignment (runs still arriving), to select again once all pairs are in. */
let reselect: ComparePairView | undefined;

host.onNotification(CompareBegin, (start) => {
  reselect = model.selected >= 0 ? model.pairs[model.selected] : undefined;
  generation = start.generation;
  model.pairs = [...start.pairs];
  model.pairCount = start.pairCount;
  model.scaleMs = start.scaleMs;
  model.flags = new Uint8Array(start.pairCount);
  model.divergence = -1;
  model.selected = -1;
  divergence = undefined;
  runs = { a: start.a, b: start.b };
  banner.hidden = true;
  secretsNotice.hidden = !start.secretsMasked;
  renderHeader(start.a, start.b);
  rows.resized();
  rows.render();
  if (model.pairs.length === model.pairCount) allReceived();
});

host.onNotification(ComparePairs, ({ generation: g, offset, pairs, secretsMasked }) => {
  if (g !== generation || offset !== model.pairs.length) return;
  noteMasked(secretsMasked);
  for (const p of pairs) model.pairs.push(p);
  rows.render();
  if (model.pairs.length === model.pairCount) allReceived();
});

function allReceived(): void {
  let again = -1;
  if (reselect) again = model.pairs.findIndex((p) => p.a?.spanId === reselect!.a?.spanId && p.b?.spanId === reselect!.b?.spanId);
  else if (saved.selectedRow !== undefined && saved.selectedRow < model.pairCount) again = saved.selectedRow;
  reselect = undefined;
  if (again >= 0) select(again, true);
}

host.onNotification(CompareDivergence, ({ generation: g, divergence: d, secretsMasked }) => {
  if (g !== generation || !runs) return;
  noteMasked(secretsMasked);
  divergence = d;
  model.divergence = d ? d.row : -1;
  renderHeader(runs.a, runs.b);
  if (d && !userSelected) select(d.row, true);
  else if (model.selected >= 0) showPair(model.selected);
  rows.render();
});

host.onNotification(CompareContent, ({ generation: g, rows: changed, flags }) => {
  if (g !== generation) return;
  changed.forEach((row, i) => (model.flags[row] = flags[i]));
  rows.render();
});

host.onNotification(CompareRemoved, ({ side }) => {
  banner.hidden = false;
  banner.textContent = `Run ${side.toUpperCase()} is gone: the trace file it came from was deleted or rewritten.`;
});

// ---------- selection ----------
function select(row: number, reveal: boolean): void {
  if (row < 0 || row >= model.pairs.length || !model.pairs[row]) return;
  model.selected = row;
  if (reveal) rows.reveal(row);
  rows.render();
  host.setState<CompareState>({ a: saved.a, b: saved.b, selectedRow: row });
  showPair(row);
}

let ticket = 0;
async function showPair(row: number): Promise<void> {
  const mine = ++ticket;
  const p = model.pairs[row];
  const diffTarget = renderPair(
    details,
    p,
    {
      openWaterfall: (side, spanId) => host.notify(OpenSideWaterfall, { side, spanId }),
      goToSource: (side, spanId) => host.notify(GoToSideSource, { side, spanId }),
    },
    divergence && divergence.row === row ? divergence.summary : undefined,
  );
  details.dataset.row = String(row);
  try {
    const diff = await host.request(GetPairDiff, { row });
    if (mine === ticket) renderDiff(diffTarget, diff);
    if (mine === ticket) noteMasked(diff.secretsMasked);
  } catch (err) {
    if (mine === ticket) diffTarget.replaceChildren(el('p', { className: 'error-text', textContent: err instanceof Error ? err.message : String(err) }));
  }
}

spacer.addEventListener('click', (e) => {
  const row = rowOfEvent(e);
  if (row < 0) return;
  userSelected = true;
  select(row, false);
});

viewport.addEventListener('keydown', (e) => {
  const last = model.pairs.length - 1;
  if (last < 0) return;
  const at = model.selected;
  const to =
    e.key === 'ArrowDown' ? Math.min(last, at + 1) : e.key === 'ArrowUp' ? Math.max(0, at - 1) : e.key === 'Home' ? 0 : e.key === 'End' ? last : e.key === 'PageDown' ? Math.min(last, at + rows.pageRows) : e.key === 'PageUp' ? Math.max(0, at - rows.pageRows) : -2;
  if (to === -2) return;
  e.preventDefault();
  userSelected = true;
  select(to, true);
});

host.notify(CompareReady, undefined);
