import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DATASETS_FOLDER } from '../config/defaults';
import type { SpanRecord } from '../model/span';
import { FileTailer, type TailOptions, type TailSink, type TraceProblem } from './tailer';
import { entryRole } from './traceEntries';
import { TraceStore } from '../model/traceStore';

export interface ReadResult {
  readonly store: TraceStore;
  readonly files: string[];
  readonly problems: TraceProblem[];
}

const TRACE_FILE_RE = /\.(jsonl|json)$/i;

/** Targets that mean standard input (`/dev/stdin` is a pipe when piped: no file to tail). */
const STDIN_TARGETS = new Set(['-', '/dev/stdin']);
/** How standard input is named in problems and file lists. */
export const STDIN_NAME = '<stdin>';

export interface ReadOptions extends Pick<TailOptions, 'maxLineBytes'> {
  /** What `-` and `/dev/stdin` read; process.stdin when absent. */
  readonly stdin?: NodeJS.ReadableStream;
}

/** Trace files under a folder (recursively), or the file itself. */
async function expand(target: string): Promise<string[]> {
  const stat = await fs.stat(target);
  if (!stat.isDirectory()) return [target];
  const out: string[] = [];
  for (const entry of await fs.readdir(target, { withFileTypes: true })) {
    const full = path.join(target, entry.name);
    const role = entryRole(entry.name, entry);
    if (role === 'search' && full.endsWith(path.sep + path.join(DATASETS_FOLDER))) continue; // records, not traces
    if (role === 'search') out.push(...(await expand(full)));
    else if (role === 'try' && TRACE_FILE_RE.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/**
 * Reads trace files once, whole, with the same readers the live view uses; the files are
 * taken as complete, so a last line without a newline (`json.dump`) is read too.
 */
export async function readTraceFiles(targets: readonly string[], options: ReadOptions = {}): Promise<ReadResult> {
  const store = new TraceStore();
  const problems: TraceProblem[] = [];
  const files: string[] = [];
  /** Temporary copies of standard input, by the name they are reported under. */
  const names = new Map<string, string>();
  const sink: TailSink = {
    spans: (file: string, spans: SpanRecord[]) => store.addSpans(file, spans),
    reset: (file: string) => store.removeFile(file),
    logRecords: (file, records) => store.addLogRecords(file, records),
    problem: (p: TraceProblem) => problems.push({ ...p, file: names.get(p.file) ?? p.file }),
  };
  const read = async (file: string, name = file): Promise<void> => {
    files.push(name);
    const tailer = new FileTailer(file, sink, { maxLineBytes: options.maxLineBytes, complete: true });
    try {
      await tailer.poke();
    } catch (err) {
      problems.push({ file: name, line: 0, message: `cannot read: ${(err as Error).message}` });
    } finally {
      tailer.dispose();
    }
  };
  for (const target of targets) {
    if (STDIN_TARGETS.has(target)) {
      // Copied to a file first: the readers work on files (byte offsets, a document read whole).
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tracerun-stdin-'));
      const copy = path.join(dir, 'stdin.jsonl');
      try {
        await pipeline(options.stdin ?? process.stdin, createWriteStream(copy));
        names.set(copy, STDIN_NAME);
        await read(copy, STDIN_NAME);
      } catch (err) {
        problems.push({ file: STDIN_NAME, line: 0, message: `cannot read: ${(err as Error).message}` });
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
      continue;
    }
    let found: string[];
    try {
      found = await expand(path.resolve(target));
    } catch (err) {
      problems.push({ file: target, line: 0, message: `cannot read: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (err as Error).message}` });
      continue;
    }
    for (const file of found) await read(file);
  }
  return { store, files, problems };
}
