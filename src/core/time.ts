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

export function nsToMs(ns: bigint): number {
  return Number(ns) / 1e6;
}

/** Human duration with units that suit its size: 850ns, 12.3ms, 4.52s, 3m 05s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 0.001) return `${Math.round(ms * 1e6)}ns`;
  if (ms < 1) return `${Math.round(ms * 1000)}µs`;
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms < 100 ? ms.toFixed(1) : Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}
