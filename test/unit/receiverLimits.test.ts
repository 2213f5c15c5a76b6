// Issue 15, items 1, 2, 3 and 16: what a hostile local process can make the OTLP receivers
// hold, and whom they answer. Small limits keep these quick; the floods at full size are in
// `npm run bench` (bench/receiverFlood.ts).
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import { OtlpGrpcReceiver } from '../../src/core/receiver/grpcReceiver';
import { OtlpHttpReceiver } from '../../src/core/receiver/httpReceiver';
import { InFlightBudget } from '../../src/core/receiver/inFlightBudget';
import { OtlpReceivers } from '../../src/core/receiver/otlpReceivers';
import { TRACE_EXPORT_PATH, encodeTraceRequestProto } from '../../src/core/receiver/otlpProto';
import type { ReceiverOptions } from '../../src/core/receiver/receiverCommon';
import { TraceFileWriter } from '../../src/core/receiver/traceFileWriter';
import { tempDir, waitFor } from './tempDir';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function post(port: number, body: Buffer | string, headers: Record<string, string | number> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let seq = 0;
/** A valid one-span request whose span name is `nameBytes` long (a big body that compresses to little). */
function request(nameBytes = 10): string {
  seq++;
  const span = {
    traceId: seq.toString(16).padStart(32, 'a'),
    spanId: seq.toString(16).padStart(16, 'b'),
    name: 'x'.repeat(nameBytes),
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000001000000000',
  };
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
}

async function startReceiver(t: TestContext, options: Partial<ReceiverOptions> = {}): Promise<{ receiver: OtlpHttpReceiver; port: number; logs: string[] }> {
  const dir = path.join(tempDir(t, 'tracerun-limits-'), '.tracerun');
  const logs: string[] = [];
  const receiver = new OtlpHttpReceiver({ sink: new TraceFileWriter({ dir }), port: 0, onLog: (level, m) => logs.push(`${level}: ${m}`), ...options });
  t.after(() => receiver.close());
  const { port } = await receiver.start();
  return { receiver, port, logs };
}

/** A request that sends its headers (declaring `length`) and `sent` bytes of body, then stalls. */
function stalledUpload(port: number, length: number, sent = ''): { reply: Promise<number | 'cut'>; req: http.ClientRequest } {
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent: false, headers: { 'content-type': 'application/json', 'content-length': length } });
  const reply = new Promise<number | 'cut'>((resolve) => {
    req.on('response', (res) => (res.resume(), resolve(res.statusCode!)));
    req.on('error', () => resolve('cut'));
  });
  req.flushHeaders();
  if (sent) req.write(sent);
  return { reply, req };
}

test('decompressed bytes count against the in-flight budget as they are produced: a gzip bomb gets 503 with Retry-After', async (t) => {
  const budget = new InFlightBudget(1024 * 1024);
  let peak = 0;
  const take = budget.tryTake.bind(budget);
  budget.tryTake = (bytes, held) => {
    const ok = take(bytes, held);
    peak = Math.max(peak, budget.bytes);
    return ok;
  };
  const { port } = await startReceiver(t, { maxBodyBytes: 8 * 1024 * 1024, budget });
  // 4 MB of JSON in ~4 KB of gzip.
  const bomb = gzipSync(request(4 * 1024 * 1024));
  assert.ok(bomb.length < 16 * 1024);
  // Another request holds a few bytes: the bomb is not alone, so it must fit the budget.
  const other = stalledUpload(port, 1000, '{"resourceSpans":[');
  t.after(() => other.req.destroy());
  await new Promise((r) => setTimeout(r, 100));
  const r = await post(port, bomb, { 'content-encoding': 'gzip' });
  assert.equal(r.status, 503, r.body);
  assert.equal(r.headers['retry-after'], '1');
  assert.match(JSON.parse(r.body).message, /busy reading 18 bytes of other requests \(limit 1048576\)/);
  // Decoding stopped at the budget, not after inflating the whole body.
  assert.ok(peak <= budget.limit, `the budget peaked at ${peak} bytes`);
  other.req.destroy();
  await waitFor('the stalled upload to let go', () => budget.bytes === 0);
  // Alone, a body up to the body limit is read (decoded and written) whatever the budget.
  const alone = await post(port, bomb, { 'content-encoding': 'gzip' });
  assert.equal(alone.status, 200, alone.body);
  assert.equal(budget.bytes, 0, 'everything held is given back');
});

