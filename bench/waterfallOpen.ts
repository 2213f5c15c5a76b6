// The host's part of Open Waterfall on a trace already read: from the command to the first
// slice of rows cut (tree, layout, the first slice's rows, the header as first sent), in time
// slices as the panel does it; the panel posts them then, before the other rows and the
// header's cost and missing context. Value: the flat tree the panel lays out (made on first open, `flatTreeOf`);
// baseline: the object tree (`Trace.treeSliced`), as the panel did before. The webview's part
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
  /** ms per repetition, flat tree. */
  readonly flat: number[];
  /** ms per repetition, object tree. */
  readonly object: number[];
}

/**
 * Each repetition starts from a trace as the Runs view leaves it (summary and tokens counted,
 * no tree of any kind: the Runs view builds one only when the run is expanded), and opens it
 * both ways, alternating which goes first.
 */
export async function hostOpen(store: TraceStore, trace: Trace, reps: number): Promise<HostOpen> {
  const flat: number[] = [];
  const object: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const way of rep % 2 === 0 ? (['flat', 'object'] as const) : (['object', 'flat'] as const)) {
      // Spans sent again: a new revision, so no tree is cached; what the Runs view shows is.
      const root = trace.summary().root!;
      store.addSpans(root.origin.file, [root]);
      flatTreeOf(trace).reset(); // the next open makes it anew, as a first open does
      trace.summary();
      traceTokens(trace);
      gc();
      gc();
      const t0 = performance.now();
      const tree = way === 'flat' ? flatTreeOf(trace) : await trace.treeSliced();
      const data = await runStepsSliced(waterfallFirstSteps(trace, tree, Date.now(), 1));
      data.slice(...sliceBounds(data.start.rowCount)[0]);
      (way === 'flat' ? flat : object).push(performance.now() - t0);
    }
  }
  return { flat, object };
}
