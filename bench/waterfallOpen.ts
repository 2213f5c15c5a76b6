// The host's part of Open Waterfall on a trace already read: from the command to the first
// slice of rows cut (tree, layout, the first slice's rows, the header as first sent), in time
// slices as the panel does it; the panel posts them then, before the other rows and the
// header's cost and missing context. Value: the flat tree the panel lays out, which a trace of
// `KEEP_FLAT_TREE_FROM` spans or more has kept since its spans were read (`keepFlatTreeOfBigTrace`);
// baseline: the object tree (`Trace.treeSliced`), as the panel did before. Also logged: the flat
// tree made at the open (a smaller trace, or one read back after eviction). The webview's part
// (first rows painted after the messages arrive) is measured by the page in waterfall.ts and
// added there.
import { performance } from 'node:perf_hooks';
import { traceTokens } from '../src/core/genai/traceTokens';
import { flatTreeOf } from '../src/core/model/flatTree';
import type { Trace } from '../src/core/model/trace';
import type { TraceStore } from '../src/core/model/traceStore';
import { runStepsSliced } from '../src/core/util/steps';
import { sliceBounds, waterfallFirstSteps } from '../src/core/waterfall/rows';

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

export interface HostOpen {
  /** ms per repetition, flat tree (kept since read when the trace is big). */
  readonly flat: number[];
  /** ms per repetition, flat tree made at the open. */
  readonly fresh: number[];
  /** ms per repetition, object tree. */
  readonly object: number[];
}

/**
 * Each repetition starts from a trace as the Runs view leaves it (summary and tokens counted,
 * no object tree: the Runs view builds one only when the run is expanded; the flat tree a big
 * trace keeps, told of the span just sent again), and opens it each way, in turn first.
 */
export async function hostOpen(store: TraceStore, trace: Trace, reps: number): Promise<HostOpen> {
  const times = { flat: [] as number[], fresh: [] as number[], object: [] as number[] };
  const ways = ['flat', 'fresh', 'object'] as const;
  for (let rep = 0; rep < reps; rep++) {
    for (let k = 0; k < ways.length; k++) {
      const way = ways[(rep + k) % ways.length];
      // Spans sent again: a new revision, so no object tree is cached; what the Runs view shows is.
      const root = trace.summary().root!;
      store.addSpans(root.origin.file, [root]);
      // A fresh open makes the flat tree anew (after the rep that does, the tree it made is kept).
      if (way === 'fresh') flatTreeOf(trace).reset();
      trace.summary();
      traceTokens(trace);
      gc();
      gc();
      const t0 = performance.now();
      const tree = way === 'object' ? await trace.treeSliced() : flatTreeOf(trace);
      const data = await runStepsSliced(waterfallFirstSteps(trace, tree, Date.now(), 1));
      data.slice(...sliceBounds(data.start.rowCount)[0]);
      times[way].push(performance.now() - t0);
    }
  }
  return times;
}
