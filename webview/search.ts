import { SearchSpans } from '../src/protocol/waterfall';
import type { Channel } from '../src/protocol/channel';
import { el } from './dom';
import { toolButton } from './toolbar';
import type { WaterfallView } from './viewState';

/**
 * The search box and its matches: names match at once, here; attribute values, inputs and
 * outputs are searched by the host in the files, and their matches join when it answers.
 */
export class Search {
  readonly box = el('input', { className: 'search', type: 'search', placeholder: 'Search names, attributes, inputs, outputs  ( / )', ariaLabel: 'Search spans' });
  private readonly info = el('span', { className: 'match-info', ariaLive: 'polite' });
  /** The box, the match count and the previous/next buttons, for the toolbar. */
  readonly controls: HTMLElement[];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticket = 0;

  constructor(
    private readonly view: WaterfallView,
    private readonly host: Channel,
    /** Escape leaves the box for the rows. */
    leave: () => void,
  ) {
    this.controls = [this.box, this.info, toolButton('arrow-up', 'Previous match (Shift+Enter)', () => view.stepMatch(-1)), toolButton('arrow-down', 'Next match (Enter)', () => view.stepMatch(1))];
    this.box.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.run(true), 200);
    });
    this.box.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        clearTimeout(this.timer);
        if (view.matchInfo().count === 0 || this.box.dataset.query !== this.query) void this.run(true);
        else view.stepMatch(e.shiftKey ? -1 : 1);
      } else if (e.key === 'Escape') {
        leave();
      }
    });
  }

  get query(): string {
    return this.box.value.trim();
  }

  focus(): void {
    this.box.focus();
    this.box.select();
  }

  /** Shows the view's match count and which one is current. */
  showMatches(): void {
    const { count, current } = this.view.matchInfo();
    this.info.textContent = this.query === '' ? '' : count === 0 ? 'No results' : `${current + 1 || '–'} of ${count}`;
  }

  /** Searches for the box's text; `jump` selects the first match. */
  async run(jump: boolean): Promise<void> {
    const view = this.view;
    const t = view.trace;
    const query = this.query;
    this.box.dataset.query = query;
    const ticket = ++this.ticket;
    if (!t || query === '') {
      view.setMatches([], false);
      return;
    }
    const found = new Set(view.nameMatches(query));
    view.setMatches([...found], false);
    this.info.textContent = `${found.size} … searching`;
    try {
      const { spanIds } = await this.host.request(SearchSpans, { query });
      if (ticket !== this.ticket) return;
      for (const id of spanIds) {
        const row = t.rowOf(id);
        if (row >= 0) found.add(row);
      }
    } catch {
      // Names still matched; the host could not read the files, or a newer search replaced this one.
    }
    if (ticket !== this.ticket) return;
    view.setMatches([...found].sort((a, b) => a - b), jump);
  }
}
