// Every default of Trace Run's settings, declared once. The extension's settings module, the
// file watcher, the receivers, the CLI and the setup snippet import them from here, and a unit
// test checks that package.json's `contributes.configuration` declares the same values.

/** The section of every setting: `tracerun.watch`, `tracerun.receiver.port`, … */
export const SETTINGS_SECTION = 'tracerun';

/**
 * Trace files watched in each workspace folder (`tracerun.watch`). Under `.tracerun/`, where
 * nothing else lives, a downloaded trace (`.json`) or a log holding console exporter spans
 * (`.log`) is read too; elsewhere only `.jsonl`, so unrelated JSON and logs stay unread.
 */
export const DEFAULT_WATCH: readonly string[] = [
  '**/.tracerun/**/*.jsonl',
  '**/.tracerun/**/*.json',
  '**/.tracerun/**/*.log',
  '**/*.otlp.jsonl',
  '**/traces/**/*.jsonl',
];
/**
 * Where datasets are written, relative to a workspace folder. Their records are not trace
 * files: this folder is never watched nor read as traces, whatever the globs say.
 */
export const DATASETS_FOLDER = '.tracerun/datasets';
/** Files and folders never watched (`tracerun.exclude`). */
export const DEFAULT_EXCLUDE: readonly string[] = ['**/node_modules/**', '**/.git/**'];
export const DEFAULT_CODE_LENS_ENABLED = true;
/** Runs, or children of one span, listed before a "Show more" item (`tracerun.runs.pageSize`). */
export const DEFAULT_PAGE_SIZE = 200;
export const DEFAULT_RECEIVER_ENABLED = true;
/** OTLP/HTTP's and OTLP/gRPC's registered ports, what exporters use when told nothing else. */
export const DEFAULT_HTTP_PORT = 4318;
export const DEFAULT_GRPC_PORT = 4317;
/** Largest request accepted, compressed or decompressed (`tracerun.receiver.maxRequestMB`). */
export const DEFAULT_MAX_REQUEST_MB = 32;
/** Where received traces are written, relative to the first workspace folder (or the CLI's cwd). */
export const DEFAULT_RECEIVER_FOLDER = '.tracerun';
/**
 * Longest line read from a trace file (`tracerun.maxLineMB`): a longer one is reported and
 * skipped without being held, so one runaway line cannot take the extension host's memory.
 */
export const DEFAULT_MAX_LINE_MB = 256;
/**
 * Terminals of the window get OTEL_EXPORTER_OTLP_* pointing at its receiver (`tracerun.configureTerminals`).
 * Off: a user's own collector may be set in those variables.
 */
export const DEFAULT_CONFIGURE_TERMINALS = false;

/**
 * Longest string (input, output, message) kept whole by Copy Run as JSON and `tracerun export`
 * (`tracerun.copy.maxPayloadChars`; 0 keeps everything): a run should fit in a chat message.
 */
export const DEFAULT_COPY_MAX_PAYLOAD_CHARS = 2000;

/**
 * `tracerun.redact`: the built-in secret patterns and key globs on (`src/core/privacy/redactRules.ts`),
 * no rules of the user's own.
 */
export const DEFAULT_REDACT = { defaults: true, keys: [] as readonly string[], patterns: [] as readonly { readonly label: string; readonly regex: string }[] };

/**
 * Where a replayed model call goes: any OpenAI-compatible Chat Completions endpoint
 * (`tracerun.replay.openaiBaseUrl`, with its `/v1`), and Anthropic's Messages API
 * (`tracerun.replay.anthropicBaseUrl`, without). A replay document's own `baseUrl` wins.
 */
export const DEFAULT_REPLAY_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_REPLAY_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
/** How many times Run sends a replay, to see how stable the answer is (`tracerun.replay.times`). */
export const DEFAULT_REPLAY_TIMES = 1;

