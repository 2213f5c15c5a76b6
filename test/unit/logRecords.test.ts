// Log records (OTLP `resourceLogs`) carrying GenAI content: read from trace files, received by
// both receivers, and attached to their span's conversation and events.
import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import { FileTailer } from '../../src/core/ingest/tailer';
import { OtlpGrpcReceiver } from '../../src/core/receiver/grpcReceiver';
import { OtlpHttpReceiver } from '../../src/core/receiver/httpReceiver';
import { ExportLogsServiceRequest, ExportLogsServiceResponse, LOGS_EXPORT_PATH } from '../../src/core/receiver/otlpProto';
import { TraceFileWriter } from '../../src/core/receiver/traceFileWriter';
import { spanDetailsOf } from '../../src/core/waterfall/spanDetailsExtras';
import { runCli } from '../../src/cli/cli';
import { ms, otlpLine } from './otlpBuilder';
import { tempDir, waitFor } from './tempDir';

const TRACE = 'dddddddddddddddddddddddddddddddd';
const LLM = '00000000000000c1';

interface Log {
  spanId?: string;
  traceId?: string;
  eventName?: string;
  eventNameAttribute?: string;
  time?: bigint;
  body?: unknown;
}

/** An OTLP JSON `ExportLogsServiceRequest` (as the Collector's file exporter and SDKs write it). */
function logsRequest(logs: Log[]): Record<string, unknown> {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'logs-test' } }] },
        scopeLogs: [
          {
            scope: { name: 'opentelemetry.instrumentation.openai_v2' },
            logRecords: logs.map((l) => ({
              ...(l.time !== undefined ? { timeUnixNano: String(l.time) } : {}),
              observedTimeUnixNano: String(ms(50)),
              ...(l.traceId !== undefined || l.spanId !== undefined ? { traceId: l.traceId ?? TRACE, spanId: l.spanId } : {}),
              ...(l.eventName ? { eventName: l.eventName } : {}),
              attributes: [
                { key: 'gen_ai.system', value: { stringValue: 'openai' } },
                ...(l.eventNameAttribute ? [{ key: 'event.name', value: { stringValue: l.eventNameAttribute } }] : []),
              ],
              ...(l.body !== undefined ? { body: l.body } : {}),
            })),
          },
        ],
      },
    ],
  };
}

const text = (s: string) => ({ stringValue: s });
const kv = (o: Record<string, unknown>) => ({ kvlistValue: { values: Object.entries(o).map(([key, value]) => ({ key, value })) } });

/** openai-v2's EVENT_ONLY content: a system and a user message, then the choice, as log records. */
const CONTENT: Log[] = [
  { spanId: LLM, traceId: TRACE, eventName: 'gen_ai.system.message', time: ms(1), body: kv({ content: text('Be brief.') }) },
  { spanId: LLM, traceId: TRACE, eventNameAttribute: 'gen_ai.user.message', time: ms(2), body: kv({ content: text('Where is my order?') }) },
  { spanId: LLM, traceId: TRACE, eventName: 'gen_ai.choice', time: ms(30), body: kv({ index: { intValue: '0' }, finish_reason: text('stop'), message: kv({ role: text('assistant'), content: text('On its way.') }) }) },
];

const SPAN_LINE = otlpLine([{ traceId: TRACE, spanId: LLM, name: 'chat gpt-4o', start: ms(0), end: ms(40), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } }]).trimEnd();