test('a gzip body that decodes past the body limit gets 413 before it is inflated whole', async (t) => {
  const { port } = await startReceiver(t, { maxBodyBytes: 256 * 1024 });
  const r = await post(port, gzipSync(request(8 * 1024 * 1024)), { 'content-encoding': 'gzip' });
  assert.equal(r.status, 413);
  assert.match(JSON.parse(r.body).message, /decompressed request body is larger than the limit of 262144 bytes/);
  const bad = await post(port, Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(bad.body).message, /not valid gzip data/);
});

test('stalled uploads do not starve others: 4 header-only connections hold nothing, and are cut when their body stops arriving', async (t) => {
  // The defaults: 32 MB bodies; 4 declared 32 MB bodies used to fill the in-flight budget.
  const { port, logs } = await startReceiver(t, { bodyIdleTimeoutMs: 400 });
  const stalled = Array.from({ length: 4 }, () => stalledUpload(port, 32 * 1024 * 1024));
  t.after(() => stalled.forEach((s) => s.req.destroy()));
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 3; i++) {
    const r = await post(port, request());
    assert.equal(r.status, 200, `an export beside 4 stalled uploads: ${r.body}`);
  }
  const outcomes = await Promise.all(stalled.map((s) => s.reply));
  for (const o of outcomes) assert.ok(o === 408 || o === 'cut', `a stalled upload ended with ${o}`);
  assert.ok(logs.some((l) => /408 .*no part of the request body arrived for 400 ms/.test(l)), logs.join('\n'));
});

test('one client address holds at most maxConnectionsPerClient connections; more are closed at once', async (t) => {
  const { port } = await startReceiver(t, { maxConnectionsPerClient: 3 });
  const connect = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.on('error', reject);
    });
  const held = [await connect(), await connect(), await connect()];
  t.after(() => held.forEach((s) => s.destroy()));
  const extra = await connect();
  extra.on('error', () => {});
  await new Promise<void>((resolve) => extra.once('close', () => resolve()));
  await assert.rejects(post(port, request()), 'an export over a fourth connection is refused too');
  held.pop()!.destroy();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await post(port, request())).status, 200, 'with one closed, a new connection is served');
  held.forEach((s) => s.destroy());
});

test('only loopback host names are answered (DNS rebinding): other Host headers get 421', async (t) => {
  const { port } = await startReceiver(t);
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'LOCALHOST', '127.0.0.1']) {
    assert.equal((await post(port, request(), { host })).status, 200, host);
  }
  for (const host of [`attacker.example:${port}`, `127.0.0.1.attacker.example:${port}`, `localhost.evil:${port}`, `10.0.0.1:${port}`, `127.0.0.1:99999`]) {
    const r = await post(port, request(), { host });
    assert.equal(r.status, 421, host);
    assert.match(JSON.parse(r.body).message, /answers only to 127\.0\.0\.1, localhost or \[::1\], not to host/);
  }
});

// ---------------------------------------------------------------------------------------
// gRPC (item 2) and the budget both receivers share

function grpcExport(t: TestContext, port: number, body: Uint8Array, options: grpc.ClientOptions = {}): Promise<grpc.ServiceError | null> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), options);
  t.after(() => client.close());
  return new Promise((resolve) => client.makeUnaryRequest(TRACE_EXPORT_PATH, (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, body, (error) => resolve(error)));
}

const protoRequest = (nameBytes = 10) => encodeTraceRequestProto(JSON.parse(request(nameBytes)));

test('one in-flight budget for both receivers: a gRPC call waits for room, then gets UNAVAILABLE; it never reads past the budget', async (t) => {
  const dir = path.join(tempDir(t, 'tracerun-both-'), '.tracerun');
  const receivers = new OtlpReceivers({ sink: new TraceFileWriter({ dir }), httpPort: 0, grpcPort: 0, maxBodyBytes: 1024 * 1024, maxInFlightBytes: 1024 * 1024 });
  t.after(() => receivers.close());
  const [httpStatus, grpcStatus] = await receivers.start();
  const httpPort = httpStatus.port!;
  const grpcPort = grpcStatus.port!;
  assert.equal(await grpcExport(t, grpcPort, protoRequest()), null, 'alone, a call is served');

  // An HTTP upload holds a few bytes: a gRPC call, which must reserve a whole message, waits.
  const held = stalledUpload(httpPort, 1000, '{"resourceSpans":[');
  t.after(() => held.req.destroy());
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(receivers.budget.bytes > 0);
  const waiting = grpcExport(t, grpcPort, protoRequest());
  await new Promise((r) => setTimeout(r, 300));
  held.req.destroy();
  assert.equal(await waiting, null, 'admitted once the HTTP upload let go');

  const held2 = stalledUpload(httpPort, 1000, '{"resourceSpans":[');
  t.after(() => held2.req.destroy());
  await new Promise((r) => setTimeout(r, 100));
  const refused = await grpcExport(t, grpcPort, protoRequest());
  assert.equal(refused?.code, grpc.status.UNAVAILABLE);
  assert.match(refused!.details, /busy reading \d+ bytes of other requests \(limit 1048576\)/);
  held2.req.destroy();
  await waitFor('the budget to empty', () => receivers.budget.bytes === 0);
});

