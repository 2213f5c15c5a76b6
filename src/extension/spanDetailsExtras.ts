import type { SpanDetails } from '../core/ingest/spanDetails';
import type { SpanRecord } from '../core/model/span';
import { parseStackTrace } from '../core/source/stackFrames';
import { describeSpan } from '../core/genai/conventions';
import { costOf, type PriceTable } from '../core/genai/cost';
import { extractConversation } from '../core/genai/conversation';
import { spanPayloads, type SpanPayload } from '../core/genai/payloads';
import type { ConversationMessageView, PayloadView, StackFrameView } from '../protocol/waterfall';
import { frameExists } from './goToSource';
import type { DetailsExtras } from './spanDetailsView';

const MAX_LINKED_FRAMES = 64;

/** The exception's stack trace, its frames linked where they point at files that exist here. */
async function stackOf(span: SpanRecord, details: SpanDetails): Promise<StackFrameView[] | undefined> {
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
export async function spanDetailsExtras(span: SpanRecord, details: SpanDetails, prices: PriceTable): Promise<DetailsExtras> {
  const conversation = extractConversation(details);
  const payloads = spanPayloads(details.attributes);
  const conventions = describeSpan(span);
  const cost = costOf(conventions.model ?? conversation?.model, conventions.tokens ?? conversation?.tokens, prices);
  const messages: ConversationMessageView[] | undefined = conversation?.messages.map((m) => ({
    role: m.sourceRole ?? m.role,
    content: m.content || undefined,
    toolCalls: m.toolCalls,
    toolCallId: m.toolCallId,
    direction: m.direction,
  }));
  return {
    conversation: messages,
    finishReasons: conversation?.finishReasons,
    // An LLM span's input and output are its conversation; don't show them twice.
    payloads: conversation ? [] : [payloads.input && payloadView('Input', payloads.input), payloads.output && payloadView('Output', payloads.output)].filter((p): p is PayloadView => p !== undefined),
    stack: await stackOf(span, details),
    costUsd: cost?.totalUsd,
  };
}
