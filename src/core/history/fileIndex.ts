import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SpanOrigin, SpanRecord } from '../model/span';
import type { TokenCounts } from '../genai/conventions';
import type { IndexedLlmCalls } from '../runs/runFacts';
import type { TraceSummary } from '../model/trace';
import { openRegularFileOrThrow } from '../ingest/regularFile';
import { Interned } from '../util/interned';

/**
 * A trace file's index: what its runs are (their summaries) and which of its lines hold their
 * spans, so a month of files lists its runs without reading them again. Kept in the
 * extension's storage, never beside the user's files; trusted only for the file exactly as it
 * was (size, modification time, inode, first and last bytes), else the file is read again.
 */
export interface FileIndex {
  readonly version: number;
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly inode: number;
  /** sha1 of the first and last `EDGE_BYTES` of the file. */
  readonly edges: string;
  /** Lines read: where the tailer goes on from. */
  readonly lines: number;
  readonly runs: readonly IndexedRun[];
  readonly problems: readonly { readonly line: number; readonly message: string }[];
  /** Problems past those kept (only counted). */
  readonly moreProblems: number;
}

export interface IndexedRun {
  readonly traceId: string;
  /** Flat triples: line, first byte, end byte (see `SpanPlaces`). */
  readonly lines: readonly number[];
  /** The run's summary when all its spans are in this file; absent when it spans files (then it is read). */
  readonly summary?: JsonSummary;
  /** Its session or conversation id (`sessionOf`), null for none; with the summary only. */
  readonly session?: string | null;
  /** Its tokens (`traceTokens`), null for none; with the summary only, when known without reading the run back. */
  readonly tokens?: TokenCounts | null;
  /** Its LLM calls' models and tokens (`runFacts`), for filtering by model and costs; packed (`PackedLlmCalls`, since version 7). */
  readonly llm?: IndexedLlmCalls;
  /**
   * What its spans give the code lenses (`RunDigest`), when it was worked out; with the summary
   * only. JSON text of a `JsonDigest` (since version 8): parsed only when the lenses ask.
   */
  readonly lenses?: string;
}

/** Bumped whenever the shape changes or what the reader records does: older indexes are rebuilt. */
export const FILE_INDEX_VERSION = 9;
const EDGE_BYTES = 4096;

/** Where `file`'s index lives in `dir`. */
export function indexFileOf(dir: string, file: string): string {
  return path.join(dir, `${createHash('sha1').update(file).digest('hex')}.json`);
}

