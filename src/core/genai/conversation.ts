/**
 * An LLM span as a conversation: the messages sent to the model and those it answered, with
 * tool calls and tool results, read from a span's full attributes and events (what
 * `loadSpanDetails` returns; the index keeps none of this).
 *
 * Sources, in order of preference. A span may carry several at once (an OpenInference span
 * processor over Vercel AI SDK spans; an SDK's own attributes under an instrumentation's), and
 * one may hold only part of the call (a system message alone, no answer). So they are merged
 * side by side, not first-wins: the input messages come from the source that recorded most
 * of them (ties to the earlier), a system message from another source fills in when that one
 * has none, and the output from the source that recorded most output (see `merge`). The
 * sources, one reader per convention, are in `conversationSources.ts`; the shapes of message
 * content, in `messageParts.ts`.
 */
import { describeSpan, type TokenCounts } from './conventions';
import type { Attributes } from '../model/span';
import { SpanKind } from '../model/span';
import {
  fromGenAiAttributes,
  fromGenAiDetailsEvent,
  fromGenAiEvents,
  fromLangfuse,
  fromMlflow,
  fromOpenInference,
  fromOpenLlmetry,
  fromVercel,
  type ConversationConvention,
  type Found,
  type SpanContentEvent,
} from './conversationSources';
import { isRecord, parseJson, str, type ConversationMessage } from './messageParts';

export interface Conversation {
  readonly messages: readonly ConversationMessage[];
  readonly model?: string;
  readonly tokens?: TokenCounts;
  readonly finishReasons?: readonly string[];
  /** Request settings: `llm.invocation_parameters`, else `gen_ai.request.*` / `ai.settings.*`. */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** The convention the input messages came from (else the output's). */
  readonly convention: ConversationConvention;
  /** Every convention that gave part of the messages, `convention` first. */
  readonly conventions: readonly ConversationConvention[];
}

/** What `extractConversation` reads; a `SpanDetails` is one. */
export interface SpanContent {
  readonly attributes: Attributes;
  readonly events?: readonly SpanContentEvent[];
}

/** The span's conversation, or undefined when it carries no messages in any known form. */
export function extractConversation(span: SpanContent): Conversation | undefined {
  const a = span.attributes;
  const events = span.events ?? [];
  const sources = [
    fromOpenInference(a),
    fromGenAiAttributes(a),
    fromGenAiDetailsEvent(events),
    fromOpenLlmetry(a),
    fromGenAiEvents(a, events),
    fromVercel(a),
    fromLangfuse(a),
    fromMlflow(a),
  ].filter((f): f is NonNullable<Found> => f !== undefined && f.messages.length > 0);
  const merged = merge(sources);
  if (merged === undefined) return undefined;
  const { model, tokens } = describeSpan({ name: '', kind: SpanKind.Unspecified, attributes: a });
  const finishReasons = statedFinishReasons(a) ?? outputFinishReasons(merged.messages);
  const parameters = requestParameters(a);
  return {
    messages: merged.messages,
    ...(model !== undefined && { model }),
    ...(tokens !== undefined && { tokens }),
    ...(finishReasons !== undefined && { finishReasons }),
    ...(parameters !== undefined && { parameters }),
    convention: merged.conventions[0],
    conventions: merged.conventions,
  };
}

/**
 * Side by side, not first-wins. Input: the source with most non-system input messages (ties
 * to the earlier source, the more deliberate convention); when it has no system message, the
 * first source that has one lends it. Output: the source with most output messages. A source
 * that holds only a system message, or no answer, therefore no longer hides another's.
 */
function merge(sources: readonly NonNullable<Found>[]): { messages: ConversationMessage[]; conventions: ConversationConvention[] } | undefined {
  if (sources.length === 0) return undefined;
  if (sources.length === 1) return { messages: sources[0].messages, conventions: [sources[0].convention] };
  const split = sources.map((f) => {
    const input = f.messages.filter((m) => m.direction === 'input');
    return {
      f,
      input,
      turns: input.filter((m) => m.role !== 'system').length,
      system: input.filter((m) => m.role === 'system'),
      output: f.messages.filter((m) => m.direction === 'output'),
    };
  });
  const most = (count: (s: (typeof split)[number]) => number): (typeof split)[number] | undefined => {
    let best: (typeof split)[number] | undefined;
    for (const s of split) if (count(s) > 0 && (best === undefined || count(s) > count(best))) best = s;
    return best;
  };
  const inputs = most((s) => s.turns);
  const outputs = most((s) => s.output.length);
  const systems = inputs !== undefined && inputs.system.length > 0 ? inputs : most((s) => (s.system.length > 0 ? 1 : 0));
  const messages: ConversationMessage[] = [];
  const conventions: ConversationConvention[] = [];
  const used = (s: (typeof split)[number] | undefined): void => {
    if (s !== undefined && !conventions.includes(s.f.convention)) conventions.push(s.f.convention);
  };
  used(inputs);
  if (systems !== inputs) {
    used(systems);
    if (systems) messages.push(...systems.system);
  }
  if (inputs) messages.push(...inputs.input);
  used(outputs);
  if (outputs) messages.push(...outputs.output);
  return { messages, conventions };
}

// ---------------------------------------------------------------------------------------
// Span-level facts

/**
 * Finish reasons the span states: GenAI's list, OpenInference's, Vercel's or the Anthropic SDK's
 * own spans' single value (`anthropic.message.stop_reason`, written with content capture off too).
 */
export function statedFinishReasons(a: Attributes): string[] | undefined {
  const list = a['gen_ai.response.finish_reasons'];
  const parsed = typeof list === 'string' ? (parseJson(list) ?? [list]) : list;
  if (Array.isArray(parsed)) {
    // An empty reason ("") says nothing: some SDKs write one while a stream is unfinished.
    const reasons = parsed.filter((r): r is string => typeof r === 'string' && r !== '');
    if (reasons.length > 0) return reasons;
  }
  const one = str(a['llm.finish_reason']) || str(a['ai.response.finishReason']) || str(a['anthropic.message.stop_reason']);
  return one ? [one] : undefined;
}

function outputFinishReasons(messages: readonly ConversationMessage[]): string[] | undefined {
  const reasons = messages.filter((m) => m.direction === 'output' && m.finishReason !== undefined).map((m) => m.finishReason!);
  return reasons.length > 0 ? reasons : undefined;
}

const PARAMETER_PREFIXES = ['gen_ai.request.', 'ai.settings.'];

function requestParameters(a: Attributes): Record<string, unknown> | undefined {
  const invocation = a['llm.invocation_parameters'];
  if (invocation !== undefined) {
    const parsed = typeof invocation === 'string' ? parseJson(invocation) : invocation;
    if (isRecord(parsed)) return parsed;
  }
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(a)) {
    const prefix = PARAMETER_PREFIXES.find((p) => key.startsWith(p));
    if (prefix === undefined || key === 'gen_ai.request.model') continue;
    (out ??= {})[key.slice(prefix.length)] = a[key];
  }
  return out;
}
