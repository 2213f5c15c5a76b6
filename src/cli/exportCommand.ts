import { DEFAULT_COPY_MAX_PAYLOAD_CHARS } from '../core/config/defaults';
import { runJson } from '../core/export/runJson';
import { runOtlpLines } from '../core/export/otlpLogsJson';
import { readTraceFiles } from '../core/ingest/readTraceFiles';
import { detailsWithLogRecords } from '../core/ingest/logRecordDetails';
import { normalizeId } from '../core/model/ids';
import { terminalSafe } from './terminalText';

export type ExportFormat = 'json' | 'otlp';

export interface ExportOptions {
  readonly traceId: string;
  readonly format: ExportFormat;
  /** Longest string kept whole in the JSON form; 0 keeps everything. */
  readonly maxPayloadChars?: number;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/**
 * `tracerun export <file-or-dir>... --trace ID [--format json|otlp]`: one run as the JSON
 * document of Copy Run as JSON, or as OTLP JSON lines (spans, then log records). Returns the exit code.
 */
export async function exportCommand(targets: readonly string[], options: ExportOptions): Promise<number> {
  const { store, files, problems } = await readTraceFiles(targets);
  for (const p of problems) options.err(terminalSafe(`${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}`));
  const wanted = normalizeId(options.traceId.trim(), 16);
  const trace = store.trace(wanted);
  if (!trace) {
    options.err(terminalSafe(`tracerun: no run with trace id ${options.traceId} in ${files.length} file(s)`));
    return 1;
  }
  if (options.format === 'otlp') {
    for (const line of await runOtlpLines(trace, store.logRecords)) options.out(line);
    return 0;
  }
  const doc = await runJson(trace, { maxPayloadChars: options.maxPayloadChars ?? DEFAULT_COPY_MAX_PAYLOAD_CHARS, load: detailsWithLogRecords(store.logRecords) });
  options.out(JSON.stringify(doc, null, 2));
  return 0;
}
