import { createHash } from 'node:crypto';
import { normalizeId } from '../../model/ids';

/**
 * Trace and span ids from formats that do not use OTLP's 16- and 8-byte ids: LangSmith's
 * UUIDs, or whatever a hand-written tracer chose. An id that already fits is kept (a UUID is
 * 16 bytes: a trace id as is); any other is hashed, so every mention of the same id (a run's
 * own `id`, its children's `parent_run_id`) maps to the same span id in every file.
 */
export function foreignTraceId(raw: unknown): string {
  return foreignId(raw, 16);
}

export function foreignSpanId(raw: unknown): string {
  return foreignId(raw, 8);
}

const HEX_RE = /^[0-9a-f]+$/i;

function foreignId(raw: unknown, bytes: 16 | 8): string {
  if (raw === undefined || raw === null) return '';
  const text = String(raw).trim();
  if (text === '') return '';
  const compact = text.replace(/-/g, '');
  if (HEX_RE.test(compact) && compact.length === bytes * 2) return normalizeId(compact, bytes);
  const prefixed = /^0x/i.test(text) ? normalizeId(text, bytes) : '';
  if (prefixed.length === bytes * 2) return prefixed;
  return createHash('sha256').update(text).digest('hex').slice(0, bytes * 2);
}
