// The waterfall's rows, as the webview receives them: a header, then rows as typed-array
// columns in slices.
import { describeSpan, spanKindOf, type SpanConventions } from '../genai/conventions';
import { timeToFirstTokenMs } from '../genai/timing';
import { isInProgress, type SpanRecord } from '../model/span';
import { runSteps, StepBudget, type Steps } from '../util/steps';
import { nsToIso } from '../model/time';
import type { Trace, TraceSummary, TraceTree } from '../model/trace';
import { latestTraceTokens, traceTokensSteps } from '../genai/traceTokens';
import type { PriceTable } from '../genai/cost';
import type { LogRecordIndex } from '../model/logRecords';
import { callCostUsd, llmCallsOfSteps, type LlmAbove } from '../runs/runFacts';
import { runMissingContextSteps, type KnownContextSpans } from '../runs/runMissingContext';
import { layoutWaterfallSteps, type WaterfallLayout } from './layout';
import { layoutFlatSteps } from './flatRows';
import { knownContextSpans, LLM_MEMO, llmAboveInTree, maybeLlmSpans, MEMO_HAS_SOURCE, MEMO_KIND, memoOf } from './rowMemo';
import { FlatTree, flatTreeOf } from '../model/flatTree';
import { allocateColumns, RowFlag, sliceColumns, type Columns, type RowColumns, type RunHeader, type TraceStart, type Tokens } from '../../protocol/waterfall';

/** The run's cost (`callCostUsd` per call): one call recorded twice (nested or side by side, `llmCallsOf`) counts once. */
function* costOfCalls(trace: Trace, described: ReadonlyMap<SpanRecord, SpanConventions>, prices: PriceTable, inTree?: LlmAbove): Steps<number | undefined> {
  let costUsd: number | undefined;
  const calls = yield* llmCallsOfSteps(described, (id) => trace.span(id), trace.spanCount, inTree);
  const budget = new StepBudget();
  for (let i = 0; i < calls.length; i++) {
    // Each call's model is matched against the price table: a quarter of a million take a while.
    if (budget.spend()) yield;
    const cost = callCostUsd(calls[i], prices);
    if (cost !== undefined) costUsd = (costUsd ?? 0) + cost;
  }
  return costUsd;
}

/** What preparing an LLM row weighs in a step beyond a plain row's 1 (`prepareRows`). */
const LLM_ROW_WORK = 7;

/** ~2 MB of columns a message: a million rows cross in 50 messages, none of them long to post. */
export const ROWS_PER_SLICE = 20_000;
/** A send's first slice: screens of rows, small enough to cross and be painted at once. */
export const FIRST_SLICE_ROWS = 2_000;

/** A send's slices, [from, to) each: a short first one (`FIRST_SLICE_ROWS`), then `ROWS_PER_SLICE` rows each. */
export function sliceBounds(rowCount: number): Array<readonly [number, number]> {
  const bounds: Array<readonly [number, number]> = [];
  for (let from = 0; from < rowCount; ) {
    const to = Math.min(rowCount, from === 0 ? FIRST_SLICE_ROWS : from + ROWS_PER_SLICE);
    bounds.push([from, to]);
    from = to;
  }
  return bounds;
}

export interface WaterfallData {
  readonly start: TraceStart;
  readonly layout: WaterfallLayout;
  /** The rows [from, to): copies of prepared columns, so each slice is quick to cut. */
  slice(from: number, to: number): RowColumns;
}

/**
 * A send as the panel makes it: what the first slice needs (the layout, the first slice's rows,
 * a header without the run's cost and missing context), then the rest. The first rows show as soon
 * as they can; the passes over every span that only the header's last parts need come after.
 */
export interface WaterfallFirstRows extends WaterfallData {
  /** Rows prepared so far: `slice` cuts within them. */
  readonly rowsReady: number;
  /** Prepares the other rows. */
  moreRows(): Steps<void>;
  /** The whole header: the other rows (if not yet prepared), then the passes for its last parts. */
  wholeHeader(): Steps<RunHeader>;
}

/** What the header shows before the rows are read: the run's summary, and its tokens when already counted. */
function firstHeader(trace: Trace, s: TraceSummary, nowMs: number): RunHeader {
  const counted = latestTraceTokens(trace);
  return {
    traceId: trace.traceId,
    name: s.name,
    startTime: nsToIso(s.startNs),
    durationMs: trace.durationMs(nowMs),
    spanCount: s.spanCount,
    errorCount: s.errorCount,
    services: s.serviceNames,
    tokens: counted?.current ? counted.tokens : undefined,
    costUsd: undefined, // worked out last, from the rows' LLM calls
    state: trace.state(nowMs),
  };
}

/** Everything at once: for tests and small traces. */
export function waterfallData(trace: Trace, nowMs: number, generation: number, prices: PriceTable = {}, logRecords?: LogRecordIndex): WaterfallData {
  return runSteps(waterfallDataSteps(trace, flatTreeOf(trace), nowMs, generation, prices, logRecords));
}

/**
 * Lays out `tree` (the trace's flat tree, `flatTreeOf`, as the panel does; or its object tree,
 * `Trace.treeSliced`: the same rows) and prepares every row's columns, in steps, so a million
 * spans are made ready without one long block of the extension host. The whole header, cost
 * and missing context included: `waterfallFirstSteps`, then `wholeHeader`.
 */
export function* waterfallDataSteps(trace: Trace, tree: TraceTree | FlatTree, nowMs: number, generation: number, prices: PriceTable = {}, logRecords?: LogRecordIndex): Steps<WaterfallData> {
  const first = yield* waterfallFirstSteps(trace, tree, nowMs, generation, prices, logRecords);
  const header = yield* first.wholeHeader();
  return { layout: first.layout, start: { ...first.start, header }, slice: first.slice };
}

