import type { TokenCountsLike } from './format';
import { notification, request } from './messages';

/** Token counts of an LLM span, or summed over a run's LLM spans. */
export type Tokens = TokenCountsLike;

/** What a span does, from whichever LLM convention it carries; `ROW_KINDS[kind]` per row. */
export const ROW_KINDS = ['other', 'agent', 'chain', 'llm', 'tool', 'retriever', 'embedding', 'reranker', 'guardrail', 'evaluator', 'http', 'db'] as const;
export type RowKind = (typeof ROW_KINDS)[number];

/** Bits of the `flags` column. */
export const enum RowFlag {
  Error = 1,
  HasSource = 2,
  Orphan = 4,
  CriticalPath = 8,
  /** A synthetic row standing for a run of same-named siblings. */
  Group = 16,
  HasChildren = 32,
  /**
   * The span has not ended (exported without an end time): drawn open-ended from its start
   * to the run's latest time. Its `durationMs` is 0 (unknown).
   */
  InProgress = 64,
}

/**
 * The waterfall's per-row columns, declared once: name → typed-array constructor. The host's
 * slicing, the message type and the webview's arrays are all derived from it. Times are ms
 * from the trace's start.
 */
export const ROW_COLUMNS = {
  /** Index into `TraceStart.names`. */
  nameIndex: Uint32Array,
  depth: Uint16Array,
  /** Row index of the parent row, -1 at the top. */
  parent: Int32Array,
  /** Row index just past the row's subtree, so a collapsed subtree is skipped at once. */
  subtreeEnd: Int32Array,
  startMs: Float64Array,
  durationMs: Float64Array,
  /** Time outside the row's children. */
  selfMs: Float64Array,
  /** Index into ROW_KINDS. */
  kind: Uint8Array,
  /** `RowFlag` bits. */
  flags: Uint8Array,
  /** Members of a group row; 0 for span rows. */
  groupSize: Uint32Array,
  /** 1 + the index of the span's `service.name` in `RunHeader.services`; 0 when it names none. */
  service: Uint16Array,
  /** An LLM span's time to first token, ms from its start (`timeToFirstTokenMs`); 0 when not recorded. */
  ttftMs: Float64Array,
} as const;

export type ColumnName = keyof typeof ROW_COLUMNS;
const COLUMN_NAMES = Object.keys(ROW_COLUMNS) as ColumnName[];

/** A column's array type over any buffer, as the layout declares its columns. */
type OverAnyBuffer<T> = T extends Float64Array<ArrayBuffer>
  ? Float64Array
  : T extends Int32Array<ArrayBuffer>
    ? Int32Array
    : T extends Uint32Array<ArrayBuffer>
      ? Uint32Array
      : T extends Uint16Array<ArrayBuffer>
        ? Uint16Array
        : T extends Uint8Array<ArrayBuffer>
          ? Uint8Array
          : never;

/** One typed array per column. */
export type Columns = { readonly [K in ColumnName]: OverAnyBuffer<InstanceType<(typeof ROW_COLUMNS)[K]>> };

/** Zeroed columns for `rowCount` rows. */
export function allocateColumns(rowCount: number): Columns {
  const out: Partial<Record<ColumnName, unknown>> = {};
  for (const name of COLUMN_NAMES) out[name] = new ROW_COLUMNS[name](rowCount);
  return out as Columns;
}

/** Copies of the rows [from, to) of each column. */
export function sliceColumns(columns: Columns, from: number, to: number): Columns {
  const out: Partial<Record<ColumnName, unknown>> = {};
  for (const name of COLUMN_NAMES) out[name] = columns[name].slice(from, to);
  return out as Columns;
}

/** Writes `source`'s rows into `target` from row `offset` on. */
export function setColumns(target: Columns, source: Columns, offset: number): void {
  for (const name of COLUMN_NAMES) target[name].set(source[name], offset);
}

/**
 * A slice of the waterfall's rows, depth-first (children in start order), as columns of
 * typed arrays: a million spans cross to the webview in a few compact messages instead of
 * one giant JSON array.
 */
