// The waterfall's rows, as the webview receives them: a header, then rows as typed-array
// columns in slices.
import { describeSpan, type SpanConventions } from '../genai/conventions';
import { timeToFirstTokenMs } from '../genai/timing';
import { sourceLocationOf } from '../source/source';
import { isInProgress, type SpanRecord } from '../model/span';
import { runSteps, STEP_ITEMS, type Steps } from '../util/steps';
import { nsToIso } from '../model/time';
import type { Trace, TraceTree } from '../model/trace';
import { traceTokensSteps } from '../genai/traceTokens';
import type { PriceTable } from '../genai/cost';
import type { LogRecordIndex } from '../model/logRecords';
import { callCostUsd, llmCallsOf } from '../runs/runFacts';
import { runMissingContextSteps } from '../runs/runMissingContext';
import { layoutWaterfallSteps, type WaterfallLayout } from './layout';
import { layoutFlatSteps } from './flatRows';
import { FlatTree, flatTreeOf } from '../model/flatTree';
import { allocateColumns, ROW_KINDS, RowFlag, sliceColumns, type Columns, type RowColumns, type RowKind, type RunHeader, type TraceStart, type Tokens } from '../../protocol/waterfall';

const KIND_INDEX = new Map<RowKind, number>(ROW_KINDS.map((k, i) => [k, i]));
/** `FlatTree.memo` of a span's row: its kind index + 1 in the low bits, and whether it has source. */
const MEMO_KIND = 31;
const MEMO_HAS_SOURCE = 32;
const LLM_MEMO = ROW_KINDS.indexOf('llm') + 1;

/** The flat tree's spans less those whose memo says they are not LLM calls. */
function* maybeLlmSpans(tree: FlatTree): Generator<SpanRecord> {
  for (let s = 0; s < tree.size; s++) {
    const span = tree.records[s];
    const memo = tree.memo[s];
    if (span !== undefined && (memo === 0 || (memo & MEMO_KIND) === LLM_MEMO)) yield span;
  }
}

/** The run's cost (`callCostUsd` per call): one call recorded twice (nested or side by side, `llmCallsOf`) counts once. */
function costOfCalls(trace: Trace, described: ReadonlyMap<SpanRecord, SpanConventions>, prices: PriceTable): number | undefined {
  let costUsd: number | undefined;
  for (const call of llmCallsOf(described, (id) => trace.span(id), trace.spanCount)) {
    const cost = callCostUsd(call, prices);
    if (cost !== undefined) costUsd = (costUsd ?? 0) + cost;
  }
  return costUsd;
}

/** ~2 MB of columns a message: a million rows cross in 50 messages, none of them long to post. */
export const ROWS_PER_SLICE = 20_000;

export interface WaterfallData {
  readonly start: TraceStart;
  readonly layout: WaterfallLayout;
  /** The rows [from, to): copies of prepared columns, so each slice is quick to cut. */
  slice(from: number, to: number): RowColumns;
}

/** In steps: what the run lacks is a pass over every span. */
function* runHeader(trace: Trace, nowMs: number, tokens: Tokens | undefined, costUsd?: number, logRecords?: LogRecordIndex): Steps<RunHeader> {
  const s = trace.summary();
  const missing = yield* runMissingContextSteps(trace, nowMs, logRecords);
  return {
    traceId: trace.traceId,
    name: s.name,
    startTime: nsToIso(s.startNs),
    durationMs: trace.durationMs(nowMs),
    spanCount: s.spanCount,
    errorCount: s.errorCount,
    services: s.serviceNames,
    tokens,
    costUsd,
    state: trace.state(nowMs),
    missingContext: missing.length > 0 ? missing.map((n) => ({ message: n.message, fix: n.fix })) : undefined,
  };
}

/** Everything at once: for tests and small traces. */
export function waterfallData(trace: Trace, nowMs: number, generation: number, prices: PriceTable = {}, logRecords?: LogRecordIndex): WaterfallData {
  return runSteps(waterfallDataSteps(trace, flatTreeOf(trace), nowMs, generation, prices, logRecords));
}

/**
 * Lays out `tree` (the trace's flat tree, `flatTreeOf`, as the panel does; or its object tree,
 * `Trace.treeSliced`: the same rows) and prepares every row's columns, in steps, so a million
 * spans are made ready without one long block of the extension host. Each span's conventions
 * are read once: for its row's kind and for the run's cost.
 */
