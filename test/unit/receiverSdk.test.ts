// The real OpenTelemetry JS SDK exporters (OTLP/HTTP JSON, OTLP/HTTP protobuf, OTLP/gRPC; each
// plain and gzip) send to the receivers; the written file, read back the way the extension
// reads it, must hold the same traces.
import { ROOT_CONTEXT, SpanKind as ApiSpanKind, SpanStatusCode, trace, type AttributeValue as ApiAttributeValue, type HrTime } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { OtlpReceivers, type ReceiverStatus } from '../../src/core/receiver/otlpReceivers';
import { TraceFileWriter } from '../../src/core/receiver/traceFileWriter';
import type { AttributeValue, SpanRecord } from '../../src/core/model/span';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { FileTailer, type TraceProblem } from '../../src/core/ingest/tailer';

type Compression = NonNullable<NonNullable<ConstructorParameters<typeof HttpJsonExporter>[0]>['compression']>;
const GZIP = 'gzip' as Compression;
const NONE = 'none' as Compression;

const PROMPT = 'You are a support agent. 日本語 🚀 "quoted" \\ backslash\n'.repeat(200);
const BIG_INT = 2 ** 60; // an integer attribute beyond 2^53, exact as a double

/** Spans as an LLM agent makes them: nested, with events, links, errors and every attribute type. */
async function recordSpans(): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'sdk-agent', 'service.version': '1.2.3', 'process.pid': 4242 }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('tracerun.test', '0.9.0');

  const t0: HrTime = [1_750_000_000, 123_456_789];
  const root = tracer.startSpan('agent.run', { kind: ApiSpanKind.SERVER, startTime: t0, attributes: { 'input.value': PROMPT, 'session.id': 's-1' } });
  const rootCtx = trace.setSpan(ROOT_CONTEXT, root);
  const llm = tracer.startSpan(
    'chat gpt-4o',
    {
      kind: ApiSpanKind.CLIENT,
      startTime: [1_750_000_000, 223_456_789],
      attributes: {
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 1234,
        'gen_ai.request.temperature': 0.7,
        'llm.streaming': true,
        'big.int': BIG_INT,
        'negative.int': -42,
        'gen_ai.response.finish_reasons': ['stop', 'length'],
        'token.ids': [1, 2, 3],
        flags: [true, false],
      },
    },
    rootCtx,
  );
  llm.addEvent('gen_ai.content.completion', { 'gen_ai.completion': 'Your order shipped.' }, [1_750_000_000, 999_999_999]);
  llm.end([1_750_000_001, 5]);

  const tool = tracer.startSpan(
    'tool lookup_order',
    { kind: ApiSpanKind.INTERNAL, links: [{ context: llm.spanContext(), attributes: { 'link.reason': 'follows the model call' } }] },
    rootCtx,
  );
  const err = new Error('order 42 not found');
  err.name = 'NotFoundError';
  tool.recordException(err);
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'order 42 not found' });
  tool.end();

  const db = tracer.startSpan('SELECT orders', { kind: ApiSpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, tool));
  db.end();
  const producer = tracer.startSpan('enqueue email', { kind: ApiSpanKind.PRODUCER }, rootCtx);
  producer.end();
  root.setStatus({ code: SpanStatusCode.OK });
  root.end([1_750_000_002, 0]);

  // A second trace with a consumer span linked back to the first trace.
  const consumer = tracer.startSpan('send email', { kind: ApiSpanKind.CONSUMER, links: [{ context: producer.spanContext() }] });
  consumer.end();

  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

const hrToNs = (t: HrTime) => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

/** Reads every span of a folder's trace file the way the extension does. */
async function readFolder(file: string): Promise<SpanRecord[]> {
  const spans: SpanRecord[] = [];
  const problems: TraceProblem[] = [];
  const tailer = new FileTailer(file, { spans: (_f, s) => spans.push(...s), reset: () => (spans.length = 0), problem: (p) => problems.push(p) });
  await tailer.poke();
  tailer.dispose();
  assert.deepEqual(problems, []);
  return spans;
}

/** SDK attribute values against what the file gives back (int64 beyond 2^53 may come back as a string). */
function assertAttributes(actual: Record<string, AttributeValue>, expected: Record<string, ApiAttributeValue | undefined>, what: string): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), what);
  for (const [key, value] of Object.entries(expected)) {
    const got = actual[key];
    const same = (e: unknown, a: unknown) => {
      if (typeof e === 'number' && Number.isInteger(e)) assert.equal(BigInt(a as number | string), BigInt(e), `${what} ${key}`);
      else assert.deepEqual(a, e, `${what} ${key}`);
    };
    if (Array.isArray(value)) {
      assert.ok(Array.isArray(got), `${what} ${key}`);
      value.forEach((v, i) => same(v, (got as AttributeValue[])[i]));
    } else same(value, got);
  }
}

