import { parseArgs } from 'node:util';
import { DEFAULT_COPY_MAX_PAYLOAD_CHARS, DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, DEFAULT_RECEIVER_FOLDER } from '../core/config/defaults';
import { exportCommand } from './exportCommand';
import { receiveCommand } from './receiveCommand';
import { replayCommand } from './replayCommand';
import { treeCommand } from './treeCommand';

const USAGE = `usage:
  tracerun tree <file-or-dir>... [--json]
      Print each trace run in OTLP JSON trace files as an indented span tree
      (duration, kind, tokens, status, source location). --json prints it as JSON.
      \`-\` (or /dev/stdin) reads standard input.
  tracerun export <file-or-dir>... --trace ID [--format json|otlp] [--max-payload-chars N]
      Print one run: as a nested JSON document (each span's kind, timing, status, model,
      tokens, input, output and conversation; strings longer than N characters, default
      ${DEFAULT_COPY_MAX_PAYLOAD_CHARS}, shortened, 0 keeps them whole), or as one OTLP JSON line.
  tracerun receive [--port N] [--grpc-port N] [--out DIR]
      Run the OTLP receivers (HTTP on 127.0.0.1:${DEFAULT_HTTP_PORT}, gRPC on 127.0.0.1:${DEFAULT_GRPC_PORT}) without
      VS Code, appending every accepted request to DIR/otlp-YYYY-MM-DD.jsonl
      (default DIR: ./${DEFAULT_RECEIVER_FOLDER}).
  tracerun replay <file-or-dir>... --span ID [--edit FILE] [--provider openai|anthropic]
                  [--base-url URL] [--model M] [--times N] [--json]
      Rebuild the request of a recorded LLM span (or read the edited replay document FILE),
      send it N times (default 1) to an OpenAI-compatible endpoint or Anthropic's Messages API,
      print the answers and a diff against the recorded one, and append the replay run to
      ./${DEFAULT_RECEIVER_FOLDER}/replays.jsonl. The key comes from OPENAI_API_KEY or ANTHROPIC_API_KEY.`;

/** Where a command writes its lines: the process's stdout and stderr, or a test's lists. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Environment and folder for `replay` (the API key, where the run is written); default the process's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

function port(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** Runs `tracerun <argv>`; returns the exit code (2 for a usage error). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const { out, err } = io;
  const fail = (message: string): number => {
    err(`tracerun: ${message}\n${USAGE}`);
    return 2;
  };
  try {
    switch (command) {
      case 'tree': {
        const { values, positionals } = parseArgs({ args: rest, options: { json: { type: 'boolean', default: false } }, allowPositionals: true });
        if (positionals.length === 0) return fail('tree needs at least one file or folder');
        return await treeCommand(positionals, { json: values.json === true, out, err });
      }
      case 'export': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { trace: { type: 'string' }, format: { type: 'string', default: 'json' }, 'max-payload-chars': { type: 'string' } },
          allowPositionals: true,
        });
        if (positionals.length === 0) return fail('export needs at least one file or folder');
        if (!values.trace) return fail('export needs --trace ID');
        if (values.format !== 'json' && values.format !== 'otlp') return fail(`--format must be json or otlp, not "${values.format}"`);
        const max = values['max-payload-chars'] === undefined ? DEFAULT_COPY_MAX_PAYLOAD_CHARS : Number(values['max-payload-chars']);
        if (!Number.isInteger(max) || max < 0) return fail(`--max-payload-chars must be a whole number, not "${values['max-payload-chars']}"`);
        return await exportCommand(positionals, { traceId: values.trace, format: values.format, maxPayloadChars: max, out, err });
      }
      case 'receive': {
        const { values } = parseArgs({
          args: rest,
          options: { port: { type: 'string' }, 'grpc-port': { type: 'string' }, out: { type: 'string' } },
        });
        const httpPort = port(values.port, DEFAULT_HTTP_PORT);
        const grpcPort = port(values['grpc-port'], DEFAULT_GRPC_PORT);
        if (httpPort === undefined) return fail(`--port must be a port number, not "${values.port}"`);
        if (grpcPort === undefined) return fail(`--grpc-port must be a port number, not "${values['grpc-port']}"`);
        return await receiveCommand({ httpPort, grpcPort, outDir: values.out ?? DEFAULT_RECEIVER_FOLDER, out, err });
      }
      case 'replay': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: {
            span: { type: 'string' },
            edit: { type: 'string' },
            provider: { type: 'string' },
            'base-url': { type: 'string' },
            model: { type: 'string' },
            times: { type: 'string', default: '1' },
            json: { type: 'boolean', default: false },
          },
          allowPositionals: true,
        });
        if (positionals.length === 0) return fail('replay needs at least one file or folder');
        if (!values.span) return fail('replay needs --span ID');
        const times = Number(values.times);
        if (!Number.isInteger(times) || times < 1 || times > 100) return fail(`--times must be a whole number from 1 to 100, not "${values.times}"`);
        return await replayCommand(positionals, {
          spanId: values.span,
          edit: values.edit,
          provider: values.provider,
          baseUrl: values['base-url'],
          model: values.model,
          times,
          json: values.json === true,
          env: io.env ?? process.env,
          cwd: io.cwd ?? process.cwd(),
          out,
          err,
        });
      }
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        return fail(`unknown command "${command}"`);
    }
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}
