import * as vscode from 'vscode';
import {
  DEFAULT_CODE_LENS_ENABLED,
  DEFAULT_CONFIGURE_TERMINALS,
  DEFAULT_COPY_MAX_PAYLOAD_CHARS,
  DEFAULT_EXCLUDE,
  DEFAULT_GRPC_PORT,
  DEFAULT_HTTP_PORT,
  DEFAULT_MAX_LINE_MB,
  DEFAULT_MEMORY_BUDGET_MB,
  DEFAULT_RECEIVER_KEEP_DAYS,
  DEFAULT_MAX_REQUEST_MB,
  DEFAULT_PAGE_SIZE,
  DEFAULT_RECEIVER_ENABLED,
  DEFAULT_RECEIVER_FOLDER,
  DEFAULT_REDACT,
  DEFAULT_REPLAY_ANTHROPIC_BASE_URL,
  DEFAULT_REPLAY_OPENAI_BASE_URL,
  DEFAULT_REPLAY_TIMES,
  DEFAULT_REMOTE_PAGE_SIZE,
  DEFAULT_REMOTE_TIMEOUT_SECONDS,
  DEFAULT_WATCH,
  SETTING_RANGES,
  SETTINGS_SECTION,
  type SettingKey,
} from '../core/config/defaults';
import type { ModelPrice } from '../core/genai/cost';
import type { PathMappings } from '../core/source/pathMapping';
import type { PatternRule, RedactSetting } from '../core/privacy/redactRules';
import { readBackends, type BackendSetting } from '../core/remote/backendConfig';

// Every `tracerun.*` setting is read (and written) here, by its typed key, with the defaults
// of core/config/defaults.ts.

export const SECTION = SETTINGS_SECTION;

/** `tracerun.<key>`, e.g. for `affectsConfiguration` and messages. */
export function settingId(key: SettingKey | 'receiver'): string {
  return `${SECTION}.${key}`;
}

function get(config: vscode.WorkspaceConfiguration, key: SettingKey): unknown {
  return config.get<unknown>(key);
}

/** Writes one setting (in the workspace unless told otherwise). */
export function updateSetting(key: SettingKey, value: unknown, target = vscode.ConfigurationTarget.Workspace): Thenable<void> {
  return vscode.workspace.getConfiguration(SECTION).update(key, value, target);
}

/**
 * Writes one setting where it takes effect: in the workspace if it is set there, else in the
 * user settings (which also works with no folder open).
 */
export function updateSettingWhereSet(key: SettingKey, value: unknown): Thenable<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inWorkspace = config.inspect(key)?.workspaceValue !== undefined;
  return config.update(key, value, inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
}

/** Whether terminals of this window get the OTLP variables (`tracerun.configureTerminals`). */
export function readConfigureTerminals(problems: string[] = []): boolean {
  return boolean(get(vscode.workspace.getConfiguration(SECTION), 'configureTerminals'), 'configureTerminals', DEFAULT_CONFIGURE_TERMINALS, problems);
}

export interface TraceRunSettings {
  readonly watch: readonly string[];
  readonly exclude: readonly string[];
  readonly codeLensEnabled: boolean;
  readonly pageSize: number;
  /** Longest trace-file line read, in MB. */
  readonly maxLineMB: number;
  /** Memory for runs' spans, in MB (estimated); beyond it idle runs keep only their summaries. */
  readonly memoryBudgetMB: number;
  /** USD per million tokens by model name, for costs in the waterfall. */
  readonly modelPrices: Readonly<Record<string, ModelPrice>>;
  /** Longest string Copy Run as JSON keeps whole; 0 keeps everything. */
  readonly copyMaxPayloadChars: number;
  /** Recorded path prefix → local folder (`${workspaceFolder}` allowed), for finding span sources. */
  readonly pathMappings: PathMappings;
}

