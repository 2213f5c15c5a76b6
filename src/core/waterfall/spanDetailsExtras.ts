import * as path from 'node:path';
import { flatStandIn } from '../model/flatTree';
import { loadSpanDetails, type SpanDetails } from '../ingest/spanDetails';
import { withLogRecords, type LogRecordSource } from '../ingest/logRecordDetails';
import type { SpanRecord } from '../model/span';
import { parseStackTrace } from '../source/stackFrames';
import { describeSpan } from '../genai/conventions';
import { costOf, statedCost, type PriceTable } from '../genai/cost';
import { extractConversation, statedFinishReasons } from '../genai/conversation';
import { payloadsBeside, spanPayloads, type SpanPayload } from '../genai/payloads';
import { spanErrorText } from '../genai/spanError';
import { timeToFirstTokenMs } from '../genai/timing';
import { isStreamingRequest, promptReference, spanEvaluations, spanMetadata, spanProvider } from '../genai/spanFacts';
import { captureSwitch } from '../genai/missingContext';
import { areSiblingLlmCalls } from '../genai/siblingLlmCalls';
import { spanRecordedContent } from '../runs/runMissingContext';
import { resolveSpanSource, type SourceContext } from '../source/resolveSpanSource';
import { StatusCode } from '../model/span';
import { lastEndBelow, settledStandIn } from '../model/standIns';
import type { Trace } from '../model/trace';
import type { ConversationMessageView, PayloadView, SpanDetailsView, StackFrameView } from '../../protocol/waterfall';
import { notReceivedNotice, spanDetailsView, type DetailsExtras } from './spanDetailsView';

/** Whether a stack frame's recorded path names a file that exists here (resolved against the trace file or the workspace). */
export type FrameChecker = (recorded: string, traceFile: string | undefined) => Promise<boolean>;

const MAX_LINKED_FRAMES = 64;

/** The exception's stack trace, its frames linked where they point at files that exist here. */
async function stackOf(span: SpanRecord, details: SpanDetails, frameExists: FrameChecker): Promise<StackFrameView[] | undefined> {
  const exception = details.events.find((e) => e.name === 'exception' && typeof e.attributes['exception.stacktrace'] === 'string');
  if (!exception) return undefined;
  const frames = parseStackTrace(exception.attributes['exception.stacktrace'] as string);
  let checked = 0;
  const out: StackFrameView[] = [];
  for (const f of frames) {
    if (f.path && checked++ < MAX_LINKED_FRAMES && (await frameExists(f.path, span.origin.file))) out.push(f);
    else out.push({ text: f.text });
  }
  return out;
}

function payloadView(label: string, p: SpanPayload): PayloadView {
  return { label: `${label} (${p.key})`, text: p.text, ...(p.json ? { json: p.value } : {}) };
}

/**
 * What the details pane shows beyond the attributes: the conversation of an LLM call, the
 * span's input and output, the exception's stack trace, and the cost when prices are set.
 */
export async function spanDetailsExtras(span: SpanRecord, details: SpanDetails, prices: PriceTable, frameExists: FrameChecker): Promise<DetailsExtras> {
  const conversation = extractConversation(details);
  // Structured input or output the conversation lacks (a system prompt alone, no answer) still shows.
  const payloads = payloadsBeside(spanPayloads(details.attributes), conversation);
  const conventions = describeSpan(span);
  const evaluations = spanEvaluations(details.attributes);
  const cost = costOf(conventions.model ?? conversation?.model, conventions.tokens ?? conversation?.tokens, prices);
  // Without a price of the user's, the cost the instrumentation recorded (OpenInference, Langfuse).
  const stated = cost === undefined ? statedCost(details.attributes) : undefined;
  const messages: ConversationMessageView[] | undefined = conversation?.messages.map((m) => ({
    role: m.sourceRole ?? m.role,
    content: m.content || undefined,
    toolCalls: m.toolCalls,
    toolCallId: m.toolCallId,
    direction: m.direction,
  }));
  return {
    conversation: messages,
    // Without content capture there is no conversation, yet the span still states why the call ended.
    finishReasons: conversation?.finishReasons ?? statedFinishReasons(details.attributes),
    payloads: [payloads.input && payloadView('Input', payloads.input), payloads.output && payloadView('Output', payloads.output)].filter((p): p is PayloadView => p !== undefined),
    stack: await stackOf(span, details, frameExists),
    costUsd: cost?.totalUsd ?? stated?.totalUsd,
    costRecordedIn: stated?.key,
    // Many instrumentations set the ERROR status alone and put the reason in an event or attribute.
    errorMessage: span.statusCode === StatusCode.Error ? spanErrorText(span.errorMessage, details.attributes, details.events) : undefined,
    ttftMs: timeToFirstTokenMs({ startNs: span.startNs, attributes: details.attributes, events: details.events }),
    provider: spanProvider(details.attributes),
    streamed: conventions.kind === 'llm' ? isStreamingRequest(span.name, details.attributes) : undefined,
    prompt: promptReference(details.attributes),
    evaluations: evaluations.length > 0 ? evaluations : undefined,
    metadata: spanMetadata(details.attributes),
    contentMissing: conventions.kind === 'llm' && conversation === undefined && !hasPayload(details) ? contentMissing(span, details) : undefined,
  };
}

