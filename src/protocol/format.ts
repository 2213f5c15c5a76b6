// Display formatting shared by the extension (Runs view), the CLI and the webview, so all show the same units.
/** Same units as the Runs view: 850ns, 12.3ms, 4.52s, 3m 05s. */
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

/**
 * A duration B against A, with a sign always so slower and faster read apart without colour:
 * "+120ms", "−1.20s"; "±0ns" when equal (no sign would say which way).
 */
export function signedDuration(ms: number): string {
  return `${ms > 0 ? '+' : ms < 0 ? '−' : '±'}${formatDuration(Math.abs(ms))}`;
}

/**
 * How much longer or shorter a span took in B than in A, for the compare panel and `tracerun
 * diff`: "+120ms (+35%)", "−1.20s (−12%)". An unchanged time says "same time" rather than a
 * signed zero, which would read as slower or faster; '' when either side has no duration.
 */
export function durationDeltaText(deltaMs: number | undefined, deltaPct?: number): string {
  if (deltaMs === undefined) return '';
  if (deltaMs === 0) return 'same time';
  const sign = deltaMs > 0 ? '+' : '−';
  const pct = deltaPct === undefined ? '' : ` (${sign}${Math.abs(deltaPct).toFixed(0)}%)`;
  return `${sign}${formatDuration(Math.abs(deltaMs))}${pct}`;
}

/**
 * When a run started, short: the time of day for today's runs ("14:03:12"), else the date too
 * ("Nov 23, 14:03"). In the user's locale and time zone.
 */
export function startedLabel(startMs: number, nowMs: number, locale?: string): string {
  const start = new Date(startMs);
  const now = new Date(nowMs);
  const today = start.getFullYear() === now.getFullYear() && start.getMonth() === now.getMonth() && start.getDate() === now.getDate();
  return today
    ? start.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : start.toLocaleString(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** Round tick steps (1, 2, 5 × 10^n ms) so that about `target` ticks span `totalMs`. */
export function tickStep(totalMs: number, target: number): number {
  if (!(totalMs > 0)) return 1;
  const raw = totalMs / Math.max(1, target);
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (raw <= m * pow) return m * pow;
  return 10 * pow;
}

/** Token counts as spans and runs state them: any of the three may be missing. */
export interface TokenCountsLike {
  readonly input?: number;
  readonly output?: number;
  readonly total?: number;
  /** Input tokens read from the provider's prompt cache (part of `input`). */
  readonly cacheRead?: number;
  /** Input tokens written to the provider's prompt cache (part of `input`). */
  readonly cacheWrite?: number;
  /** Output tokens spent on reasoning (part of `output`). */
  readonly reasoning?: number;
}

/**
 * "1,592 (1,480 in · 112 out)", or just the total when the split is unknown; with a `unit`,
 * "1,592 tokens (1,480 in · 112 out)". The total is input + output when not stated.
 */
export function tokensText(tokens: TokenCountsLike, unit?: string): string {
  const total = (tokens.total ?? (tokens.input ?? 0) + (tokens.output ?? 0)).toLocaleString('en-US');
  const counted = unit ? `${total} ${unit}` : total;
  if (tokens.input === undefined || tokens.output === undefined) return counted;
  return `${counted} (${tokens.input.toLocaleString('en-US')} in · ${tokens.output.toLocaleString('en-US')} out)`;
}

/** "1,024 cached · 200 cache write · 64 reasoning": the parts of the counts that cost differently; undefined when none is stated. */
export function tokenPartsText(tokens: TokenCountsLike): string | undefined {
  const parts: string[] = [];
  if (tokens.cacheRead) parts.push(`${tokens.cacheRead.toLocaleString('en-US')} cached`);
  if (tokens.cacheWrite) parts.push(`${tokens.cacheWrite.toLocaleString('en-US')} cache write`);
  if (tokens.reasoning) parts.push(`${tokens.reasoning.toLocaleString('en-US')} reasoning`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** "1,592 tok", for a list item's short description; undefined without a total. */
export function tokensLabel(tokens: TokenCountsLike | undefined): string | undefined {
  if (tokens?.total === undefined) return undefined;
  return `${tokens.total.toLocaleString('en-US')} tok`;
}
