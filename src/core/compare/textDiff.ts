// Diffs of two payloads for the compare panel: word-level for prose, by path for JSON. The
// `diff` package is not a dependency; an LCS over words is a few lines.
import type { JsonChange, WordRun } from '../../protocol/compare';
import { canonicalJson } from './content';

/** Above this many LCS cells the middle (past the common prefix and suffix) is shown as replaced whole. */
const MAX_LCS_CELLS = 4_000_000;
const MAX_JSON_CHANGES = 200;

/** Words and the whitespace between them, so joining the tokens gives the text back. */
function tokens(text: string): string[] {
  return text.match(/\s+|[^\s]+/g) ?? [];
}

function push(out: WordRun[], op: WordRun['op'], text: string): void {
  const last = out[out.length - 1];
  if (last && last.op === op) out[out.length - 1] = { op, text: last.text + text };
  else out.push({ op, text });
}

/** A word-level diff of two texts: runs of words kept, removed (only in A) and added (only in B). */
export function diffWords(a: string, b: string): WordRun[] {
  const x = tokens(a);
  const y = tokens(b);
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) endX--, endY--;
  const out: WordRun[] = [];
  if (start > 0) push(out, 'same', x.slice(0, start).join(''));
  const n = endX - start;
  const m = endY - start;
  if (n * m > MAX_LCS_CELLS) {
    if (n > 0) push(out, 'removed', x.slice(start, endX).join(''));
    if (m > 0) push(out, 'added', y.slice(start, endY).join(''));
  } else if (n > 0 || m > 0) {
    // lcs[i][j]: length of the LCS of x[start+i..endX) and y[start+j..endY).
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] = x[start + i] === y[start + j] ? lcs[(i + 1) * width + j + 1] + 1 : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && x[start + i] === y[start + j]) push(out, 'same', x[start + i++]), j++;
      // Removed before added where either would do: reads as "this, replaced by that".
      else if (i < n && (j === m || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])) push(out, 'removed', x[start + i++]);
      else push(out, 'added', y[start + j++]);
    }
  }
  if (endX < x.length) push(out, 'same', x.slice(endX).join(''));
  return coalesce(out);
}

/**
 * Joins changes separated only by whitespace into one removed and one added run, so a
 * rewritten sentence reads as the old sentence and the new one, not as alternating words.
 */
function coalesce(runs: readonly WordRun[]): WordRun[] {
  const out: WordRun[] = [];
  let removed = '';
  let added = '';
  const flush = () => {
    if (removed) push(out, 'removed', removed);
    if (added) push(out, 'added', added);
    removed = added = '';
  };
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i];
    if (r.op === 'removed') removed += r.text;
    else if (r.op === 'added') added += r.text;
    else if ((removed || added) && /^\s+$/.test(r.text) && i + 1 < runs.length) {
      removed += r.text;
      added += r.text;
    } else {
      flush();
      push(out, 'same', r.text);
    }
  }
  flush();
  return out;
}

/** How many words a diff removed and added (whitespace not counted). */
export function changedWords(runs: readonly WordRun[]): { removed: number; added: number } {
  let removed = 0;
  let added = 0;
  for (const r of runs) {
    const words = tokens(r.text).filter((t) => !/^\s+$/.test(t)).length;
    if (r.op === 'removed') removed += words;
    else if (r.op === 'added') added += words;
  }
  return { removed, added };
}

const short = (v: unknown): string => {
  const text = typeof v === 'string' ? v : canonicalJson(v);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where two JSON values differ, by path; arrays element by element, objects key by key. */
export function diffJson(a: unknown, b: unknown): JsonChange[] {
  const out: JsonChange[] = [];
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (out.length >= MAX_JSON_CHANGES) return;
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        if (i >= x.length) out.push({ path: `${path}[${i}]`, change: 'added', b: short(y[i]) });
        else if (i >= y.length) out.push({ path: `${path}[${i}]`, change: 'removed', a: short(x[i]) });
        else walk(x[i], y[i], `${path}[${i}]`);
      }
    } else if (isObject(x) && isObject(y)) {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const k of keys) {
        const p = /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
        if (!(k in y)) out.push({ path: p, change: 'removed', a: short(x[k]) });
        else if (!(k in x)) out.push({ path: p, change: 'added', b: short(y[k]) });
        else walk(x[k], y[k], p);
      }
    } else if (canonicalJson(x) !== canonicalJson(y)) {
      out.push({ path, change: 'changed', a: short(x), b: short(y) });
    }
  };
  walk(a, b, '$');
  return out;
}
