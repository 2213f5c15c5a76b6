/**
 * Time to first token of a streamed LLM call: how long the caller waited before the first
 * chunk arrived. The rest of the span is the streaming part.
 *
 * Sources, in order:
 * - [GA] `gen_ai.response.time_to_first_chunk`, in **seconds** (model/gen-ai/registry.yaml:
 *   "measured from when the client issues the generation request to when the first chunk is
 *   received").
 * - [AI] Vercel AI SDK `ai.response.msToFirstChunk`, in **milliseconds** (before AI SDK 4 it
 *   was `ai.stream.msToFirstChunk`), on the span or on its `ai.stream.firstChunk` event.
 * - [LF] Langfuse `langfuse.observation.completion_start_time`: an instant, which the SDKs
 *   write as JSON-encoded ISO text (`"\"2025-10-01T08:45:26.112Z\""`), plain ISO text or a
 *   number; minus the span's start.
 * - The first-chunk event where one is recorded: the AI SDK's `ai.stream.firstChunk`, and
 *   OpenLLMetry's per-chunk `llm.content.completion.chunk` events (the first one).
 */
import type { AttributeValue, Attributes } from '../model/span';

export interface TimedEvent {
  readonly name: string;
  readonly timeNs?: bigint;
  readonly attributes: Attributes;
}

export interface TimedSpan {
  readonly startNs: bigint;
  readonly attributes: Attributes | undefined;
  readonly events?: readonly TimedEvent[];
  /** The first-chunk event's time, as the reader noted it (`SpanRecord.firstChunkNs`), when the events are not at hand. */
  readonly firstChunkNs?: bigint;
}

/** Events that mark the first streamed chunk (the first of them, for per-chunk events). */
export const FIRST_CHUNK_EVENTS: ReadonlySet<string> = new Set(['ai.stream.firstChunk', 'llm.content.completion.chunk']);

/** The span attributes read here: the index keeps them, so a row can be drawn with its wait. */
export const TTFT_ATTRIBUTE_KEYS: readonly string[] = [
  'gen_ai.response.time_to_first_chunk',
  'ai.response.msToFirstChunk',
  'ai.stream.msToFirstChunk',
  'langfuse.observation.completion_start_time',
];

/** Milliseconds from the span's start to its first token; undefined when not recorded. */
export function timeToFirstTokenMs(span: TimedSpan): number | undefined {
  const a = span.attributes ?? {};
  const seconds = duration(a['gen_ai.response.time_to_first_chunk']);
  if (seconds !== undefined) return seconds * 1000;
  const ms = duration(a['ai.response.msToFirstChunk']) ?? duration(a['ai.stream.msToFirstChunk']);
  if (ms !== undefined) return ms;
  const completionStart = instantMs(a['langfuse.observation.completion_start_time']);
  if (completionStart !== undefined) {
    const offset = completionStart - Number(span.startNs) / 1e6;
    if (offset >= 0) return offset;
  }
  for (const e of span.events ?? []) {
    if (!FIRST_CHUNK_EVENTS.has(e.name)) continue;
    const stated = duration(e.attributes['ai.response.msToFirstChunk']) ?? duration(e.attributes['ai.stream.msToFirstChunk']);
    if (stated !== undefined) return stated;
    if (e.timeNs !== undefined && e.timeNs >= span.startNs) return Number(e.timeNs - span.startNs) / 1e6;
  }
  if (span.firstChunkNs !== undefined && span.firstChunkNs >= span.startNs) return Number(span.firstChunkNs - span.startNs) / 1e6;
  return undefined;
}

function duration(v: AttributeValue | undefined): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** An instant as epoch milliseconds: ISO text (JSON-quoted or not), or epoch s/ms/µs/ns by size. */
function instantMs(v: AttributeValue | undefined): number | undefined {
  if (typeof v === 'string') {
    let t = v.trim();
    if (t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"') t = t.slice(1, -1);
    if (/^\d+(\.\d+)?$/.test(t)) return epochMs(Number(t));
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? epochMs(v) : undefined;
}

function epochMs(n: number): number {
  if (n >= 1e17) return n / 1e6; // nanoseconds
  if (n >= 1e14) return n / 1e3; // microseconds
  if (n >= 1e11) return n; // milliseconds
  return n * 1e3; // seconds
}
