import { isInProgress, spanDurationMs, StatusCode, type Attributes, type ResourceInfo, type SpanOrigin, type SpanRecord } from '../model/span';
import type { Trace } from '../model/trace';
import { Interned } from '../util/interned';
import { STEP_ITEMS, type Steps } from '../util/steps';
import { sourceLocationOf } from './source';
import { symbolQueries, TOOL_NAME_KEYS } from './symbolMatch';

/**
 * A span as the lenses, hovers and the span pick show it, and enough to read its details back
 * from its file (`loadSpanDetails`). Not the `SpanRecord`: a digest outlives its run's
 * eviction, and must not keep the run's records in memory.
 */
export interface SpanRef {
  readonly traceId: string;
  readonly spanId: string;
  readonly name: string;
  readonly startNs: bigint;
  /** 0n while running (`isInProgress`). */
  readonly endNs: bigint;
  readonly statusCode: StatusCode;
  readonly errorMessage: string | undefined;
  readonly origin: SpanOrigin;
  readonly byteStart: number;
  readonly byteEnd: number;
  readonly resource: ResourceInfo;
}

/** The spans of one run at one place, summed up as a lens needs them. */
export interface PlaceStats {
  readonly count: number;
  readonly failed: number;
  readonly running: number;
  /** Durations of the ended ones, ms, ascending (exact medians and p95 over any merge). */
  readonly durations: readonly number[];
  readonly lastStartNs: bigint;
  /**
   * The newest first, at most `SPANS_KEPT_PER_PLACE`; fewer once `keepNewestRefs` has dropped
   * those that newer runs' spans at the same place push out of every lens.
   */
  recent: readonly SpanRef[];
}

/**
 * The spans of one run at a recorded `code.*` path and line. The place and its stats are one
 * object, in a list per run rather than maps by path and line: a month of evicted runs keeps
 * a digest each, and a map per path per run cost more than the stats in it.
 */
export interface PathPlace extends PlaceStats {
  /** As written in the spans. */
  readonly path: string;
  readonly line: number;
}

/** Spans without a `code.*` path, by the name their code is looked up by among the symbols. */
export interface NamedPlace extends PlaceStats {
  /** `nameKey`: one per place in a run. */
  readonly key: string;
  /** What resolving the name reads (`resolveSpanSource`): one span's name and attributes. */
  readonly name: string;
  readonly attributes: Attributes | undefined;
}

/**
 * A failed span without a `code.*` path: its own place, as a stack trace on it may say where
 * it failed (the lens index reads the stack: `ResolvedPlaces.stack`), else the place its name
 * gives (`key`, when its name may name code).
 */
export interface FailedPlace {
  /** The span (kept here too: a line's newest-only trim may drop it from `stats.recent`). */
  readonly ref: SpanRef;
  readonly key: string | undefined;
  readonly name: string;
  readonly attributes: Attributes | undefined;
  /** Of this one span. */
  readonly stats: PlaceStats;
}

/**
 * What one run (at one revision) gives the code lenses: its spans by raw place, before any
 * place is resolved to a file. Worked out once per revision and kept while the run is, so an
 * evicted run keeps counting without its spans being read back.
 */
export interface RunDigest {
  readonly traceId: string;
  readonly revision: number;
  /**
   * By recorded `code.*` path and line, each pair once, a path's lines together (in the order
   * the walk met them). Spans with a path and no line are not placed.
   */
  readonly paths: readonly PathPlace[];
  /** By `nameKey`, each once, for names that may name code (`symbolQueries`). */
  readonly names: readonly NamedPlace[];
  /** The first `FAILED_KEPT_PER_RUN` failed spans without a path; later ones count by name. */
  readonly failed: readonly FailedPlace[];
}

const NO_REFS: readonly SpanRef[] = Object.freeze([]);

/** Spans kept per place of a run to pick from (the newest): as many as a lens keeps. */
export const SPANS_KEPT_PER_PLACE = 50;
/** Failed spans per run placed each on its own (by its stack): a run of a thousand failures keeps a few. */
export const FAILED_KEPT_PER_RUN = 100;

