/**
 * What the span and log-record readers share: the scanner over one line and its context, the
 * problems found, and the values both meet (lists, key-values, a resource, a scope).
 */
import { normalizeId } from '../../model/ids';
import { SERVICE_NAME } from '../../model/indexedAttributes';
import type { Attributes, ResourceInfo, ScopeInfo } from '../../model/span';
import { decodeAnyValue } from './anyValue';
import type { JsonScanner } from './jsonScanner';

export interface ReadContext {
  /** The trace file, as reported to the user and used to fetch details later. */
  readonly file: string;
  /** 1-based line number of `start` in the file. */
  readonly line: number;
  /** File offset of `buf[0]`, so spans can record where their bytes live. */
  readonly byteBase: number;
  /**
   * Read the structure and judge the spans, but decode no attribute values (spans come back
   * without attributes): a receiver checking that a request reads back, which JSON.parse has
   * already validated, needs only the spans and problems, at a fraction of the time. Nesting
   * is then measured from the line's start: a line past `MAX_JSON_DEPTH` anywhere fails, as
   * `findTooDeep` finds it, so a receiver needs no separate pass for its depth limit.
   */
  readonly structureOnly?: boolean;
}

/** `normalizeId` that hands back the previous result when the raw text repeats. */
export class IdMemo {
  private raw = '';
  private id = '';

  constructor(private readonly byteLength: 16 | 8) {}

  normalize(raw: string): string {
    if (raw !== this.raw) {
      this.raw = raw;
      this.id = normalizeId(raw, this.byteLength);
    }
    return this.id;
  }
}

export const EMPTY_RESOURCE: ResourceInfo = { serviceName: undefined, attributesStart: 0, attributesEnd: 0 };

/** The readers' common part: one per line read, on the line's scanner; the problems list is shared. */
export class OtlpValueReader {
  constructor(protected readonly sc: JsonScanner, protected readonly ctx: ReadContext, readonly problems: string[]) {}

  protected each(readElement: () => void): void {
    const sc = this.sc;
    if (!sc.beginArray()) return;
    for (let first = true; sc.nextElement(first); first = false) readElement();
  }

  /**
   * Opens the next element of a list of spans or log records: its offset when it is an object;
   * else it is skipped, reported as `<what> is not a JSON object`, and undefined returned.
   */
  protected beginElement(what: string): number | undefined {
    const sc = this.sc;
    sc.skipWhitespace();
    const start = sc.pos;
    if (sc.peek() !== 0x7b /* { */) {
      sc.skipValue();
      this.problems.push(`${what} is not a JSON object`);
      return undefined;
    }
    sc.beginObject();
    return start;
  }

  protected readResource(): ResourceInfo {
    const sc = this.sc;
    if (!sc.beginObject()) return EMPTY_RESOURCE;
    let serviceName: string | undefined;
    let attributesStart = 0;
    let attributesEnd = 0;
    for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
      if (key === 'attributes') {
        sc.skipWhitespace();
        attributesStart = this.ctx.byteBase + sc.pos;
        const attrs = this.readKeyValues((k) => k === SERVICE_NAME);
        attributesEnd = this.ctx.byteBase + sc.pos;
        const name = attrs?.[SERVICE_NAME];
        if (name !== undefined && name !== null) serviceName = String(name);
      } else sc.skipValue();
    }
    return { serviceName, attributesStart, attributesEnd };
  }

  protected readScope(): ScopeInfo | undefined {
    const sc = this.sc;
    if (!sc.beginObject()) return undefined;
    let name = '';
    let version: string | undefined;
    for (let key = sc.nextKey(true); key !== undefined; key = sc.nextKey(false)) {
      if (key === 'name') name = sc.readString();
      else if (key === 'version') version = sc.readString() || undefined;
      else sc.skipValue();
    }
    return { name, version };
  }

  /** Reads an array of `KeyValue`, decoding only the values whose key `wanted` accepts. */
  protected readKeyValues(wanted: (key: string) => boolean): Attributes | undefined {
    const sc = this.sc;
    let out: Attributes | undefined;
    this.each(() => {
      if (!sc.beginObject()) return;
      let key: string | undefined;
      let valueRange: [number, number] | undefined;
      for (let k = sc.nextKey(true); k !== undefined; k = sc.nextKey(false)) {
        if (k === 'key') key = sc.readKey();
        else if (k === 'value') {
          sc.skipValue();
          valueRange = [sc.skippedStart, sc.pos];
        } else sc.skipValue();
      }
      if (key !== undefined && valueRange && !this.ctx.structureOnly && wanted(key)) {
        const text = sc.buf.toString('utf8', valueRange[0], valueRange[1]);
        (out ??= {})[key] = decodeAnyValue(JSON.parse(text));
      }
    });
    return out;
  }
}
