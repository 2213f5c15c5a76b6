// Where in the demo's own source a span was started, as the OpenTelemetry `code.*`
// attributes. Run with `node --enable-source-maps` so stack frames name the .ts files.
import type { Attributes } from '@opentelemetry/api';

const FRAME_RE = /^\s*at (?:(?:async )?([^\s(]+) \()?(.+?):(\d+):(\d+)\)?$/;

/** The frame `depth` levels above the caller of this function. */
export function codeAttributes(depth = 1): Attributes {
  const lines = (new Error().stack ?? '').split('\n').slice(2 + depth);
  for (const line of lines) {
    const m = FRAME_RE.exec(line);
    if (!m || m[2].startsWith('node:')) continue;
    const fn = m[1]?.replace(/^Object\./, '');
    return {
      'code.file.path': m[2].replace(/^file:\/\//, ''),
      'code.line.number': Number(m[3]),
      'code.column.number': Number(m[4]),
      ...(fn && fn !== '<anonymous>' ? { 'code.function.name': fn } : {}),
    };
  }
  return {};
}