/** A span that failed (its status, or an exception recorded on it): its stack may say where. */
export function hasError(span: Pick<SpanRecord, 'statusCode' | 'errorMessage'>): boolean {
  return span.statusCode === StatusCode.Error || span.errorMessage !== undefined;
}

/**
 * The key a span without a `code.*` path is looked up by among the symbols: all that
 * `symbolQueries` reads (name, code.function, code.namespace, tool names), so two
 * `ai.toolCall` spans of different tools are two places.
 */
export function nameKey(span: Pick<SpanRecord, 'name' | 'attributes'>): string {
  const a = span.attributes;
  const tools = TOOL_NAME_KEYS.map((k) => String(a?.[k] ?? '')).join('\u0000');
  return `${span.name}\u0000${String(a?.['code.function.name'] ?? a?.['code.function'] ?? '')}\u0000${String(a?.['code.namespace'] ?? '')}\u0000${tools}`;
}

export function spanRef(span: SpanRecord): SpanRef {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    name: span.name,
    startNs: span.startNs,
    endNs: span.endNs,
    statusCode: span.statusCode,
    errorMessage: span.errorMessage,
    origin: span.origin,
    byteStart: span.byteStart,
    byteEnd: span.byteEnd,
    resource: span.resource,
  };
}

export function newestFirst<T extends { readonly startNs: bigint }>(items: T[]): T[] {
  return items.sort((a, b) => (a.startNs > b.startNs ? -1 : a.startNs < b.startNs ? 1 : 0));
}

interface PlaceBuild {
  count: number;
  failed: number;
  running: number;
  durations: number[];
  lastStartNs: bigint;
  /** Records while walking; turned into refs only for the newest few at the end. */
  recent: SpanRecord[];
}

const newBuild = (): PlaceBuild => ({ count: 0, failed: 0, running: 0, durations: [], lastStartNs: 0n, recent: [] });

function count(at: PlaceBuild, span: SpanRecord): void {
  at.count++;
  if (span.statusCode === StatusCode.Error) at.failed++;
  if (isInProgress(span)) at.running++;
  else at.durations.push(spanDurationMs(span));
  if (span.startNs > at.lastStartNs) at.lastStartNs = span.startNs;
  at.recent.push(span);
  // Keep the newest few as we go: one place may have produced most of a million spans.
  if (at.recent.length >= 4 * SPANS_KEPT_PER_PLACE) newestFirst(at.recent).length = SPANS_KEPT_PER_PLACE;
}

/** Paths, name keys and names repeat in every run's digest: one copy each (see `Interned`). */
const placeText = new Interned();

// Every field written out (no spread): the object then holds them all in itself, with no
// second array for the ones a spread adds.
function pathPlace(path: string, line: number, s: PlaceStats): PathPlace {
  return { path: placeText.get(path), line, count: s.count, failed: s.failed, running: s.running, durations: s.durations, lastStartNs: s.lastStartNs, recent: s.recent };
}

function namedPlace(key: string, name: string, attributes: Attributes | undefined, s: PlaceStats): NamedPlace {
  return { key: placeText.get(key), name: placeText.get(name), attributes, count: s.count, failed: s.failed, running: s.running, durations: s.durations, lastStartNs: s.lastStartNs, recent: s.recent };
}

function finish(at: PlaceBuild): PlaceStats {
  return {
    count: at.count,
    failed: at.failed,
    running: at.running,
    // A copy to the exact length: pushing leaves spare room, kept for as long as the digest.
    durations: at.durations.sort((a, b) => a - b).slice(),
    lastStartNs: at.lastStartNs,
    recent: newestFirst(at.recent).slice(0, SPANS_KEPT_PER_PLACE).map(spanRef),
  };
}

/**
 * A restored run's digest as its index wrote it (JSON text), parsed when first asked for: a
 * second start lists twenty thousand runs, and parsing and building each one's digest then cost
 * more than listing them did, while the lenses ask only with a source file open.
 */
interface KnownDigestText {
  readonly revision: number;
  readonly file: string;
  readonly text: string;
}

const digests = new WeakMap<Trace, RunDigest | KnownDigestText>();

/** How many runs were walked for a digest (tests: only changed runs are walked again). */
export const digestWalks = { count: 0 };

