import type { Trace } from '../model/trace';
import { filterRuns, type RunFilter } from './filter';
import { groupBySession, sessionOf, type RunGroupEntry } from './sessions';

export interface RunList {
  /** What the top of the Runs view lists: sessions and runs without one, newest first. */
  readonly entries: readonly RunGroupEntry[];
  /** Runs that passed the filter, and all runs. */
  readonly matched: number;
  readonly total: number;
  /** The runs of each session listed, oldest first. */
  readonly sessions: ReadonlyMap<string, readonly Trace[]>;
}

/** The Runs view's top level: the store's runs (newest first), filtered, then grouped by session. */
export function runList(runsNewestFirst: readonly Trace[], filter: RunFilter, nowMs: number, session: (t: Trace) => string | undefined = sessionOf): RunList {
  const matched = filterRuns(runsNewestFirst, filter, nowMs);
  const entries = groupBySession(matched, session);
  const sessions = new Map<string, readonly Trace[]>();
  for (const e of entries) if (e.type === 'session') sessions.set(e.sessionId, e.runs);
  return { entries, matched: matched.length, total: runsNewestFirst.length, sessions };
}
