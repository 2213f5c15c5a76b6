import type { SpanRecord } from '../model/span';
import type { Trace } from '../model/trace';

/** A run stands for its root span (the one its summary names); a run without one is skipped. */
export function runRootSpans(traces: readonly Trace[]): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const t of traces) {
    const root = t.summary().root ?? t.tree().roots[0]?.span;
    if (root) out.push(root);
  }
  return out;
}

/** Every span named `name` in the runs, in start order within each run. */
export function spansNamed(traces: readonly Trace[], name: string): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const t of traces) {
    const found = [...t.allSpans()].filter((s) => s.name === name);
    found.sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
    out.push(...found);
  }
  return out;
}

/** The span names in the runs below their roots, most frequent first: what "every span named X" offers. */
export function spanNameCounts(traces: readonly Trace[]): { name: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const t of traces) for (const s of t.allSpans()) counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}
