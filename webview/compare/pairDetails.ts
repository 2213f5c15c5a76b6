// The selected pair: what changed, where to jump, and the diff of its payloads.
import type { ComparePairView, DiffSectionView, PairDiffView, Side } from '../../src/protocol/compare';
import { formatDuration } from '../../src/protocol/format';
import { el } from '../dom';
import { durationDeltaText, signedDuration } from './pairText';

export interface PairActions {
  openWaterfall(side: Side, spanId: string): void;
  goToSource(side: Side, spanId: string): void;
}

function button(label: string, icon: string, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = label;
  b.setAttribute('icon', icon);
  b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}

function fact(label: string, a: string, b: string): HTMLElement[] {
  return [el('dt', { textContent: label }), el('dd', { className: a === b ? '' : 'changed', textContent: a === b ? a : `${a} → ${b}` })];
}

function sectionView(s: DiffSectionView): HTMLElement {
  const body: HTMLElement[] = [];
  if (s.changes) {
    body.push(
      el('table', { className: 'json-changes' }, [
        el('tr', {}, [el('th', { textContent: 'path' }), el('th', { textContent: 'A' }), el('th', { textContent: 'B' })]),
        ...s.changes.map((c) => el('tr', { className: `change-${c.change}` }, [el('td', { textContent: c.path }), el('td', { className: 'removed', textContent: c.a ?? '' }), el('td', { className: 'added', textContent: c.b ?? '' })])),
      ]),
    );
  }
  if (s.words) body.push(el('pre', { className: 'diff-text' }, s.words.map((w) => (w.op === 'same' ? w.text : el(w.op === 'removed' ? 'del' : 'ins', { textContent: w.text })))));
  return el('section', { className: `diff-section${s.same ? ' same' : ''}` }, [
    el('h3', {}, [el('span', { textContent: s.label }), el('span', { className: `badge${s.same ? '' : ' differs'}`, textContent: s.same ? 'same' : 'differs' })]),
    ...body,
  ]);
}

const ttft = (s: ComparePairView['a']) => (s?.ttftMs !== undefined ? formatDuration(s.ttftMs) : '–');
const side = (s: ComparePairView['a']) => (s ? (s.running ? 'running' : formatDuration(s.durationMs)) : '–');

/** Fills the details pane for a pair; the diff arrives later (`renderDiff`). */
export function renderPair(pane: HTMLElement, p: ComparePairView, actions: PairActions, divergenceSummary: string | undefined): HTMLElement {
  const name = p.a && p.b && p.a.name !== p.b.name ? `${p.a.name} ↔ ${p.b.name}` : (p.a ?? p.b)!.name;
  const jumps: HTMLElement[] = [];
  for (const [s, span] of [['a', p.a], ['b', p.b]] as const) {
    if (!span) continue;
    const label = s.toUpperCase();
    jumps.push(button(`Waterfall (${label})`, 'graph-line', () => actions.openWaterfall(s, span.spanId)));
    if (span.hasSource) jumps.push(button(`Go to Source (${label})`, 'go-to-file', () => actions.goToSource(s, span.spanId)));
  }
  const status = (s: ComparePairView['a']) => (!s ? '–' : s.error ? `error${s.errorMessage ? `: ${s.errorMessage.split('\n')[0]}` : ''}` : 'ok');
  const diff = el('div', { className: 'pair-diff' }, [el('p', { className: 'muted', textContent: 'Reading payloads…' })]);
  pane.replaceChildren(
    el('h2', { textContent: name }),
    ...(divergenceSummary ? [el('div', { className: 'notice-box first-difference', textContent: `First difference: ${divergenceSummary}` })] : []),
    ...(!p.a || !p.b ? [el('div', { className: 'notice-box', textContent: p.a ? 'This span ran only in A.' : 'This span ran only in B.' })] : []),
    el('dl', { className: 'facts-list' }, [
      ...fact('Duration', side(p.a), side(p.b)),
      ...(p.durationDeltaMs !== undefined ? [el('dt', { textContent: 'Change' }), el('dd', { textContent: durationDeltaText(p) })] : []),
      ...fact('Status', status(p.a), status(p.b)),
      ...(p.a?.model || p.b?.model ? fact('Model', p.a?.model ?? '–', p.b?.model ?? '–') : []),
      ...(p.a?.tokens !== undefined || p.b?.tokens !== undefined ? fact('Tokens', p.a?.tokens?.toLocaleString('en-US') ?? '–', p.b?.tokens?.toLocaleString('en-US') ?? '–') : []),
      ...(p.a?.ttftMs !== undefined || p.b?.ttftMs !== undefined ? fact('First token', ttft(p.a), ttft(p.b)) : []),
      ...(p.ttftDeltaMs !== undefined ? [el('dt', { textContent: 'TTFT change' }), el('dd', { className: 'ttft-delta', textContent: signedDuration(p.ttftDeltaMs) })] : []),
    ]),
    el('div', { className: 'actions' }, jumps),
    diff,
  );
  return diff;
}

export function renderDiff(target: HTMLElement, diff: PairDiffView): void {
  target.replaceChildren(
    ...(diff.loadError ? [el('div', { className: 'error-box', textContent: `Some payloads could not be read: ${diff.loadError}` })] : []),
    ...diff.sections.map(sectionView),
  );
}
