import { el } from './dom';
import type { LegendEntry } from './viewState';

/** Shows what each bar colour means while colouring by service; hidden otherwise. */
export function renderLegend(target: HTMLElement, entries: readonly LegendEntry[]): void {
  target.hidden = entries.length === 0;
  target.replaceChildren(
    ...entries.map((e) =>
      el('span', { className: 'legend-item', role: 'listitem' }, [
        el('span', { className: `legend-swatch ${e.slot >= 0 ? `svc-${e.slot}` : 'svc-none'}`, ariaHidden: 'true' }),
        el('span', { className: 'legend-label', textContent: e.label }),
      ]),
    ),
  );
}
