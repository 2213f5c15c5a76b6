// Floods of compressed requests (issue 15 items 1–2): 100 OTLP/HTTP requests at once, each
// ~32 KB of gzip that decodes to just under 32 MiB of valid OTLP JSON; then 100 OTLP/gRPC calls
// over 5 connections, each a gzip-compressed message decoding to the same. The receivers run
// in a child process (both, sharing one budget, as the extension runs them) that samples its
// own resident memory; the rows are its peak during each flood, the baseline its idle RSS.
// Loopback only, bounded in count and time. Part of `npm run bench`; alone:
// `node --expose-gc out/bench/receiverFlood.js`.
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
const GRPC_CONNECTIONS = 5;
/** Decoded size of each request: just under the default body limit, so each is acceptable alone. */
const DECODED_BYTES = DEFAULT_MAX_BODY_BYTES - 4096;
const MB = 1024 * 1024;

/** Headroom over idle that the floods must stay under (issue 15, item 1). */
export const FLOOD_TARGETS: Record<string, string> = {
  'receiver.peakRssMB.gzipFlood': 'value − baseline < 256 MB',
  'receiver.peakRssMB.grpcFlood': 'value − baseline < 256 MB',
};

type ToChild = { type: 'peak' } | { type: 'stop' };
type FromChild = { type: 'ready'; httpPort: number; grpcPort: number; idleRss: number } | { type: 'peak'; peakRss: number };

/** One span whose name fills the request: compresses about 1000:1. */
function bigRequest(seq: number): Record<string, unknown> {
  const span = {
    traceId: (0xf100d000 + seq).toString(16).padStart(32, '0'),
    spanId: (0xf100d000 + seq).toString(16).padStart(16, '0'),
    name: '',
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000001000000000',
  };
  const shell = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
  span.name = 'x'.repeat(DECODED_BYTES - shell.length);
  return { resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] };
}

function postGzip(port: number, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent: false, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(-1));
    req.setTimeout(60_000, () => req.destroy());
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

export async function benchReceiverFlood(log: (message: string) => void = console.log): Promise<FloodBenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracerun-flood-'));
  const child = fork(path.join(__dirname, 'receiverFlood.js'), ['serve', dir], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const ready = await new Promise<FromChild>((resolve, reject) => {
      child.once('message', (m) => resolve(m as FromChild));
      child.once('exit', (code) => reject(new Error(`the receiver process exited (${code})`)));
    });
    if (ready.type !== 'ready') throw new Error('unexpected message from the receiver process');
    const idleMB = ready.idleRss / MB;
    const results: FloodBenchResult[] = [];

    const json = Buffer.from(JSON.stringify(bigRequest(1)));
    const gz = gzipSync(json, { level: 9 });
    log(`  flood: ${REQUESTS} requests at once, each ${(gz.length / 1024).toFixed(0)} KB of gzip decoding to ${(json.length / MB).toFixed(1)} MiB; receiver idle RSS ${idleMB.toFixed(0)} MB`);
    await ask(child, { type: 'peak' }); // reset the peak after warm-up
    let t0 = Date.now();
    const httpStatuses = await Promise.all(Array.from({ length: REQUESTS }, () => postGzip(ready.httpPort, gz)));
    const httpPeak = ((await ask(child, { type: 'peak' })) as { peakRss: number }).peakRss / MB;
    log(`  OTLP/HTTP gzip flood: peak RSS ${httpPeak.toFixed(0)} MB (+${(httpPeak - idleMB).toFixed(0)} over idle) in ${((Date.now() - t0) / 1000).toFixed(1)} s; answers: ${tally(httpStatuses)}`);
    results.push({ name: 'receiver.peakRssMB.gzipFlood', value: httpPeak, unit: 'MB', baseline: idleMB });

    const proto = gzipSync(Buffer.from(encodeTraceRequestProto(bigRequest(2))), { level: 9 });
    const sessions = Array.from({ length: GRPC_CONNECTIONS }, () => http2.connect(`http://127.0.0.1:${ready.grpcPort}`));
    for (const s of sessions) s.on('error', () => {});
    t0 = Date.now();
    const grpcStatuses = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => grpcCall(sessions[i % GRPC_CONNECTIONS], proto)));
    for (const s of sessions) s.close();
    const grpcPeak = ((await ask(child, { type: 'peak' })) as { peakRss: number }).peakRss / MB;
    log(
      `  OTLP/gRPC gzip flood (${GRPC_CONNECTIONS} connections, ${(proto.length / 1024).toFixed(0)} KB messages): peak RSS ${grpcPeak.toFixed(0)} MB ` +
        `(+${(grpcPeak - idleMB).toFixed(0)} over idle) in ${((Date.now() - t0) / 1000).toFixed(1)} s; grpc-status: ${tally(grpcStatuses)} (0 OK, 14 UNAVAILABLE)`,
    );
    results.push({ name: 'receiver.peakRssMB.grpcFlood', value: grpcPeak, unit: 'MB', baseline: idleMB });
    log('  baseline: the receiver process’s resident memory when idle (both receivers listening)');
    return results;
  } finally {
    child.send({ type: 'stop' } satisfies ToChild);
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
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
