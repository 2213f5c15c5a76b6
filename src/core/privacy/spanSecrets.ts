import type { SpanDetails } from '../ingest/spanDetails';
import type { SpanRecord } from '../model/span';
import type { Redactor, SecretFinding } from './redact';

/**
 * Where a span holds secrets: its name and error, its attributes (and JSON inside them, by
 * path), its resource's, and its events'. Each value is checked on its own.
 */
export function findSpanSecrets(span: SpanRecord, details: SpanDetails, redactor: Redactor): SecretFinding[] {
  const out: SecretFinding[] = [];
  redactor.find(span.name, 'name', out);
  if (span.errorMessage) redactor.find(span.errorMessage, 'status message', out);
  for (const [key, value] of Object.entries(details.attributes)) {
    const where = `attributes[${JSON.stringify(key)}]`;
    if (redactor.isSecretKey(key) && value !== null && value !== '') {
      out.push({ where, label: 'secret attribute' });
      continue;
    }
    findInValue(value, where, redactor, out);
  }
  for (const [key, value] of Object.entries(details.resourceAttributes)) findInValue(value, `resource[${JSON.stringify(key)}]`, redactor, out);
  details.events.forEach((e, i) => {
    for (const [key, value] of Object.entries(e.attributes)) findInValue(value, `events[${i}] ${e.name} [${JSON.stringify(key)}]`, redactor, out);
  });
  return out;
}

/** A payload recorded as JSON text is searched as JSON, so the path says where inside it. */
function findInValue(value: unknown, where: string, redactor: Redactor, out: SecretFinding[]): void {
  if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
    try {
      redactor.find(JSON.parse(value), where, out);
      return;
    } catch {
      // Not JSON after all: searched as text.
    }
  }
  redactor.find(value, where, out);
}
