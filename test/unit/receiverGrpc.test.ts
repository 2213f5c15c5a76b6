import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { OtlpGrpcReceiver } from '../../src/core/receiver/grpcReceiver';
import { OtlpHttpReceiver } from '../../src/core/receiver/httpReceiver';
import { OtlpReceivers } from '../../src/core/receiver/otlpReceivers';
import { TRACE_EXPORT_PATH, decodeTraceResponseProto, encodeTraceRequestProto } from '../../src/core/receiver/otlpProto';
import { PortInUseError, type ReceiverOptions } from '../../src/core/receiver/receiverCommon';
import { TraceFileWriter } from '../../src/core/receiver/traceFileWriter';
import { tempDir } from './tempDir';

let seq = 0;
const id = (bytes: 8 | 16) => (++seq).toString(16).padStart(bytes * 2, 'b');

function makeRequest(n: number, badSpanIds = 0): { request: Record<string, unknown>; spanIds: string[] } {
  const traceId = id(16);
  const spanIds = Array.from({ length: n }, () => id(8));
  const spans = spanIds.map((spanId, i) => ({
    traceId,
    spanId: i < badSpanIds ? '00' : spanId,
    parentSpanId: i === 0 ? '' : spanIds[0],
    name: `op ${i}`,
    kind: 1,
    startTimeUnixNano: String(1_750_000_000_000_000_001n + BigInt(i)),
    endTimeUnixNano: String(1_750_000_000_100_000_001n + BigInt(i)),
    attributes: [{ key: 'i', value: { intValue: String(i) } }],
  }));
  return { request: { resourceSpans: [{ scopeSpans: [{ spans }] }] }, spanIds: spanIds.slice(badSpanIds) };
}

/** A bare grpc-js client calling Export with bytes we choose. */
function rawClient(t: TestContext, port: number, options: grpc.ClientOptions = {}) {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), options);
  t.after(() => client.close());
  return (body: Uint8Array): Promise<{ error: grpc.ServiceError | null; response: Buffer | undefined }> =>
    new Promise((resolve) => {
      client.makeUnaryRequest(
        TRACE_EXPORT_PATH,
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
        body,
        (error, response) => resolve({ error, response }),
      );
    });
}

function spanIdsIn(dir: string): string[] {
  const file = new TraceFileWriter({ dir }).fileFor(new Date());
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch {
    return [];
  }
  const ids: string[] = [];
  let start = 0;
  for (let nl = text.indexOf(10); nl >= 0; nl = text.indexOf(10, start)) {
    const r = readOtlpJson(text, start, nl, { file, line: 1, byteBase: 0 });
    assert.deepEqual(r.problems, []);
    ids.push(...r.spans.map((s) => s.spanId));
    start = nl + 1;
  }
  return ids;
}

async function startGrpc(t: TestContext, options: Partial<ReceiverOptions> = {}) {
  const dir = path.join(tempDir(t, 'tracerun-grpc-'), 'traces');
  const counts: number[] = [];
  const logs: string[] = [];
  const receiver = new OtlpGrpcReceiver({ sink: new TraceFileWriter({ dir }), port: 0, onSpans: (n) => counts.push(n), onLog: (l, m) => logs.push(`${l}: ${m}`), ...options });
  t.after(() => receiver.close());
  const address = await receiver.start();
  return { receiver, address, dir, counts, logs };
}

test('gRPC Export: plain and gzip messages are written and answered with the empty response', async (t) => {
  const { address, dir, counts } = await startGrpc(t);
  assert.equal(address.host, '127.0.0.1');
  assert.equal(address.endpoint, `http://127.0.0.1:${address.port}`);
  const call = rawClient(t, address.port);
  const a = makeRequest(3);
  const r1 = await call(encodeTraceRequestProto(a.request));
  assert.equal(r1.error, null);
  assert.equal(r1.response!.length, 0);
  // grpc-encoding: gzip, compressed by the client channel.
  const gz = rawClient(t, address.port, { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip });
  const b = makeRequest(4);
  const r2 = await gz(encodeTraceRequestProto(b.request));
  assert.equal(r2.error, null);
  assert.deepEqual(spanIdsIn(dir).sort(), [...a.spanIds, ...b.spanIds].sort());
  assert.deepEqual(counts, [3, 4]);
});

test('gRPC Export: undecodable → INVALID_ARGUMENT, too large → RESOURCE_EXHAUSTED, bad ids → partial success; the channel keeps working', async (t) => {
  const { address, dir, logs } = await startGrpc(t, { maxBodyBytes: 32 * 1024 });
  const call = rawClient(t, address.port);
  const acked: string[] = [];
  const good = async () => {
    const { request, spanIds } = makeRequest(2);
    const r = await call(encodeTraceRequestProto(request));
    assert.equal(r.error, null);
    acked.push(...spanIds);
  };
  await good();
  const valid = encodeTraceRequestProto(makeRequest(5).request);
  const truncated = await call(valid.subarray(0, valid.length - 4));
  assert.equal(truncated.error?.code, grpc.status.INVALID_ARGUMENT);
  assert.match(truncated.error!.details, /not a protobuf ExportTraceServiceRequest: index out of range/);
  await good();
  const big = await call(Buffer.alloc(40 * 1024, 0x0a));
  assert.equal(big.error?.code, grpc.status.RESOURCE_EXHAUSTED);
  await good();
  const partial = makeRequest(4, 1);
  const r = await call(encodeTraceRequestProto(partial.request));
  assert.equal(r.error, null);
  const response = decodeTraceResponseProto(r.response!);
  assert.equal(response.partialSuccess!.rejectedSpans, '1');
  assert.match(response.partialSuccess!.errorMessage, /span "op 0" has no valid spanId/);
  acked.push(...partial.spanIds);
  await good();
  assert.deepEqual(spanIdsIn(dir).sort(), acked.sort());
  assert.ok(logs.some((l) => /^warn: OTLP\/gRPC receiver: INVALID_ARGUMENT/.test(l)));
});

