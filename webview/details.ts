import { formatDuration, tokensText } from '../src/protocol/format';
import type { AttributeTable, SpanDetailsView } from '../src/protocol/waterfall';
import { el } from './dom';

const LONG_VALUE = 400;

/** Fills the details pane for one span: what failed, when, where in the code, and its data. */
export function renderDetails(container: HTMLElement, d: SpanDetailsView, goToSource: () => void): void {
  const parts: Node[] = [];
  parts.push(el('h2', { textContent: d.name }));
  if (d.status === 'error') {
    parts.push(
      el('div', { className: 'error-box', role: 'alert' }, [
        el('span', { className: 'codicon codicon-error', ariaHidden: 'true' }),
        el('span', { textContent: ` ${d.errorMessage ?? 'This span failed (status ERROR).'}` }),
      ]),
    );
  }
  const facts: [string, string][] = [
    ['Status', d.status === 'error' ? 'Error' : d.status === 'ok' ? 'OK' : 'Unset'],
    ['Duration', formatDuration(d.durationMs)],
    ['Starts at', `+${formatDuration(d.startOffsetMs)} (${d.startTime})`],
    ['Kind', `${d.kind} (${d.spanKind})`],
    ...(d.model ? [['Model', d.model] as [string, string]] : []),
    ...(d.tokens?.total !== undefined ? [['Tokens', tokensText(d.tokens)] as [string, string]] : []),
    ['Span ID', d.spanId],
  ];
  if (d.scope) facts.push(['Scope', d.scope]);
  if (d.source) facts.push(['Source', `${d.source.path}${d.source.line ? `:${d.source.line}` : ''}${d.source.function ? ` (${d.source.function})` : ''}`]);
  parts.push(el('dl', { className: 'facts-list' }, facts.flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: v })])));
  if (d.source) {
    const button = document.createElement('vscode-button');
    button.textContent = 'Go to Source';
    button.setAttribute('icon', 'go-to-file');
    button.title = `Open ${d.source.path}${d.source.line ? ` at line ${d.source.line}` : ''}`;
    button.addEventListener('click', goToSource);
    parts.push(el('div', { className: 'actions' }, [button]));
  }
  if (d.loadError) parts.push(el('p', { className: 'error-text', textContent: d.loadError }));
  parts.push(section(`Attributes`, d.attributes.length, attributeTable(d.attributes)));
  if (d.events.length > 0) {
    const events = d.events.map((e) =>
      el('div', { className: 'event' }, [
        el('div', { className: 'event-name', textContent: `${e.name}${e.offsetMs !== undefined ? `  +${formatDuration(e.offsetMs)}` : ''}` }),
        attributeTable(e.attributes),
      ]),
    );
    parts.push(section('Events', d.events.length, el('div', {}, events)));
  }
  parts.push(section('Resource', d.resourceAttributes.length, attributeTable(d.resourceAttributes), false));
  container.replaceChildren(...parts);
}

function section(title: string, count: number, body: HTMLElement, open = true): HTMLElement {
  const c = document.createElement('vscode-collapsible');
  c.setAttribute('heading', `${title} (${count})`);
  if (open) c.setAttribute('open', '');
  c.append(body);
  return c;
}

function attributeTable(rows: AttributeTable): HTMLElement {
  if (rows.length === 0) return el('p', { className: 'muted', textContent: 'None' });
  return el(
    'table',
    { className: 'attributes' },
    rows.map(([k, v]) => el('tr', {}, [el('th', { textContent: k, title: k }), el('td', {}, [valueCell(v)])])),
  );
}

/** Long values (prompts, outputs) start folded, with "show more". */
function valueCell(value: string): HTMLElement {
  const pre = el('pre', { className: 'value', textContent: value.length > LONG_VALUE ? `${value.slice(0, LONG_VALUE)}…` : value });
  if (value.length <= LONG_VALUE) return pre;
  const more = el('a', { className: 'show-more', textContent: `show all ${value.length.toLocaleString()} characters`, tabIndex: 0, role: 'button' });
  const expand = () => {
    pre.textContent = value;
    more.remove();
  };
  more.addEventListener('click', expand);
  more.addEventListener('keydown', (e) => e.key === 'Enter' && expand());
  return el('div', {}, [pre, more]);
}
