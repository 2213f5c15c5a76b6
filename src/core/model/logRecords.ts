import type { ResourceInfo, ScopeInfo } from './span';

/**
 * The indexed form of one OTLP log record tied to a span: where its bytes live. GenAI
 * instrumentations send prompts and completions as log records (`gen_ai.user.message`,
 * `gen_ai.choice`, …) linked to their span by trace and span id; the bodies stay on disk
 * until the span's details are asked for, like span payloads.
 */
export interface LogRecordRef {
  readonly traceId: string;
  readonly spanId: string;
  /** `eventName` (OTLP 1.5+) or the older `event.name` attribute; '' when neither is set. */
  readonly eventName: string;
  /** `timeUnixNano`, else `observedTimeUnixNano`; undefined when neither is set. */
  readonly timeNs: bigint | undefined;
  readonly file: string;
  /** 1-based line of the file the record was read from. */
  readonly line: number;
  readonly byteStart: number;
  readonly byteEnd: number;
  /** The resource and scope the record was sent under: Save Run As writes it under them again. */
  readonly resource: ResourceInfo;
  readonly scope?: ScopeInfo;
}

const key = (traceId: string, spanId: string) => `${traceId}/${spanId}`;

/** Log records by the span they belong to, from every file; records arrive before or after their span. */
export class LogRecordIndex {
  private readonly bySpan = new Map<string, LogRecordRef[]>();
  private readonly keysByFile = new Map<string, Set<string>>();

  files(): string[] {
    return [...this.keysByFile.keys()];
  }

  add(file: string, records: readonly LogRecordRef[]): void {
    if (records.length === 0) return;
    let keys = this.keysByFile.get(file);
    if (!keys) this.keysByFile.set(file, (keys = new Set()));
    for (const record of records) {
      const k = key(record.traceId, record.spanId);
      let list = this.bySpan.get(k);
      if (!list) this.bySpan.set(k, (list = []));
      list.push(record);
      keys.add(k);
    }
  }

  /** Forgets what `file` contributed; returns the trace ids that lost records. */
  removeFile(file: string): Set<string> {
    const traces = new Set<string>();
    const keys = this.keysByFile.get(file);
    if (!keys) return traces;
    this.keysByFile.delete(file);
    for (const k of keys) {
      const list = this.bySpan.get(k);
      if (!list) continue;
      const kept = list.filter((r) => r.file !== file);
      if (kept.length > 0) this.bySpan.set(k, kept);
      else this.bySpan.delete(k);
      traces.add(list[0].traceId);
    }
    return traces;
  }

  /** The span's records, in time order (those without a time last, as they came). */
  forSpan(traceId: string, spanId: string): readonly LogRecordRef[] {
    const list = this.bySpan.get(key(traceId, spanId));
    if (!list) return [];
    return [...list].sort((a, b) => (a.timeNs === undefined ? (b.timeNs === undefined ? 0 : 1) : b.timeNs === undefined ? -1 : a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0));
  }
}
