/**
 * Text search across runs, for the Runs view's text filter: names in memory, everything else
 * read from the trace files. A month of history is mostly runs whose spans are not in memory:
 * their lines are sifted for the text, and only the lines that hold it are read as spans, so
 * searching never loads a run back.
 */
import type { Trace } from '../model/trace';
import { openSpanSource, type RangeReader } from '../ingest/spanSource';
import { jsonNeedle, lowerCasedCopy, rangesContaining, type ByteRange } from '../ingest/textInRanges';
import { searchSpans } from '../waterfall/spanSearch';
import { spansOfLine } from '../history/spanPlaces';
import type { TextMatches } from './filter';

export interface SearchProgress {
  /** Spans searched so far, of `total`. */
  readonly done: number;
  readonly total: number;
}

/** Where a run's spans were read: per file, flat triples of line number, first byte, end byte. */
export type RunLines = (trace: Trace) => Iterable<readonly [file: string, lines: readonly number[]]> | undefined;

export interface SearchOptions {
  readonly onProgress?: (p: SearchProgress) => void;
  readonly signal?: { cancelled: boolean };
  /** The lines of runs not in memory (`TraceStore.linesOf`): without it, every run is read back. */
  readonly linesOf?: RunLines;
}

/** Spans handed to one `searchSpans` call: progress is told, and cancelling is checked, between them. */
const SPANS_PER_BATCH = 20_000;

/** A line of a file and the runs with spans on it. */
interface SharedLine extends ByteRange {
  readonly line: number;
  readonly runs: Trace[];
}

/**
 * The runs of `line` (one that holds the needle) with a span whose name or JSON holds it,
 * as `flush` matches spans in memory: the line's spans read from its bytes.
 */
async function runsMatchingOnLine(reader: RangeReader, file: string, line: SharedLine, needle: string, jsonNeedleBytes: Buffer): Promise<Trace[]> {
  const bytes = Buffer.allocUnsafe(line.end - line.start);
  if ((await reader.read(bytes, 0, bytes.length, line.start)).bytesRead !== bytes.length) return line.runs;
  let spans;
  try {
    spans = spansOfLine(bytes, file, line.line, line.start);
  } catch {
    return line.runs; // Not the line it was (the file changed): read the runs back instead.
  }
  const lowered = lowerCasedCopy(bytes);
  const matched = new Set<string>();
  for (const span of spans) {
    if (matched.has(span.traceId)) continue;
    const json = lowered.subarray(span.byteStart - line.start, span.byteEnd - line.start);
    if (span.name.toLowerCase().includes(needle) || json.includes(jsonNeedleBytes)) matched.add(span.traceId);
  }
  return line.runs.filter((t) => matched.has(t.traceId));
}

/**
 * The runs with a span whose name, or whose stored JSON (attribute values, inputs, outputs,
 * events), contains `query`, case-insensitively.
 */
export async function searchRuns(runs: readonly Trace[], query: string, options: SearchOptions = {}): Promise<Set<string>> {
  const found = new Set<string>();
  const needle = query.toLowerCase();
  if (needle.trim() === '') return found;
  const total = runs.reduce((n, t) => n + t.spanCount, 0);
  let done = 0;
  let batch: Trace[] = [];
  let batchSpans = 0;
  const flush = async (): Promise<void> => {
    const spans = [];
    for (const t of batch) {
      for (const span of t.allSpans()) {
        if (span.name.toLowerCase().includes(needle)) found.add(t.traceId);
        else if (!found.has(t.traceId)) spans.push(span);
      }
    }
    if (spans.length > 0) {
      const ids = new Set(await searchSpans(spans, query, options.signal));
      // Span ids are matched within this batch: a clash across runs would only over-match.
      for (const span of spans) if (ids.has(span.spanId)) found.add(span.traceId);
    }
    done += batchSpans;
    options.onProgress?.({ done, total });
    batch = [];
    batchSpans = 0;
  };
  const search = async (t: Trace): Promise<void> => {
    batch.push(t);
    batchSpans += t.spanCount;
    if (batchSpans >= SPANS_PER_BATCH) await flush();
  };
  // Sifting by lines matches the JSON text of a line: a name is there as its escape, so the
  // same text whenever the query is plain ASCII (a non-ASCII name may be written \u-escaped).
  const sift = options.linesOf && /^[\x20-\x7e]*$/.test(query) ? options.linesOf : undefined;
  const held: Trace[] = [];
  const byFile = new Map<string, Map<number, SharedLine>>();
  const filesLeft = new Map<Trace, number>();
  for (const t of runs) {
    const places = sift && t.isEvicted ? [...(sift(t) ?? [])] : [];
    if (places.length === 0) {
      held.push(t);
      continue;
    }
    filesLeft.set(t, places.length);
    for (const [file, lines] of places) {
      let shared = byFile.get(file);
      if (!shared) byFile.set(file, (shared = new Map()));
      for (let i = 0; i < lines.length; i += 3) {
        const line = shared.get(lines[i + 1]);
        if (line) line.runs[line.runs.length - 1] !== t && line.runs.push(t);
        else shared.set(lines[i + 1], { line: lines[i], start: lines[i + 1], end: lines[i + 2], runs: [t] });
      }
    }
  }
  const needleBytes = jsonNeedle(query);
  for (const [file, shared] of byFile) {
    if (options.signal?.cancelled) break;
    const lines = [...shared.values()].sort((a, b) => a.start - b.start);
    const readBack = new Set<Trace>();
    try {
      const reader = await openSpanSource(file);
      try {
        const hits = await rangesContaining(reader, lines, needleBytes, async () => {
          await new Promise((r) => setImmediate(r));
          return !options.signal?.cancelled;
        });
        for (const k of hits) {
          const matched = await runsMatchingOnLine(reader, file, lines[k], needle, needleBytes);
          if (matched === lines[k].runs) for (const t of matched) readBack.add(t);
          else for (const t of matched) found.add(t.traceId);
        }
      } finally {
        await reader.close();
      }
    } catch {
      // The file is gone: its runs are read back (or dropped by the watcher), as without sifting.
      for (const line of lines) for (const t of line.runs) readBack.add(t);
    }
    // A run is settled once every file it has spans in is sifted.
    const settled = new Set<Trace>();
    for (const line of lines) for (const t of line.runs) settled.add(t);
    for (const t of settled) {
      const left = filesLeft.get(t)! - 1;
      filesLeft.set(t, left);
      if (left > 0) continue;
      if (readBack.has(t) && !found.has(t.traceId)) await search(t);
      else done += t.spanCount;
    }
    options.onProgress?.({ done, total });
  }
  for (const t of held) {
    if (options.signal?.cancelled) break;
    await search(t);
  }
  if (batch.length > 0 && !options.signal?.cancelled) await flush();
  return found;
}

/** A text filter's matches, widened to runs that arrived after its search. */
export async function searchNewRuns(text: TextMatches, runs: readonly Trace[], options: SearchOptions = {}): Promise<TextMatches> {
  const fresh = runs.filter((t) => !text.searched.has(t.traceId));
  if (fresh.length === 0) return text;
  const more = await searchRuns(fresh, text.query, options);
  return { query: text.query, traceIds: new Set([...text.traceIds, ...more]), searched: new Set([...text.searched, ...fresh.map((t) => t.traceId)]) };
}
