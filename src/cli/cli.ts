import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_COPY_MAX_PAYLOAD_CHARS, DEFAULT_REMOTE_PAGE_SIZE, DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, DEFAULT_RECEIVER_FOLDER } from '../core/config/defaults';
import { exportCommand } from './exportCommand';
import { diffCommand } from './diffCommand';
import { Redactor } from '../core/privacy/redact';
import { datasetAddCommand } from './datasetCommand';
import { receiveCommand } from './receiveCommand';
import { replayCommand } from './replayCommand';
import { treeCommand } from './treeCommand';
import { remoteTreeCommand } from './remoteTreeCommand';
import { baseUrl, parseTraceRef } from '../core/remote/jaegerQuery';
import { parseSince } from '../core/remote/remoteRuns';

const USAGE = `usage:
  tracerun tree <file-or-dir>... [--json [--messages]] [--workspace DIR]
      Print each trace run in trace files (OTLP JSON, Tempo/Jaeger downloads,
      LangSmith runs, the simple span format, console exporter logs) as an indented span tree
      (duration, kind, tokens, status, source location); one model call recorded twice
      is one line ('+ other name'). --json prints it as JSON, every span;
      --messages adds each span's conversation and time to first token to it.
      A span's source is found in DIR (default: the current folder) from its code.*
      attributes or a stack trace on it; paths recorded elsewhere map by their suffix.
      \`-\` (or /dev/stdin) reads standard input.
  tracerun tree --jaeger URL (--trace ID | --service NAME [--operation OP] [--since 1h] [--limit N])
                [--json [--messages]] [--workspace DIR]
      The same tree for a trace fetched from Jaeger's query service at URL (API v3, else v1),
      by id, or the service's latest N traces (default ${DEFAULT_REMOTE_PAGE_SIZE}) of the last --since (default 1h).
      A header the query service wants (auth) comes from TRACERUN_JAEGER_HEADER="Name: value".
  tracerun export <file-or-dir>... --trace ID [--format json|otlp] [--max-payload-chars N]
      Print one run: as a nested JSON document (each span's kind, timing, status, model,
      tokens, input, output and conversation; strings longer than N characters, default
      ${DEFAULT_COPY_MAX_PAYLOAD_CHARS}, shortened, 0 keeps them whole), or as OTLP JSON: a
      line of spans, then a line of log records when the run has any.
  tracerun diff <file-or-dir>... --trace A --trace B [--json]
      Compare two runs span by span: spans paired by name and position among
      siblings, what changed per pair (duration, status, model, tokens, inputs,
      outputs, messages) and the first divergence. A trace id may be shortened.
  tracerun receive [--port N] [--grpc-port N] [--out DIR]
      Run the OTLP receivers (HTTP on 127.0.0.1:${DEFAULT_HTTP_PORT}, gRPC on 127.0.0.1:${DEFAULT_GRPC_PORT}) without
      VS Code, appending every accepted request to DIR/otlp-YYYY-MM-DD.jsonl
      (default DIR: ./${DEFAULT_RECEIVER_FOLDER}).
  tracerun dataset add <file-or-dir>... --name NAME [--span NAME] [--expected]
      Append each run (its root span), or every span named --span, to
      ./.tracerun/datasets/NAME.jsonl as {input, output, expected?, metadata}; spans
      already there are not added again. --expected keeps the output as expected.
  tracerun replay <file-or-dir>... --span ID [--edit FILE] [--provider openai|anthropic]
                  [--base-url URL] [--model M] [--times N] [--json]
      Rebuild the request of a recorded LLM span (or read the edited replay document FILE),
      send it N times (default 1) to an OpenAI-compatible endpoint or Anthropic's Messages API,
      print the answers and a diff against the recorded one, and append the replay run to
      ./${DEFAULT_RECEIVER_FOLDER}/replays.jsonl. The key comes from OPENAI_API_KEY or ANTHROPIC_API_KEY.
Secrets (API keys, bearer tokens, private keys, e-mail addresses) are masked in
everything printed and written; --no-redact prints them as they are.`;

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

async function isFolder(dir: string): Promise<boolean> {
  return (await stat(dir).catch(() => undefined))?.isDirectory() === true;
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
        const { values, positionals } = parseArgs({
          args: rest,
          options: {
            json: { type: 'boolean', default: false },
            messages: { type: 'boolean', default: false },
            workspace: { type: 'string' },
            jaeger: { type: 'string' },
            trace: { type: 'string' },
            service: { type: 'string' },
            operation: { type: 'string' },
            since: { type: 'string' },
            limit: { type: 'string' },
          },
          allowPositionals: true,
        });
        if (values.messages && !values.json) return fail('--messages goes with --json');
        if (values.workspace !== undefined && !(await isFolder(values.workspace))) return fail(`--workspace ${values.workspace} is not a folder`);
        if (values.jaeger !== undefined) {
          if (positionals.length > 0) return fail('tree reads files or --jaeger, not both');
          const jaeger = values.jaeger;
          try {
            baseUrl(jaeger);
          } catch {
            return fail(`--jaeger must be the http(s) URL of Jaeger's query service, not "${jaeger}"`);
          }
          if (!values.trace === !values.service) return fail('--jaeger needs --trace ID or --service NAME');
          const ref = values.trace === undefined ? undefined : parseTraceRef(values.trace);
          if (values.trace !== undefined && !ref) return fail(`--trace must be a trace id (hex), not "${values.trace}"`);
          const sinceMs = values.since === undefined ? undefined : parseSince(values.since);
          if (values.since !== undefined && sinceMs === undefined) return fail(`--since must be a span of time like 30m, 1h or 2d, not "${values.since}"`);
          const limit = values.limit === undefined ? undefined : Number(values.limit);
          if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) return fail(`--limit must be a whole number above 0, not "${values.limit}"`);
          return await remoteTreeCommand({
            jaeger,
            traceId: ref?.traceId,
            service: values.service,
            operation: values.operation,
            sinceMs,
            limit,
            header: (io.env ?? process.env).TRACERUN_JAEGER_HEADER,
            json: values.json === true,
            messages: values.messages === true,
            out,
            err,
            workspace: values.workspace,
          });
        }
        if (positionals.length === 0) return fail('tree needs at least one file or folder, or --jaeger URL');
        return await treeCommand(positionals, { json: values.json === true, messages: values.messages === true, out, err, workspace: values.workspace });
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
      case 'diff': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { json: { type: 'boolean', default: false }, trace: { type: 'string', multiple: true } },
          allowPositionals: true,
        });
        if (positionals.length === 0) return fail('diff needs at least one file or folder');
        const traces = values.trace ?? [];
        if (traces.length !== 2) return fail(`diff needs two runs: --trace A --trace B (got ${traces.length})`);
        return await diffCommand(positionals, { traceA: traces[0], traceB: traces[1], json: values.json === true, out, err });
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
