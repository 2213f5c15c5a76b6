import * as path from 'node:path';
import type { TokenCounts } from '../genai/conventions';
import type { SpanDetails } from '../ingest/spanDetails';
import type { SpanRecord } from '../model/span';
import type { Redactor } from '../privacy/redact';
import { appendToDataset, type AppendResult } from './datasetFile';
import { datasetRecord, type DatasetRecord } from './datasetRecord';

export interface AddToDatasetRequest {
  /** The folder whose `.tracerun/datasets` receives the dataset (a workspace folder, the CLI's cwd). */
  readonly root: string;
  readonly name: string;
  readonly spans: readonly SpanRecord[];
  /** Keep each output as `expected`. */
  readonly expected?: boolean;
  /** Applied to input, output and expected before they are written: secrets never reach the file. */
  readonly redactor: Redactor;
  readonly loadDetails: (span: SpanRecord) => Promise<SpanDetails>;
  /** A run's tokens (its LLM calls summed) for its root span, instead of the root's own. */
  readonly tokensFor?: (span: SpanRecord) => TokenCounts | undefined;
  readonly now?: Date;
}

export interface AddToDatasetResult extends AppendResult {
  /** Spans whose details could not be read (their file changed or went away). */
  readonly failed: { readonly span: SpanRecord; readonly message: string }[];
}

export function redactRecord(record: DatasetRecord, redactor: Redactor): DatasetRecord {
  return {
    input: redactor.value(record.input),
    output: redactor.value(record.output),
    ...('expected' in record && { expected: redactor.value(record.expected) }),
    metadata: record.metadata,
  };
}

/** Reads each span's details, makes its record, masks secrets, and appends the new ones. */
export async function addSpansToDataset(request: AddToDatasetRequest): Promise<AddToDatasetResult> {
  const addedAt = (request.now ?? new Date()).toISOString();
  const records: DatasetRecord[] = [];
  const failed: { span: SpanRecord; message: string }[] = [];
  const seen = new Set<string>();
  for (const span of request.spans) {
    // The same span picked twice (a run and its root) is one record.
    const key = `${span.traceId}/${span.spanId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let details: SpanDetails;
    try {
      details = await request.loadDetails(span);
    } catch (err) {
      failed.push({ span, message: (err as Error).message });
      continue;
    }
    const relative = path.relative(request.root, span.origin.file);
    const sourceFile = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : span.origin.file;
    const tokens = request.tokensFor?.(span);
    const record = datasetRecord(span, details, { expected: request.expected, addedAt, sourceFile, ...(tokens && { tokens }) });
    records.push(redactRecord(record, request.redactor));
  }
  const result = await appendToDataset(request.root, request.name, records);
  return { ...result, failed };
}
