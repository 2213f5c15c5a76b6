// The compare panel's rows: each aligned pair as A's span (name, bar), the deltas, and B's span
// (name, bar), drawn into pooled elements by the shared virtual list.
import type { ComparePairView, CompareSpanView } from '../../src/protocol/compare';
import { durationDeltaText, formatDuration } from '../../src/protocol/format';
import { el } from '../dom';
import { CHANGE_COLUMN_MIN_PX, changeCellWidth, changeChips } from './pairText';
import type { RowElement, RowSource } from '../virtualRows';

export const ROW_HEIGHT = 22;
const INDENT_PX = 12;

/** What the rows show; filled as the host sends it. */
export interface CompareModel {
  /** The pairs received so far, in row order; `pairCount` in all. */
  pairs: ComparePairView[];
  pairCount: number;
  scaleMs: number;
  /** `ContentFlag` bits per row, as the host reads payloads. */
  flags: Uint8Array;
  selected: number;
  divergence: number;
}

interface SideParts {
  readonly cell: HTMLElement;
  readonly icon: HTMLElement;
  readonly name: HTMLElement;
  readonly bar: HTMLElement;
  readonly wait: HTMLElement;
}

interface CompareRow extends RowElement {
  readonly a: SideParts;
  readonly b: SideParts;
  readonly delta: HTMLElement;
  readonly chips: HTMLElement;
}

function sideParts(side: 'a' | 'b'): SideParts {
  const icon = el('span', { className: 'codicon', ariaHidden: 'true' });
  const name = el('span', { className: 'span-name' });
  const wait = el('div', { className: 'bar-wait', hidden: true });
  const bar = el('div', { className: 'bar' }, [wait]);
  const cell = el('div', { className: `cmp-side cmp-${side}` }, [el('div', { className: 'cmp-name' }, [icon, name]), el('div', { className: 'cmp-bar-cell' }, [bar])]);
  return { cell, icon, name, bar, wait };
}

function fillSide(parts: SideParts, span: CompareSpanView | undefined, depth: number, scaleMs: number, missing: string): void {
  parts.cell.classList.toggle('missing', !span);
  (parts.name.parentElement as HTMLElement).style.paddingLeft = `${4 + depth * INDENT_PX}px`;
  if (!span) {
    parts.icon.className = 'codicon codicon-circle-slash';
    parts.name.textContent = missing;
    parts.bar.hidden = true;
    return;
  }
  parts.icon.className = span.error ? 'codicon codicon-error' : span.running ? 'codicon codicon-loading' : 'codicon';
  parts.name.textContent = span.name;
  parts.name.title = `${span.name} · ${span.kind}${span.model ? ` · ${span.model}` : ''} · ${span.running ? 'running' : formatDuration(span.durationMs)}${span.ttftMs !== undefined ? ` · first token after ${formatDuration(span.ttftMs)}` : ''}`;
  // The wait for the first token, as on the waterfall's bars.
  const waited = span.ttftMs !== undefined && span.ttftMs > 0 && span.durationMs > 0 && span.ttftMs < span.durationMs;
  parts.wait.hidden = !waited;
  if (waited) parts.wait.style.width = `${(span.ttftMs! / span.durationMs) * 100}%`;
  parts.bar.hidden = false;
  parts.bar.className = `bar kind-${span.kind}${span.error ? ' error' : ''}`;
  const left = Math.min(100, (span.startMs / scaleMs) * 100);
  const width = span.running ? 100 - left : (span.durationMs / scaleMs) * 100;
  parts.bar.style.left = `${left}%`;
  parts.bar.style.width = `max(1px, ${Math.min(100 - left, width)}%)`;
}

/** The change cell's font size, in the page's: `.cmp-delta` in compare.css. */
const CHANGE_FONT_SCALE = 0.85;

/**
 * Text widths in the change cell's font, measured on a canvas: no layout is read while rows
 * are drawn (a row is first filled before it is in the page, so the font is the body's,
 * scaled). Summed character by character, each measured once: the durations vary row by row.
 */
