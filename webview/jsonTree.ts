import { el } from './dom';

const OPEN_DEPTH = 2;
const MAX_STRING = 300;

/** A foldable tree of a JSON value: objects and arrays open to a few levels, the rest folded. */
export function jsonTree(value: unknown): HTMLElement {
  return el('div', { className: 'json-tree' }, [node(undefined, value, 0)]);
}

function node(key: string | undefined, value: unknown, depth: number): HTMLElement {
  const keyPart = key === undefined ? [] : [el('span', { className: 'json-key', textContent: `${key}: ` })];
  if (value === null || typeof value !== 'object') return el('div', { className: 'json-leaf' }, [...keyPart, leaf(value)]);
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value as Record<string, unknown>);
  const details = el('details');
  details.open = depth < OPEN_DEPTH;
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  details.append(el('summary', {}, [...keyPart, el('span', { className: 'muted', textContent: summary })]));
  // Children are built on first open, so a huge payload costs nothing until looked at.
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    details.append(el('div', { className: 'json-children' }, entries.map(([k, v]) => node(k, v, depth + 1))));
  };
  if (details.open) build();
  else details.addEventListener('toggle', build, { once: true });
  return el('div', { className: 'json-node' }, [details]);
}

function leaf(value: unknown): HTMLElement {
  if (typeof value === 'string') {
    const shown = value.length > MAX_STRING ? `"${value.slice(0, MAX_STRING)}…"` : JSON.stringify(value);
    const span = el('span', { className: 'json-string', textContent: shown, title: value.length > MAX_STRING ? `${value.length} characters; click to show all` : '' });
    if (value.length > MAX_STRING) span.addEventListener('click', () => (span.textContent = JSON.stringify(value)), { once: true });
    return span;
  }
  return el('span', { className: `json-${value === null ? 'null' : typeof value}`, textContent: String(value) });
}