/** The run's digest at its current revision, if one was worked out: never reads spans. */
export function cachedRunDigest(trace: Trace): RunDigest | undefined {
  const d = digests.get(trace);
  if (!d || d.revision !== trace.revision) return undefined;
  if ('traceId' in d) return d;
  digests.delete(trace);
  let j: JsonDigest;
  try {
    j = JSON.parse(d.text) as JsonDigest;
  } catch {
    return undefined;
  }
  knownDigest(trace, d.file, j);
  const parsed = digests.get(trace);
  return parsed && 'traceId' in parsed ? parsed : undefined;
}

/** The run's digest: the cached one at its revision, else one walk over its spans (in steps). */
export function* runDigestSteps(trace: Trace): Steps<RunDigest> {
  const cached = cachedRunDigest(trace);
  if (cached) return cached;
  digestWalks.count++;
  // Spans added while the walk yields bump the revision: the digest is then kept for the one it started at.
  const revision = trace.revision;
  const paths = new Map<string, Map<number, PlaceBuild>>();
  const names = new Map<string, { name: string; attributes: Attributes | undefined; build: PlaceBuild }>();
  const noCode = new Set<string>();
  const failed: { span: SpanRecord; key: string | undefined; build: PlaceBuild }[] = [];
  let work = 0;
  for (const span of trace.allSpans()) {
    if (++work % STEP_ITEMS === 0) yield;
    const recorded = sourceLocationOf(span.attributes);
    if (recorded) {
      if (recorded.line === undefined) continue;
      let lines = paths.get(recorded.path);
      if (!lines) paths.set(recorded.path, (lines = new Map()));
      let at = lines.get(recorded.line);
      if (!at) lines.set(recorded.line, (at = newBuild()));
      count(at, span);
    } else if (failed.length < FAILED_KEPT_PER_RUN && hasError(span)) {
      const build = newBuild();
      count(build, span);
      failed.push({ span, key: symbolQueries(span.name, span.attributes).length > 0 ? nameKey(span) : undefined, build });
    } else {
      const key = nameKey(span);
      let named = names.get(key);
      if (!named) {
        if (noCode.has(key)) continue;
        // A name that names no code (`chat gpt-4o`) is never looked up.
        if (symbolQueries(span.name, span.attributes).length === 0) {
          noCode.add(key);
          continue;
        }
        names.set(key, (named = { name: span.name, attributes: span.attributes, build: newBuild() }));
      }
      count(named.build, span);
    }
  }
  const digest: RunDigest = {
    traceId: trace.traceId,
    revision,
    // Copied to the exact length (`flatMap` leaves spare room), as every list the digest keeps.
    paths: [...paths].flatMap(([p, lines]) => [...lines].map(([line, at]) => pathPlace(p, line, finish(at)))).slice(),
    names: [...names].map(([key, n]) => namedPlace(key, n.name, n.attributes, finish(n.build))),
    failed: failed.map((f) => ({ ref: spanRef(f.span), key: f.key, name: f.span.name, attributes: f.span.attributes, stats: finish(f.build) })),
  };
  digests.set(trace, digest);
  return digest;
}

/** The digests of all runs, walking only those changed since their last digest. */
export function* runDigests(traces: Iterable<Trace>): Steps<RunDigest[]> {
  const out: RunDigest[] = [];
  let n = 0;
  for (const trace of traces) {
    if (++n % STEP_ITEMS === 0) yield;
    out.push(yield* runDigestSteps(trace));
  }
  return out;
}

// --- digests as a file's index keeps them (`FileIndex`), so a restored run is not read back --

/** A span reference: spanId, name, start, end, status, error, line, line bytes, span bytes, resource. */
type JsonRef = readonly [string, string, string, string, number, string | null, number, number | null, number | null, number, number, string | null, number, number];
/** count, failed, running, latest start, durations, newest first. */
type JsonPlace = readonly [number, number, number, string, readonly number[], readonly JsonRef[]];

