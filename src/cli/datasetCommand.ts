import * as path from 'node:path';
import { addSpansToDataset } from '../core/dataset/addToDataset';
import { datasetNameProblem, describeAppend } from '../core/dataset/datasetFile';
import { runRootSpans, spansNamed } from '../core/dataset/datasetSelection';
import { traceTokens } from '../core/genai/traceTokens';
import { readTraceFiles } from '../core/ingest/readTraceFiles';
import { detailsWithLogRecords } from '../core/ingest/logRecordDetails';
import type { SpanRecord } from '../core/model/span';
import { Redactor } from '../core/privacy/redact';
import { terminalSafe } from './terminalText';

export interface DatasetAddOptions {
  readonly name: string;
  /** Every span of this name in the runs, instead of each run's root span. */
  readonly span?: string;
  readonly expected: boolean;
  /** The folder whose `.tracerun/datasets` receives the records (the current folder). */
  readonly root: string;
  readonly redactor: Redactor;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** `tracerun dataset add`: the Add to Dataset command, from the command line. Exit code 1 when nothing was read. */
export async function datasetAddCommand(targets: readonly string[], options: DatasetAddOptions): Promise<number> {
  const problem = datasetNameProblem(options.name);
  if (problem) {
    options.err(`tracerun: --name "${options.name}": ${problem}`);
    return 2;
  }
  const { store, files, problems } = await readTraceFiles(targets);
  for (const p of problems) options.err(terminalSafe(`${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}`));
  const runs = store.runs();
  if (runs.length === 0) {
    options.err(files.length === 0 ? 'tracerun: no trace files found' : `tracerun: no spans could be read from ${files.length} file(s)`);
    return 1;
  }
  const spans = options.span !== undefined ? spansNamed(runs, options.span) : runRootSpans(runs);
  if (spans.length === 0) {
    options.err(`tracerun: no span named "${options.span}" in ${runs.length} run(s)`);
    return 1;
  }
  const roots = new Map<string, SpanRecord>(runRootSpans(runs).map((s) => [s.traceId, s]));
  const result = await addSpansToDataset({
    root: options.root,
    name: options.name,
    spans,
    expected: options.expected,
    redactor: options.redactor,
    // A call whose messages came as log records (openai-v2 with content capture) keeps them.
    loadDetails: detailsWithLogRecords(store.logRecords),
    // A run stands for its root: its tokens are its LLM calls'.
    tokensFor: (span) => (options.span === undefined && roots.get(span.traceId) === span ? traceTokens(store.trace(span.traceId)!) : undefined),
  });
  for (const f of result.failed) options.err(terminalSafe(`${f.span.origin.file}:${f.span.origin.line}: span "${f.span.name}" not added: ${f.message}`));
  options.out(`${describeAppend(result)} (${path.relative(process.cwd(), result.file) || result.file})`);
  return 0;
}
