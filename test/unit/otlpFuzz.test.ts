// Issue 15 item 10 (and the fuzz test of the Tests section): mutated requests, fixed seed,
// bounded count. The property: every span the receiver acknowledges is read back from the line
// it writes, by the same reader the extension uses; and the reader, fed anything, either reads
// or throws its syntax error (never a stack overflow, a TypeError or a hang).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { test } from 'node:test';
import { JsonSyntaxError } from '../../src/core/ingest/otlp/jsonScanner';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import type { SpanRecord } from '../../src/core/model/span';
import { outOfRangeTime } from '../../src/core/model/timeRange';
import { OtlpHttpReceiver } from '../../src/core/receiver/httpReceiver';
import { OtlpJsonError, readTraceRequestJson, type AcceptedTraces } from '../../src/core/receiver/otlpJsonRequest';
import { OtlpDecodeError, decodeTraceRequestProto, encodeTraceRequestProto } from '../../src/core/receiver/otlpProto';
import { TraceFileWriter } from '../../src/core/receiver/traceFileWriter';
import { tempDir } from './tempDir';
import { hex, pick, rng, spliceByte, truncate, type Rand } from './fuzzing';

const SEED = 0x15eed;
const CASES = 600;

function validSpan(r: Rand): Record<string, unknown> {
  return {
    traceId: hex(r, 32),
    spanId: hex(r, 16),
    parentSpanId: r() < 0.5 ? hex(r, 16) : '',
    name: pick(r, ['llm.call', 'tool "search"', 'réponse 🚀', 'a\\b', 'line\nbreak']),
    kind: pick(r, [1, 2, 3, 'SPAN_KIND_CLIENT']),
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(Math.floor(r() * 1e9))),
    endTimeUnixNano: String(1_700_000_001_000_000_000n),
    attributes: [
      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
      { key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } },
      { key: 'payload', value: { kvlistValue: { values: [{ key: 'x', value: { arrayValue: { values: [{ boolValue: true }] } } }] } } },
    ],
    events: [{ name: 'exception', attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }] }],
    status: { code: pick(r, [0, 1, 2]), message: 'ok' },
  };
}

function validRequest(r: Rand): Record<string, unknown> {
  const spans = Array.from({ length: 1 + Math.floor(r() * 4) }, () => validSpan(r));
  return {
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzz' } }] }, scopeSpans: [{ scope: { name: 's', version: '1' }, spans }] }],
  };
}