/** A hash of the file's first and last bytes: a rewrite that keeps size and time shows here. */
export async function fileEdges(file: string, size: number): Promise<string> {
  const handle = await openRegularFileOrThrow(file);
  try {
    const head = Buffer.alloc(Math.min(EDGE_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(EDGE_BYTES, size));
    await handle.read(tail, 0, tail.length, size - tail.length);
    return createHash('sha1').update(head).update(tail).digest('hex');
  } finally {
    await handle.close();
  }
}

/**
 * The index of `file` if one is kept and still describes the file as it is now; otherwise why
 * not (none, another version, unreadable or corrupt, or the file changed).
 */
export async function readFileIndex(dir: string, file: string): Promise<{ readonly index: FileIndex } | { readonly stale: string }> {
  let index: FileIndex;
  try {
    index = JSON.parse(await fs.readFile(indexFileOf(dir, file), 'utf8')) as FileIndex;
  } catch (err) {
    return { stale: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no index yet' : 'its index is unreadable' };
  }
  if (!isFileIndex(index)) return { stale: 'its index is corrupt' };
  if (index.version !== FILE_INDEX_VERSION) return { stale: `its index is of version ${index.version}, not ${FILE_INDEX_VERSION}` };
  if (index.file !== file) return { stale: 'its index is of another file' };
  try {
    const stat = await fs.stat(file);
    if (stat.size !== index.size) return { stale: `its size changed (${index.size} → ${stat.size} bytes)` };
    if (stat.mtimeMs !== index.mtimeMs) return { stale: 'it was modified' };
    if (stat.ino !== index.inode) return { stale: 'it was replaced' };
    if ((await fileEdges(file, stat.size)) !== index.edges) return { stale: 'its content changed' };
  } catch {
    return { stale: 'it could not be read' };
  }
  // Used: kept from `deleteUnusedIndexes` for another while.
  const now = new Date();
  await fs.utimes(indexFileOf(dir, file), now, now).catch(() => undefined);
  return { index };
}

/** Writes the index atomically (a reader never sees half of one). */
export async function writeFileIndex(dir: string, index: FileIndex): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const target = indexFileOf(dir, index.file);
  const tmp = `${target}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(index));
  await fs.rename(tmp, target);
}

/**
 * Deletes indexes not used for `maxAgeDays` (an index is touched each time it is used): the
 * folder serves every workspace, and trace files go away without telling it.
 */
export async function deleteUnusedIndexes(dir: string, maxAgeDays: number, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let deleted = 0;
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(dir, name);
    try {
      if (now - (await fs.stat(file)).mtimeMs > maxAgeDays * 86_400_000) {
        await fs.rm(file, { force: true });
        deleted++;
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return deleted;
}

export async function deleteFileIndex(dir: string, file: string): Promise<void> {
  await fs.rm(indexFileOf(dir, file), { force: true });
}

function isFileIndex(v: unknown): v is FileIndex {
  const i = v as FileIndex;
  return (
    typeof i === 'object' && i !== null && typeof i.file === 'string' && typeof i.size === 'number' && typeof i.mtimeMs === 'number' && typeof i.lines === 'number' &&
    Array.isArray(i.runs) && Array.isArray(i.problems) && i.runs.every((r) => typeof r?.traceId === 'string' && Array.isArray(r.lines) && r.lines.length % 3 === 0)
  );
}

// --- summaries as JSON (bigints as decimal strings) --------------------------------------

type JsonSpan = Omit<SpanRecord, 'startNs' | 'endNs' | 'firstChunkNs'> & { readonly startNs: string; readonly endNs: string; readonly firstChunkNs?: string };

/**
 * The root as an index keeps it (since version 9): without its trace id, the run's, and its
 * file, the index's: both repeated in every run's summary, and a trace file's path is long.
 */
type JsonRoot = Omit<JsonSpan, 'traceId' | 'origin'> & { readonly origin: Omit<SpanOrigin, 'file'> };

export interface JsonSummary {
  readonly name: string;
  readonly startNs: string;
  readonly endNs: string;
  readonly spanCount: number;
  readonly errorCount: number;
  readonly hasRoot: boolean;
  readonly root?: JsonRoot;
  readonly serviceNames: readonly string[];
}

export function summaryToJson(s: TraceSummary): JsonSummary {
  return {
    name: s.name,
    startNs: String(s.startNs),
    endNs: String(s.endNs),
    spanCount: s.spanCount,
    errorCount: s.errorCount,
    hasRoot: s.hasRoot,
    root: s.root && rootToJson(s.root),
    serviceNames: s.serviceNames,
  };
}

function rootToJson(root: SpanRecord): JsonRoot {
  const { traceId: _run, origin, firstChunkNs, ...rest } = root;
  const { file: _index, ...place } = origin;
  return { ...rest, startNs: String(root.startNs), endNs: String(root.endNs), ...(firstChunkNs === undefined ? {} : { firstChunkNs: String(firstChunkNs) }), origin: place };
}

/** File, service and scope names repeat in every restored run's root: one copy each. */
const rootText = new Interned();

/** The summary of run `traceId` as the index of `file` (holding all its spans) keeps it. */
export function summaryFromJson(j: JsonSummary, traceId: string, file: string): TraceSummary {
  return {
    name: j.name,
    startNs: BigInt(j.startNs),
    endNs: BigInt(j.endNs),
    spanCount: j.spanCount,
    errorCount: j.errorCount,
    hasRoot: j.hasRoot,
    root: j.root && rootFromJson(j.root, traceId, file),
    serviceNames: j.serviceNames,
  };
}

// Every field written out, not spread from the parsed root: spread less its first chunk, a
// restored root took some 450 bytes more (measured over a month of runs' second start).
function rootFromJson(root: JsonRoot, traceId: string, file: string): SpanRecord {
  const { resource, scope, origin } = root;
  return {
    traceId,
    spanId: root.spanId,
    parentSpanId: root.parentSpanId,
    name: root.name,
    kind: root.kind,
    startNs: BigInt(root.startNs),
    endNs: BigInt(root.endNs),
    statusCode: root.statusCode,
    errorMessage: root.errorMessage,
    attributes: root.attributes,
    resource: typeof resource?.serviceName === 'string' ? { ...resource, serviceName: rootText.get(resource.serviceName) } : resource,
    scope: typeof scope?.name === 'string' ? { ...scope, name: rootText.get(scope.name) } : scope,
    origin: { file: rootText.get(file), line: origin?.line, lineStart: origin?.lineStart, lineEnd: origin?.lineEnd },
    byteStart: root.byteStart,
    byteEnd: root.byteEnd,
    ...(root.facts === undefined ? {} : { facts: root.facts }),
    ...(root.firstChunkNs === undefined ? {} : { firstChunkNs: BigInt(root.firstChunkNs) }),
  };
}
