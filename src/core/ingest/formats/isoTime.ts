// Times as the non-OTLP formats write them: ISO 8601 text (the Python SDK's console exporter,
// LangSmith runs) or epoch numbers (hand-written tracers).

const ISO_RE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9})\d*)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Nanoseconds since the epoch from ISO text, keeping the fraction's digits (microseconds in
 * Python's output). A time without a zone is UTC: LangSmith writes naive UTC times.
 */
export function parseIsoNanos(text: string): bigint | undefined {
  const m = ISO_RE.exec(text.trim());
  if (!m) return undefined;
  const zone = m[4] === undefined || m[4].toUpperCase() === 'Z' ? 'Z' : m[4].length === 5 ? `${m[4].slice(0, 3)}:${m[4].slice(3)}` : m[4];
  const ms = Date.parse(`${m[1]}T${m[2]}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  const fraction = m[3] === undefined ? 0n : BigInt(m[3].padEnd(9, '0'));
  return BigInt(ms) * 1_000_000n + fraction;
}

/**
 * A time in any of the forms a hand-written tracer is likely to use: ISO text, or an epoch
 * number in seconds, milliseconds, microseconds or nanoseconds (told apart by magnitude:
 * each unit's values for the years 1973–2286 do not overlap the next's).
 */
export function parseAnyTime(value: unknown): bigint | undefined {
  if (typeof value === 'string') {
    const iso = parseIsoNanos(value);
    if (iso !== undefined) return iso;
    if (!/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
    return epochNanos(Number(value), value.trim());
  }
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return epochNanos(value, undefined);
  return undefined;
}

function epochNanos(n: number, digits: string | undefined): bigint {
  if (n < 1e11) return BigInt(Math.round(n * 1e9));
  if (n < 1e14) return BigInt(Math.round(n * 1e6));
  if (n < 1e17) return BigInt(Math.round(n * 1e3));
  // Nanoseconds beyond 2^53: keep the digits as written when there are any.
  return digits !== undefined && /^\d+$/.test(digits) ? BigInt(digits) : BigInt(Math.round(n));
}