export interface RowColumns extends Columns {
  /** Index of the first row of this slice. */
  readonly offset: number;
  /** 16 hex characters per row (a group row repeats its first member's id). */
  readonly spanIds: string;
}

export interface RunHeader {
  readonly traceId: string;
  readonly name: string;
  /** ISO time of the run's first span. */
  readonly startTime: string;
  readonly durationMs: number;
  readonly spanCount: number;
  readonly errorCount: number;
  readonly services: readonly string[];
  readonly tokens?: Tokens;
  /** USD, when `tracerun.modelPrices` prices the run's models. */
  readonly costUsd?: number;
  readonly state: 'complete' | 'running' | 'incomplete';
  /** What the run lacks that would make it useful, each with its fix (`missingContext`). */
  readonly missingContext?: ReadonlyArray<{ readonly message: string; readonly fix: string }>;
}

/** Host → webview, first of a trace's messages; `TraceRows` follow until `rowCount` are sent. */
export interface TraceStart {
  readonly header: RunHeader;
  readonly rowCount: number;
  /** Distinct span names; rows refer to them by index. */
  readonly names: readonly string[];
  /** Bumped per send, so rows of an older send are ignored. */
  readonly generation: number;
}

export type AttributeTable = ReadonlyArray<readonly [key: string, value: string]>;

/** One message of an LLM conversation, in the order sent and received. */
export interface ConversationMessageView {
  readonly role: string;
  readonly content?: string;
  readonly toolCalls?: ReadonlyArray<{ readonly id?: string; readonly name: string; readonly arguments?: string }>;
  /** For a tool result: the call it answers. */
  readonly toolCallId?: string;
  /** Input (sent to the model) or output (its answer). */
  readonly direction: 'input' | 'output';
}

export interface PayloadView {
  readonly label: string;
  /** Raw text; `json` is set when it parsed as JSON. */
  readonly text: string;
  readonly json?: unknown;
}

export interface StackFrameView {
  readonly text: string;
  /** Set when the frame points into a file that exists in the workspace. */
  readonly path?: string;
  readonly line?: number;
}

/** One annotation or evaluation of a span's result (OpenInference `annotation.*` / `evaluation.*`). */
export interface EvaluationView {
  readonly name?: string;
  readonly label?: string;
  readonly score?: number;
  readonly explanation?: string;
  /** `HUMAN`, `LLM`, `CODE` or custom. */
  readonly annotatorKind?: string;
}

export interface SpanDetailsView {
  readonly spanId: string;
  readonly name: string;
  readonly startTime: string;
  readonly startOffsetMs: number;
  /** 0 while the span is in progress. */
  readonly durationMs: number;
  /** Exported before it ended: no end time yet. */
  readonly inProgress?: boolean;
  /** Something to know about this span before reading the rest, e.g. that it has not arrived. */
  readonly notice?: string;
  readonly status: 'ok' | 'error' | 'unset';
  readonly errorMessage?: string;
  readonly spanKind: string;
  readonly kind: string;
  readonly model?: string;
  /** The model provider, e.g. `openai`. */
  readonly provider?: string;
  readonly tokens?: Tokens;
  /** Time to first token of a streamed LLM call, ms from the span's start. */
  readonly ttftMs?: number;
  readonly costUsd?: number;
  /** Set when the cost is the one the span recorded (`llm.cost.total`, Langfuse's `cost_details`), not priced by `tracerun.modelPrices`: the attribute. */
  readonly costRecordedIn?: string;
  readonly finishReasons?: readonly string[];
  /** Whether the request streamed, when the span says (`gen_ai.request.stream`, `llm.is_streaming`, the AI SDK's stream operations). */
  readonly streamed?: boolean;
  /** The managed prompt or prompt template the call rendered (Langfuse, OpenInference). */
  readonly prompt?: { readonly name?: string; readonly version?: string; readonly template?: string };
  /** Annotations and evaluations recorded on the span. */
  readonly evaluations?: readonly EvaluationView[];
  /** The vendors' metadata (LangSmith, Langfuse, Vercel AI SDK, OpenInference), keys without their prefix. */
  readonly metadata?: AttributeTable;
  /** An LLM call that recorded no prompt or completion: why, and the switch of the instrumentation that wrote it. */
  readonly contentMissing?: { readonly message: string; readonly fix: string };
  readonly scope?: string;
  /** Where the span's code is, and which step of the Go to Source chain found it. */
  readonly source?: { readonly path: string; readonly line?: number; readonly function?: string; readonly via?: 'attributes' | 'stacktrace' | 'symbol' };
  /** Why no code was found for the span, and what would help. */
  readonly sourceMissing?: string;
  /** Several workspace functions fit and none was chosen: how many (Go to Source asks which). */
  readonly sourceChoices?: number;
  readonly conversation?: readonly ConversationMessageView[];
  readonly payloads: readonly PayloadView[];
  /** The exception event's stack trace, frame by frame. */
  readonly stack?: readonly StackFrameView[];
  readonly attributes: AttributeTable;
  readonly resourceAttributes: AttributeTable;
  readonly events: ReadonlyArray<{ readonly name: string; readonly offsetMs?: number; readonly attributes: AttributeTable }>;
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string; readonly attributes: AttributeTable }>;
  /** When the details could not be read back from the file. */
  readonly loadError?: string;
  /** Some text matched the `tracerun.redact` rules and is masked (Reveal asks again with `reveal`). */
  readonly secretsMasked?: boolean;
}

