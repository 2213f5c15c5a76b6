// `tracerun.configureTerminals`: terminals opened in this window get the OTLP exporter
// variables pointing at its receiver, through the extension's environment variable
// collection (so VS Code marks those terminals, and asks to relaunch older ones when the
// port changes), and debug sessions launched here get them in their `env`. No `vscode`
// import at run time: tested in Node with a fake collection.
import * as path from 'node:path';
import { httpEndpoint, type Endpoints } from './setupSnippet';

/** What this needs of `vscode.EnvironmentVariableCollection`. */
export interface VariableCollection {
  replace(variable: string, value: string): void;
  clear(): void;
  description: unknown;
}

/** A short batch delay, so each run shows at once instead of in 5-second batches. */
export const BATCH_DELAY_MS = 200;

/**
 * The variables that send an SDK's traces to these endpoints: OTLP/HTTP (protobuf) when that
 * receiver listens, else OTLP/gRPC; none when neither does.
 */
export function terminalVariables({ httpPort, grpcPort }: Endpoints): Record<string, string> | undefined {
  const port = httpPort ?? grpcPort;
  if (port === undefined) return undefined;
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: httpEndpoint(port),
    OTEL_EXPORTER_OTLP_PROTOCOL: httpPort !== undefined ? 'http/protobuf' : 'grpc',
    OTEL_BSP_SCHEDULE_DELAY: String(BATCH_DELAY_MS),
  };
}

/**
 * A launch configuration's `env` with the trace variables added: the ones it sets itself
 * (say, its own collector) win, and so do those its `envFile` sets (`setByEnvFile`): the
 * debugger lets `env` override the file, so ours would hide the user's. Undefined, to leave
 * the configuration alone, when its `env` is not an object.
 */
export function withTraceVariables(env: unknown, variables: Record<string, string>, setByEnvFile: ReadonlySet<string> = new Set()): Record<string, unknown> | undefined {
  if (env !== undefined && env !== null && (typeof env !== 'object' || Array.isArray(env))) return undefined;
  const ours = Object.fromEntries(Object.entries(variables).filter(([name]) => !setByEnvFile.has(name)));
  return { ...ours, ...((env ?? {}) as Record<string, unknown>) };
}

/**
 * Where a launch configuration's `envFile` is: `${workspaceFolder}` expanded (the provider
 * sees the configuration before VS Code substitutes variables), a relative path taken in the
 * folder. Undefined when it names none, or names it through a variable not known here.
 */
export function envFilePath(envFile: unknown, folder: string | undefined): string | undefined {
  if (typeof envFile !== 'string' || envFile.trim() === '') return undefined;
  if (/\$\{workspace(Folder|Root)\}/.test(envFile) && folder === undefined) return undefined;
  const expanded = envFile.replace(/\$\{workspace(Folder|Root)\}/g, () => folder!);
  if (expanded.includes('${')) return undefined;
  if (path.isAbsolute(expanded)) return expanded;
  return folder === undefined ? undefined : path.join(folder, expanded);
}

/** The names a dotenv file sets: `NAME=value` or `export NAME=value` lines; `#` comments. */
export function envFileNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=/.exec(line);
    if (m) names.add(m[1]);
  }
  return names;
}

/** Keeps a collection in step with the setting and the receiver's ports. */
export class TerminalEnvironment {
  /**
   * What the collection holds, as JSON: a change marks open terminals stale, so only real
   * changes are made. Unknown at first: the collection may hold an earlier session's values.
   */
  private applied: string | undefined;

  constructor(private readonly collection: VariableCollection) {}

  update(enabled: boolean, endpoints: Endpoints): void {
    const variables = enabled ? terminalVariables(endpoints) : undefined;
    const key = JSON.stringify(variables ?? null);
    if (key === this.applied) return;
    this.applied = key;
    this.collection.clear();
    if (!variables) {
      this.collection.description = undefined;
      return;
    }
    for (const [name, value] of Object.entries(variables)) this.collection.replace(name, value);
    this.collection.description = `Sends OpenTelemetry traces to Trace Run's receiver at ${variables.OTEL_EXPORTER_OTLP_ENDPOINT} (tracerun.configureTerminals)`;
  }

  dispose(): void {
    this.collection.clear();
  }
}
