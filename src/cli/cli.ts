import { parseArgs } from 'node:util';
import { DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, DEFAULT_RECEIVER_FOLDER } from '../core/config/defaults';
import { Redactor } from '../core/privacy/redact';
import { datasetAddCommand } from './datasetCommand';
import { receiveCommand } from './receiveCommand';
import { treeCommand } from './treeCommand';

const USAGE = `usage:
  tracerun tree <file-or-dir>... [--json]
      Print each trace run in trace files (OTLP JSON, Tempo/Jaeger downloads,
      LangSmith runs, the simple span format, console exporter logs) as an indented span tree
      (duration, kind, tokens, status, source location). --json prints it as JSON.
      \`-\` (or /dev/stdin) reads standard input.
  tracerun receive [--port N] [--grpc-port N] [--out DIR]
      Run the OTLP receivers (HTTP on 127.0.0.1:${DEFAULT_HTTP_PORT}, gRPC on 127.0.0.1:${DEFAULT_GRPC_PORT}) without
      VS Code, appending every accepted request to DIR/otlp-YYYY-MM-DD.jsonl
      (default DIR: ./${DEFAULT_RECEIVER_FOLDER}).
  tracerun dataset add <file-or-dir>... --name NAME [--span NAME] [--expected]
      Append each run (its root span), or every span named --span, to
      ./.tracerun/datasets/NAME.jsonl as {input, output, expected?, metadata}; spans
      already there are not added again. --expected keeps the output as expected.
Secrets (API keys, bearer tokens, private keys, e-mail addresses) are masked in
everything printed and written; --no-redact prints them as they are.`;

/** Where a command writes its lines: the process's stdout and stderr, or a test's lists. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

function port(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** Runs `tracerun <argv>`; returns the exit code (2 for a usage error). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Masking is the default wherever text leaves the trace files; `--no-redact` opts out.
  const redact = !argv.includes('--no-redact');
  const [command, ...rest] = argv.filter((a) => a !== '--no-redact');
  const redactor = new Redactor(redact ? {} : { defaults: false });
  const out = redact ? (text: string) => io.out(redactor.text(text)) : io.out;
  const err = redact ? (text: string) => io.err(redactor.text(text)) : io.err;
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
      case 'dataset': {
        const [sub, ...args] = rest;
        if (sub !== 'add') return fail(sub === undefined ? 'dataset needs a subcommand: add' : `unknown dataset subcommand "${sub}"`);
        const { values, positionals } = parseArgs({
          args,
          options: { name: { type: 'string' }, span: { type: 'string' }, expected: { type: 'boolean', default: false } },
          allowPositionals: true,
        });
        if (positionals.length === 0) return fail('dataset add needs at least one file or folder');
        if (!values.name) return fail('dataset add needs --name NAME');
        return await datasetAddCommand(positionals, { name: values.name, span: values.span, expected: values.expected === true, root: process.cwd(), redactor, out, err });
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