function pathMappings(value: unknown, problems: string[]): PathMappings {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${settingId('pathMappings')} must map recorded folders to local ones, e.g. { "/app": "\${workspaceFolder}" }; ignored`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [from, to] of Object.entries(value as Record<string, unknown>)) {
    if (from.trim() !== '' && typeof to === 'string' && to.trim() !== '') out[from.trim()] = to.trim();
    else problems.push(`${settingId('pathMappings')}["${from}"] must be a folder path; ignored`);
  }
  return out;
}

function modelPrices(value: unknown, problems: string[]): Readonly<Record<string, ModelPrice>> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${settingId('modelPrices')} must map model names to { "inputPerMTok": number, "outputPerMTok": number }; ignored`);
    return {};
  }
  const out: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(value as Record<string, unknown>)) {
    const p = price as Partial<ModelPrice> | null;
    const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
    if (p && ok(p.inputPerMTok) && ok(p.outputPerMTok)) {
      out[model] = {
        inputPerMTok: p.inputPerMTok!,
        outputPerMTok: p.outputPerMTok!,
        ...(ok(p.cachedInputPerMTok) && { cachedInputPerMTok: p.cachedInputPerMTok }),
        ...(ok(p.cacheWriteInputPerMTok) && { cacheWriteInputPerMTok: p.cacheWriteInputPerMTok }),
      };
    }
    else problems.push(`${settingId('modelPrices')}["${model}"] needs non-negative inputPerMTok and outputPerMTok; ignored`);
  }
  return out;
}

function stringList(value: unknown, fallback: readonly string[], key: SettingKey, problems: string[]): readonly string[] {
  if (!Array.isArray(value)) {
    if (value !== undefined) problems.push(`${settingId(key)} must be a list of glob patterns; using the default`);
    return fallback;
  }
  const valid = value.filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  if (valid.length !== value.length) problems.push(`${settingId(key)}: ignored entries that are not non-empty strings`);
  return valid.map((v) => v.trim());
}

function integerIn(value: unknown, key: keyof typeof SETTING_RANGES, fallback: number, problems: string[]): number {
  const { min, max } = SETTING_RANGES[key];
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  problems.push(`${settingId(key)} must be an integer from ${min} to ${max}; using ${fallback}`);
  return fallback;
}

function boolean(value: unknown, key: SettingKey, fallback: boolean, problems: string[]): boolean {
  if (typeof value === 'boolean') return value;
  if (value !== undefined) problems.push(`${settingId(key)} must be true or false; using ${fallback}`);
  return fallback;
}

/** Reads and validates the settings once; `problems` says what was wrong and replaced. */
export function readSettings(problems: string[] = []): TraceRunSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return {
    watch: stringList(get(config, 'watch'), DEFAULT_WATCH, 'watch', problems),
    exclude: stringList(get(config, 'exclude'), DEFAULT_EXCLUDE, 'exclude', problems),
    codeLensEnabled: boolean(get(config, 'codeLens.enabled'), 'codeLens.enabled', DEFAULT_CODE_LENS_ENABLED, problems),
    pageSize: integerIn(get(config, 'runs.pageSize'), 'runs.pageSize', DEFAULT_PAGE_SIZE, problems),
    maxLineMB: integerIn(get(config, 'maxLineMB'), 'maxLineMB', DEFAULT_MAX_LINE_MB, problems),
    memoryBudgetMB: integerIn(get(config, 'memoryBudgetMB'), 'memoryBudgetMB', DEFAULT_MEMORY_BUDGET_MB, problems),
    modelPrices: modelPrices(get(config, 'modelPrices'), problems),
    copyMaxPayloadChars: integerIn(get(config, 'copy.maxPayloadChars'), 'copy.maxPayloadChars', DEFAULT_COPY_MAX_PAYLOAD_CHARS, problems),
    pathMappings: pathMappings(get(config, 'pathMappings'), problems),
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
  /** Mask secrets before a received request is written. */
  readonly redactOnWrite: boolean;
  /** Days the receiver's daily files are kept; 0 keeps them all. */
  readonly keepDays: number;
}

