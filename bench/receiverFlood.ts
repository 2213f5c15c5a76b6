// Floods (issue 15 items 1–3): 100 OTLP/HTTP requests at once, each ~32 KB of gzip that
// decodes to just under 32 MiB of valid OTLP JSON; 100 OTLP/gRPC calls over 5 connections,
// each a gzip-compressed message decoding to the same; 50 uploads that stall after their
// headers while 100 small exports are sent beside them. The receivers run
// in a child process (both, sharing one budget, as the extension runs them) that samples its
// own resident memory; the rows are its peak during each flood, the baseline its idle RSS.
// Loopback only, bounded in count and time. Part of `npm run bench`; alone:
// `node --expose-gc out/bench/receiverFlood.js` (TRACERUN_BENCH_FLOODS=grpc runs one flood).
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { OtlpReceivers } from '../src/core/receiver/otlpReceivers';
import { TRACE_EXPORT_PATH, encodeTraceRequestProto } from '../src/core/receiver/otlpProto';
import { DEFAULT_MAX_BODY_BYTES } from '../src/core/receiver/receiverCommon';
import { TraceFileWriter } from '../src/core/receiver/traceFileWriter';

export interface FloodBenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
}

const REQUESTS = Number(process.env.TRACERUN_BENCH_FLOOD_REQUESTS ?? 100);
/** Which floods to run (comma-separated: gzip, grpc, stalled); all by default. */
const FLOODS = new Set((process.env.TRACERUN_BENCH_FLOODS ?? 'gzip,grpc,stalled').split(',').map((s) => s.trim()));
const GRPC_CONNECTIONS = 5;
/** Decoded size of each request: just under the default body limit, so each is acceptable alone. */
const DECODED_BYTES = DEFAULT_MAX_BODY_BYTES - 4096;
const MB = 1024 * 1024;

/** Headroom over idle that the floods must stay under (issue 15, item 1). */
export const FLOOD_TARGETS: Record<string, string> = {
  'receiver.peakRssMB.gzipFlood': 'value − baseline < 256 MB',
  'receiver.peakRssMB.grpcFlood': 'value − baseline < 256 MB',
  'receiver.peakRssMB.stalledFlood': 'value − baseline < 256 MB, every export 200',
};

/** Uploads that send their headers (declaring a full-size body) and a little of it, then stall. */
const STALLED = 50;
const EXPORTS_BESIDE_STALLED = 100;

type ToChild = { type: 'peak' } | { type: 'stop' };
type FromChild = { type: 'ready'; httpPort: number; grpcPort: number; idleRss: number } | { type: 'peak'; peakRss: number };

/** One span; with `fill`, its name makes the request just under the body limit (gzip ~1000:1). */
function spanRequest(seq: number, fill: boolean): Record<string, unknown> {
  const span = {
    traceId: (0xf100d000 + seq).toString(16).padStart(32, '0'),
    spanId: (0xf100d000 + seq).toString(16).padStart(16, '0'),
    name: 'small',
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000001000000000',
  };
  if (fill) span.name = 'x'.repeat(DECODED_BYTES - JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, name: '' }] }] }] }).length);
  return { resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] };
}

interface Answer {
  readonly status: number;
  readonly retryAfter: string | undefined;
}

function postGzip(port: number, body: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent: false, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length } },
      (res) => {
        res.resume();
        const retryAfter = res.headers['retry-after'];
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter }));
      },
    );
    req.on('error', () => resolve({ status: -1, retryAfter: undefined }));
    req.setTimeout(60_000, () => req.destroy());
    req.end(body);
  });
}

function postJson(port: number, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

/** A raw gRPC call whose one message is already gzip-compressed (flag 1, `grpc-encoding: gzip`). */
function grpcCall(session: http2.ClientHttp2Session, compressed: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const stream = session.request({ ':method': 'POST', ':path': TRACE_EXPORT_PATH, 'content-type': 'application/grpc', 'grpc-encoding': 'gzip', te: 'trailers' });
    let status = -1;
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) status = Number(h['grpc-status']);
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('error', () => {});
    stream.on('close', () => resolve(status));
    stream.resume();
    const prefix = Buffer.alloc(5);
    prefix.writeUInt8(1, 0);
    prefix.writeUInt32BE(compressed.length, 1);
    stream.end(Buffer.concat([prefix, compressed]));
  });
}

