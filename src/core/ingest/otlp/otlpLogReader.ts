import { normalizeId } from '../../model/ids';
import type { LogRecordRef } from '../../model/logRecords';
import type { Attributes, ResourceInfo, ScopeInfo } from '../../model/span';
import { parseNanos } from '../../model/time';
import type { JsonScanner } from './jsonScanner';
import { EMPTY_RESOURCE, OtlpValueReader, type IdMemo, type ReadContext } from './otlpJsonValues';

/**
 * Log records: where they are, which span they belong to, and the resource and scope they
 * were sent under (Save Run As writes them under the same again).
 */
export class LogRecordReader extends OtlpValueReader {
  readonly logRecords: LogRecordRef[] = [];
  unlinkedLogRecords = 0;

  constructor(sc: JsonScanner, ctx: ReadContext, problems: string[], private readonly traceIds: IdMemo) {
    super(sc, ctx, problems);
  }

  readResourceLogs(): void {
    const sc = this.sc;
    if (!sc.beginObject()) return;
    let resource = EMPTY_RESOURCE;
    // `resource` may follow `scopeLogs`, as it may follow `scopeSpans`.
    const firstRecord = this.logRecords.length;
    for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
      if (key === 'resource') resource = this.readResource();
      else if (key === 'scopeLogs' || key === 'scope_logs' || key === 'instrumentationLibraryLogs' || key === 'instrumentation_library_logs') {
        this.each(() => this.readScopeLogs());
      } else sc.skipValue();
    }
    for (let i = firstRecord; i < this.logRecords.length; i++) (this.logRecords[i] as { resource: ResourceInfo }).resource = resource;
  }

  private readScopeLogs(): void {
    const sc = this.sc;
    if (!sc.beginObject()) return;
    let scope: ScopeInfo | undefined;
    const firstRecord = this.logRecords.length;
    for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
      if (key === 'logRecords' || key === 'log_records') this.each(() => this.readLogRecord());
      else if (key === 'scope' || key === 'instrumentationLibrary' || key === 'instrumentation_library') scope = this.readScope();
      else sc.skipValue();
    }
    if (scope) for (let i = firstRecord; i < this.logRecords.length; i++) (this.logRecords[i] as { scope?: ScopeInfo }).scope = scope;
  }

  private readLogRecord(): void {
    const sc = this.sc;
    const recordStart = this.beginElement('a log record');
    if (recordStart === undefined) return;
    let traceId = '';
    let spanId = '';
    let eventName = '';
    let timeNs: bigint | undefined;
    let observedNs: bigint | undefined;
    let attrs: Attributes | undefined;
    for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
      switch (key) {
        case 'traceId':
        case 'trace_id':
          traceId = this.traceIds.normalize(sc.readScalarText());
          break;
        case 'spanId':
        case 'span_id':
          spanId = normalizeId(sc.readScalarText(), 8);
          break;
        case 'eventName':
        case 'event_name':
          eventName = sc.readString();
          break;
        case 'timeUnixNano':
        case 'time_unix_nano':
          timeNs = parseNanos(sc.readScalarText());
          break;
        case 'observedTimeUnixNano':
        case 'observed_time_unix_nano':
          observedNs = parseNanos(sc.readScalarText());
          break;
        case 'attributes':
          attrs = this.readKeyValues((k) => k === EVENT_NAME);
          break;
        default:
          sc.skipValue();
      }
    }
    if (!traceId || !spanId) {
      this.unlinkedLogRecords++;
      return;
    }
    const named = attrs?.[EVENT_NAME];
    this.logRecords.push({
      traceId,
      spanId,
      eventName: eventName || (typeof named === 'string' ? named : ''),
      // 0 is OTLP's "unset"
      timeNs: timeNs || observedNs || undefined,
      file: this.ctx.file,
      line: this.ctx.line,
      byteStart: this.ctx.byteBase + recordStart,
      byteEnd: this.ctx.byteBase + sc.pos,
      resource: EMPTY_RESOURCE,
    });
  }
}

/** The event name before log records had their own field (OTLP < 1.5). */
const EVENT_NAME = 'event.name';
