import { ROW_KINDS, type ColorBy, type RowKind } from '../src/protocol/waterfall';
import { el } from './dom';
import { parseDuration, type RowFilter } from './model';

export interface ToolbarActions {
  filter(filter: RowFilter): void;
  expandTo(depth: number): void;
  collapseAll(): void;
  /** Fits the whole run in the time axis. */
  fit(): void;
  colorBy(mode: ColorBy): void;
}

export function toolButton(icon: string, title: string, onClick: () => void): HTMLElement {
  const b = el('button', { className: 'tool-button', title, ariaLabel: title }, [el('span', { className: `codicon codicon-${icon}`, ariaHidden: 'true' })]);
  b.addEventListener('click', onClick);
  return b;
}

/** The bar above the waterfall: search (its controls come in), filters, depth, folding and fit. */
export class Toolbar {
  readonly element: HTMLElement;
  private readonly kind = el('select', { className: 'kind-filter', ariaLabel: 'Filter by kind', title: 'Filter by kind' });
  private readonly errorsOnly = el('input', { type: 'checkbox', id: 'errors-only' });
  private readonly colorBy = el('select', { className: 'color-by', ariaLabel: 'Colour bars by', title: 'Colour the bars by span kind or by the service that sent each span' });
  private readonly minDuration = el('input', { className: 'min-duration', type: 'text', placeholder: '≥ 100ms', ariaLabel: 'Minimum duration', title: 'Only spans at least this long (e.g. 250ms, 1.5s)' });

  constructor(searchControls: HTMLElement[], actions: ToolbarActions, colorBy: ColorBy) {
    this.colorBy.append(el('option', { value: 'kind', textContent: 'Colour by kind' }), el('option', { value: 'service', textContent: 'Colour by service' }));
    this.colorBy.value = colorBy;
    this.colorBy.addEventListener('change', () => actions.colorBy(this.colorBy.value as ColorBy));
    this.kind.append(el('option', { value: '', textContent: 'All kinds' }), ...ROW_KINDS.map((k) => el('option', { value: k, textContent: k })));
    const depth = el('select', { ariaLabel: 'Expand to depth', title: 'Expand to depth' });
    depth.append(el('option', { value: '', textContent: 'Depth…' }), ...[1, 2, 3, 4, 5].map((d) => el('option', { value: String(d), textContent: `Expand to ${d}` })), el('option', { value: 'all', textContent: 'Expand all' }));
    this.element = el('div', { className: 'toolbar', role: 'toolbar' }, [
      ...searchControls,
      el('span', { className: 'sep' }),
      this.kind,
      el('label', { className: 'check', title: 'Only failed spans (and their parents)' }, [this.errorsOnly, ' Errors only']),
      this.minDuration,
      el('span', { className: 'sep' }),
      depth,
      toolButton('collapse-all', 'Collapse all', actions.collapseAll),
      toolButton('expand-all', 'Expand all', () => actions.expandTo(Infinity)),
      toolButton('screen-full', 'Fit the whole run (0)', actions.fit),
      el('span', { className: 'sep' }),
      this.colorBy,
    ]);
    const readFilter = () => {
      const kind = this.kind.value as RowKind | '';
      actions.filter({ kinds: kind ? new Set([kind]) : undefined, errorsOnly: this.errorsOnly.checked, minDurationMs: parseDuration(this.minDuration.value) });
    };
    this.kind.addEventListener('change', readFilter);
    this.errorsOnly.addEventListener('change', readFilter);
    this.minDuration.addEventListener('change', readFilter);
    depth.addEventListener('change', () => {
      const v = depth.value;
      depth.value = '';
      if (v) actions.expandTo(v === 'all' ? Infinity : Number(v));
    });
  }

  /** Shows no filter (it was cleared to reveal a span it hid). */
  clearFilter(): void {
    this.kind.value = '';
    this.errorsOnly.checked = false;
    this.minDuration.value = '';
  }
}
