/**
 * One model call recorded twice side by side. OpenLLMetry's Anthropic instrumentation does not
 * make its `anthropic.chat` span current, so the Anthropic SDK's own `anthropic.messages.create`
 * for the same request is its sibling rather than its child. Nested twins are told by their
 * parent (`isNestedLlmCall`); siblings only by what they state about the call: the provider's
 * response id, and the time they ran. Conservative: spans without a response id, or not
 * overlapping in time, or under different parents, are separate calls.
 */
import type { Attributes } from '../model/span';
import { runSteps, STEP_ITEMS, type Steps } from '../util/steps';

/** [GA] `gen_ai.response.id`; [AI] `ai.response.id` (the Vercel AI SDK's provider-call spans). */
export const RESPONSE_ID_KEYS: readonly string[] = ['gen_ai.response.id', 'ai.response.id'];

/** What telling sibling twins apart needs; a `SpanRecord` is one. Without times nothing is a twin. */
export interface SiblingCandidate {
  readonly attributes: Attributes | undefined;
  readonly parentSpanId?: string;
  readonly startNs?: bigint;
  readonly endNs?: bigint;
}

/** The response id the span states, under the first key that has one. */
export function responseIdOf(span: Pick<SiblingCandidate, 'attributes'>): string | undefined {
  const a = span.attributes;
  if (a === undefined) return undefined;
  for (const key of RESPONSE_ID_KEYS) {
    const value = a[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** Ended spans only: a response id comes with the response, and a running span's end is not known. */
function ended(span: SiblingCandidate): span is SiblingCandidate & { startNs: bigint; endNs: bigint } {
  return span.startNs !== undefined && span.endNs !== undefined && span.endNs !== 0n;
}

/**
 * Whether two LLM spans (the caller knows their kind) are one call recorded side by side: the
 * same parent, the same response id, and their times overlap. The id alone is not enough: a
 * provider or a stand-in may repeat ids across calls, which then follow one another.
 */
export function areSiblingLlmCalls(a: SiblingCandidate, b: SiblingCandidate): boolean {
  if (a === b || !ended(a) || !ended(b) || (a.parentSpanId ?? '') !== (b.parentSpanId ?? '')) return false;
  const id = responseIdOf(a);
  return id !== undefined && id === responseIdOf(b) && runTogether(a, b);
}

/**
 * Whether two ended spans ran together: they overlap for more than half of the shorter one.
 * Twins do, one inside the other. Calls that follow one another may seem to touch: the JS SDK
 * cuts start times to the millisecond but not end times, so a call started within a
 * millisecond of the last one's end appears to start before it ended.
 */
function runTogether(a: SiblingCandidate & { startNs: bigint; endNs: bigint }, b: SiblingCandidate & { startNs: bigint; endNs: bigint }): boolean {
  const overlap = (a.endNs < b.endNs ? a.endNs : b.endNs) - (a.startNs > b.startNs ? a.startNs : b.startNs);
  const shorter = a.endNs - a.startNs < b.endNs - b.startNs ? a.endNs - a.startNs : b.endNs - b.startNs;
  return overlap > 0n && overlap * 2n > shorter;
}

/** Which span stands for the call: the one that started first (it wraps the other), then the longer one. */
function standsBefore(a: SiblingCandidate & { startNs: bigint; endNs: bigint }, b: SiblingCandidate & { startNs: bigint; endNs: bigint }): number {
  if (a.startNs !== b.startNs) return a.startNs < b.startNs ? -1 : 1;
  return a.endNs > b.endNs ? -1 : a.endNs < b.endNs ? 1 : 0;
}

/**
 * Among LLM spans (the caller picks them), each span recorded beside another of the same call,
 * mapped to the span that stands for that call (`standsBefore`); spans that stand for their
 * call, and those of no twin, are not in the map. A group of three or more maps to one span.
 */
export function siblingTwinsOf<T extends SiblingCandidate>(llmSpans: Iterable<T>): Map<T, T> {
  return runSteps(siblingTwinsSteps(llmSpans));
}

/** `siblingTwinsOf` in steps, for the LLM spans of a big trace (a quarter of a million in a million spans). */
export function* siblingTwinsSteps<T extends SiblingCandidate>(llmSpans: Iterable<T>): Steps<Map<T, T>> {
  const twins = new Map<T, T>();
  // Grouped by parent and response id first: most spans state neither twice, and cost nothing more.
  const byCall = new Map<string, (T & { startNs: bigint; endNs: bigint })[]>();
  let work = 0;
  for (const span of llmSpans) {
    if (++work % STEP_ITEMS === 0) yield;
    const id = responseIdOf(span);
    if (id === undefined || !ended(span)) continue;
    const key = `${span.parentSpanId ?? ''}\u0000${id}`;
    const group = byCall.get(key);
    if (group) group.push(span);
    else byCall.set(key, [span]);
  }
  for (const group of byCall.values()) {
    if (++work % STEP_ITEMS === 0) yield;
    if (group.length < 2) continue;
    group.sort(standsBefore);
    let heads: (T & { startNs: bigint; endNs: bigint })[] = [];
    for (const span of group) {
      // The group goes by start: a head that ended before this span starts runs with no later
      // span either. Dropped, so calls that follow one another under one repeated id (a local
      // server's constant id) cost a pass, not one comparison per pair.
      if (heads.length > 0) heads = heads.filter((h) => h.endNs > span.startNs);
      const head = heads.find((h) => runTogether(h, span));
      if (head) twins.set(span, head);
      else heads.push(span);
    }
  }
  return twins;
}