export interface JsonDigest {
  /** Recorded path, line, stats. */
  readonly paths: readonly (readonly [string, number, JsonPlace])[];
  /** Name key, name, attributes, stats. */
  readonly names: readonly (readonly [string, string, Attributes | null, JsonPlace])[];
  /** Name key (null: none), name, attributes, stats, and the reference of one failed span. */
  readonly failed?: readonly (readonly [string | null, string, Attributes | null, JsonPlace, JsonRef])[];
}

/** Per raw place (`p<path>\u0000<line>` or `n<name key>`), the start of the oldest reference a lens can still list. */
function oldestListedStarts(digests: readonly RunDigest[]): Map<string, bigint> {
  const startsAt = new Map<string, bigint[]>();
  const note = (key: string, stats: PlaceStats) => {
    let starts = startsAt.get(key);
    if (!starts) startsAt.set(key, (starts = []));
    for (const r of stats.recent) starts.push(r.startNs);
  };
  for (const d of digests) forEachPlace(d, note);
  const oldest = new Map<string, bigint>();
  for (const [key, starts] of startsAt) {
    if (starts.length <= SPANS_KEPT_PER_PLACE) continue;
    starts.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    oldest.set(key, starts[SPANS_KEPT_PER_PLACE - 1]);
  }
  return oldest;
}

function forEachPlace(d: RunDigest, visit: (key: string, stats: PlaceStats) => void): void {
  for (const at of d.paths) visit(`p${at.path}\u0000${at.line}`, at);
  for (const named of d.names) visit(`n${named.key}`, named);
}

/**
 * Drops, in place, the span references that no lens can list: of each raw place, only the
 * newest `SPANS_KEPT_PER_PLACE` across these runs stay. Every run of an agent calls the same
 * code, so without this each run would keep a reference per span it made (a month of history
 * held about 150 B per span in references alone). Counts, failures and durations stay whole.
 * A reference dropped here is not brought back if the newer run is later removed: its place
 * then lists fewer spans to pick from, and still counts them all.
 */
export function keepNewestRefs(digests: readonly RunDigest[]): void {
  const oldest = oldestListedStarts(digests);
  if (oldest.size === 0) return;
  for (const d of digests) {
    forEachPlace(d, (key, stats) => {
      const min = oldest.get(key);
      if (min === undefined || !stats.recent.some((r) => r.startNs < min)) return;
      const kept = stats.recent.filter((r) => r.startNs >= min);
      // Most places of most runs keep none: one shared empty list instead of one each.
      stats.recent = kept.length > 0 ? kept : NO_REFS;
    });
  }
}

/**
 * The digests of a file's runs (whose spans are all in that file) for its index. Of each raw
 * place only the newest `SPANS_KEPT_PER_PLACE` references across the file's runs are kept
 * (`keepNewestRefs`, which prunes the digests in memory too): no lens lists older ones, and
 * an index of a day's runs stays small.
 */
export function digestsToJson(digests: readonly RunDigest[]): JsonDigest[] {
  keepNewestRefs(digests);
  const place = (s: PlaceStats): JsonPlace => [s.count, s.failed, s.running, String(s.lastStartNs), s.durations, s.recent.map(refToJson)];
  return digests.map((d) => ({
    paths: d.paths.map((at) => [at.path, at.line, place(at)] as const),
    names: d.names.map((n) => [n.key, n.name, n.attributes ?? null, place(n)] as const),
    failed: d.failed.map((f) => [f.key ?? null, f.name, f.attributes ?? null, place(f.stats), refToJson(f.ref)] as const),
  }));
}

/** A digest as the index keeps it: JSON text, so a second start need not parse it (`knownDigest`). */
export function digestToText(j: JsonDigest): string {
  return JSON.stringify(j);
}

function refToJson(r: SpanRef): JsonRef {
  const o = r.origin;
  return [r.spanId, r.name, String(r.startNs), String(r.endNs), r.statusCode, r.errorMessage ?? null, o.line, o.lineStart ?? null, o.lineEnd ?? null, r.byteStart, r.byteEnd, r.resource.serviceName ?? null, r.resource.attributesStart, r.resource.attributesEnd];
}

/**
 * What the index of `file` (holding every span of the run) said the run's digest is, kept for
 * the run at its current revision: the lenses count a restored run without reading it back.
 * As JSON text (`digestToText`), it is parsed when first asked for. A malformed one is ignored
 * (the run is then walked when the lenses first need it).
 */
