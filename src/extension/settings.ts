import * as vscode from 'vscode';
import type { ModelPrice } from '../core/genai/cost';

export const SECTION = 'tracerun';

export interface TraceRunSettings {
  readonly watch: readonly string[];
  readonly exclude: readonly string[];
  readonly pageSize: number;
  /** USD per million tokens by model name, for costs in the waterfall. */
  readonly modelPrices: Readonly<Record<string, ModelPrice>>;
}

const DEFAULTS: TraceRunSettings = {
  watch: ['**/.tracerun/**/*.jsonl', '**/*.otlp.jsonl', '**/traces/**/*.jsonl'],
  exclude: ['**/node_modules/**', '**/.git/**'],
  pageSize: 200,
  modelPrices: {},
};

function modelPrices(value: unknown, problems: string[]): Readonly<Record<string, ModelPrice>> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push('tracerun.modelPrices must map model names to { "inputPerMTok": number, "outputPerMTok": number }; ignored');
    return {};
  }
  const out: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(value as Record<string, unknown>)) {
    const p = price as Partial<ModelPrice> | null;
    const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
    if (p && ok(p.inputPerMTok) && ok(p.outputPerMTok)) out[model] = { inputPerMTok: p.inputPerMTok!, outputPerMTok: p.outputPerMTok! };
    else problems.push(`tracerun.modelPrices["${model}"] needs non-negative inputPerMTok and outputPerMTok; ignored`);
  }
  return out;
}

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
    modelPrices: modelPrices(config.get('modelPrices'), problems),
  };
}

export interface ReceiverSettings {
  readonly enabled: boolean;
  /** OTLP/HTTP port; 0 turns that receiver off. */
  readonly port: number;
  /** OTLP/gRPC port; 0 turns that receiver off. */
  readonly grpcPort: number;
  readonly maxRequestMB: number;
  /** Where received traces are written, relative to the first workspace folder. */
  readonly folder: string;
}

function integerIn(value: unknown, min: number, max: number, fallback: number, key: string, problems: string[]): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  problems.push(`tracerun.${key} must be an integer from ${min} to ${max}; using ${fallback}`);
  return fallback;
}

export function readReceiverSettings(problems: string[] = []): ReceiverSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const enabled = config.get<unknown>('receiver.enabled');
  const folder = config.get<unknown>('receiver.folder');
  if (folder !== undefined && (typeof folder !== 'string' || folder.trim() === '')) problems.push('tracerun.receiver.folder must be a folder path; using .tracerun');
  return {
    enabled: typeof enabled === 'boolean' ? enabled : true,
    port: integerIn(config.get('receiver.port'), 0, 65535, 4318, 'receiver.port', problems),
    grpcPort: integerIn(config.get('receiver.grpcPort'), 0, 65535, 4317, 'receiver.grpcPort', problems),
    maxRequestMB: integerIn(config.get('receiver.maxRequestMB'), 1, 1024, 32, 'receiver.maxRequestMB', problems),
    folder: typeof folder === 'string' && folder.trim() !== '' ? folder.trim() : '.tracerun',
  };
}
