// A real Jaeger (the all-in-one `jaeger` binary built by scripts/setup-jaeger.sh) on free
// loopback ports: OTLP in, in-memory storage, the query service's HTTP API out.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, start, waitFor, type Running } from './harness';

export interface JaegerServer {
  /** The query service (UI and API). */
  readonly queryUrl: string;
  /** OTLP/HTTP receiver. */
  readonly otlpUrl: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

export async function jaegerServer(bin: string): Promise<JaegerServer> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'tracerun-jaeger-'));
  const [query, queryGrpc, otlpHttp, otlpGrpc] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const config = path.join(folder, 'jaeger.yaml');
  writeFileSync(
    config,
    [
      'service:',
      '  extensions: [jaeger_storage, jaeger_query]',
      '  pipelines:',
      '    traces:',
      '      receivers: [otlp]',
      '      processors: [batch]',
      '      exporters: [jaeger_storage_exporter]',
      '  telemetry:',
      '    metrics: { level: none }',
      'extensions:',
      '  jaeger_query:',
      '    storage: { traces: memstore }',
      // Jaeger would trace its own queries into the same store.
      '    enable_tracing: false',
      `    http: { endpoint: "127.0.0.1:${query}" }`,
      `    grpc: { endpoint: "127.0.0.1:${queryGrpc}" }`,
      '  jaeger_storage:',
      '    backends:',
      '      memstore: { memory: { max_traces: 10000 } }',
      'receivers:',
      '  otlp:',
      '    protocols:',
      `      http: { endpoint: "127.0.0.1:${otlpHttp}" }`,
      `      grpc: { endpoint: "127.0.0.1:${otlpGrpc}" }`,
      'processors:',
      '  batch: { timeout: 100ms }',
      'exporters:',
      '  jaeger_storage_exporter: { trace_storage: memstore }',
    ].join('\n'),
  );
  let running: Running | undefined;
  const queryUrl = `http://127.0.0.1:${query}`;
  const server: JaegerServer = {
    queryUrl,
    otlpUrl: `http://127.0.0.1:${otlpHttp}`,
    async start() {
      const run = start(bin, ['--config', config], { cwd: folder });
      running = run;
      let exited = false;
      void run.done.then(() => (exited = true), () => (exited = true));
      const ready = async () => {
        while (!exited) {
          const ok = await fetch(`${queryUrl}/api/v3/services`).then((r) => r.ok, () => false);
          if (ok) return;
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await Promise.race([
        Promise.all([ready(), waitFor('Jaeger to be ready', () => run.output().includes('Everything is ready'), 60_000)]),
        run.done.then((r) => {
          throw new Error(`Jaeger exited with ${r.code}:\n${r.stderr}`);
        }),
      ]);
    },
    async stop() {
      if (!running) return;
      running.child.kill('SIGTERM');
      await running.done;
      running = undefined;
    },
    async dispose() {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * A reverse proxy in front of Jaeger's query service that wants `Authorization: <token>`, as
 * teams put in front of it (Jaeger itself checks no credentials). Answers 401 without it.
 */
export async function authProxy(upstreamUrl: string, token: string): Promise<{ url: string; close(): Promise<void> }> {
  const proxy = http.createServer((req, res) => {
    if (req.headers.authorization !== token) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized');
      return;
    }
    const upstream = http.request(`${upstreamUrl}${req.url}`, { headers: { accept: 'application/json' } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end('bad gateway'));
    upstream.end();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
