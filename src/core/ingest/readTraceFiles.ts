import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SpanRecord } from '../model/span';
import { FileTailer, type TailSink, type TraceProblem } from './tailer';
import { TraceStore } from '../model/traceStore';

export interface ReadResult {
  readonly store: TraceStore;
  readonly files: string[];
  readonly problems: TraceProblem[];
}

const TRACE_FILE_RE = /\.(jsonl|json)$/i;
const SKIPPED_DIRS = new Set(['node_modules', '.git']);

/** Trace files under a folder (recursively), or the file itself. */
async function expand(target: string): Promise<string[]> {
  const stat = await fs.stat(target);
  if (!stat.isDirectory()) return [target];
  const out: string[] = [];
  for (const entry of await fs.readdir(target, { withFileTypes: true })) {
    const full = path.join(target, entry.name);
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) out.push(...(await expand(full)));
    else if (entry.isFile() && TRACE_FILE_RE.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/** Reads trace files once, whole, with the same readers the live view uses. */
export async function readTraceFiles(targets: readonly string[]): Promise<ReadResult> {
  const store = new TraceStore();
  const problems: TraceProblem[] = [];
  const files: string[] = [];
  const sink: TailSink = {
    spans: (file: string, spans: SpanRecord[]) => store.addSpans(file, spans),
    reset: (file: string) => store.removeFile(file),
    problem: (p: TraceProblem) => problems.push(p),
  };
  for (const target of targets) {
    let found: string[];
    try {
      found = await expand(path.resolve(target));
    } catch (err) {
      problems.push({ file: target, line: 0, message: `cannot read: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (err as Error).message}` });
      continue;
    }
    for (const file of found) {
      files.push(file);
      const tailer = new FileTailer(file, sink);
      try {
        await tailer.poke();
      } catch (err) {
        problems.push({ file, line: 0, message: `cannot read: ${(err as Error).message}` });
      } finally {
        tailer.dispose();
      }
    }
  }
  return { store, files, problems };
}
