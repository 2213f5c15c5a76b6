import type { TraceLineSink } from '../receiver/traceFileWriter';
import { mask, type Redactor } from './redact';

/** Fields of an OTLP JSON request whose string values are text a secret may be in. */
const TEXT_FIELDS = new Set(['stringValue', 'string_value', 'message', 'name']);
const KEY_LABEL = 'secret attribute';

function walk(value: unknown, redactor: Redactor): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, redactor));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  // A KeyValue under a secret key: its whole value is masked, whatever its type.
  if (typeof obj.key === 'string' && 'value' in obj && redactor.isSecretKey(obj.key)) return { ...obj, value: { stringValue: mask(KEY_LABEL) } };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = typeof v === 'string' && TEXT_FIELDS.has(k) ? redactor.text(v) : walk(v, redactor);
  return out;
}

/**
 * One OTLP JSON request line with its secrets masked: attribute string values (nested ones
 * too), values under secret keys, span, event and scope names, status messages. Ids, times
 * and numbers are left as they are. A line that is not JSON is returned as is (the receivers
 * only write what they decoded, so it does not happen).
 */
export function redactOtlpLine(line: string | Uint8Array, redactor: Redactor): string | Uint8Array {
  const text = typeof line === 'string' ? line : Buffer.from(line.buffer, line.byteOffset, line.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return line;
  }
  return JSON.stringify(walk(parsed, redactor));
}

/**
 * `tracerun.receiver.redactOnWrite`: the receivers' lines are masked before they are written,
 * so secrets never reach the disk. The rules are asked for at each line, so a change of
 * `tracerun.redact` applies to the next request.
 */
export class RedactingLineSink implements TraceLineSink {
  constructor(
    private readonly inner: TraceLineSink,
    private readonly redactor: () => Redactor,
  ) {}

  appendLine(line: string | Uint8Array): Promise<void> {
    return this.inner.appendLine(redactOtlpLine(line, this.redactor()));
  }
}
