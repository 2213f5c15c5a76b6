import type { SpanDetails } from '../ingest/spanDetails';
import { extractConversation } from '../genai/conversation';
import { indexed } from '../genai/conversationSources';
import type { ConversationMessage } from '../genai/messageParts';
import { spanPayloads, type SpanPayload } from '../genai/payloads';
import { ContentFlag } from '../../protocol/compare';

/** A payload as compared: what it is called, its text, and its parsed JSON when it is JSON. */
export interface ComparedPayload {
  readonly label: string;
  readonly text: string;
  readonly json: boolean;
  readonly value: unknown;
}

/** What of a span's content a comparison looks at, read from its details. */
export interface SpanContent {
  readonly input?: ComparedPayload;
  readonly output?: ComparedPayload;
  /** The conversation of an LLM span, one entry per message. */
  readonly messages?: readonly ComparedPayload[];
}

function fromPayload(p: SpanPayload): ComparedPayload {
  return { label: p.key, text: p.text, json: p.json, value: p.value };
}

function messageText(m: ConversationMessage): string {
  const parts = [m.content];
  for (const call of m.toolCalls ?? []) parts.push(`→ ${call.name}(${call.arguments ?? ''})`);
  if (m.toolCallId !== undefined) parts.push(`(result of ${m.toolCallId})`);
  return parts.filter((p) => p !== '').join('\n');
}

function messagesPayload(label: string, messages: readonly ConversationMessage[]): ComparedPayload | undefined {
  if (messages.length === 0) return undefined;
  const text = messages.map((m) => `${m.sourceRole ?? m.role}: ${messageText(m)}`).join('\n\n');
  return { label, text, json: false, value: text };
}

/**
 * Retrieved documents ([OI] `retrieval.documents.<i>.document.content`) are a retriever's
 * output even though no output attribute holds them: comparing them is how a changed retrieval
 * shows up.
 */
function retrievedDocuments(details: SpanDetails): ComparedPayload | undefined {
  const docs = indexed(details.attributes, 'retrieval.documents');
  if (docs.length === 0) return undefined;
  const value = docs.map((d) => d['document.content'] ?? d['document.id'] ?? d['']);
  return { label: 'documents', text: JSON.stringify(value), json: true, value };
}

/**
 * The span's input, output and conversation. An LLM span usually states no input or output
 * payload: its input and output are then its messages sent and answered.
 */
export function spanContent(details: SpanDetails): SpanContent {
  const payloads = spanPayloads(details.attributes);
  const conversation = extractConversation(details);
  const sent = conversation?.messages.filter((m) => m.direction === 'input') ?? [];
  const answered = conversation?.messages.filter((m) => m.direction === 'output') ?? [];
  const input = payloads.input ? fromPayload(payloads.input) : messagesPayload('messages sent', sent);
  const output = payloads.output ? fromPayload(payloads.output) : (retrievedDocuments(details) ?? messagesPayload('messages answered', answered));
  const messages = conversation?.messages.map((m, i): ComparedPayload => ({ label: `message ${i + 1} (${m.sourceRole ?? m.role})`, text: messageText(m), json: false, value: messageText(m) }));
  return { ...(input && { input }), ...(output && { output }), ...(messages && messages.length > 0 && { messages }) };
}

/** JSON with object keys sorted, so key order alone is no difference. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

function payloadKey(p: ComparedPayload | undefined): string | undefined {
  if (!p) return undefined;
  return p.json ? canonicalJson(p.value) : p.text;
}

export function payloadsDiffer(a: ComparedPayload | undefined, b: ComparedPayload | undefined): boolean {
  return payloadKey(a) !== payloadKey(b);
}

function messagesDiffer(a: readonly ComparedPayload[] | undefined, b: readonly ComparedPayload[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length !== y.length || x.some((m, i) => m.text !== y[i].text);
}

/** `ContentFlag` bits for a pair whose contents were read (`Checked` always set). */
export function contentFlags(a: SpanContent, b: SpanContent): number {
  let flags = ContentFlag.Checked;
  if (payloadsDiffer(a.input, b.input)) flags |= ContentFlag.Input;
  if (payloadsDiffer(a.output, b.output)) flags |= ContentFlag.Output;
  if (messagesDiffer(a.messages, b.messages)) flags |= ContentFlag.Messages;
  return flags;
}
