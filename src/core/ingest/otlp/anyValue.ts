import type { AttributeValue, Attributes } from '../../model/span';

/** Decodes an OTLP JSON `AnyValue` object (`{"stringValue": "…"}` and friends). */
export function decodeAnyValue(value: unknown): AttributeValue {
  if (value === null || typeof value !== 'object') return (value as AttributeValue) ?? null;
  const v = value as Record<string, unknown>;
  if ('stringValue' in v || 'string_value' in v) return String(v.stringValue ?? v.string_value ?? '');
  if ('boolValue' in v || 'bool_value' in v) {
    const b = v.boolValue ?? v.bool_value;
    return b === true || b === 'true';
  }
  if ('intValue' in v || 'int_value' in v) return decodeInt(v.intValue ?? v.int_value);
  if ('doubleValue' in v || 'double_value' in v) return decodeDouble(v.doubleValue ?? v.double_value);
  if ('bytesValue' in v || 'bytes_value' in v) return String(v.bytesValue ?? v.bytes_value ?? '');
  const array = (v.arrayValue ?? v.array_value) as { values?: unknown[] } | undefined;
  if (array !== undefined) return (array?.values ?? []).map(decodeAnyValue);
  const kvlist = (v.kvlistValue ?? v.kvlist_value) as { values?: unknown[] } | undefined;
  if (kvlist !== undefined) return decodeKeyValues(kvlist?.values);
  return null;
}

export function decodeKeyValues(list: unknown): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (kv && typeof kv === 'object' && typeof (kv as { key?: unknown }).key === 'string') {
      out[(kv as { key: string }).key] = decodeAnyValue((kv as { value?: unknown }).value);
    }
  }
  return out;
}

/** int64 arrives as a string or a number; keep it a number when that is exact. */
function decodeInt(raw: unknown): number | string {
  if (typeof raw === 'number') return raw;
  const text = String(raw);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** The protobuf JSON mapping writes non-finite doubles as strings. */
function decodeDouble(raw: unknown): number | string {
  if (typeof raw === 'number') return raw;
  const n = Number(raw);
  return Number.isNaN(n) && raw !== 'NaN' ? String(raw) : n;
}
