// What the integration tests share: the setup scripts (a venv, a Collector), child processes
// with captured output, the core's receivers writing into a workspace, and the workspace read
// the way the extension reads it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { OtlpReceivers } from '../../src/core/receiver/otlpReceivers';
import { TraceFileWriter } from '../../src/core/receiver/traceFileWriter';
import { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import { loadSpanDetails, type SpanDetails } from '../../src/core/ingest/spanDetails';
import type { SpanRecord } from '../../src/core/model/span';
import type { Trace } from '../../src/core/model/trace';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const PYTHON_DIR = path.join(REPO, 'test', 'python');

/** Runs a setup script (it reuses its cached result) and returns the path it prints last. */
export async function setup(script: 'setup-python.sh' | 'setup-collector.sh' | 'setup-jaeger.sh'): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [path.join(REPO, 'scripts', script)], { cwd: REPO, maxBuffer: 16 * 1024 * 1024, timeout: 30 * 60_000 });
  const last = stdout.trim().split('\n').at(-1);
  if (!last) throw new Error(`${script} printed no path`);
  return last;
}

/** A loopback port free at the time of asking (for servers whose config takes a fixed port). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Running {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly done: Promise<Finished>;
}

export function start(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, output: () => stdout + stderr, done };
}

/** Runs one of test/python's agents to its end; fails with its output when it fails. */
export async function runAgent(python: string, agent: string, env: NodeJS.ProcessEnv): Promise<Finished> {
  const run = start(python, [path.join(PYTHON_DIR, agent)], { cwd: PYTHON_DIR, env: { PYTHONUNBUFFERED: '1', ...env } });
  const result = await run.done;
  if (result.code !== 0) throw new Error(`${agent} exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** The core's OTLP receivers on free loopback ports, writing into `<folder>/.tracerun`. */
export async function startReceivers(folder: string): Promise<{ receivers: OtlpReceivers; httpUrl: string; grpcUrl: string }> {
  const receivers = new OtlpReceivers({ sink: new TraceFileWriter({ dir: path.join(folder, '.tracerun') }), httpPort: 0, grpcPort: 0 });
  const [http, grpc] = await receivers.start();
  if (http.state !== 'listening' || grpc.state !== 'listening') throw new Error(`receivers: ${http.state} ${http.error ?? ''} / ${grpc.state} ${grpc.error ?? ''}`);
  return { receivers, httpUrl: `http://127.0.0.1:${http.port}`, grpcUrl: `http://127.0.0.1:${grpc.port}` };
}

/** The folder as the extension sees it: watched, every trace file tailed into one store. */
export async function watchWorkspace(folder: string, problems: string[] = []): Promise<TraceWorkspace> {
  const ws = new TraceWorkspace();
  ws.onDidChangeProblems((p) => {
    if ('message' in p) problems.push(`${p.file}:${p.line}: ${p.message}`);
  });
  await ws.watch({ folders: [folder], onError: (m) => problems.push(m) });
  return ws;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function spansOf(trace: Trace): SpanRecord[] {
  return [...trace.allSpans()].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
}

export async function detailsOf(span: SpanRecord): Promise<SpanDetails> {
  return loadSpanDetails(span);
}