/** Host → webview: a trace is (re)sent, on open and whenever new spans arrive. */
export const TraceBegin = notification<TraceStart>('waterfall/traceBegin');
/** Host → webview: the next slice of rows. */
export const TraceRows = notification<{ readonly generation: number; readonly rows: RowColumns }>('waterfall/traceRows');
/**
 * Host → webview: the run's whole header, after the rows: `TraceBegin`'s header leaves out what
 * takes a pass over every span (the cost, the missing context, tokens not yet counted).
 */
export const TraceHeader = notification<{ readonly generation: number; readonly header: RunHeader }>('waterfall/traceHeader');
/** Host → webview: the trace is gone (its file was deleted). */
export const TraceRemoved = notification<{ traceId: string }>('waterfall/traceRemoved');
/** Host → webview: select a span (opened from a span in the runs tree). */
export const SelectSpan = notification<{ spanId: string }>('waterfall/selectSpan');
/** Host → webview: the user brought this shown waterfall to the front (a command or a click): its rows take the keyboard. */
export const TakeFocus = notification<void>('waterfall/takeFocus');

/** Webview → host: the page is ready for data. */
export const Ready = notification<void>('waterfall/ready');
/** Webview → host: details of a span, read from the trace file on demand. */
/** `reveal`: the user clicked Reveal in this panel, so secrets are shown as recorded. */
export const GetSpanDetails = request<{ spanId: string; reveal?: boolean }, SpanDetailsView>('waterfall/getSpanDetails');
/** Webview → host: open the source recorded on a span, or a stack frame's file and line. */
export const GoToSource = notification<{ spanId: string; path?: string; line?: number }>('waterfall/goToSource');
/** Webview → host: spans whose attributes, inputs or outputs contain the text (case-insensitive). */
/** Webview → host: Replay… on an LLM span (the details pane's button). */
export const ReplaySpan = notification<{ spanId: string }>('waterfall/replaySpan');
/** Webview → host: the header's Copy Run as JSON: the panel's run, as the command copies it. */
export const CopyRunAsJson = notification<void>('waterfall/copyRunAsJson');
/** Webview → host: the header's Save Run As…: the panel's run as OTLP JSON, where the user chooses. */
export const SaveRunAs = notification<void>('waterfall/saveRunAs');
export const SearchSpans = request<{ query: string }, { spanIds: string[] }>('waterfall/searchSpans');

/** What the panel remembers across reloads (VS Code's webview state). */
/** What a bar's colour tells: the span's kind (LLM, tool, …) or the service that sent it. */
export type ColorBy = 'kind' | 'service';

export interface WaterfallState {
  readonly traceId: string;
  readonly colorBy?: ColorBy;
  readonly selectedSpanId?: string;
  readonly collapsed?: readonly string[];
  readonly openedGroups?: readonly string[];
  readonly scrollTop?: number;
}