test('gRPC: concurrent calls mixing good and bad ones each get their own answer', async (t) => {
  const { address, dir } = await startGrpc(t);
  const call = rawClient(t, address.port);
  const acked: string[] = [];
  await Promise.all(
    Array.from({ length: 40 }, async (_, i) => {
      if (i % 4 === 3) {
        const r = await call(Buffer.from([0x0a, 0x7f, 0x01]));
        assert.equal(r.error?.code, grpc.status.INVALID_ARGUMENT);
        return;
      }
      const { request, spanIds } = makeRequest(1 + (i % 6));
      const r = await call(encodeTraceRequestProto(request));
      assert.equal(r.error, null);
      acked.push(...spanIds);
    }),
  );
  assert.deepEqual(spanIdsIn(dir).sort(), acked.sort());
});

test('gRPC: a taken port fails with PortInUseError naming it (whoever holds it)', async (t) => {
  const { address, dir } = await startGrpc(t);
  const second = new OtlpGrpcReceiver({ sink: new TraceFileWriter({ dir }), port: address.port });
  await assert.rejects(second.start(), (err: unknown) => err instanceof PortInUseError && err.port === address.port && err.protocol === 'grpc');
  await second.close();
  // A plain HTTP server holding the port.
  const plain = http.createServer();
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  t.after(() => plain.close());
  const port = (plain.address() as { port: number }).port;
  const third = new OtlpGrpcReceiver({ sink: new TraceFileWriter({ dir }), port });
  await assert.rejects(third.start(), (err: unknown) => err instanceof PortInUseError && err.port === port && /port \d+ on 127\.0\.0\.1 is already in use/.test(err.message));
});

test('OtlpReceivers reports each receiver separately: one port taken, the other listening', async (t) => {
  const dir = tempDir(t);
  const busy = http.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.after(() => busy.close());
  const busyPort = (busy.address() as { port: number }).port;
  const spans: [number, string][] = [];
  const changes: string[] = [];
  const receivers = new OtlpReceivers({ sink: new TraceFileWriter({ dir }), httpPort: busyPort, grpcPort: 0, onSpans: (n, p) => spans.push([n, p]) });
  receivers.onDidChangeStatus((s) => changes.push(`${s.protocol}:${s.state}`));
  t.after(() => receivers.close());
  const [httpStatus, grpcStatus] = await receivers.start();
  assert.equal(httpStatus.state, 'port-in-use');
  assert.equal(httpStatus.port, busyPort);
  assert.match(httpStatus.error!, new RegExp(`port ${busyPort}`));
  assert.equal(grpcStatus.state, 'listening');
  assert.equal(grpcStatus.address!.host, '127.0.0.1');
  assert.deepEqual(changes.sort(), ['grpc:listening', 'grpc:starting', 'http:port-in-use', 'http:starting']);
  const call = rawClient(t, grpcStatus.port!);
  const { request } = makeRequest(3);
  assert.equal((await call(encodeTraceRequestProto(request))).error, null);
  assert.deepEqual(spans, [[3, 'grpc']]);
  assert.equal(receivers.spanCount, 3);
  await receivers.close();
  assert.equal(receivers.status('grpc').state, 'stopped');
  assert.equal(receivers.status('http').state, 'port-in-use');

  // Disabled receivers stay off; a receiver on a free port listens.
  const httpOnly = new OtlpReceivers({ sink: new TraceFileWriter({ dir }), httpPort: 0, grpcPort: false });
  t.after(() => httpOnly.close());
  const [h, g] = await httpOnly.start();
  assert.equal(h.state, 'listening');
  assert.equal(g.state, 'disabled');
  assert.ok(new OtlpHttpReceiver({ sink: new TraceFileWriter({ dir }) }) instanceof OtlpHttpReceiver);
});

test('gRPC: messages above grpc-js’s 4 MiB default are accepted up to maxBodyBytes', async (t) => {
  const { address, dir } = await startGrpc(t);
  const call = rawClient(t, address.port, { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  const { request, spanIds } = makeRequest(2);
  const spans = (request.resourceSpans as { scopeSpans: { spans: { attributes: unknown[] }[] }[] }[])[0].scopeSpans[0].spans;
  spans[1].attributes.push({ key: 'gen_ai.prompt', value: { stringValue: 'x'.repeat(6 * 1024 * 1024) } });
  const r = await call(encodeTraceRequestProto(request));
  assert.equal(r.error, null);
  assert.deepEqual(spanIdsIn(dir).sort(), [...spanIds].sort());
});
