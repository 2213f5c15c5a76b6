/**
 * Runs of one conversation, grouped. The keys, first found on the root, else on any span:
 * - `session.id`: OpenInference (`SpanAttributes.SESSION_ID`) and Langfuse's JS SDK v4
 *   (`LangfuseOtelSpanAttributes.TRACE_SESSION_ID`);
 * - `gen_ai.conversation.id`: OpenTelemetry GenAI;
 * - `langfuse.session.id`: Langfuse's earlier OpenTelemetry SDKs;
 * - `langsmith.metadata.session_id` / `.thread_id` / `.conversation_id`: the metadata keys
 *   LangSmith groups runs into threads by, as its OpenTelemetry exporter writes metadata
 *   (LangSmith run records' `extra.metadata` is read into the same keys, `runRecord.ts`).
 * These keys are in the index (`indexedAttributes.ts`), so grouping reads no file.
 */
import type { Attributes } from '../model/span';
import type { Trace } from '../model/trace';

export const SESSION_KEYS: readonly string[] = [
  'session.id',
  'gen_ai.conversation.id',
  'langfuse.session.id',
  'langsmith.metadata.session_id',
  'langsmith.metadata.thread_id',
  'langsmith.metadata.conversation_id',
];

function sessionIn(a: Attributes | undefined): string | undefined {
  if (!a) return undefined;
  for (const key of SESSION_KEYS) {
    const v = a[key];
    if ((typeof v === 'string' && v !== '') || typeof v === 'number') return String(v);
  }
  return undefined;
}

const cache = new WeakMap<Trace, { revision: number; value: string | undefined }>();

/**
 * Spans looked at beyond the root. Instrumentations put the id on the root or on every span
 * (OpenInference's `using_session`, Langfuse's `propagate_attributes`), so a few suffice; and
 * every listing asks this of every run, a big live run included.
 */
const MAX_SPANS_SCANNED = 2000;

/**
 * What an index of the run's file said its session is, so listing a long history groups runs
 * without reading each one back (until the run changes).
 */
export function knownSession(trace: Trace, value: string | undefined): void {
  cache.set(trace, { revision: trace.revision, value });
}

/** The session or conversation the run belongs to, if its root or one of its first spans says. */
export function sessionOf(trace: Trace): string | undefined {
  const cached = cache.get(trace);
  // A run found in a session stays in it; one not found is looked at again when it changes.
  if (cached && (cached.value !== undefined || cached.revision === trace.revision)) return cached.value;
  let value = sessionIn(trace.summary().root?.attributes);
  if (value === undefined) {
    let scanned = 0;
    for (const span of trace.allSpans()) {
      value = sessionIn(span.attributes);
      if (value !== undefined || ++scanned >= MAX_SPANS_SCANNED) break;
    }
  }
  cache.set(trace, { revision: trace.revision, value });
  return value;
}

export type RunGroupEntry =
  | { readonly type: 'run'; readonly trace: Trace }
  /** `runs` oldest first: the order the conversation went. */
  | { readonly type: 'session'; readonly sessionId: string; readonly runs: readonly Trace[] };

/**
 * Runs (newest first) as a list of sessions and runs without one, newest first: a session
 * stands where its newest run would, holding its runs in the order they happened.
 */
export function groupBySession(runsNewestFirst: readonly Trace[], session: (t: Trace) => string | undefined = sessionOf): RunGroupEntry[] {
  const out: RunGroupEntry[] = [];
  const groups = new Map<string, Trace[]>();
  for (const trace of runsNewestFirst) {
    const id = session(trace);
    if (id === undefined) {
      out.push({ type: 'run', trace });
      continue;
    }
    let runs = groups.get(id);
    if (!runs) {
      groups.set(id, (runs = []));
      out.push({ type: 'session', sessionId: id, runs });
    }
    runs.push(trace);
  }
  for (const runs of groups.values()) runs.reverse();
  return out;
}
