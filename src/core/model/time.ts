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

const NS_PER_S = 1_000_000_000n;
/** The widest time a JavaScript Date holds: ±100,000,000 days from 1970, in ms. */
const MAX_DATE_MS = 8_640_000_000_000_000n;

/**
 * ISO time keeping the nanoseconds a trace has: 2023-11-14T22:13:20.123456789Z. Never throws:
 * a time a Date cannot hold (a writer's bug, or a hostile file) reads "invalid time (N ns)",
 * so one bad span cannot take down the view or the command that shows it.
 */
export function nsToIso(ns: bigint): string {
  let seconds = ns / NS_PER_S;
  let fraction = ns % NS_PER_S;
  // Before 1970 the remainder is negative: borrow a second so the fraction counts forward.
  if (fraction < 0n) {
    seconds -= 1n;
    fraction += NS_PER_S;
  }
  const ms = seconds * 1000n;
  if (ms > MAX_DATE_MS || ms < -MAX_DATE_MS) return `invalid time (${ns} ns)`;
  const iso = new Date(Number(ms)).toISOString();
  // Years past 9999 are written +010000-…, so cut at the dot rather than at a fixed length.
  return `${iso.slice(0, iso.lastIndexOf('.'))}.${fraction.toString().padStart(9, '0')}Z`;
}
