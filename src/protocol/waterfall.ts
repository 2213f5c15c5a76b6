import { notification, request } from './messages';

/** Token counts of an LLM span, or summed over a run's LLM spans. */
export interface Tokens {
  readonly input?: number;
  readonly output?: number;
  readonly total?: number;
}

/** Plain data for one span row; times are ms from the trace's start, so they fit a double. */
export interface WaterfallRow {
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly depth: number;
  readonly startMs: number;
  readonly durationMs: number;
  readonly status: 'ok' | 'error' | 'unset';
  readonly errorMessage?: string;
  /** OTLP span kind (client, server, internal…). */
  readonly spanKind: string;
  /** What the span does, from whichever LLM convention it carries (llm, tool, agent…). */
  readonly kind: string;
  readonly model?: string;
  readonly tokens?: Tokens;
  readonly service?: string;
  readonly hasChildren: boolean;
  readonly hasSource: boolean;
  readonly orphan: boolean;
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
  readonly state: 'complete' | 'running' | 'incomplete';
}

export interface TraceView {
  readonly header: RunHeader;
  /** Depth-first, children in start order. */
  readonly rows: readonly WaterfallRow[];
}

export type AttributeTable = ReadonlyArray<readonly [key: string, value: string]>;

export interface SpanDetailsView {
  readonly spanId: string;
  readonly name: string;
  readonly startTime: string;
  readonly startOffsetMs: number;
  readonly durationMs: number;
  readonly status: 'ok' | 'error' | 'unset';
  readonly errorMessage?: string;
  readonly spanKind: string;
  readonly kind: string;
  readonly model?: string;
  readonly tokens?: Tokens;
  readonly scope?: string;
  readonly source?: { readonly path: string; readonly line?: number; readonly function?: string };
  readonly attributes: AttributeTable;
  readonly resourceAttributes: AttributeTable;
  readonly events: ReadonlyArray<{ readonly name: string; readonly offsetMs?: number; readonly attributes: AttributeTable }>;
  /** When the details could not be read back from the file. */
  readonly loadError?: string;
}

/** Host → webview: the whole trace, sent on open and whenever new spans arrive. */
export const ShowTrace = notification<TraceView>('waterfall/showTrace');
/** Host → webview: the trace is gone (its file was deleted). */
export const TraceRemoved = notification<{ traceId: string }>('waterfall/traceRemoved');
/** Host → webview: select a span (opened from a span in the runs tree). */
export const SelectSpan = notification<{ spanId: string }>('waterfall/selectSpan');

/** Webview → host: the page is ready for data. */
export const Ready = notification<void>('waterfall/ready');
/** Webview → host: details of a span, read from the trace file on demand. */
export const GetSpanDetails = request<{ spanId: string }, SpanDetailsView>('waterfall/getSpanDetails');
/** Webview → host: open the source recorded on a span. */
export const GoToSource = notification<{ spanId: string }>('waterfall/goToSource');

/** What the panel remembers across reloads (VS Code's webview state). */
export interface WaterfallState {
  readonly traceId: string;
  readonly selectedSpanId?: string;
}