/**
 * Memory for runs' spans (`tracerun.memoryBudgetMB`), estimated: beyond it the least recently
 * used runs keep only their summaries and read their spans back from the files when opened.
 * 64 MB holds about 110,000 spans: the runs a user opens and the newest of a long history (the
 * run in use stays whatever its size).
 */
export const DEFAULT_MEMORY_BUDGET_MB = 64;
/** Days the receiver's daily files are kept (`tracerun.receiver.keepDays`); 0 keeps them all. */
export const DEFAULT_RECEIVER_KEEP_DAYS = 14;
/** Traces asked of a backend per page of its Remote list (`tracerun.remote.pageSize`). */
export const DEFAULT_REMOTE_PAGE_SIZE = 20;
/** How long one request to a backend may take (`tracerun.remote.timeoutSeconds`). */
export const DEFAULT_REMOTE_TIMEOUT_SECONDS = 20;

/** Each setting (without the section) and its default, as package.json declares them. */
export const SETTING_DEFAULTS = {
  watch: DEFAULT_WATCH,
  exclude: DEFAULT_EXCLUDE,
  'codeLens.enabled': DEFAULT_CODE_LENS_ENABLED,
  'runs.pageSize': DEFAULT_PAGE_SIZE,
  'receiver.enabled': DEFAULT_RECEIVER_ENABLED,
  'receiver.port': DEFAULT_HTTP_PORT,
  'receiver.grpcPort': DEFAULT_GRPC_PORT,
  'receiver.maxRequestMB': DEFAULT_MAX_REQUEST_MB,
  'receiver.folder': DEFAULT_RECEIVER_FOLDER,
  // Off by default: the file then holds exactly what the app sent.
  'receiver.redactOnWrite': false,
  'receiver.keepDays': DEFAULT_RECEIVER_KEEP_DAYS,
  maxLineMB: DEFAULT_MAX_LINE_MB,
  memoryBudgetMB: DEFAULT_MEMORY_BUDGET_MB,
  configureTerminals: DEFAULT_CONFIGURE_TERMINALS,
  'copy.maxPayloadChars': DEFAULT_COPY_MAX_PAYLOAD_CHARS,
  'replay.openaiBaseUrl': DEFAULT_REPLAY_OPENAI_BASE_URL,
  'replay.anthropicBaseUrl': DEFAULT_REPLAY_ANTHROPIC_BASE_URL,
  'replay.times': DEFAULT_REPLAY_TIMES,
  // Nothing is priced by default: prices change too often to ship.
  modelPrices: {},
  // Recorded paths map into the workspace by their longest suffix without any setting.
  pathMappings: {},
  redact: DEFAULT_REDACT,
  // No backend is contacted unless the user adds one.
  backends: [],
  'remote.pageSize': DEFAULT_REMOTE_PAGE_SIZE,
  'remote.timeoutSeconds': DEFAULT_REMOTE_TIMEOUT_SECONDS,
} as const;

export type SettingKey = keyof typeof SETTING_DEFAULTS;

/** The bounds of the integer settings (package.json's `minimum` and `maximum`). */
export const SETTING_RANGES = {
  'runs.pageSize': { min: 10, max: 5000 },
  'receiver.port': { min: 0, max: 65535 },
  'receiver.grpcPort': { min: 0, max: 65535 },
  'receiver.maxRequestMB': { min: 1, max: 1024 },
  'receiver.keepDays': { min: 0, max: 3650 },
  maxLineMB: { min: 1, max: 1024 },
  memoryBudgetMB: { min: 16, max: 16384 },
  'copy.maxPayloadChars': { min: 0, max: 1_000_000 },
  'replay.times': { min: 1, max: 20 },
  'remote.pageSize': { min: 1, max: 1000 },
  'remote.timeoutSeconds': { min: 1, max: 600 },
} as const satisfies Partial<Record<SettingKey, { readonly min: number; readonly max: number }>>;
