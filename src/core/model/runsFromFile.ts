import type { Trace } from './trace';
import type { TraceStore } from './traceStore';

/** The runs with spans read from `file`, newest first. */
export function runsFromFile(store: TraceStore, file: string): Trace[] {
  const fromFile = (trace: Trace): boolean => {
    for (const span of trace.allSpans()) if (span.origin.file === file) return true;
    return false;
  };
  return store.runs().filter(fromFile);
}

/** The run of `file` worth opening first: the newest that failed, else the newest. */
export function runToShow(store: TraceStore, file: string): Trace | undefined {
  const runs = runsFromFile(store, file);
  return runs.find((r) => r.summary().errorCount > 0) ?? runs[0];
}
