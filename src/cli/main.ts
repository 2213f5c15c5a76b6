import { parseArgs } from 'node:util';
import { receiveCommand } from './receiveCommand';
import { treeCommand } from './treeCommand';

const USAGE = `usage:
  tracerun tree <file-or-dir>... [--json]
      Print each trace run in OTLP JSON trace files as an indented span tree
      (duration, kind, tokens, status, source location). --json prints it as JSON.
      \`-\` (or /dev/stdin) reads standard input.
  tracerun receive [--port N] [--grpc-port N] [--out DIR]
      Run the OTLP receivers (HTTP on 127.0.0.1:4318, gRPC on 127.0.0.1:4317) without
      VS Code, appending every accepted request to DIR/otlp-YYYY-MM-DD.jsonl
      (default DIR: ./.tracerun).`;

function fail(message: string): number {
  process.stderr.write(`tracerun: ${message}\n${USAGE}\n`);
  return 2;
}

function port(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const out = (text: string) => process.stdout.write(text + '\n');
  const err = (text: string) => process.stderr.write(text + '\n');
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
        const httpPort = port(values.port, 4318);
        const grpcPort = port(values['grpc-port'], 4317);
        if (httpPort === undefined) return fail(`--port must be a port number, not "${values.port}"`);
        if (grpcPort === undefined) return fail(`--grpc-port must be a port number, not "${values['grpc-port']}"`);
        return await receiveCommand({ httpPort, grpcPort, outDir: values.out ?? '.tracerun', out, err });
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

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
