import { RowFlag } from '../src/protocol/waterfall';
import type { TimeRange } from './timeline';
import type { WaterfallView } from './viewState';

export interface KeyboardTarget {
  readonly view: WaterfallView;
  readonly range: TimeRange;
  /** Rows a page moves by. */
  pageRows(): number;
  focusSearch(): void;
  goToSource(spanId: string): void;
  /** Draws again after zooming. */
  render(): void;
}

/**
 * The rows' keys, as in a tree: arrows move and fold, Enter opens the source, + / - / 0
 * zoom; and `/` anywhere but a text box goes to the search.
 */
export function bindKeyboard(viewport: HTMLElement, searchBox: HTMLInputElement, k: KeyboardTarget): void {
  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && document.activeElement !== searchBox && !(document.activeElement instanceof HTMLInputElement)) {
      e.preventDefault();
      k.focusSearch();
    }
  });

  viewport.addEventListener('keydown', (e) => {
    const { view, range } = k;
    const t = view.trace;
    if (!t || view.visible.length === 0) return;
    const row = view.selectedRow();
    const index = view.positionOf(row);
    switch (e.key) {
      case 'ArrowDown':
        view.moveSelection(index + 1);
        break;
      case 'ArrowUp':
        view.moveSelection(index < 0 ? 0 : index - 1);
        break;
      case 'Home':
        view.moveSelection(0);
        break;
      case 'End':
        view.moveSelection(view.visible.length - 1);
        break;
      case 'PageDown':
        view.moveSelection(index + k.pageRows());
        break;
      case 'PageUp':
        view.moveSelection(index - k.pageRows());
        break;
      case 'ArrowLeft':
        view.collapseOrSelectParent();
        break;
      case 'ArrowRight':
        view.expandSelected();
        break;
      case 'Enter':
        if (index >= 0 && t.has(row, RowFlag.HasSource)) k.goToSource(t.spanId(row));
        break;
      case '+':
      case '=':
        range.zoom(0.5);
        k.render();
        break;
      case '-':
        range.zoom(2);
        k.render();
        break;
      case '0':
        range.fit();
        k.render();
        break;
      default:
        return;
    }
    e.preventDefault();
  });
}