function hasPayload(details: SpanDetails): boolean {
  const p = spanPayloads(details.attributes);
  return p.input !== undefined || p.output !== undefined;
}

/** Why an LLM call shows no prompt or answer, with the switch of the instrumentation that wrote it (as in the run's missing-context note). */
function contentMissing(span: SpanRecord, details: SpanDetails): DetailsExtras['contentMissing'] {
  const { instrumentation, fix } = captureSwitch({
    name: span.name,
    kind: span.kind,
    attributes: details.attributes,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    scopeName: span.scope?.name,
  });
  return { message: `This LLM call recorded no prompt or completion: ${instrumentation} leaves content out unless its content setting allows it.`, fix };
}

/** The call's other spans: the LLM span around it, those in it, and those beside it of the same call (`areSiblingLlmCalls`). */
function otherSpanOfCallHasContent(trace: Trace, span: SpanRecord, logRecords: LogRecordSource | undefined): boolean {
  const parent = span.parentSpanId ? trace.span(span.parentSpanId) : undefined;
  const nodes = trace.latestTree()?.nodes;
  const beside = (span.parentSpanId ? nodes?.get(span.parentSpanId)?.children.map((c) => c.span) : undefined)?.filter((o) => areSiblingLlmCalls(span, o)) ?? [];
  const others = [...(parent ? [parent] : []), ...(nodes?.get(span.spanId)?.children.map((c) => c.span) ?? []), ...beside];
  return others.some((o) => describeSpan(o).kind === 'llm' && spanRecordedContent(o, logRecords) === true);
}

/** A path as the workspace knows it: relative to the folder holding it, else as it is. */
function inWorkspaceTerms(file: string, folders: readonly string[]): string {
  for (const folder of folders) {
    const relative = path.relative(folder, file);
    if (relative && !relative.startsWith('..') && !path.isAbsolute(relative)) return folders.length > 1 ? path.join(path.basename(folder), relative) : relative;
  }
  return file;
}

export interface DetailsContext {
  /**
   * How the span's code is found (the Go to Source chain, never asking the user); absent, the
   * details show only what its `code.*` attributes record.
   */
  readonly source?: () => SourceContext;
  readonly prices: PriceTable;
  readonly frameExists: FrameChecker;
  /** Told when the span's details could not be read back from its file. */
  readonly warn: (message: string) => void;
  /** The log records of spans (`TraceStore.logRecords`): content events that came apart from their span. */
  readonly logRecords?: LogRecordSource;
  /** Now, for whether the run still runs (`Trace.state`); `Date.now()` unless given. */
  readonly nowMs?: number;
}

/**
 * The details pane's answer for one span of a trace: read back from the file; for a parent
 * that has not arrived, its stand-in with a notice saying so. Throws when the span is gone.
 */
export async function spanDetailsOf(trace: Trace | undefined, spanId: string, context: DetailsContext): Promise<SpanDetailsView> {
  const span = trace?.span(spanId);
  // The waterfall lays out the flat tree; other views build the object tree.
  // A finished run's stand-ins will not arrive: they are not said to be running (as the waterfall draws them).
  const settled = trace !== undefined && trace.state(context.nowMs ?? Date.now()) !== 'running';
  const flat = trace && !span ? flatStandIn(trace, spanId) : undefined;
  if (trace && flat) return spanDetailsView(trace, settled ? settledStandIn(flat.span, flat.lastEndNs) : flat.span, undefined, { notice: notReceivedNotice(flat.childCount, settled) });
  const standIn = trace && !span ? trace.latestTree()?.nodes.get(spanId) : undefined;
  if (trace && standIn?.notReceived) {
    const shown = settled ? settledStandIn(standIn.span, lastEndBelow(standIn)) : standIn.span;
    return spanDetailsView(trace, shown, undefined, { notice: notReceivedNotice(standIn.children.length, settled) });
  }
  if (!trace || !span) throw new Error('That span is no longer in the trace.');
  try {
    const details = await withLogRecords(span, await loadSpanDetails(span), context.logRecords);
    const found = await spanDetailsExtras(span, details, context.prices, context.frameExists);
    // One call recorded twice: the span that lacks content lacks nothing when the other holds it.
    const extras = found.contentMissing && otherSpanOfCallHasContent(trace, span, context.logRecords) ? { ...found, contentMissing: undefined } : found;
    if (context.source) {
      const sourceContext = context.source();
      const resolution = await resolveSpanSource(
        { name: span.name, attributes: details.attributes, events: details.events, statusMessage: span.errorMessage, traceFile: span.origin.file },
        sourceContext,
      );
      return spanDetailsView(trace, span, details, {
        ...extras,
        source: resolution.found
          ? { path: inWorkspaceTerms(resolution.found.path, sourceContext.folders), line: resolution.found.line, function: resolution.found.function, via: resolution.found.via }
          : undefined,
        sourceMissing: resolution.found ? undefined : resolution.why,
        sourceChoices: resolution.found ? undefined : resolution.ambiguous,
      });
    }
    return spanDetailsView(trace, span, details, extras);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    context.warn(`details of span ${span.spanId}: ${message}`);
    return spanDetailsView(trace, span, undefined, { loadError: message });
  }
}
