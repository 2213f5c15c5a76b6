import { formatDuration, tokensText } from '../src/protocol/format';
import type { RunHeader } from '../src/protocol/waterfall';
import { el } from './dom';
import { toolButton } from './toolbar';

/** What the header's buttons do: share the run shown, as the Runs view's context menu does. */
export interface HeaderActions {
  copyRunAsJson(): void;
  saveRunAs(): void;
}

/** Fills the run's header: its name, state, facts (duration, spans, tokens, cost, services), what it lacks, and sharing it. */
export function renderHeader(header: HTMLElement, h: RunHeader, actions: HeaderActions): void {
  const status =
    h.state === 'running'
      ? el('span', { className: 'state running' }, [icon('loading codicon-modifier-spin'), ' running'])
      : h.errorCount > 0
        ? el('span', { className: 'state error' }, [icon('error'), ` ${h.errorCount} failed`])
        : h.state === 'incomplete'
          ? el('span', { className: 'state' }, [icon('question'), ' incomplete'])
          : el('span', { className: 'state ok' }, [icon('pass'), ' ok']);
  header.replaceChildren(
    el('div', { className: 'title-row' }, [
      el('h1', { textContent: h.name, title: `Trace ${h.traceId}` }),
      el('div', { className: 'header-actions', role: 'toolbar', ariaLabel: 'Share this run' }, [
        toolButton('copy', 'Copy Run as JSON', actions.copyRunAsJson),
        toolButton('save-as', 'Save Run As… (OTLP JSON)', actions.saveRunAs),
      ]),
    ]),
    el('div', { className: 'facts' }, [
      status,
      fact('Duration', formatDuration(h.durationMs)),
      fact('Spans', h.spanCount.toLocaleString()),
      ...(h.tokens?.total !== undefined ? [fact('Tokens', tokensText(h.tokens))] : []),
      ...(h.costUsd !== undefined ? [fact('Cost', `$${h.costUsd.toFixed(4)}`)] : []),
      fact('Started', new Date(h.startTime).toLocaleString()),
      ...(h.services.length > 0 ? [fact(h.services.length > 1 ? 'Services' : 'Service', h.services.join(', '))] : []),
      fact('Trace', h.traceId),
    ]),
    ...(h.missingContext && h.missingContext.length > 0 ? [missingContextNote(h.missingContext)] : []),
  );
}

/** What the run lacks, folded: a line to notice, each item with the change that fixes it. */
function missingContextNote(notes: NonNullable<RunHeader['missingContext']>): HTMLElement {
  return el('details', { className: 'missing-context' }, [
    el('summary', {}, [icon('info'), ` Missing context (${notes.length})`]),
    el(
      'ul',
      {},
      notes.map((n) => el('li', {}, [el('span', { textContent: n.message }), el('div', { className: 'fix' }, [el('span', { className: 'label', textContent: 'Fix: ' }), el('code', { textContent: n.fix })])])),
    ),
  ]);
}

function fact(label: string, value: string): HTMLElement {
  return el('span', { className: 'fact' }, [el('span', { className: 'label', textContent: `${label} ` }), el('span', { className: 'value', textContent: value })]);
}

function icon(name: string): HTMLElement {
  return el('span', { className: `codicon codicon-${name}`, ariaHidden: 'true' });
}

/**
 * Formats a number and a date as the header does, once: the first use of each loads the
 * locale's data (~30 ms in Chromium), which done on the first send would hold back its rows.
 */
export function warmUpHeaderFormats(): void {
  (0).toLocaleString();
  (0).toLocaleString('en-US');
  new Date(0).toLocaleString();
}
