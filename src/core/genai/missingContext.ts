/**
 * What a run lacks that would make it useful, said plainly, each with the fix for whatever
 * wrote it. Switch and variable names are the projects' own:
 * - OpenTelemetry GenAI instrumentations (Python `opentelemetry-instrumentation-*-v2`, JS
 *   `@opentelemetry/instrumentation-openai`): content is off by default and turned on by
 *   `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` (JS also `captureMessageContent:
 *   true`); it then arrives as log records or events. Under
 *   `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental` the variable takes a mode
 *   instead: `SPAN_ONLY`, `EVENT_ONLY`, `SPAN_AND_EVENT` (opentelemetry-util-genai).
 * - OpenLLMetry / Traceloop: `TRACELOOP_TRACE_CONTENT` (on unless set to false), `traceContent`
 *   in `Traceloop.initialize` (JS).
 * - OpenInference: `OPENINFERENCE_HIDE_INPUTS` / `OPENINFERENCE_HIDE_OUTPUTS` (and the
 *   `_INPUT_MESSAGES` / `_OUTPUT_MESSAGES` variants), or `TraceConfig(hide_inputs=…)`
 *   (spec/configuration.md).
 * - Vercel AI SDK: `experimental_telemetry: { isEnabled: true, recordInputs: true,
 *   recordOutputs: true }` (both default to true once telemetry is on).
 * - The Anthropic TypeScript SDK's own spans (scope `com.anthropic.sdk.typescript`): metadata
 *   only unless `ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE=content` or the client option
 *   `openTelemetry: { traces: { contentMode: 'content' } }` (`internal/tracing.d.ts`, 1.x).
 */
import { describeSpan } from './conventions';
import type { RunSpan } from './runTokens';
import { extractConversation, type SpanContent } from './conversation';
import { spanPayloads } from './payloads';
import { isPendingSpan } from './pendingSpans';
import { siblingTwinsSteps } from './siblingLlmCalls';
import { runSteps, STEP_ITEMS, type Steps } from '../util/steps';

export interface ContextSpan extends RunSpan {
  readonly spanId: string;
  readonly parentSpanId: string;
  /** The resource's `service.name`. */
  readonly serviceName?: string;
  /** The instrumentation scope's name. */
  readonly scopeName?: string;
  /** Whether the span recorded prompt or completion content (`recordsContent`); undefined when not known. */
  readonly recordedContent?: boolean;
  /** Whether the span holds an exception stack trace; undefined when not known. */
  readonly hasStack?: boolean;
}

export type MissingContextKind = 'no-content' | 'missing-parent' | 'no-service-name' | 'no-code-location';

export interface MissingContextNote {
  readonly kind: MissingContextKind;
  /** What is missing, in a sentence. */
  readonly message: string;
  /** What to change, in the words of the instrumentation that wrote the spans. */
  readonly fix: string;
  /** The spans concerned (for a missing parent, the children that name it). */
  readonly spanIds: readonly string[];
  /** For `missing-parent`: the ids named but never received. */
  readonly parentIds?: readonly string[];
}

const CODE_KEYS = ['code.file.path', 'code.filepath', 'code.function.name', 'code.function', 'code.line.number', 'code.lineno'];

/**
 * The run's missing-context notes. Spans whose parent never arrived are only judged once the
 * run has `settled` (until then the parent may simply not have ended yet).
 */
export interface MissingContextOptions {
  readonly settled: boolean;
  /** Whether a span of the run has this id; by default a set of the spans' ids is made (a trace has its own index). */
  readonly has?: (spanId: string) => boolean;
  /**
   * `spans` may be iterated more than once (each time anew): nothing is kept between the
   * passes, so a big trace's spans are not all copied into objects that outlive a pass.
   */
  readonly reiterable?: boolean;
  /**
   * The LLM spans among `spans` (`describeSpan` kind 'llm'), in their order, when the caller
   * already knows each span's kind (a waterfall has read it for its rows): `spans` are then not
   * all described again.
   */
  readonly llmSpans?: Iterable<ContextSpan>;
  /**
   * The spans among `spans` whose parent may be missing (any span whose parent is not among the
   * run's spans is here), in their order, when the caller knows them (a flat tree has a
   * stand-in for each parent not received): `has` is then asked of these only.
   */
  readonly orphanCandidates?: Iterable<ContextSpan>;
}

export function missingContext(spans: Iterable<ContextSpan>, options: MissingContextOptions): MissingContextNote[] {
  return runSteps(missingContextSteps(spans, options));
}