test('the reader indexes log records by trace and span id, time, event name and bytes; records tied to no span are counted', () => {
  const line = JSON.stringify(logsRequest([...CONTENT, { body: text('plain application log') }]));
  const buf = Buffer.from(`${SPAN_LINE}\n${line}\n`);
  const start = SPAN_LINE.length + 1;
  const r = readOtlpJson(buf, start, buf.length - 1, { file: 'f.jsonl', line: 2, byteBase: 0 });
  assert.deepEqual(r.problems, []);
  assert.equal(r.spans.length, 0);
  assert.equal(r.unlinkedLogRecords, 1);
  assert.deepEqual(
    r.logRecords.map((l) => [l.traceId, l.spanId, l.eventName, l.timeNs, l.line]),
    [
      [TRACE, LLM, 'gen_ai.system.message', ms(1), 2],
      [TRACE, LLM, 'gen_ai.user.message', ms(2), 2],
      [TRACE, LLM, 'gen_ai.choice', ms(30), 2],
    ],
  );
  // Each range is the record's own JSON, in the file's bytes.
  const first = JSON.parse(buf.toString('utf8', r.logRecords[0].byteStart, r.logRecords[0].byteEnd)) as { eventName: string };
  assert.equal(first.eventName, 'gen_ai.system.message');
  // Without a record time, the observed time.
  const observed = Buffer.from(JSON.stringify(logsRequest([{ spanId: LLM, traceId: TRACE, eventName: 'e' }])));
  assert.equal(readOtlpJson(observed, 0, observed.length, { file: 'f', line: 1, byteBase: 0 }).logRecords[0].timeNs, ms(50));
});

async function workspaceOf(t: TestContext, file: string): Promise<TraceWorkspace> {
  const ws = new TraceWorkspace();
  t.after(() => ws.dispose());
  const tailer = new FileTailer(file, ws, { complete: true });
  await tailer.poke();
  tailer.dispose();
  return ws;
}

const context = { prices: {}, frameExists: async () => false, warn: () => undefined };

test('a span whose content came as log records (before its span, in the same file) shows it in its conversation and events', async (t) => {
  const file = path.join(tempDir(t), 'run.jsonl');
  writeFileSync(file, `${JSON.stringify(logsRequest(CONTENT))}\n${SPAN_LINE}\n`);
  const ws = await workspaceOf(t, file);
  assert.deepEqual(ws.problems(), []);
  const trace = ws.store.trace(TRACE)!;
  const details = await spanDetailsOf(trace, LLM, { ...context, logRecords: ws.store.logRecords });
  assert.deepEqual(
    details.conversation?.map((m) => [m.direction, m.role, m.content]),
    [
      ['input', 'system', 'Be brief.'],
      ['input', 'user', 'Where is my order?'],
      ['output', 'assistant', 'On its way.'],
    ],
  );
  assert.deepEqual(details.finishReasons, ['stop']);
  assert.deepEqual(
    details.events.map((e) => [e.name, e.offsetMs]),
    [
      ['gen_ai.system.message', 1],
      ['gen_ai.user.message', 2],
      ['gen_ai.choice', 30],
    ],
  );
  // The body shows among the record's attributes.
  assert.ok(details.events[1].attributes.some(([k, v]) => k === 'body' && v.includes('Where is my order?')));
  // Without the log records, the span alone has no conversation: what the records add.
  assert.equal((await spanDetailsOf(trace, LLM, context)).conversation, undefined);
});

test("tracerun export: the run's conversation includes what its log records carried", async (t) => {
  const file = path.join(tempDir(t), 'run.jsonl');
  writeFileSync(file, `${SPAN_LINE}\n${JSON.stringify(logsRequest(CONTENT))}\n`);
  let out = '';
  const code = await runCli(['export', file, '--trace', TRACE], { out: (s) => (out += s), err: (s) => assert.fail(s) });
  assert.equal(code, 0);
  const span = (JSON.parse(out) as { spans: { messages?: { role: string; content?: string }[] }[] }).spans[0];
  assert.deepEqual(
    span.messages?.map((m) => [m.role, m.content]),
    [
      ['system', 'Be brief.'],
      ['user', 'Where is my order?'],
      ['assistant', 'On its way.'],
    ],
  );
});

test('log records of a file that is rewritten are forgotten with it, and a store change names their trace', async (t) => {
  const file = path.join(tempDir(t), 'run.jsonl');
  writeFileSync(file, `${SPAN_LINE}\n`);
  const ws = new TraceWorkspace();
  t.after(() => ws.dispose());
  const tailer = new FileTailer(file, ws);
  t.after(() => tailer.dispose());
  await tailer.poke();
  const changes: string[][] = [];
  ws.store.onDidChange((c) => changes.push([...c.changed]));
  appendFileSync(file, `${JSON.stringify(logsRequest(CONTENT))}\n`);
  await tailer.poke();
  assert.equal(ws.store.logRecords.forSpan(TRACE, LLM).length, 3);
  assert.deepEqual(changes, [[TRACE]], 'the open waterfall learns its span gained content');
  writeFileSync(file, `${SPAN_LINE}\n`);
  await tailer.poke();
  assert.equal(ws.store.logRecords.forSpan(TRACE, LLM).length, 0);
});