export function* waterfallDataSteps(trace: Trace, tree: TraceTree | FlatTree, nowMs: number, generation: number, prices: PriceTable = {}, logRecords?: LogRecordIndex): Steps<WaterfallData> {
  // A finished run's stand-ins will not arrive: they are not drawn as running.
  const options = { settled: trace.state(nowMs) !== 'running' };
  const layout = yield* (tree instanceof FlatTree ? layoutFlatSteps(tree, options) : layoutWaterfallSteps(tree, options));
  const tokens = yield* traceTokensSteps(trace, tree instanceof FlatTree ? maybeLlmSpans(tree) : undefined);
  // The LLM rows' spans, priced once the rows are done (their calls are known then); without
  // prices too, as a call may state its own cost.
  const llmRows = new Map<SpanRecord, SpanConventions>();

  const rowCount = layout.rowCount;
  const names: string[] = [];
  const nameIds = new Map<string, number>();
  // The layout's columns are sent as they are; the rest are worked out here.
  const { nameIndex, kind, flags, service, ttftMs } = allocateColumns(rowCount);
  const { depth, parent, subtreeEnd, startMs, durationMs, selfMs, groupSize } = layout;
  // A flat tree keeps each span's kind and source flag (`FlatTree.memo`): a live update
  // reads the conventions of the new spans only.
  const flat = tree instanceof FlatTree && layout.slotOfSpan ? tree : undefined;
  const slotOfSpan = layout.slotOfSpan;
  const columns: Columns = { nameIndex, depth, parent, subtreeEnd, startMs, durationMs, selfMs, kind, flags, groupSize, service, ttftMs };
  const header = yield* runHeader(trace, nowMs, tokens, undefined, logRecords);
  const serviceIds = new Map(header.services.map((name, i) => [name, i + 1]));
  for (let r = 0; r < rowCount; r++) {
    if (r % STEP_ITEMS === STEP_ITEMS - 1) yield;
    const si = layout.spanIndex[r];
    // A group row stands for its members: it shows the first one's name, id and kind.
    const span = layout.spans[si >= 0 ? si : layout.spanIndex[r + 1]];
    let id = nameIds.get(span.name);
    if (id === undefined) nameIds.set(span.name, (id = names.push(span.name) - 1));
    nameIndex[r] = id;
    // A group row's members come from one place in the tree, so its first member's service stands for it.
    const serviceName = span.resource.serviceName;
    if (serviceName !== undefined) service[r] = serviceIds.get(serviceName) ?? 0;
    let f = 0;
    if (layout.error[r]) f |= RowFlag.Error;
    if (layout.onCriticalPath[r]) f |= RowFlag.CriticalPath;
    if (layout.subtreeEnd[r] > r + 1) f |= RowFlag.HasChildren;
    if (si < 0) {
      f |= RowFlag.Group; // its kind is its first member's, set on the next row
    } else {
      // Stand-ins (no span of their own in the tree) are not memoized: their made-up span changes.
      const slot = flat && flat.records[slotOfSpan![si]] === span ? slotOfSpan![si] : -1;
      let memo = slot >= 0 ? flat!.memo[slot] : 0;
      if (memo === 0) {
        const described = describeSpan(span);
        memo = ((KIND_INDEX.get(described.kind) ?? 0) + 1) | (sourceLocationOf(span.attributes) ? MEMO_HAS_SOURCE : 0);
        if (slot >= 0) flat!.memo[slot] = memo;
        if (described.kind === 'llm') llmRows.set(span, described);
      } else if ((memo & MEMO_KIND) === LLM_MEMO) {
        llmRows.set(span, describeSpan(span));
      }
      kind[r] = (memo & MEMO_KIND) - 1;
      if (r > 0 && layout.spanIndex[r - 1] < 0) kind[r - 1] = kind[r];
      // From the indexed attributes only: a first-chunk event is read with the details.
      if ((memo & MEMO_KIND) === LLM_MEMO) ttftMs[r] = timeToFirstTokenMs(span) ?? 0;
      if (memo & MEMO_HAS_SOURCE) f |= RowFlag.HasSource;
      if (layout.depth[r] === 0 && span.parentSpanId !== '') f |= RowFlag.Orphan;
      if (isInProgress(span)) f |= RowFlag.InProgress;
    }
    flags[r] = f;
  }
  const costUsd = llmRows.size > 0 ? costOfCalls(trace, llmRows, prices) : undefined;
  return {
    layout,
    start: { header: costUsd === undefined ? header : { ...header, costUsd }, rowCount, names, generation },
    slice(from, to) {
      let spanIds = '';
      for (let r = from; r < to; r++) {
        const si = layout.spanIndex[r];
        spanIds += layout.spans[si >= 0 ? si : layout.spanIndex[r + 1]].spanId;
      }
      return { offset: from, spanIds, ...sliceColumns(columns, from, to) };
    },
  };
}
