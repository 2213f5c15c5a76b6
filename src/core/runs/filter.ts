/**
 * Which runs the Runs view lists: a filter of a few parts, all of which a run must pass.
 * Pure, so the view, its message and the tests share one meaning of each part.
 */
import type { Trace } from '../model/trace';
import { formatDuration } from '../../protocol/format';
import { runModels } from './runFacts';

export type TimeWindow = 'hour' | 'today' | 'all';

export interface TextMatches {
  readonly query: string;
  /** The runs that matched when the search ran: runs arriving later are searched by `searchNewRuns`. */
  readonly traceIds: ReadonlySet<string>;
  /** The runs the search has looked at; any other run is not known to match yet. */
  readonly searched: ReadonlySet<string>;
}

export interface RunFilter {
  readonly errorsOnly?: boolean;
  /** The root span's name (the run's name), exactly. */
  readonly rootName?: string;
  /** A model one of the run's LLM spans used, exactly. */
  readonly model?: string;
  readonly minDurationMs?: number;
  readonly window?: TimeWindow;
  readonly text?: TextMatches;
}

export const NO_FILTER: RunFilter = {};

export function isFilterActive(f: RunFilter): boolean {
  return f.errorsOnly === true || f.rootName !== undefined || f.model !== undefined || (f.minDurationMs ?? 0) > 0 || (f.window ?? 'all') !== 'all' || f.text !== undefined;
}

/** Local midnight of the day `nowMs` falls in. */
export function startOfDayMs(nowMs: number): number {
  const d = new Date(nowMs);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** The earliest start a run may have to be in the window; undefined for all time. */
export function windowStartMs(window: TimeWindow | undefined, nowMs: number): number | undefined {
  if (window === 'hour') return nowMs - 3_600_000;
  if (window === 'today') return startOfDayMs(nowMs);
  return undefined;
}

export function runMatches(trace: Trace, f: RunFilter, nowMs: number): boolean {
  const s = trace.summary();
  if (f.errorsOnly && s.errorCount === 0) return false;
  if (f.rootName !== undefined && s.name !== f.rootName) return false;
  const since = windowStartMs(f.window, nowMs);
  if (since !== undefined && Number(s.startNs / 1_000_000n) < since) return false;
  if ((f.minDurationMs ?? 0) > 0 && trace.durationMs(nowMs) < f.minDurationMs!) return false;
  if (f.text && !f.text.traceIds.has(trace.traceId)) return false;
  if (f.model !== undefined && !runModels(trace).includes(f.model)) return false;
  return true;
}

/** The runs that pass, in the order given (newest first from the store). */
export function filterRuns(runs: readonly Trace[], f: RunFilter, nowMs: number): readonly Trace[] {
  return isFilterActive(f) ? runs.filter((t) => runMatches(t, f, nowMs)) : runs;
}

/** The filter in a line, for the view's message: `Errors only · name support_agent.run · ≥ 2s`. */
export function describeFilter(f: RunFilter): string {
  const parts: string[] = [];
  if (f.errorsOnly) parts.push('errors only');
  if (f.rootName !== undefined) parts.push(`name ${f.rootName}`);
  if (f.model !== undefined) parts.push(`model ${f.model}`);
  if ((f.minDurationMs ?? 0) > 0) parts.push(`≥ ${formatDuration(f.minDurationMs!)}`);
  if (f.window === 'hour') parts.push('last hour');
  if (f.window === 'today') parts.push('today');
  if (f.text) parts.push(`"${f.text.query}"`);
  return parts.join(' · ');
}

/** "2s", "1.5 s", "500ms", "3m", or a bare number of milliseconds; undefined if not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min)?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  return unit === 'ms' ? n : unit === 's' || unit === 'sec' ? n * 1000 : n * 60_000;
}

/** Distinct values for a filter's pick list, most frequent first. */
export function distinctValues(runs: readonly Trace[], of: (t: Trace) => readonly string[]): { value: string; runs: number }[] {
  const counts = new Map<string, number>();
  for (const t of runs) for (const v of new Set(of(t))) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([value, n]) => ({ value, runs: n })).sort((a, b) => b.runs - a.runs || (a.value < b.value ? -1 : 1));
}