test('a file of log records alone, deleted: its records are forgotten and the trace they filled is reported changed', async (t) => {
  const dir = tempDir(t);
  const spansFile = path.join(dir, 'spans.jsonl');
  const logsFile = path.join(dir, 'logs.jsonl');
  writeFileSync(spansFile, `${SPAN_LINE}\n`);
  writeFileSync(logsFile, `${JSON.stringify(logsRequest(CONTENT))}\n`);
  const ws = new TraceWorkspace();
  t.after(() => ws.dispose());
  for (const f of [spansFile, logsFile]) {
    const tailer = new FileTailer(f, ws);
    await tailer.poke();
    tailer.dispose();
  }
  assert.equal(ws.store.logRecords.forSpan(TRACE, LLM).length, 3);
  assert.deepEqual(ws.store.files(), [spansFile], 'files() names the files with spans');
  const changes: { changed: string[]; removed: string[] }[] = [];
  ws.store.onDidChange((c) => changes.push({ changed: [...c.changed], removed: [...c.removed] }));
  ws.reset(logsFile);
  assert.equal(ws.store.logRecords.forSpan(TRACE, LLM).length, 0);
  assert.deepEqual(changes, [{ changed: [TRACE], removed: [] }]);
});

// ---------------------------------------------------------------------------------------
// receivers

function post(port: number, pathName: string, headers: Record<string, string>, body: Buffer | string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: pathName, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The JSON request as protobuf: ids as bytes, the rest as protobufjs's fromObject takes it. */
function logsProto(request: Record<string, unknown>): Uint8Array {
  const copy = structuredClone(request) as { resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] };
  for (const rl of copy.resourceLogs) {
    for (const sl of rl.scopeLogs) {
      for (const r of sl.logRecords) for (const k of ['traceId', 'spanId']) if (typeof r[k] === 'string') r[k] = Buffer.from(r[k] as string, 'hex');
    }
  }
  return ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(copy)).finish();
}

/** What the trace file holds: span and log-record counts, and each log record's event name and body text. */
function fileContent(dir: string): { spans: number; logs: { eventName: string; body: string }[]; problems: string[] } {
  const file = new TraceFileWriter({ dir }).fileFor(new Date());
  const buf = readFileSync(file);
  const out = { spans: 0, logs: [] as { eventName: string; body: string }[], problems: [] as string[] };
  let start = 0;
  for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
    const r = readOtlpJson(buf, start, nl, { file, line: 1, byteBase: 0 });
    out.spans += r.spans.length;
    out.problems.push(...r.problems);
    for (const l of r.logRecords) out.logs.push({ eventName: l.eventName, body: JSON.stringify((JSON.parse(buf.toString('utf8', l.byteStart, l.byteEnd)) as { body: unknown }).body) });
    start = nl + 1;
  }
  return out;
}

async function startHttp(t: TestContext) {
  const dir = path.join(tempDir(t, 'tracerun-logs-'), 'traces');
  const counts: number[] = [];
  const receiver = new OtlpHttpReceiver({ sink: new TraceFileWriter({ dir }), port: 0, onSpans: (n) => counts.push(n) });
  t.after(() => receiver.close());
  const { port } = await receiver.start();
  return { port, dir, counts };
}

test('POST /v1/logs in JSON: the records go to the trace file as one line, read back by span; no span is counted', async (t) => {
  const { port, dir, counts } = await startHttp(t);
  const reply = await post(port, '/v1/logs', { 'content-type': 'application/json' }, JSON.stringify(logsRequest(CONTENT), null, 1));
  assert.equal(reply.status, 200, reply.body.toString());
  assert.deepEqual(JSON.parse(reply.body.toString()), {});
  const content = fileContent(dir);
  assert.deepEqual(content.problems, []);
  assert.deepEqual(content.logs.map((l) => l.eventName), ['gen_ai.system.message', 'gen_ai.user.message', 'gen_ai.choice']);
  assert.match(content.logs[1].body, /Where is my order\?/);
  assert.deepEqual(counts, []);
});