/**
 * The gzip flood's answers must be what an exporter can act on, or a low peak could come from
 * requests cut or failed: each request acknowledged (200) or told to come back (503 with
 * Retry-After), and at least one acknowledged (the budget admits a request alone). Throws
 * naming what else came.
 */
export function checkGzipFloodAnswers(answers: readonly Answer[]): void {
  const ok = answers.filter((a) => a.status === 200).length;
  const retry = answers.filter((a) => a.status === 503 && a.retryAfter !== undefined && Number(a.retryAfter) > 0).length;
  if (ok < 1 || ok + retry !== answers.length) {
    const other = answers.filter((a) => a.status !== 200 && !(a.status === 503 && a.retryAfter !== undefined && Number(a.retryAfter) > 0));
    throw new Error(`gzip flood: expected 200 or 503 with Retry-After for each request, at least one 200; got ${tally(answers.map((a) => a.status))}` + (other.length ? ` (${other.length} neither, e.g. ${JSON.stringify(other[0])})` : ''));
  }
}

function tally(statuses: number[]): string {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${n}× ${s === -1 ? 'cut' : s}`).join(', ');
}

function ask(child: ChildProcess, message: ToChild): Promise<FromChild> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as FromChild));
    child.send(message);
  });
}

type Ready = Extract<FromChild, { type: 'ready' }>;

/**
 * Runs `flood` against a fresh receiver process (memory a process has taken stays in its RSS,
 * so each flood starts from idle) and returns the process's peak RSS during it, with its idle RSS.
 */
async function inReceiverProcess(flood: (ready: Ready) => Promise<void>): Promise<{ peakMB: number; idleMB: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracerun-flood-'));
  const child = fork(path.join(__dirname, 'receiverFlood.js'), ['serve', dir], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const ready = await new Promise<FromChild>((resolve, reject) => {
      child.once('message', (m) => resolve(m as FromChild));
      child.once('exit', (code) => reject(new Error(`the receiver process exited (${code})`)));
    });
    if (ready.type !== 'ready') throw new Error('unexpected message from the receiver process');
    await flood(ready);
    const peak = await ask(child, { type: 'peak' });
    if (peak.type !== 'peak') throw new Error('unexpected message from the receiver process');
    return { peakMB: peak.peakRss / MB, idleMB: ready.idleRss / MB };
  } finally {
    child.send({ type: 'stop' } satisfies ToChild);
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const seconds = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1);

export async function benchReceiverFlood(log: (message: string) => void = console.log): Promise<FloodBenchResult[]> {
  const results: FloodBenchResult[] = [];
  const row = (name: string, r: { peakMB: number; idleMB: number }, what: string) => {
    log(`  ${what}: peak RSS ${r.peakMB.toFixed(0)} MB (+${(r.peakMB - r.idleMB).toFixed(0)} over idle ${r.idleMB.toFixed(0)} MB)`);
    results.push({ name, value: r.peakMB, unit: 'MB', baseline: r.idleMB });
  };

  let answers = '';
  let t0 = 0;
  if (FLOODS.has('gzip')) {
    const json = Buffer.from(JSON.stringify(spanRequest(1, true)));
    const gz = gzipSync(json, { level: 9 });
    const http1 = await inReceiverProcess(async (ready) => {
      t0 = Date.now();
      const replies = await Promise.all(Array.from({ length: REQUESTS }, () => postGzip(ready.httpPort, gz)));
      answers = tally(replies.map((a) => a.status));
      checkGzipFloodAnswers(replies);
    });
    row('receiver.peakRssMB.gzipFlood', http1, `OTLP/HTTP: ${REQUESTS} requests at once, each ${(gz.length / 1024).toFixed(0)} KB of gzip decoding to ${(json.length / MB).toFixed(1)} MiB, in ${seconds(t0)} s (${answers})`);
  }

  if (FLOODS.has('grpc')) {
    const proto = gzipSync(Buffer.from(encodeTraceRequestProto(spanRequest(2, true))), { level: 9 });
    const grpcFlood = await inReceiverProcess(async (ready) => {
      const sessions = Array.from({ length: GRPC_CONNECTIONS }, () => http2.connect(`http://127.0.0.1:${ready.grpcPort}`));
      for (const s of sessions) s.on('error', () => {});
      t0 = Date.now();
      answers = tally(await Promise.all(Array.from({ length: REQUESTS }, (_, i) => grpcCall(sessions[i % GRPC_CONNECTIONS], proto))));
      for (const s of sessions) s.close();
    });
    row('receiver.peakRssMB.grpcFlood', grpcFlood, `OTLP/gRPC: ${REQUESTS} calls over ${GRPC_CONNECTIONS} connections, ${(proto.length / 1024).toFixed(0)} KB gzip messages, in ${seconds(t0)} s (grpc-status ${answers}; 0 OK, 14 UNAVAILABLE)`);
  }

  // Item 3: stalled uploads must neither hold memory nor make other exports wait or fail.
  if (FLOODS.has('stalled')) {
    const stalledFlood = await inReceiverProcess(async (ready) => {
      const stalled = Array.from({ length: STALLED }, () => {
        const req = http.request({ host: '127.0.0.1', port: ready.httpPort, method: 'POST', path: '/v1/traces', agent: false, headers: { 'content-type': 'application/json', 'content-length': DEFAULT_MAX_BODY_BYTES } });
        req.on('error', () => {});
        req.on('response', (res) => res.resume());
        req.write('{"resourceSpans":[' + ' '.repeat(1000));
        return req;
      });
      await new Promise((r) => setTimeout(r, 200));
      t0 = Date.now();
      const statuses: number[] = [];
      for (let i = 0; i < EXPORTS_BESIDE_STALLED; i += 10) {
        statuses.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => postJson(ready.httpPort, Buffer.from(JSON.stringify(spanRequest(100 + i + j, false))))))));
      }
      answers = tally(statuses);
      for (const req of stalled) req.destroy();
      if (statuses.some((s) => s !== 200)) throw new Error(`exports beside stalled uploads were not all acknowledged: ${answers}`);
    });
    row('receiver.peakRssMB.stalledFlood', stalledFlood, `${STALLED} uploads stalled after declaring ${DEFAULT_MAX_BODY_BYTES / MB} MiB; ${EXPORTS_BESIDE_STALLED} exports beside them in ${seconds(t0)} s (${answers})`);
  }
  log('  baseline: the receiver process’s resident memory when idle (both receivers listening, a fresh process per flood)');
  return results;
}

/** The child: both receivers as the extension runs them, reporting their process's peak RSS. */
async function serve(dir: string): Promise<void> {
  const receivers = new OtlpReceivers({ sink: new TraceFileWriter({ dir }), httpPort: 0, grpcPort: 0 });
  const [h, g] = await receivers.start();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((r) => setTimeout(r, 300));
  gc?.();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  process.send!({ type: 'ready', httpPort: h.port!, grpcPort: g.port!, idleRss: process.memoryUsage.rss() } satisfies FromChild);
  process.on('message', (m: ToChild) => {
    if (m.type === 'peak') {
      process.send!({ type: 'peak', peakRss: Math.max(peak, process.memoryUsage.rss()) } satisfies FromChild);
      gc?.();
      peak = process.memoryUsage.rss();
    } else {
      clearInterval(sampler);
      void receivers.close().then(() => process.exit(0));
    }
  });
}

if (require.main === module && /receiverFlood\.[jt]s$/.test(process.argv[1] ?? '')) {
  if (process.argv[2] === 'serve') {
    void serve(process.argv[3]);
  } else {
    benchReceiverFlood().then(
      (results) => console.table(results),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  }
}
