// OTLP/HTTP receiver throughput: many keep-alive loopback clients POST batches of realistic
// LLM-agent spans (protobuf, then JSON) to the real receiver writing the daily trace file;
// every span must be acknowledged and found in the file afterwards. Baseline: a bare node
// `http` server that only reads each body and answers 200, under the same load.
// Part of `npm run bench` (bench/run.ts); alone: `node out/bench/receiver.js`
// (TRACERUN_BENCH_RECEIVER_FORMATS=json measures one format).
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { readOtlpJson } from '../src/core/ingest/otlp/otlpJsonReader';
import { OtlpHttpReceiver } from '../src/core/receiver/httpReceiver';
import { encodeTraceRequestProto } from '../src/core/receiver/otlpProto';
import { TraceFileWriter } from '../src/core/receiver/traceFileWriter';
import { AgentTraceGenerator } from './generate';

export interface ReceiverBenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
}

const BATCHES = Number(process.env.TRACERUN_BENCH_RECEIVER_BATCHES ?? 400);
const BATCH_SPANS = 100;
const CLIENTS = Number(process.env.TRACERUN_BENCH_RECEIVER_CLIENTS ?? 24);
const ROUNDS = Number(process.env.TRACERUN_BENCH_RECEIVER_ROUNDS ?? 3);
/** Which formats to measure (comma-separated: protobuf, json); both by default. */
const FORMATS = (process.env.TRACERUN_BENCH_RECEIVER_FORMATS ?? 'protobuf,json').split(',').map((s) => s.trim());

type Format = 'protobuf' | 'json';
const CONTENT_TYPE: Record<Format, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

interface Load {
  readonly bodies: Record<Format, Buffer[]>;
  /** `traceId/spanId` of every span sent. */
  readonly keys: Set<string>;
  readonly spans: number;
}

function makeLoad(): Load {
  const gen = new AgentTraceGenerator(424242);
  const json: Buffer[] = [];
  const protobuf: Buffer[] = [];
  const keys = new Set<string>();
  let spans = 0;
  for (let i = 0; i < BATCHES; i++) {
    const batch = gen.nextBatch(BATCH_SPANS);
    json.push(Buffer.from(batch.line));
    protobuf.push(Buffer.from(encodeTraceRequestProto(JSON.parse(batch.line))));
    for (const s of batch.spans) keys.add(`${s.traceId}/${s.spanId}`);
    spans += batch.spans.length;
  }
  if (keys.size !== spans) throw new Error(`the generator repeated span ids (${keys.size} of ${spans})`);
  return { bodies: { json, protobuf }, keys, spans };
}

function post(agent: http.Agent, port: number, contentType: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent, headers: { 'content-type': contentType, 'content-length': body.length } },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** All bodies through `clients` keep-alive connections; every answer must be 200. */
async function drive(port: number, contentType: string, bodies: readonly Buffer[]): Promise<{ seconds: number; latencies: number[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  try {
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const t = performance.now();
          const status = await post(agent, port, contentType, body);
          if (status !== 200) throw new Error(`the server answered ${status}`);
          latencies.push(performance.now() - t);
        }
      }),
    );
    return { seconds: (performance.now() - t0) / 1000, latencies };
  } finally {
    agent.destroy();
  }
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function runBaseline(format: Format, load: Load): Promise<number> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': CONTENT_TYPE[format], 'content-length': 0 });
      res.end();
    });
  });
  const port = await listen(server);
  try {
    return (await drive(port, CONTENT_TYPE[format], load.bodies[format])).seconds;
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

/** Reads every line the receiver wrote and checks it holds exactly the spans sent. */
function verify(dir: string, load: Load): void {
  const seen = new Set<string>();
  let count = 0;
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    const buf = fs.readFileSync(file);
    let start = 0;
    let line = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      line++;
      const r = readOtlpJson(buf, start, nl, { file, line, byteBase: 0 });
      if (r.problems.length > 0) throw new Error(`${file}:${line}: ${r.problems[0]}`);
      for (const s of r.spans) seen.add(`${s.traceId}/${s.spanId}`);
      count += r.spans.length;
      start = nl + 1;
    }
    if (start !== buf.length) throw new Error(`${file} ends with a partial line`);
  }
  if (count !== load.spans) throw new Error(`the file holds ${count} spans, ${load.spans} were acknowledged`);
  for (const k of load.keys) if (!seen.has(k)) throw new Error(`acknowledged span ${k} is not in the file`);
}

async function runOurs(format: Format, load: Load): Promise<{ seconds: number; latencies: number[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracerun-receiver-bench-'));
  let counted = 0;
  const receiver = new OtlpHttpReceiver({ sink: new TraceFileWriter({ dir }), port: 0, onSpans: (n) => (counted += n) });
  try {
    const { port } = await receiver.start();
    const r = await drive(port, CONTENT_TYPE[format], load.bodies[format]);
    if (counted !== load.spans) throw new Error(`onSpans counted ${counted} spans, ${load.spans} were sent`);
    verify(dir, load);
    return r;
  } finally {
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export async function benchReceiver(log: (message: string) => void = console.log): Promise<ReceiverBenchResult[]> {
  const load = makeLoad();
  const mb = (format: Format) => load.bodies[format].reduce((a, b) => a + b.length, 0) / 1e6;
  log(
    `  load: ${BATCHES} requests of ${BATCH_SPANS} spans from ${CLIENTS} keep-alive clients; ` +
      `protobuf ${mb('protobuf').toFixed(1)} MB, JSON ${mb('json').toFixed(1)} MB`,
  );
  const results: ReceiverBenchResult[] = [];
  for (const format of (['protobuf', 'json'] as const).filter((f) => FORMATS.includes(f))) {
    // Warm-up (JIT, sockets), not counted.
    await runBaseline(format, load);
    await runOurs(format, load);
    const base: number[] = [];
    const ours: number[] = [];
    let latencies: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ['base', 'ours'] : ['ours', 'base'];
      for (const which of order) {
        if (which === 'base') base.push(await runBaseline(format, load));
        else {
          const r = await runOurs(format, load);
          ours.push(r.seconds);
          if (r.seconds <= Math.min(...ours)) latencies = r.latencies;
        }
      }
    }
    const best = Math.min(...ours);
    const bestBase = Math.min(...base);
    latencies.sort((a, b) => a - b);
    log(
      `  ${format}: receiver ${(load.spans / best).toFixed(0)} spans/s (${(mb(format) / best).toFixed(1)} MB/s), ` +
        `request latency p50 ${pct(latencies, 50).toFixed(1)} ms p99 ${pct(latencies, 99).toFixed(1)} ms; ` +
        `bare server ${(load.spans / bestBase).toFixed(0)} spans/s; all ${load.spans} spans acknowledged and found in the file`,
    );
    results.push({ name: `receiver.spansPerSec.${format}`, value: load.spans / best, unit: 'spans/s', baseline: load.spans / bestBase });
  }
  log('  baseline: a bare node http server that reads each body and answers 200, same clients and bodies');
  return results;
}

// Run alone only when this file is the entry point (bundled into run.js, `module` is run.js's).
if (require.main === module && /receiver\.[jt]s$/.test(process.argv[1] ?? '')) {
  benchReceiver().then(
    (results) => console.table(results),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