/** `missingContext` in steps (see `steps.ts`), for the header of a big trace's waterfall. */
export function* missingContextSteps(spans: Iterable<ContextSpan>, options: MissingContextOptions): Steps<MissingContextNote[]> {
  const kept: ContextSpan[] | undefined = options.reiterable ? undefined : [];
  const ids = options.has ? undefined : new Set<string>();
  let spanCount = 0;
  for (const span of spans) {
    if (!kept && !ids) {
      // Nothing to keep or index: this pass only tells whether there are spans.
      spanCount = 1;
      break;
    }
    kept?.push(span);
    ids?.add(span.spanId);
    if (++spanCount % STEP_ITEMS === 0) yield;
  }
  const all: Iterable<ContextSpan> = kept ?? spans;
  const has = options.has ?? ((id: string) => ids!.has(id));
  if (spanCount === 0) return [];
  const notes: MissingContextNote[] = [];

  // LLM spans without content, grouped by the switch that would have recorded it. A span of a
  // call recorded twice (an SDK's own span under an instrumentation's, or beside it) lacks
  // nothing when the other span of the call holds the content.
  // Only the LLM spans are kept for this: a big trace's other spans are not copied.
  const llmSpans = new Map<string, ContextSpan>();
  let work = 0;
  if (options.llmSpans) {
    for (const span of options.llmSpans) {
      if (++work % STEP_ITEMS === 0) yield;
      llmSpans.set(span.spanId, span);
    }
  } else {
    for (const span of all) {
      if (++work % STEP_ITEMS === 0) yield;
      if (describeSpan(span).kind === 'llm') llmSpans.set(span.spanId, span);
    }
  }
  const callContent = new Set<string>();
  for (const span of llmSpans.values()) {
    if (++work % STEP_ITEMS === 0) yield;
    const parent = llmSpans.get(span.parentSpanId);
    if (span.recordedContent === true && parent) callContent.add(parent.spanId);
  }
  const twins = yield* siblingTwinsSteps(llmSpans.values());
  const callsWithContent = new Set<ContextSpan>();
  for (const [twin, call] of twins) if (twin.recordedContent === true || call.recordedContent === true) callsWithContent.add(call);
  for (const [twin, call] of twins) if (callsWithContent.has(call)) callContent.add(twin.spanId).add(call.spanId);
  const bySwitch = new Map<string, { instrumentation: string; spanIds: string[] }>();
  for (const span of llmSpans.values()) {
    if (++work % STEP_ITEMS === 0) yield;
    if (span.recordedContent !== false) continue;
    const parent = llmSpans.get(span.parentSpanId);
    if (callContent.has(span.spanId) || parent?.recordedContent === true) continue;
    const { instrumentation, fix } = captureSwitch(span);
    let group = bySwitch.get(fix);
    if (!group) bySwitch.set(fix, (group = { instrumentation, spanIds: [] }));
    group.spanIds.push(span.spanId);
  }
  for (const [fix, { instrumentation, spanIds }] of bySwitch) {
    notes.push({
      kind: 'no-content',
      message: `${count(spanIds.length, 'LLM span')} recorded no prompt or completion: ${instrumentation} leaves content out unless its content setting allows it.`,
      fix,
      spanIds,
    });
  }

  if (options.settled) {
    const orphans: string[] = [];
    const missing = new Set<string>();
    for (const span of options.orphanCandidates ?? all) {
      if (++work % STEP_ITEMS === 0) yield;
      if (span.parentSpanId === '' || has(span.parentSpanId) || isPendingSpan(span)) continue;
      orphans.push(span.spanId);
      missing.add(span.parentSpanId);
    }
    if (orphans.length > 0) {
      notes.push({
        kind: 'missing-parent',
        message: `${count(orphans.length, 'span')} ${orphans.length === 1 ? 'names a parent' : 'name a parent'} that never arrived — another process or service did not export it. ${idList(missing)}`,
        fix: 'Export spans from every process the run passes through to the same endpoint, and end (or flush) the parent span before the process exits.',
        spanIds: orphans,
        parentIds: [...missing],
      });
    }
  }

  let named = false;
  for (const s of all) {
    if (++work % STEP_ITEMS === 0) yield;
    if (s.serviceName !== undefined && s.serviceName !== '' && !s.serviceName.startsWith('unknown_service')) {
      named = true;
      break;
    }
  }
  if (!named) {
    notes.push({
      kind: 'no-service-name',
      message: 'No span names its service (service.name is missing or unknown_service), so runs from different programs look alike.',
      fix: 'export OTEL_SERVICE_NAME=my-agent',
      spanIds: [],
    });
  }

  let located = false;
  for (const s of all) {
    if (++work % STEP_ITEMS === 0) yield;
    if (s.hasStack === true || CODE_KEYS.some((k) => s.attributes?.[k] !== undefined)) {
      located = true;
      break;
    }
  }
  if (!located) {
    notes.push({
      kind: 'no-code-location',
      message: 'No span records where in the code it started (no code.* attributes, no stack trace), so Go to Source can only guess by name.',
      fix: "Set the location on your own spans: span.setAttribute('code.file.path', __filename) in Node, span.set_attribute('code.file.path', __file__) in Python (with code.line.number and code.function.name when you have them).",
      spanIds: [],
    });
  }
  return notes;
}

