import { promises as fs } from 'node:fs';
import * as path from 'node:path';
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

/** Trace files under a folder (recursively), or the file itself. */
async function expand(target: string): Promise<string[]> {
  const stat = await fs.stat(target);
  if (!stat.isDirectory()) return [target];
  const out: string[] = [];
  for (const entry of await fs.readdir(target, { withFileTypes: true })) {
    const full = path.join(target, entry.name);
    const role = entryRole(entry.name, entry);
    if (role === 'search') out.push(...(await expand(full)));
    else if (role === 'try' && TRACE_FILE_RE.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/**
 * Reads trace files once, whole, with the same readers the live view uses; the files are
 * taken as complete, so a last line without a newline (`json.dump`) is read too.
 */
export async function readTraceFiles(targets: readonly string[], options: Pick<TailOptions, 'maxLineBytes'> = {}): Promise<ReadResult> {
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
      const tailer = new FileTailer(file, sink, { ...options, complete: true });
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
