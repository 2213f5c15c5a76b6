import type { Trace } from '../model/trace';

/**
 * The run of the same name that started last before `traceId` did, from a newest-first list
 * (`TraceStore.runs()`): what "compare with the previous run" compares a run with.
 */
export function previousRunOf(runs: readonly Trace[], traceId: string): Trace | undefined {
  const at = runs.findIndex((t) => t.traceId === traceId);
  if (at < 0) return undefined;
  const name = runs[at].summary().name;
  for (let i = at + 1; i < runs.length; i++) if (runs[i].summary().name === name) return runs[i];
  return undefined;
}