export function readReceiverSettings(problems: string[] = []): ReceiverSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const folder = get(config, 'receiver.folder');
  if (folder !== undefined && (typeof folder !== 'string' || folder.trim() === '')) problems.push(`${settingId('receiver.folder')} must be a folder path; using ${DEFAULT_RECEIVER_FOLDER}`);
  return {
    enabled: boolean(get(config, 'receiver.enabled'), 'receiver.enabled', DEFAULT_RECEIVER_ENABLED, problems),
    port: integerIn(get(config, 'receiver.port'), 'receiver.port', DEFAULT_HTTP_PORT, problems),
    grpcPort: integerIn(get(config, 'receiver.grpcPort'), 'receiver.grpcPort', DEFAULT_GRPC_PORT, problems),
    maxRequestMB: integerIn(get(config, 'receiver.maxRequestMB'), 'receiver.maxRequestMB', DEFAULT_MAX_REQUEST_MB, problems),
    folder: typeof folder === 'string' && folder.trim() !== '' ? folder.trim() : DEFAULT_RECEIVER_FOLDER,
    redactOnWrite: boolean(get(config, 'receiver.redactOnWrite'), 'receiver.redactOnWrite', false, problems),
    keepDays: integerIn(get(config, 'receiver.keepDays'), 'receiver.keepDays', DEFAULT_RECEIVER_KEEP_DAYS, problems),
  };
}

/** `tracerun.redact`, its malformed parts reported and left out (never the whole setting: secrets stay masked). */
export function readRedactSetting(problems: string[] = []): RedactSetting {
  const value = get(vscode.workspace.getConfiguration(SECTION), 'redact');
  if (value === undefined || value === null) return DEFAULT_REDACT;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${settingId('redact')} must be an object { "defaults", "keys", "patterns" }; using the default`);
    return DEFAULT_REDACT;
  }
  const v = value as { defaults?: unknown; keys?: unknown; patterns?: unknown };
  const keys = v.keys === undefined ? [] : stringList(v.keys, [], 'redact', problems);
  const patterns: PatternRule[] = [];
  if (Array.isArray(v.patterns)) {
    for (const p of v.patterns as { label?: unknown; regex?: unknown }[]) {
      if (p && typeof p.regex === 'string' && p.regex !== '') patterns.push({ label: typeof p.label === 'string' && p.label ? p.label : 'secret', regex: p.regex });
      else problems.push(`${settingId('redact')}.patterns: an entry without a "regex" string was ignored`);
    }
  } else if (v.patterns !== undefined) problems.push(`${settingId('redact')}.patterns must be a list of { "label", "regex" }; ignored`);
  return { defaults: boolean(v.defaults ?? true, 'redact', true, problems), keys, patterns };
}

export interface ReplaySettings {
  readonly openaiBaseUrl: string;
  readonly anthropicBaseUrl: string;
  readonly times: number;
}

function url(value: unknown, key: 'replay.openaiBaseUrl' | 'replay.anthropicBaseUrl', fallback: string, problems: string[]): string {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && /^https?:\/\/[^\s]+$/.test(value.trim())) return value.trim().replace(/\/+$/, '');
  problems.push(`${settingId(key)} must be an http(s) URL; using ${fallback}`);
  return fallback;
}

export function readReplaySettings(problems: string[] = []): ReplaySettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return {
    openaiBaseUrl: url(get(config, 'replay.openaiBaseUrl'), 'replay.openaiBaseUrl', DEFAULT_REPLAY_OPENAI_BASE_URL, problems),
    anthropicBaseUrl: url(get(config, 'replay.anthropicBaseUrl'), 'replay.anthropicBaseUrl', DEFAULT_REPLAY_ANTHROPIC_BASE_URL, problems),
    times: integerIn(get(config, 'replay.times'), 'replay.times', DEFAULT_REPLAY_TIMES, problems),
  };
}

export interface RemoteSettings {
  readonly backends: readonly BackendSetting[];
  readonly pageSize: number;
  readonly timeoutMs: number;
}

/** `tracerun.backends` and `tracerun.remote.*`; invalid backends are left out and reported. */
export function readRemoteSettings(problems: string[] = []): RemoteSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return {
    backends: readBackends(get(config, 'backends'), problems, settingId('backends')),
    pageSize: integerIn(get(config, 'remote.pageSize'), 'remote.pageSize', DEFAULT_REMOTE_PAGE_SIZE, problems),
    timeoutMs: integerIn(get(config, 'remote.timeoutSeconds'), 'remote.timeoutSeconds', DEFAULT_REMOTE_TIMEOUT_SECONDS, problems) * 1000,
  };
}