export function knownDigest(trace: Trace, file: string, j: JsonDigest | string): void {
  if (typeof j === 'string') {
    digests.set(trace, { revision: trace.revision, file, text: j });
    return;
  }
  try {
    const ref = (r: JsonRef): SpanRef => ({
      traceId: trace.traceId,
      spanId: r[0],
      name: r[1],
      startNs: BigInt(r[2]),
      endNs: BigInt(r[3]),
      statusCode: r[4] as StatusCode,
      errorMessage: r[5] ?? undefined,
      origin: { file, line: r[6], ...(r[7] === null ? {} : { lineStart: r[7] }), ...(r[8] === null ? {} : { lineEnd: r[8] }) },
      byteStart: r[9],
      byteEnd: r[10],
      resource: { serviceName: r[11] ?? undefined, attributesStart: r[12], attributesEnd: r[13] },
    });
    const place = (p: JsonPlace): PlaceStats => ({ count: p[0], failed: p[1], running: p[2], lastStartNs: BigInt(p[3]), durations: p[4], recent: p[5].length > 0 ? p[5].map(ref) : NO_REFS });
    const paths = pathPlacesOf(j.paths.map(([p, line, stats]) => pathPlace(p, line, place(stats))));
    const names = distinctBy(
      j.names.map(([key, name, attributes, stats]) => namedPlace(key, name, attributes ?? undefined, place(stats))),
      (n) => n.key,
      (a, b) => a.key === b.key,
    );
    const failed = (j.failed ?? []).map(([key, name, attributes, stats, r]) => ({ ref: ref(r), key: key ?? undefined, name, attributes: attributes ?? undefined, stats: place(stats) }));
    digests.set(trace, { traceId: trace.traceId, revision: trace.revision, paths, names, failed });
  } catch {
    // Not a digest this version wrote: worked out from the spans when needed.
  }
}

/** The last of each key, where the first stood (as a map set twice keeps it): an index is data, not trusted to be well formed. */
function distinctBy<T>(items: T[], keyOf: (item: T) => string, same: (a: T, b: T) => boolean): T[] {
  // As written by `digestsToJson`, each key once: the list as it is, at its exact length.
  if (eachOnce(items, keyOf, same)) return items;
  const at = new Map<string, number>();
  const out: T[] = [];
  for (const item of items) {
    const key = keyOf(item);
    const i = at.get(key);
    if (i === undefined) at.set(key, out.push(item) - 1);
    else out[i] = item;
  }
  return out.slice();
}

/**
 * Whether no two items share a key. A run has a few places: they are compared pairwise,
 * making nothing (a second start reads twenty thousand runs' digests); many go through a set.
 */
function eachOnce<T>(items: readonly T[], keyOf: (item: T) => string, same: (a: T, b: T) => boolean): boolean {
  if (items.length > 16) return new Set(items.map(keyOf)).size === items.length;
  for (let i = 1; i < items.length; i++) for (let j = 0; j < i; j++) if (same(items[i], items[j])) return false;
  return true;
}

const samePlace = (a: PathPlace, b: PathPlace): boolean => a.path === b.path && a.line === b.line;

/** A path's lines together, each path and line once, as the walk gives them (`RunDigest.paths`). */
function pathPlacesOf(items: PathPlace[]): PathPlace[] {
  if (linesTogether(items)) return distinctBy(items, (l) => `${l.path}\u0000${l.line}`, samePlace);
  const byPath = new Map<string, PathPlace[]>();
  for (const item of items) {
    let lines = byPath.get(item.path);
    if (!lines) byPath.set(item.path, (lines = []));
    lines.push(item);
  }
  return [...byPath.values()].flatMap((lines) => distinctBy(lines, (l) => String(l.line), samePlace)).slice();
}

/** Whether each path's items come one after another. */
function linesTogether(items: readonly PathPlace[]): boolean {
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const path = items[i].path;
    if (i > 0 && path === items[i - 1].path) continue;
    if (seen.has(path)) return false;
    seen.add(path);
  }
  return true;
}
