// The waterfall's data, as the webview receives it: a header, then rows as typed-array
// columns in slices. Pure (no `vscode`), so it is tested in Node.
import { describeSpan } from '../core/conventions';
import { traceTokens } from '../core/traceTokens';
import { sourceLocationOf } from '../core/source';
import { nsToIso } from '../core/time';
import type { Trace } from '../core/trace';
import { costOf, type PriceTable } from '../core/waterfall/cost';
import { layoutWaterfall, type WaterfallLayout } from '../core/waterfall/layout';
import { ROW_KINDS, RowFlag, type RowColumns, type RowKind, type RunHeader, type TraceStart } from '../protocol/waterfall';

const KIND_INDEX = new Map<RowKind, number>(ROW_KINDS.map((k, i) => [k, i]));
export const ROWS_PER_SLICE = 50_000;

export interface WaterfallData {
  readonly start: TraceStart;
  readonly layout: WaterfallLayout;
  /** Builds the rows [from, to) on demand, so a million rows go out without one long step. */
  slice(from: number, to: number): RowColumns;
}

export function runHeader(trace: Trace, nowMs: number, costUsd?: number): RunHeader {
  const s = trace.summary();
  const state = trace.state(nowMs);
  const durationMs = trace.durationMs(nowMs);
  return {
    traceId: trace.traceId,
    name: s.name,
    startTime: nsToIso(s.startNs),
    durationMs,
    spanCount: s.spanCount,
    errorCount: s.errorCount,
    services: s.serviceNames,
    tokens: traceTokens(trace),
    costUsd,
    state,
  };
}

/** What a run's LLM calls cost, when the price table prices any of them. */
function runCost(trace: Trace, prices: PriceTable): number | undefined {
  let total: number | undefined;
  for (const span of trace.allSpans()) {
    const d = describeSpan(span);
    if (d.kind !== 'llm') continue;
    const cost = costOf(d.model, d.tokens, prices);
    if (cost) total = (total ?? 0) + cost.totalUsd;
  }
  return total;
}

export function waterfallData(trace: Trace, nowMs: number, generation: number, prices: PriceTable = {}): WaterfallData {
  const costUsd = Object.keys(prices).length > 0 ? runCost(trace, prices) : undefined;
  const layout = layoutWaterfall(trace.tree());
  const names: string[] = [];
  const nameIds = new Map<string, number>();
  const nameIndex = new Uint32Array(layout.rowCount);
  for (let r = 0; r < layout.rowCount; r++) {
    const si = layout.spanIndex[r];
    const name = layout.spans[si >= 0 ? si : layout.spanIndex[r + 1]]?.name ?? '';
    let id = nameIds.get(name);
    if (id === undefined) nameIds.set(name, (id = names.push(name) - 1));
    nameIndex[r] = id;
  }
  return {
    layout,
    start: { header: runHeader(trace, nowMs, costUsd), rowCount: layout.rowCount, names, generation },
    slice(from, to) {
      const n = to - from;
      const kind = new Uint8Array(n);
      const flags = new Uint8Array(n);
      let spanIds = '';
      for (let i = 0; i < n; i++) {
        const r = from + i;
        const si = layout.spanIndex[r];
        // A group row stands for its members: it shows the first one's id and kind.
        const span = layout.spans[si >= 0 ? si : layout.spanIndex[r + 1]];
        spanIds += span.spanId;
        kind[i] = KIND_INDEX.get(describeSpan(span).kind) ?? 0;
        let f = 0;
        if (layout.error[r]) f |= RowFlag.Error;
        if (layout.onCriticalPath[r]) f |= RowFlag.CriticalPath;
        if (layout.subtreeEnd[r] > r + 1) f |= RowFlag.HasChildren;
        if (si < 0) f |= RowFlag.Group;
        else {
          if (sourceLocationOf(span.attributes)) f |= RowFlag.HasSource;
          if (layout.depth[r] === 0 && span.parentSpanId !== '') f |= RowFlag.Orphan;
        }
        flags[i] = f;
      }
      return {
        offset: from,
        spanIds,
        nameIndex: nameIndex.slice(from, to),
        depth: layout.depth.slice(from, to),
        parent: layout.parent.slice(from, to),
        subtreeEnd: layout.subtreeEnd.slice(from, to),
        startMs: layout.startMs.slice(from, to),
        durationMs: layout.durationMs.slice(from, to),
        selfMs: layout.selfMs.slice(from, to),
        kind,
        flags,
        groupSize: layout.groupSize.slice(from, to),
      };
    },
  };
}