test('POST /v1/logs in gzipped protobuf: the same records, in the same JSON shape', async (t) => {
  const { port, dir } = await startHttp(t);
  const reply = await post(port, '/v1/logs', { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, gzipSync(logsProto(logsRequest(CONTENT))));
  assert.equal(reply.status, 200, reply.body.toString());
  assert.equal(reply.body.length, 0, 'full success is the empty response');
  const content = fileContent(dir);
  assert.deepEqual(content.logs.map((l) => l.eventName), ['gen_ai.system.message', 'gen_ai.user.message', 'gen_ai.choice']);
  assert.deepEqual(
    content.logs.map((l) => l.body),
    fileContentOfJson(logsRequest(CONTENT)),
    'bodies as the JSON request carried them',
  );
});

function fileContentOfJson(request: Record<string, unknown>): string[] {
  const buf = Buffer.from(JSON.stringify(request));
  return readOtlpJson(buf, 0, buf.length, { file: 'r', line: 1, byteBase: 0 }).logRecords.map((l) => JSON.stringify((JSON.parse(buf.toString('utf8', l.byteStart, l.byteEnd)) as { body: unknown }).body));
}

test('/v1/logs: a record naming a malformed span id is refused and counted, in both encodings; the rest are written', async (t) => {
  const { port, dir } = await startHttp(t);
  const bad: Log = { traceId: TRACE, spanId: 'abc', eventName: 'gen_ai.user.message', body: text('lost') };
  const reply = await post(port, '/v1/logs', { 'content-type': 'application/json' }, JSON.stringify(logsRequest([bad, ...CONTENT])));
  assert.equal(reply.status, 200);
  const partial = (JSON.parse(reply.body.toString()) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } }).partialSuccess;
  assert.equal(partial.rejectedLogRecords, '1');
  assert.match(partial.errorMessage, /1 log record rejected: log record has an invalid spanId/);
  assert.equal(fileContent(dir).logs.length, 3);
  const protoBad = { ...bad, spanId: 'abcdef' }; // three bytes
  const protoReply = await post(port, '/v1/logs', { 'content-type': 'application/x-protobuf' }, Buffer.from(logsProto(logsRequest([protoBad, ...CONTENT]))));
  assert.equal(protoReply.status, 200);
  const decoded = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(protoReply.body), { longs: String }) as { partialSuccess: { rejectedLogRecords: string } };
  assert.equal(decoded.partialSuccess.rejectedLogRecords, '1');
  assert.equal(fileContent(dir).logs.length, 6);
  const notProto = await post(port, '/v1/logs', { 'content-type': 'application/x-protobuf' }, Buffer.from([0xff, 0xff, 0xff]));
  assert.equal(notProto.status, 400);
  // Spans sent to the logs endpoint would be written unchecked with the body: refused.
  const spansToLogs = await post(port, '/v1/logs', { 'content-type': 'application/json' }, JSON.stringify({ ...logsRequest(CONTENT), ...(JSON.parse(SPAN_LINE) as object) }));
  assert.equal(spansToLogs.status, 400);
  assert.match(spansToLogs.body.toString(), /send them to \/v1\/traces/);
  assert.equal(fileContent(dir).spans, 0);
});

test('gRPC LogsService/Export: the records are written and the call answered with the empty response', async (t) => {
  const dir = path.join(tempDir(t, 'tracerun-logs-grpc-'), 'traces');
  const receiver = new OtlpGrpcReceiver({ sink: new TraceFileWriter({ dir }), port: 0 });
  t.after(() => receiver.close());
  const { port } = await receiver.start();
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  t.after(() => client.close());
  const response = await new Promise<Buffer>((resolve, reject) =>
    client.makeUnaryRequest(
      LOGS_EXPORT_PATH,
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
      logsProto(logsRequest(CONTENT)),
      (error, value) => (error ? reject(error) : resolve(value!)),
    ),
  );
  assert.equal(response.length, 0);
  await waitFor('the line', () => fileContent(dir).logs.length === 3);
  assert.deepEqual(fileContent(dir).logs.map((l) => l.eventName), ['gen_ai.system.message', 'gen_ai.user.message', 'gen_ai.choice']);
});