/** Structural mutations on the JSON text, the kinds writers and attackers produce. */
const TEXT_MUTATIONS: ((text: string, r: Rand) => string)[] = [
  // repeated keys, read differently by JSON.parse (last wins) and a streaming reader (each)
  (t) => t.replace('"spans":[', '"spans":{},"spans":['),
  (t) => t.replace('"spans":[', '"spans":null,"spans":['),
  (t) => t.replace('"scopeSpans":[', '"scopeSpans":"x","scopeSpans":['),
  (t) => t.replace('{"resourceSpans":', '{"resourceSpans":7,"resourceSpans":'),
  (t) => t.replace(/"traceId":"/, '"traceId":"00","traceId":"'),
  // wrong types where objects, arrays and strings belong
  (t) => t.replace(/"name":"[^"]*"/, '"name":5'),
  (t) => t.replace(/"status":\{[^}]*\}/, '"status":"error"'),
  (t) => t.replace(/"attributes":\[/, '"attributes":{"a":1},"x":['),
  (t) => t.replace(/"events":\[/, '"events":3,"e":['),
  (t) => t.replace(/"key":"gen_ai.request.model"/, '"key":12'),
  (t) => t.replace(/"scope":\{/, '"scope":[],"s":{'),
  (t) => t.replace(/"resource":\{/, '"resource":"r","r":{'),
  (t) => t.replace(/\{"traceId"/, '"just text",{"traceId"'),
  (t) => t.replace(/\{"traceId"/, '[1,2],{"traceId"'),
  // ids and times
  (t, r) => t.replace(/"spanId":"[0-9a-f]+"/, `"spanId":"${pick(r, ['', '00', '0000000000000000', 'zz', 'AAAAAAAAAAA='])}"`),
  (t, r) => t.replace(/"traceId":"[0-9a-f]+"/, `"traceId":${pick(r, ['null', '0', '{}', '"0x5b8efff798038103d269b633813fc60c"'])}`),
  (t, r) => t.replace(/"startTimeUnixNano":"\d+"/, `"startTimeUnixNano":${pick(r, ['null', '"abc"', '1e30', '-5', '"-5"', '{}', '"99999999999999999999999999"', '"18446744073709551616"', '"18446744073709551615"', '18446744073709551615'])}`),
  (t, r) => t.replace(/"endTimeUnixNano":"\d+"/, `"endTimeUnixNano":${pick(r, ['"18446744073709551616"', '1e30', '"-5"', '"0"'])}`),
  // nesting
  (t, r) => {
    const depth = pick(r, [10, 200, 600, 5000]);
    let v = '{"stringValue":"x"}';
    for (let i = 0; i < depth; i++) v = `{"arrayValue":{"values":[${v}]}}`;
    return t.replace('{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}}', `{"key":"gen_ai.request.model","value":${v}}`);
  },
  // escapes and bytes
  (t) => t.replace('"s"', '"\\u0000\\ud800\\"\\\\"'),
  spliceByte,
  truncate,
];

function mutateJson(r: Rand): string {
  let text = JSON.stringify(validRequest(r));
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) text = pick(r, TEXT_MUTATIONS)(text, r);
  return text;
}

function readLine(line: string | Uint8Array): { spans: number; problems: string[] } {
  const buf = typeof line === 'string' ? Buffer.from(line) : Buffer.from(line.buffer, line.byteOffset, line.byteLength);
  assert.equal(buf.indexOf(10), -1, 'a line holds no line break');
  const r = readOtlpJson(buf, 0, buf.length, { file: 'fuzz', line: 1, byteBase: 0 });
  return { spans: r.spans.length, problems: [...r.problems, ...unshowable(r.spans)] };
}

/** What the views would still skip after the reader (times past `fixed64`): acknowledged, such a span is lost. */
function unshowable(spans: readonly SpanRecord[]): string[] {
  return spans.map(outOfRangeTime).filter((m): m is string => m !== undefined);
}

/** The property: what was acknowledged is read back, nothing else, without problems. */
function assertReadable(traces: AcceptedTraces, input: string): void {
  if (traces.line === undefined) {
    assert.equal(traces.acceptedSpans, 0, input);
    return;
  }
  let read: { spans: number; problems: string[] };
  try {
    read = readLine(traces.line);
  } catch (err) {
    assert.fail(`acknowledged ${traces.acceptedSpans} spans the reader cannot read (${(err as Error).message}): ${input.slice(0, 300)}`);
  }
  assert.deepEqual(read.problems, [], input.slice(0, 300));
  assert.equal(read.spans, traces.acceptedSpans, input.slice(0, 300));
}

test(`fuzz: ${CASES} mutated JSON requests: each is refused with a message, or every acknowledged span reads back (seed ${SEED})`, () => {
  const r = rng(SEED);
  let accepted = 0;
  let refused = 0;
  for (let i = 0; i < CASES; i++) {
    const input = mutateJson(r);
    let traces: AcceptedTraces;
    try {
      traces = readTraceRequestJson(r() < 0.5 ? input : Buffer.from(input));
    } catch (err) {
      assert.ok(err instanceof OtlpJsonError, `case ${i}: ${(err as Error).stack}`);
      assert.ok(err.message.length > 0);
      refused++;
      continue;
    }
    accepted++;
    assertReadable(traces, input);
  }
  // The mutations must exercise both sides, or the property says nothing.
  assert.ok(accepted > CASES / 10 && refused > CASES / 10, `accepted ${accepted}, refused ${refused}`);
});

const PROTO_CASES = 300;

test(`fuzz: ${PROTO_CASES} mutated protobuf requests: refused, or every acknowledged span reads back (seed ${SEED})`, () => {
  const r = rng(SEED + 1);
  let accepted = 0;
  for (let i = 0; i < PROTO_CASES; i++) {
    const request = validRequest(r);
    const spans = (request.resourceSpans as { scopeSpans: { spans: Record<string, unknown>[] }[] }[])[0].scopeSpans[0].spans;
    if (r() < 0.3) spans[0].spanId = pick(r, ['', '00', '0000000000000000']);
    const bytes = Buffer.from(encodeTraceRequestProto(request));
    const flips = Math.floor(r() * 4);
    for (let f = 0; f < flips; f++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
    const input = r() < 0.2 ? bytes.subarray(0, Math.floor(r() * bytes.length)) : bytes;
    let traces: AcceptedTraces;
    try {
      traces = decodeTraceRequestProto(input);
    } catch (err) {
      assert.ok(err instanceof OtlpDecodeError, `case ${i}: ${(err as Error).stack}`);
      continue;
    }
    accepted++;
    assertReadable(traces, input.toString('base64'));
  }
  assert.ok(accepted > PROTO_CASES / 10, `accepted ${accepted}`);
});

test(`fuzz: the reader, fed ${CASES} mutated lines, reads or throws its syntax error, nothing else (seed ${SEED})`, () => {
  const r = rng(SEED + 2);
  for (let i = 0; i < CASES; i++) {
    const input = mutateJson(r);
    try {
      readLine(input);
    } catch (err) {
      assert.ok(err instanceof JsonSyntaxError, `case ${i}: ${(err as Error).stack}\n${input.slice(0, 300)}`);
    }
  }
});

test('fuzz through the HTTP receiver: every span acknowledged with 200 is in the file, readable', async (t) => {
  const dir = path.join(tempDir(t, 'tracerun-fuzz-'), '.tracerun');
  let acknowledged = 0;
  const receiver = new OtlpHttpReceiver({ sink: new TraceFileWriter({ dir }), port: 0, onSpans: (n) => (acknowledged += n) });
  t.after(() => receiver.close());
  const { port } = await receiver.start();
  const r = rng(SEED + 3);
  let oks = 0;
  for (let i = 0; i < 60; i++) {
    const body = mutateJson(r);
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', headers: { 'content-type': 'application/json' } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(parts).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.ok(reply.status === 200 || reply.status === 400, `${reply.status} ${reply.body}`);
    if (reply.status === 200) oks++;
  }
  let read = 0;
  for (const name of readdirSync(dir)) {
    const buf = readFileSync(path.join(dir, name));
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      const res = readOtlpJson(buf, start, nl, { file: name, line: 1, byteBase: 0 });
      assert.deepEqual([...res.problems, ...unshowable(res.spans)], []);
      read += res.spans.length;
      start = nl + 1;
    }
    assert.equal(start, buf.length);
  }
  assert.ok(oks > 5 && acknowledged > 0, `${oks} requests acknowledged`);
  assert.equal(read, acknowledged, 'every acknowledged span is in the file, and nothing else');
});
