import * as vscode from 'vscode';

export const SECTION = 'tracerun';

export interface TraceRunSettings {
  readonly watch: readonly string[];
  readonly exclude: readonly string[];
  readonly pageSize: number;
}

const DEFAULTS: TraceRunSettings = {
  watch: ['**/.tracerun/**/*.jsonl', '**/*.otlp.jsonl', '**/traces/**/*.jsonl'],
  exclude: ['**/node_modules/**', '**/.git/**'],
  pageSize: 200,
};

function stringList(value: unknown, fallback: readonly string[], key: string, problems: string[]): readonly string[] {
  if (!Array.isArray(value)) {
    if (value !== undefined) problems.push(`tracerun.${key} must be a list of glob patterns; using the default`);
    return fallback;
  }
  const valid = value.filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (valid.length !== value.length) problems.push(`tracerun.${key}: ignored entries that are not non-empty strings`);
  return valid.map((v) => v.trim());
}

/** Reads and validates the settings once; `problems` says what was wrong and replaced. */
export function readSettings(problems: string[] = []): TraceRunSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const pageSize = config.get<unknown>('runs.pageSize');
  let validPageSize = DEFAULTS.pageSize;
  if (typeof pageSize === 'number' && Number.isInteger(pageSize) && pageSize >= 10 && pageSize <= 5000) validPageSize = pageSize;
  else if (pageSize !== undefined) problems.push('tracerun.runs.pageSize must be an integer from 10 to 5000; using 200');
  return {
    watch: stringList(config.get('watch'), DEFAULTS.watch, 'watch', problems),
    exclude: stringList(config.get('exclude'), DEFAULTS.exclude, 'exclude', problems),
    pageSize: validPageSize,
  };
}