const CONTENT_KEY_PREFIXES = [
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.prompt',
  'gen_ai.completion',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'llm.input_messages',
  'llm.output_messages',
  'llm.prompts',
  'llm.choices',
  'llm.completions',
  'input.value',
  'output.value',
  'ai.prompt',
  'ai.response.text',
  'ai.response.object',
  'ai.response.toolCalls',
  'ai.toolCall.args',
  'ai.toolCall.result',
  'traceloop.entity.input',
  'traceloop.entity.output',
  'langfuse.observation.input',
  'langfuse.observation.output',
  'mlflow.spanInputs',
  'mlflow.spanOutputs',
];

const CONTENT_EVENTS = new Set([
  'gen_ai.system.message',
  'gen_ai.user.message',
  'gen_ai.assistant.message',
  'gen_ai.tool.message',
  'gen_ai.choice',
  'gen_ai.client.inference.operation.details',
  'gen_ai.content.prompt',
  'gen_ai.content.completion',
]);

/**
 * Whether an attribute key (of a span, or of an event or log record in `isContentEvent`)
 * carries prompt or completion content in one of the conventions: what a reader can note
 * while it reads a span, without keeping the content (`recordedContent` is then known
 * without loading every span's details).
 */
export function isContentAttributeKey(key: string): boolean {
  for (const prefix of CONTENT_KEY_PREFIXES) {
    if (key.startsWith(prefix) && (key.length === prefix.length || key[prefix.length] === '.')) return true;
  }
  return false;
}

/** Whether an event (or a log record attached to the span) by this name carries content. */
export function isContentEvent(name: string): boolean {
  return CONTENT_EVENTS.has(name);
}

/** Whether a span's full attributes and events hold any prompt or completion content. */
export function recordsContent(span: SpanContent): boolean {
  if (extractConversation(span) !== undefined) return true;
  const payloads = spanPayloads(span.attributes);
  return payloads.input !== undefined || payloads.output !== undefined;
}

/** The setting that turns content capture on for the instrumentation that wrote the span. */
export function captureSwitch(span: ContextSpan): { instrumentation: string; fix: string } {
  const a = span.attributes ?? {};
  const scope = span.scopeName ?? '';
  if (a['openinference.span.kind'] !== undefined || scope.startsWith('openinference.') || scope.startsWith('@arizeai/openinference')) {
    return {
      instrumentation: 'OpenInference',
      fix: 'Unset OPENINFERENCE_HIDE_INPUTS and OPENINFERENCE_HIDE_OUTPUTS (and the _INPUT_MESSAGES / _OUTPUT_MESSAGES variants), or pass TraceConfig(hide_inputs=False, hide_outputs=False) to the instrumentor.',
    };
  }
  // The Anthropic SDK's own spans (scope com.anthropic.sdk.typescript): metadata only by default.
  if (scope.startsWith('com.anthropic.sdk')) {
    return {
      instrumentation: 'The Anthropic SDK',
      fix: "export ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE=content, or pass openTelemetry: { traces: { contentMode: 'content' } } to new Anthropic(…) (a client given that option does not read the variable).",
    };
  }
  const vercel = describeSpan(span).convention === 'vercel-ai' || a['ai.operationId'] !== undefined;
  if (vercel) {
    return {
      instrumentation: 'The Vercel AI SDK',
      fix: 'Pass experimental_telemetry: { isEnabled: true, recordInputs: true, recordOutputs: true } to the AI SDK call.',
    };
  }
  if (a['traceloop.span.kind'] !== undefined || a['llm.request.type'] !== undefined || scope.startsWith('@traceloop/') || scope.startsWith('traceloop.')) {
    return {
      instrumentation: 'OpenLLMetry (Traceloop)',
      fix: 'export TRACELOOP_TRACE_CONTENT=true (or traceContent: true in Traceloop.initialize).',
    };
  }
  const instrumentation = scope !== '' ? scope : 'The OpenTelemetry GenAI instrumentation';
  // `gen_ai.provider.name` replaced `gen_ai.system` in the latest conventions, which the Python
  // instrumentations write under OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental;
  // there the variable takes a mode (NO_CONTENT, SPAN_ONLY, EVENT_ONLY, SPAN_AND_EVENT), not true.
  if (a['gen_ai.provider.name'] !== undefined) {
    return {
      instrumentation,
      fix: 'export OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=SPAN_AND_EVENT (the latest GenAI conventions take a mode; SPAN_ONLY puts the messages on the span alone).',
    };
  }
  return {
    instrumentation,
    fix: 'export OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true (the JS OpenAI instrumentation also takes captureMessageContent: true). Content then arrives as log records: export logs to the same endpoint.',
  };
}

/** The parent ids never received, the first few of them: "Parent id: 3fa2…" / "Parent ids: a, b and 3 more". */
function idList(ids: ReadonlySet<string>): string {
  const all = [...ids];
  const shown = all.slice(0, MAX_IDS_NAMED);
  const more = all.length - shown.length;
  return `Parent id${all.length === 1 ? '' : 's'}: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`;
}

const MAX_IDS_NAMED = 5;

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