test('gRPC: a call whose message never arrives is cut and gives its reservation back; other hosts are refused', async (t) => {
  const dir = path.join(tempDir(t, 'tracerun-grpc-stall-'), '.tracerun');
  const budget = new InFlightBudget(4 * 1024 * 1024);
  const receiver = new OtlpGrpcReceiver({ sink: new TraceFileWriter({ dir }), port: 0, maxBodyBytes: 1024 * 1024, budget, bodyIdleTimeoutMs: 150 });
  t.after(() => receiver.close());
  const { port } = await receiver.start();
  const session = http2.connect(`http://127.0.0.1:${port}`);
  t.after(() => session.close());
  session.on('error', () => {});
  const stream = session.request({ ':method': 'POST', ':path': TRACE_EXPORT_PATH, 'content-type': 'application/grpc', te: 'trailers' });
  stream.on('error', () => {});
  const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => {
    stream.on('response', (headers) => headers['grpc-status'] !== undefined && resolve(headers));
    stream.on('trailers', resolve);
  });
  stream.resume();
  await waitFor('the stalled call to be admitted', () => budget.bytes >= 1024 * 1024);
  const status = await trailers;
  assert.equal(Number(status['grpc-status']), grpc.status.DEADLINE_EXCEEDED);
  assert.match(decodeURIComponent(String(status['grpc-message'])), /did not arrive within 300 ms/);
  assert.equal(budget.bytes, 0);

  const rebinding = await grpcExport(t, port, protoRequest(), { 'grpc.default_authority': `attacker.example:${port}` });
  assert.equal(rebinding?.code, grpc.status.PERMISSION_DENIED);
  assert.equal(await grpcExport(t, port, protoRequest(), { 'grpc.default_authority': `localhost:${port}` }), null);
  session.destroy();
});

test('gRPC: one client address holds at most maxConnectionsPerClient connections; more are closed at once', { timeout: 10_000 }, async (t) => {
  const dir = path.join(tempDir(t, 'tracerun-grpc-conns-'), '.tracerun');
  const logs: string[] = [];
  const receiver = new OtlpGrpcReceiver({ sink: new TraceFileWriter({ dir }), port: 0, maxConnectionsPerClient: 3, onLog: (level, m) => logs.push(`${level}: ${m}`) });
  t.after(() => receiver.close());
  const { port } = await receiver.start();
  const connect = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.on('error', reject);
    });
  const held = [await connect(), await connect(), await connect()];
  t.after(() => held.forEach((s) => s.destroy()));
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  await new Promise<void>((resolve) => session.once('close', () => resolve()));
  assert.ok(logs.some((l) => /^warn: OTLP\/gRPC receiver: 127\.0\.0\.1 already holds 3 connections: closing a new one$/.test(l)), logs.join('\n'));
  held.pop()!.destroy();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await grpcExport(t, port, protoRequest()), null, 'with one closed, a new connection is served');
  held.forEach((s) => s.destroy());
});

test('the in-flight budget: taken as produced, one holder may pass the limit alone, a waiter is served before newcomers and stops waiting when released', async () => {
  const budget = new InFlightBudget(100);
  const a = budget.open();
  assert.ok(a.take(60));
  const b = budget.open();
  assert.equal(b.take(50), false, 'past the limit beside another holder');
  assert.ok(b.take(40));
  b.release();
  const alone = budget.open();
  a.release();
  assert.ok(alone.take(500), 'alone, past the limit');
  alone.release();
  assert.equal(budget.bytes, 0);

  const holder = budget.open();
  assert.ok(holder.take(80));
  const waiter = budget.open();
  const admitted = waiter.takeWhenFree(90, 5000);
  assert.equal(budget.open().take(1), false, 'a newcomer waits behind the waiter');
  assert.ok(holder.take(10), 'a request already reading goes on');
  holder.release();
  assert.equal(await admitted, true);
  assert.equal(budget.bytes, 90);
  waiter.release();

  const blocker = budget.open();
  assert.ok(blocker.take(100));
  const cancelled = budget.open();
  const pending = cancelled.takeWhenFree(50, 60_000);
  cancelled.release();
  assert.equal(await pending, false, 'released while waiting: the wait ends at once');
  blocker.release();
  const next = budget.open();
  assert.ok(next.take(100), 'no waiter is left to hold newcomers back');
  next.release();
  assert.equal(budget.bytes, 0);
});
