const DIGITS_RE = /^-?\d+$/;

/**
 * Parses an OTLP `fixed64` nanosecond time written as a JSON string or number. The text is
 * taken as written, so values beyond 2^53 keep every nanosecond. Returns undefined when the
 * text is not an integer (a float with a fraction or exponent is rounded).
 */
export function parseNanos(text: string): bigint | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (DIGITS_RE.test(t)) return BigInt(t);
  const n = Number(t);
  return Number.isFinite(n) ? BigInt(Math.round(n)) : undefined;
}

/** Milliseconds from one nanosecond time to another, exact for any realistic span. */
export function msBetween(from: bigint, to: bigint): number {
  return Number(to - from) / 1e6;
}

export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

/** ISO time keeping the nanoseconds a trace has: 2023-11-14T22:13:20.123456789Z. */
export function nsToIso(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString();
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${fraction}Z`;
}