async function assertSameTraces(file: string, sdkSpans: readonly ReadableSpan[], what: string): Promise<void> {
  const records = await readFolder(file);
  assert.equal(records.length, sdkSpans.length, `${what}: span count`);
  const byId = new Map(records.map((r) => [r.spanId, r]));
  for (const s of sdkSpans) {
    const ctx = s.spanContext();
    const r = byId.get(ctx.spanId);
    const label = `${what}: ${s.name}`;
    assert.ok(r, `${label}: missing`);
    assert.equal(r.traceId, ctx.traceId, label);
    assert.equal(r.parentSpanId, s.parentSpanContext?.spanId ?? '', label);
    assert.equal(r.name, s.name, label);
    assert.equal(r.kind, s.kind + 1, `${label}: kind`); // API kinds start at INTERNAL = 0, OTLP at UNSPECIFIED = 0
    assert.equal(r.startNs, hrToNs(s.startTime), `${label}: start`);
    assert.equal(r.endNs, hrToNs(s.endTime), `${label}: end`);
    assert.equal(r.statusCode, s.status.code, `${label}: status`);
    assert.equal(r.resource.serviceName, 'sdk-agent', label);
    assert.deepEqual(r.scope, { name: 'tracerun.test', version: '0.9.0' }, label);
    if (s.status.message) assert.equal(r.errorMessage, s.status.message, label);

    const details = await loadSpanDetails(r);
    assertAttributes(details.attributes, s.attributes, `${label}: attributes`);
    assertAttributes(details.resourceAttributes, s.resource.attributes as Record<string, ApiAttributeValue>, `${label}: resource`);
    assert.equal(details.events.length, s.events.length, `${label}: events`);
    s.events.forEach((e, i) => {
      assert.equal(details.events[i].name, e.name, label);
      assert.equal(details.events[i].timeNs, hrToNs(e.time), `${label}: event time`);
      assertAttributes(details.events[i].attributes, e.attributes ?? {}, `${label}: event attributes`);
    });
    assert.equal(details.links.length, s.links.length, `${label}: links`);
    s.links.forEach((l, i) => {
      assert.equal(details.links[i].traceId, l.context.traceId, label);
      assert.equal(details.links[i].spanId, l.context.spanId, label);
      assertAttributes(details.links[i].attributes, l.attributes ?? {}, `${label}: link attributes`);
    });
  }
  // The exception event also surfaces as the failing span's message.
  const tool = records.find((r) => r.name === 'tool lookup_order')!;
  assert.equal(tool.errorMessage, 'order 42 not found');
}

/** A TCP relay to `port` counting the bytes clients send: shows whether gzip was used. */
async function relay(port: number): Promise<{ port: number; sent: () => number; close: () => Promise<void> }> {
  let sent = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (c: Buffer) => (sent += c.length));
    client.pipe(upstream).pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sent: () => sent,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let sdkSpans: ReadableSpan[];
let receivers: OtlpReceivers;
let statuses: ReceiverStatus[];
let root: string;
let currentDir = '';
const counted: [number, string][] = [];

before(async () => {
  sdkSpans = await recordSpans();
  assert.equal(sdkSpans.length, 6);
  root = mkdtempSync(path.join(os.tmpdir(), 'tracerun-sdk-'));
  // One receiver pair; each exporter run writes to its own folder (the sink switches).
  const writers = new Map<string, TraceFileWriter>();
  const sink = {
    appendLine: (line: string) => {
      let w = writers.get(currentDir);
      if (!w) writers.set(currentDir, (w = new TraceFileWriter({ dir: currentDir })));
      return w.appendLine(line);
    },
  };
  receivers = new OtlpReceivers({ sink, httpPort: 0, grpcPort: 0, onSpans: (n, p) => counted.push([n, p]) });
  statuses = await receivers.start();
  assert.deepEqual(
    statuses.map((s) => s.state),
    ['listening', 'listening'],
  );
});

after(async () => {
  await receivers?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const configs: { name: string; gzip: boolean; make: (port: number) => SpanExporter; port: () => number }[] = [];
for (const [label, compression] of [
  ['plain', NONE],
  ['gzip', GZIP],
] as const) {
  const gzip = compression === GZIP;
  const httpUrl = (port: number) => `http://127.0.0.1:${port}/v1/traces`;
  configs.push(
    { name: `OTLP/HTTP JSON, ${label}`, gzip, port: () => statuses[0].port!, make: (port) => new HttpJsonExporter({ url: httpUrl(port), compression }) },
    { name: `OTLP/HTTP protobuf, ${label}`, gzip, port: () => statuses[0].port!, make: (port) => new HttpProtoExporter({ url: httpUrl(port), compression }) },
    { name: `OTLP/gRPC, ${label}`, gzip, port: () => statuses[1].port!, make: (port) => new GrpcExporter({ url: `http://127.0.0.1:${port}`, compression }) },
  );
}

const PROMPT_BYTES = Buffer.byteLength(PROMPT);

for (const config of configs) {
  test(`${config.name}: the file holds the SDK's traces exactly`, async () => {
    currentDir = path.join(root, config.name.replace(/\W+/g, '-'));
    counted.length = 0;
    const proxy = await relay(config.port());
    const exporter = config.make(proxy.port);
    try {
      const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(sdkSpans, resolve));
      assert.equal(result.error, undefined);
      assert.equal(result.code, 0, 'ExportResultCode.SUCCESS');
    } finally {
      await exporter.shutdown();
      await proxy.close();
    }
    // The 13 kB prompt attribute compresses to almost nothing: gzip was (or was not) used.
    if (config.gzip) assert.ok(proxy.sent() < PROMPT_BYTES / 2, `gzip: ${proxy.sent()} bytes sent`);
    else assert.ok(proxy.sent() > PROMPT_BYTES, `plain: ${proxy.sent()} bytes sent`);
    assert.equal(
      counted.reduce((a, [n]) => a + n, 0),
      sdkSpans.length,
    );
    assert.equal(counted[0][1], config.name.startsWith('OTLP/gRPC') ? 'grpc' : 'http');
    const file = new TraceFileWriter({ dir: currentDir }).fileFor(new Date());
    await assertSameTraces(file, sdkSpans, config.name);
  });
}