/**
 * The layout and the first `firstRows` rows' columns, with a header of what the summary knows
 * (`firstHeader`); then the other rows (`moreRows`) and the header's passes (`wholeHeader`). A span's kind is
 * read once (kept in the flat tree's memo across sends); the LLM rows' model and tokens on each
 * send, for the run's cost. The header's passes come after the rows, whose kinds they read.
 */
export function* waterfallFirstSteps(
  trace: Trace,
  tree: TraceTree | FlatTree,
  nowMs: number,
  generation: number,
  prices: PriceTable = {},
  logRecords?: LogRecordIndex,
  firstRows = FIRST_SLICE_ROWS,
): Steps<WaterfallFirstRows> {
  // A finished run's stand-ins will not arrive: they are not drawn as running.
  const options = { settled: trace.state(nowMs) !== 'running' };
  const layout = yield* (tree instanceof FlatTree ? layoutFlatSteps(tree, options) : layoutWaterfallSteps(tree, options));
  // One summary for the header and the rows' service indexes, which point into its list.
  const summary = trace.summary();
  // The LLM rows' spans, priced once the rows are done (their calls are known then); without
  // prices too, as a call may state its own cost.
  const llmRows = new Map<SpanRecord, SpanConventions>();
  /** Their slots in the flat tree, for walking up to the LLM span above each (`llmAboveInTree`). */
  const llmSlots = new Map<SpanRecord, number>();

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
  const serviceIds = new Map(summary.serviceNames.map((name, i) => [name, i + 1]));
  let rowsReady = 0;

  /** Prepares rows up to `end` (a group row's kind is set with its first member's, the next row). */
  function* prepareRows(end: number): Steps<void> {
    const budget = new StepBudget();
    let weight = 0;
    for (let r = rowsReady; r < end; r++) {
      if (budget.spend(weight)) yield;
      weight = 1;
      const si = layout.spanIndex[r];
      // A group row stands for its members: it shows the first one's id and kind.
      const span = layout.spans[si >= 0 ? si : layout.spanIndex[r + 1]];
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
          // The kind alone: model and tokens are read for the LLM rows only, for the cost.
          memo = memoOf(span, spanKindOf(span));
          if (slot >= 0) flat!.memo[slot] = memo;
        }
        if ((memo & MEMO_KIND) === LLM_MEMO) {
          llmRows.set(span, describeSpan(span));
          if (slot >= 0) llmSlots.set(span, slot);
          // From the indexed attributes only: a first-chunk event is read with the details.
          ttftMs[r] = timeToFirstTokenMs(span) ?? 0;
          // Describing an LLM span reads and allocates: while V8 marks a big heap, many times a plain row.
          weight += LLM_ROW_WORK;
        }
        kind[r] = (memo & MEMO_KIND) - 1;
        if (r > 0 && layout.spanIndex[r - 1] < 0) kind[r - 1] = kind[r];
        if (memo & MEMO_HAS_SOURCE) f |= RowFlag.HasSource;
        if (layout.depth[r] === 0 && span.parentSpanId !== '') f |= RowFlag.Orphan;
        if (isInProgress(span)) f |= RowFlag.InProgress;
      }
      flags[r] = f;
    }
    rowsReady = Math.max(rowsReady, end);
  }

  // The name table goes with the first slice: every row's name is looked up now.
  const namesBudget = new StepBudget();
  for (let r = 0; r < rowCount; r++) {
    if (namesBudget.spend()) yield;
    const si = layout.spanIndex[r];
    // A group row shows its first member's name.
    const name = layout.spans[si >= 0 ? si : layout.spanIndex[r + 1]].name;
    let id = nameIds.get(name);
    if (id === undefined) nameIds.set(name, (id = names.push(name) - 1));
    nameIndex[r] = id;
  }
  // Past a group row at the end, whose kind is set with the row after it.
  const firstEnd = Math.min(rowCount, firstRows);
  yield* prepareRows(firstEnd < rowCount && layout.spanIndex[firstEnd - 1] < 0 ? firstEnd + 1 : firstEnd);
  const header = firstHeader(trace, summary, nowMs);

  function* wholeHeader(): Steps<RunHeader> {
    yield* prepareRows(rowCount);
    // The rows have read every span's kind: the header's passes go through the LLM spans only
    // (`rowMemo.ts`), where a rebuild would describe every span again.
    const tokens = yield* traceTokensSteps(trace, flat ? maybeLlmSpans(flat) : undefined);
    const known = flat ? yield* knownContextSpans(flat) : undefined;
    const missing = yield* runMissingContextSteps(trace, nowMs, logRecords, known);
    const costUsd = llmRows.size > 0 ? yield* costOfCalls(trace, llmRows, prices, flat && llmAboveInTree(flat, llmSlots)) : undefined;
    return {
      ...header,
      tokens,
      costUsd,
      missingContext: missing.length > 0 ? missing.map((n) => ({ message: n.message, fix: n.fix })) : undefined,
    };
  }

  return {
    layout,
    start: { header, rowCount, names, generation },
    get rowsReady() {
      return rowsReady;
    },
    moreRows: () => prepareRows(rowCount),
    wholeHeader,
    slice(from, to) {
      if (to > rowsReady) throw new Error(`rows ${from}–${to} cut before they were prepared (${rowsReady} are)`);
      let spanIds = '';
      for (let r = from; r < to; r++) {
        const si = layout.spanIndex[r];
        spanIds += layout.spans[si >= 0 ? si : layout.spanIndex[r + 1]].spanId;
      }
      return { offset: from, spanIds, ...sliceColumns(columns, from, to) };
    },
  };
}