function textMeasure(): (text: string, bold: boolean) => number {
  let context: CanvasRenderingContext2D | null | undefined;
  let fonts: [string, string] = ['', ''];
  const widths = new Map<string, number>();
  return (text, bold) => {
    if (context === undefined) {
      context = document.createElement('canvas').getContext('2d');
      const body = getComputedStyle(document.body);
      const size = `${parseFloat(body.fontSize) * CHANGE_FONT_SCALE}px ${body.fontFamily}`;
      fonts = [`400 ${size}`, `600 ${size}`];
    }
    let sum = 0;
    for (const ch of text) {
      const key = bold ? `b${ch}` : ch;
      let w = widths.get(key);
      if (w === undefined) {
        if (context) context.font = fonts[bold ? 1 : 0];
        w = context ? context.measureText(ch).width : 8;
        widths.set(key, w);
      }
      sum += w;
    }
    return sum;
  };
}

/**
 * `onChangeWidth`: the change column's width (px) grew to show every chip of a row drawn;
 * it never shrinks, so rows scrolled into view do not shift the columns back and forth.
 */
export function compareRows(model: CompareModel, onChangeWidth: (px: number) => void = () => undefined): RowSource<CompareRow> {
  const measure = textMeasure();
  let changeWidth = CHANGE_COLUMN_MIN_PX;
  return {
    rowHeight: ROW_HEIGHT,
    count: () => model.pairCount,
    create() {
      const a = sideParts('a');
      const b = sideParts('b');
      const delta = el('span', { className: 'cmp-duration' });
      const chips = el('span', { className: 'cmp-chips' });
      const row = el('div', { className: 'row cmp-row', role: 'treeitem' }, [a.cell, el('div', { className: 'cmp-delta' }, [delta, chips]), b.cell]);
      return { el: row, a, b, delta, chips };
    },
    fill(view, index) {
      const p = model.pairs[index];
      view.el.dataset.row = String(index);
      view.el.classList.toggle('pending', !p);
      if (!p) {
        // Not received yet: slices of a big comparison arrive in order, a moment apart.
        for (const side of [view.a, view.b]) (side.name.textContent = ''), (side.icon.className = 'codicon'), (side.bar.hidden = true);
        view.delta.textContent = '…';
        view.chips.replaceChildren();
        view.chips.title = '';
        return;
      }
      view.el.setAttribute('aria-selected', String(index === model.selected));
      view.el.classList.toggle('only-a', !p.b);
      view.el.classList.toggle('only-b', !p.a);
      view.el.classList.toggle('divergence', index === model.divergence);
      fillSide(view.a, p.a, p.depth, model.scaleMs, 'not in A');
      fillSide(view.b, p.b, p.depth, model.scaleMs, 'not in B');
      const chips = changeChips(p, model.flags[index]);
      if (index === model.divergence) chips.unshift('first diff');
      view.delta.textContent = !p.a ? 'only in B' : !p.b ? 'only in A' : durationDeltaText(p.durationDeltaMs, p.durationDeltaPct);
      view.delta.className = `cmp-duration${p.durationDeltaMs !== undefined && p.durationDeltaMs > 0 ? ' slower' : p.durationDeltaMs !== undefined && p.durationDeltaMs < 0 ? ' faster' : ''}`;
      view.chips.replaceChildren(...chips.map((c) => el('span', { className: `chip${c === 'first diff' ? ' first' : c === 'failed' ? ' failed' : ''}`, textContent: c })));
      const wanted = changeCellWidth(view.delta.textContent ?? '', chips, (text) => measure(text, text === 'first diff'));
      if (wanted > changeWidth) onChangeWidth((changeWidth = wanted));
      // A column held to half the panel may still cut chips off: the tooltip names them all.
      const changes = chips.filter((c) => c !== 'first diff');
      view.chips.title = changes.length > 0 ? `Differs: ${changes.join(', ')}` : '';
    },
  };
}

export function rowOfEvent(e: Event): number {
  const row = (e.target as Element).closest<HTMLElement>('.cmp-row');
  return row ? Number(row.dataset.row) : -1;
}
