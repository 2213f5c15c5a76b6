/**
 * A run's log records as one OTLP JSON line (an `ExportLogsServiceRequest`), written beside
 * its spans' line as the Collector's file exporter writes each signal: GenAI instrumentations
 * (openai-v2 with content capture, …) send a call's messages as log records, so a run saved
 * without them would lose its conversations. Each record's JSON is copied from the file it was
 * read from, under the resource and scope it was sent under.
 */
import type { LogRecordSource } from '../ingest/logRecordDetails';
import { openSpanSource, type RangeReader } from '../ingest/spanSource';
import type { LogRecordRef } from '../model/logRecords';
import type { Trace } from '../model/trace';
import { compactJson, readRange, runOtlpLine } from './otlpJson';

const HEX_ID = { traceId: /^[0-9a-f]{32}$/i, spanId: /^[0-9a-f]{16}$/i } as const;

interface ResourceGroup {
  readonly file: string;
  readonly ref: LogRecordRef;
  readonly scopes: Map<string, string[]>;
}

/** Save Run As… and `tracerun export --format otlp`: the run's spans line, then its log records' line when it has any. */
export async function runOtlpLines(trace: Trace, source: LogRecordSource): Promise<string[]> {
  const logs = await runLogsLine(trace, source);
  return logs === undefined ? [await runOtlpLine(trace)] : [await runOtlpLine(trace), logs];
}

/**
 * The log records tied to the run's spans as one OTLP JSON line (no trailing newline), or
 * undefined when it has none. Throws, naming the file, when a trace file changed since it was
 * read and no longer holds a record where it was.
 */
export async function runLogsLine(trace: Trace, source: LogRecordSource): Promise<string | undefined> {
  const byFile = new Map<string, LogRecordRef[]>();
  for (const span of trace.allSpans()) {
    for (const record of source.forSpan(span.traceId, span.spanId)) {
      let list = byFile.get(record.file);
      if (!list) byFile.set(record.file, (list = []));
      list.push(record);
    }
  }
  if (byFile.size === 0) return undefined;
  const resources: string[] = [];
  for (const [file, records] of byFile) {
    let handle: RangeReader;
    try {
      handle = await openSpanSource(file);
    } catch (err) {
      throw new Error(`${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the run's log records were in it`);
    }
    try {
      records.sort((a, b) => a.byteStart - b.byteStart);
      const groups = new Map<number, ResourceGroup>();
      for (const record of records) {
        const text = await recordText(handle, file, record);
        let group = groups.get(record.resource.attributesStart);
        if (!group) groups.set(record.resource.attributesStart, (group = { file, ref: record, scopes: new Map() }));
        // No scope read, none written: an empty `{}` would read back as a scope named ''.
        const scope = record.scope ? `"scope":${JSON.stringify({ name: record.scope.name, ...(record.scope.version !== undefined && { version: record.scope.version }) })},` : '';
        let list = group.scopes.get(scope);
        if (!list) group.scopes.set(scope, (list = []));
        list.push(text);
      }
      for (const group of groups.values()) {
        const { attributesStart, attributesEnd } = group.ref.resource;
        let attributes = attributesEnd > attributesStart ? compactJson(await readRange(handle, attributesStart, attributesEnd)) : '[]';
        try {
          JSON.parse(attributes);
        } catch {
          attributes = '[]'; // The records read fine; resource attributes that don't are left out.
        }
        const scopeLogs = [...group.scopes].map(([scope, list]) => `{${scope}"logRecords":[${list.join(',')}]}`);
        resources.push(`{"resource":{"attributes":${attributes}},"scopeLogs":[${scopeLogs.join(',')}]}`);
      }
    } finally {
      await handle.close();
    }
  }
  return `{"resourceLogs":[${resources.join(',')}]}`;
}

/**
 * The record's JSON as written, whitespace dropped. Ids the spec would not take (base64,
 * `0x…`) are written as the hex the reader made of them, so the record stays tied to its span
 * in any OTLP tool.
 */
async function recordText(handle: RangeReader, file: string, record: LogRecordRef): Promise<string> {
  const text = compactJson(await readRange(handle, record.byteStart, record.byteEnd));
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${file} changed since it was read; a log record of span ${record.spanId} is no longer where it was`);
  }
  const traceId = raw.traceId ?? raw.trace_id;
  const spanId = raw.spanId ?? raw.span_id;
  if (HEX_ID.traceId.test(String(traceId)) && HEX_ID.spanId.test(String(spanId)) && 'traceId' in raw && 'spanId' in raw) return text;
  const { trace_id: _t, span_id: _s, ...rest } = raw;
  // A re-stringify may round a bare 64-bit number: rare, and only in records written so.
  return JSON.stringify({ ...rest, traceId: record.traceId, spanId: record.spanId });
}
