// The receivers' rule for log records, fuzzed as for spans (otlpFuzz.test.ts): every record a
// logs request has acknowledged reads back from the line written, and the rest are refused
// with a message. Fixed seed, bounded count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { OtlpJsonError, type AcceptedTraces } from '../../src/core/receiver/otlpJsonRequest';
import { decodeLogsRequestProto, readLogsRequestJson } from '../../src/core/receiver/otlpLogsRequest';
import { ExportLogsServiceRequest, OtlpDecodeError } from '../../src/core/receiver/otlpProto';
import { hex, pick, rng, spliceByte, truncate, type Rand } from './fuzzing';

const SEED = 0x10605;
const CASES = 600;

function validRecord(r: Rand): Record<string, unknown> {
  return {
    timeUnixNano: String(1_700_000_000_000_000_000n + BigInt(Math.floor(r() * 1e9))),
    ...(r() < 0.8 ? { traceId: hex(r, 32), spanId: hex(r, 16) } : {}),
    eventName: pick(r, ['gen_ai.user.message', 'gen_ai.choice', 'réponse 🚀', '']),
    attributes: [{ key: 'gen_ai.system', value: { stringValue: 'openai' } }],
    body: { kvlistValue: { values: [{ key: 'content', value: { stringValue: pick(r, ['hi', 'a\\b', 'line\nbreak']) } }] } },
  };
}

function validRequest(r: Rand): Record<string, unknown> {
  const logRecords = Array.from({ length: 1 + Math.floor(r() * 4) }, () => validRecord(r));
  return { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzz' } }] }, scopeLogs: [{ scope: { name: 's' }, logRecords }] }] };
}

const TEXT_MUTATIONS: ((text: string, r: Rand) => string)[] = [
  (t) => t.replace('"logRecords":[', '"logRecords":{},"logRecords":['),
  (t) => t.replace('"logRecords":[', '"logRecords":null,"logRecords":['),
  (t) => t.replace('"scopeLogs":[', '"scopeLogs":"x","scopeLogs":['),
  (t) => t.replace('{"resourceLogs":', '{"resourceLogs":7,"resourceLogs":'),
  (t) => t.replace(/"eventName":"[^"]*"/, '"eventName":5'),
  (t) => t.replace(/"attributes":\[/, '"attributes":{"a":1},"x":['),
  (t) => t.replace(/\{"timeUnixNano"/, '"just text",{"timeUnixNano"'),
  (t) => t.replace(/\{"timeUnixNano"/, '[1,2],{"timeUnixNano"'),
  (t, r) => t.replace(/"spanId":"[0-9a-f]+"/, `"spanId":"${pick(r, ['', '00', '0000000000000000', 'zz', 'abc', 'AAAAAAAAAAA='])}"`),
  (t, r) => t.replace(/"traceId":"[0-9a-f]+"/, `"traceId":${pick(r, ['null', '0', '{}', '"0x5b8efff798038103d269b633813fc60c"', '"abc"'])}`),
  (t, r) => t.replace(/"timeUnixNano":"\d+"/, `"timeUnixNano":${pick(r, ['null', '"abc"', '1e30', '-5', '{}'])}`),
  (t) => t.replace('{"resourceLogs":', '{"resourceSpans":[],"resourceLogs":'),
  spliceByte,
  truncate,
];

/** The property: the line holds exactly the acknowledged records, readable, no problems. */
function assertReadable(accepted: AcceptedTraces, input: string): void {
  if (accepted.line === undefined) {
    assert.equal(accepted.acceptedSpans, 0, input);
    return;
  }
  const line = accepted.line;
  const buf = typeof line === 'string' ? Buffer.from(line) : Buffer.from(line.buffer, line.byteOffset, line.byteLength);
  assert.equal(buf.indexOf(10), -1, 'a line holds no line break');
  const read = readOtlpJson(buf, 0, buf.length, { file: 'fuzz', line: 1, byteBase: 0 });
  assert.deepEqual(read.problems, [], input.slice(0, 300));
  assert.equal(read.spans.length, 0);
  assert.equal(read.logRecords.length + read.unlinkedLogRecords, accepted.acceptedSpans, input.slice(0, 300));
}

test(`fuzz: ${CASES} mutated JSON logs requests: refused with a message, or every acknowledged record reads back (seed ${SEED})`, () => {
  const r = rng(SEED);
  let accepted = 0;
  let refused = 0;
  for (let i = 0; i < CASES; i++) {
    let input = JSON.stringify(validRequest(r));
    const n = 1 + Math.floor(r() * 3);
    for (let m = 0; m < n; m++) input = pick(r, TEXT_MUTATIONS)(input, r);
    let result: AcceptedTraces;
    try {
      result = readLogsRequestJson(r() < 0.5 ? input : Buffer.from(input));
    } catch (err) {
      assert.ok(err instanceof OtlpJsonError, `case ${i}: ${(err as Error).stack}`);
      refused++;
      continue;
    }
    accepted++;
    assertReadable(result, input);
  }
  assert.ok(accepted > CASES / 10 && refused > CASES / 10, `accepted ${accepted}, refused ${refused}`);
});

test(`fuzz: 300 mutated protobuf logs requests: refused, or every acknowledged record reads back (seed ${SEED})`, () => {
  const r = rng(SEED + 1);
  let accepted = 0;
  for (let i = 0; i < 300; i++) {
    const request = validRequest(r) as { resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] };
    for (const rec of request.resourceLogs[0].scopeLogs[0].logRecords) for (const k of ['traceId', 'spanId']) if (typeof rec[k] === 'string') rec[k] = Buffer.from(rec[k] as string, 'hex');
    if (r() < 0.3) request.resourceLogs[0].scopeLogs[0].logRecords[0].spanId = Buffer.from(pick(r, ['', '00', 'abcdef']), 'hex');
    const bytes = Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(request)).finish());
    const flips = Math.floor(r() * 4);
    for (let f = 0; f < flips; f++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
    const input = r() < 0.2 ? bytes.subarray(0, Math.floor(r() * bytes.length)) : bytes;
    let result: AcceptedTraces;
    try {
      result = decodeLogsRequestProto(input);
    } catch (err) {
      assert.ok(err instanceof OtlpDecodeError, `case ${i}: ${(err as Error).stack}`);
      continue;
    }
    accepted++;
    assertReadable(result, input.toString('base64'));
  }
  assert.ok(accepted > 30, `accepted ${accepted}`);
});
