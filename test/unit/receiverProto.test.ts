import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { OtlpJsonError, readTraceRequestJson } from '../../src/core/receiver/otlpJsonRequest';
import {
  OtlpDecodeError,
  decodeRpcStatusProto,
  decodeTraceRequestProto,
  decodeTraceResponseProto,
  encodeRpcStatusProto,
  encodeTraceRequestProto,
  encodeTraceResponseProto,
  i64String,
  u64String,
} from '../../src/core/receiver/otlpProto';
import { SpanKind, StatusCode } from '../../src/core/model/span';

const TRACE = '5b8efff798038103d269b633813fc60c';
/** A written line as text: lines come as UTF-8 bytes (or text, for text input). */
const text = (line: string | Uint8Array | undefined): string => (typeof line === 'string' ? line : Buffer.from(line!).toString('utf8'));
const ROOT = 'eee19b7ec3c1b174';
const CHILD = '00f067aa0ba902b7';

/** A request using every field of the trace messages, in the JSON shape the receiver writes. */
function fullRequest(): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'agent ü' } },
            { key: 'process.pid', value: { intValue: '4242' } },
          ],
          droppedAttributesCount: 2,
          entityRefs: [{ schemaUrl: 'https://example.com/s', type: 'service', idKeys: ['service.name'], descriptionKeys: ['process.pid'] }],
        },
        scopeSpans: [
          {
            scope: { name: 'openinference.openai', version: '0.1.18', attributes: [{ key: 'scope.attr', value: { boolValue: true } }], droppedAttributesCount: 1 },
            spans: [
              {
                traceId: TRACE,
                spanId: CHILD,
                traceState: 'vendor=a',
                parentSpanId: ROOT,
                flags: 257,
                name: 'chat gpt-4o — café',
                kind: 3,
                startTimeUnixNano: '1700000000123456789',
                endTimeUnixNano: '18446744073709551615',
                attributes: [
                  { key: 'str', value: { stringValue: '日本語 🚀 "quoted"' } },
                  { key: 'empty', value: { stringValue: '' } },
                  { key: 'false', value: { boolValue: false } },
                  { key: 'zero', value: { intValue: '0' } },
                  { key: 'max', value: { intValue: '9223372036854775807' } },
                  { key: 'min', value: { intValue: '-9223372036854775808' } },
                  { key: 'neg', value: { intValue: '-1' } },
                  { key: 'beyond53', value: { intValue: '9007199254740993' } },
                  { key: 'double', value: { doubleValue: 0.25 } },
                  { key: 'nan', value: { doubleValue: 'NaN' } },
                  { key: 'inf', value: { doubleValue: '-Infinity' } },
                  { key: 'bytes', value: { bytesValue: Buffer.from([0, 1, 254, 255]).toString('base64') } },
                  { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }, { arrayValue: { values: [] } }] } } },
                  { key: 'kv', value: { kvlistValue: { values: [{ key: 'inner ключ', value: { doubleValue: 1.5 } }] } } },
                  { key: 'unset', value: {} },
                ],
                droppedAttributesCount: 3,
                events: [
                  {
                    timeUnixNano: '1700000000223456789',
                    name: 'exception',
                    attributes: [
                      { key: 'exception.type', value: { stringValue: 'RateLimitError' } },
                      { key: 'exception.message', value: { stringValue: 'slow down ✋' } },
                    ],
                    droppedAttributesCount: 1,
                  },
                ],
                droppedEventsCount: 4,
                links: [{ traceId: TRACE, spanId: ROOT, traceState: 'x=1', attributes: [{ key: 'why', value: { stringValue: 'retry' } }], droppedAttributesCount: 5, flags: 1 }],
                droppedLinksCount: 6,
                status: { message: 'rate limited ⏳', code: 2 },
              },
              {
                traceId: TRACE,
                spanId: ROOT,
                name: 'agent.run',
                kind: 2,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000001000000001',
                attributes: [],
              },
            ],
            schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
          },
        ],
        schemaUrl: 'https://opentelemetry.io/schemas/1.27.0',
      },
    ],
  };
}

test('protobuf decoding gives back the OTLP JSON it was encoded from, every field and 64-bit value exact', () => {
  const request = fullRequest();
  const traces = decodeTraceRequestProto(encodeTraceRequestProto(request));
  assert.equal(traces.acceptedSpans, 2);
  assert.equal(traces.rejectedSpans, 0);
  assert.equal(traces.rejectionMessage, undefined);
  assert.deepEqual(JSON.parse(text(traces.line)), request);
});

test('the decoded line reads back through the file reader: ids, parents, kinds, exact times, status', () => {
  const { line } = decodeTraceRequestProto(encodeTraceRequestProto(fullRequest()));
  const buf = Buffer.from(line!);
  assert.ok(buf.includes('日本語 🚀 \\"quoted\\"'), 'non-ASCII text is written as UTF-8');
  const { spans, problems } = readOtlpJson(buf, 0, buf.length, { file: 'x.jsonl', line: 1, byteBase: 0 });
  assert.deepEqual(problems, []);
  const child = spans.find((s) => s.spanId === CHILD)!;
  assert.equal(child.traceId, TRACE);
  assert.equal(child.parentSpanId, ROOT);
  assert.equal(child.kind, SpanKind.Client);
  assert.equal(child.startNs, 1700000000123456789n);
  assert.equal(child.endNs, 18446744073709551615n);
  assert.equal(child.statusCode, StatusCode.Error);
  assert.equal(child.name, 'chat gpt-4o — café');
  assert.equal(child.errorMessage, 'rate limited ⏳');
  assert.equal(child.resource.serviceName, 'agent ü');
  assert.deepEqual(child.scope, { name: 'openinference.openai', version: '0.1.18' });
  const root = spans.find((s) => s.spanId === ROOT)!;
  assert.equal(root.parentSpanId, '');
  assert.equal(root.endNs, 1700000001000000001n);
});

test('64-bit integers convert exactly at the edges', () => {
  const long = (low: number, high: number, unsigned: boolean) => ({ low, high, unsigned });
  assert.equal(u64String(long(-1, -1, true)), '18446744073709551615');
  assert.equal(u64String(long(0, 0x1fffff, true)), String(0x1fffff * 2 ** 32));
  assert.equal(u64String(long(1, 0x200000, true)), '9007199254740993');
  assert.equal(i64String(long(-1, -1, false)), '-1');
  assert.equal(i64String(long(0, -0x80000000, false)), '-9223372036854775808');
  assert.equal(i64String(long(-1, 0x7fffffff, false)), '9223372036854775807');
  assert.equal(i64String(long(1, -0x200001, false)), String(-(0x200001n << 32n) + 1n));
  assert.equal(i64String(7), '7');
});

test('spans without a valid trace or span id are rejected and counted; the rest are kept', () => {
  const request = fullRequest() as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  const spans = request.resourceSpans[0].scopeSpans[0].spans;
  spans.push({ ...spans[1], spanId: '0000000000000000', name: 'zero span id' });
  spans.push({ ...spans[1], traceId: 'abcd', name: 'short trace id' });
  spans.push({ ...spans[1], traceId: undefined, spanId: undefined, name: 'no ids' });
  // A resource whose only span is bad disappears from the output.
  request.resourceSpans.push({ scopeSpans: [{ spans: [{ ...spans[1], spanId: 'ff', name: 'short span id' }] }] });
  const traces = decodeTraceRequestProto(encodeTraceRequestProto(request));
  assert.equal(traces.acceptedSpans, 2);
  assert.equal(traces.rejectedSpans, 4);
  assert.match(traces.rejectionMessage!, /^4 spans rejected: span "zero span id" has no valid spanId.*"short trace id" has no valid traceId.*"no ids" has no valid traceId or spanId; and 1 more$/);
  const written = JSON.parse(text(traces.line));
  assert.equal(written.resourceSpans.length, 1);
  assert.deepEqual(
    written.resourceSpans[0].scopeSpans[0].spans.map((s: { spanId: string }) => s.spanId),
    [CHILD, ROOT],
  );
  // Nothing valid at all: no line.
  const none = decodeTraceRequestProto(encodeTraceRequestProto({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x' }] }] }] }));
  assert.deepEqual(none, { line: undefined, acceptedSpans: 0, rejectedSpans: 1, rejectionMessage: '1 span rejected: span "x" has no valid traceId or spanId' });
});

test('an empty request decodes to no spans; bytes that are not the message fail with OtlpDecodeError', () => {
  assert.deepEqual(decodeTraceRequestProto(new Uint8Array(0)), { line: undefined, acceptedSpans: 0, rejectedSpans: 0, rejectionMessage: undefined });
  const good = encodeTraceRequestProto(fullRequest());
  for (const cut of [1, 7, good.length - 3]) {
    assert.throws(() => decodeTraceRequestProto(good.subarray(0, cut)), OtlpDecodeError);
  }
  assert.throws(() => decodeTraceRequestProto(Buffer.from('{"resourceSpans":[]}')), /not a protobuf ExportTraceServiceRequest/);
});

test('responses: full success is the empty message, partial success and rpc Status round-trip', () => {
  assert.equal(encodeTraceResponseProto().length, 0);
  assert.equal(encodeTraceResponseProto({ rejectedSpans: 0, errorMessage: '' }).length, 0);
  assert.deepEqual(decodeTraceResponseProto(encodeTraceResponseProto({ rejectedSpans: 3, errorMessage: 'bad ids' })), {
    partialSuccess: { rejectedSpans: '3', errorMessage: 'bad ids' },
  });
  // Field numbers by hand: partial_success = 1 { rejected_spans = 1 (varint), error_message = 2 }.
  assert.deepEqual([...encodeTraceResponseProto({ rejectedSpans: 3, errorMessage: 'x' })], [0x0a, 5, 0x08, 3, 0x12, 1, 0x78]);
  assert.deepEqual(decodeRpcStatusProto(encodeRpcStatusProto(3, 'bad body')), { code: 3, message: 'bad body', details: [] });
  assert.deepEqual([...encodeRpcStatusProto(3, 'x')], [0x08, 3, 0x12, 1, 0x78]);
});

test('Span field numbers match opentelemetry-proto (checked against hand-encoded bytes)', () => {
  const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >>> 7)]);
  const tag = (field: number, wire: number) => varint((field << 3) | wire);
  const bytes = (field: number, data: number[]) => [...tag(field, 2), ...varint(data.length), ...data];
  const fixed64 = (field: number, v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return [...tag(field, 1), ...b];
  };
  const traceId = [...Buffer.from(TRACE, 'hex')];
  const spanId = [...Buffer.from(CHILD, 'hex')];
  const parent = [...Buffer.from(ROOT, 'hex')];
  const flags = [...tag(16, 5), 1, 1, 0, 0];
  const status = bytes(15, [...bytes(2, [0x6f, 0x6b]), ...tag(3, 0), 1]);
  const attr = bytes(9, [...bytes(1, [0x6b]), ...bytes(2, [...tag(3, 0), 0x7f])]);
  const span = [
    ...bytes(1, traceId),
    ...bytes(2, spanId),
    ...bytes(3, [0x73]),
    ...bytes(4, parent),
    ...bytes(5, [0x6e]),
    ...tag(6, 0),
    4,
    ...fixed64(7, 1700000000123456789n),
    ...fixed64(8, 1700000000123456790n),
    ...attr,
    ...tag(10, 0),
    2,
    ...bytes(11, [...fixed64(1, 5n), ...bytes(2, [0x65])]),
    ...tag(12, 0),
    3,
    ...bytes(13, [...bytes(1, traceId), ...bytes(2, parent)]),
    ...tag(14, 0),
    4,
    ...status,
    ...flags,
  ];
  const scope = bytes(1, [...bytes(1, [0x73, 0x63]), ...bytes(2, [0x31])]);
  const resource = bytes(1, bytes(1, [...bytes(1, [0x72]), ...bytes(2, bytes(1, [0x76]))]));
  const request = bytes(1, [...resource, ...bytes(2, [...scope, ...bytes(2, span), ...bytes(3, [0x75])]), ...bytes(3, [0x77])]);
  const traces = decodeTraceRequestProto(Uint8Array.from(request));
  assert.deepEqual(JSON.parse(text(traces.line)), {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'r', value: { stringValue: 'v' } }] },
        scopeSpans: [
          {
            scope: { name: 'sc', version: '1' },
            spans: [
              {
                traceId: TRACE,
                spanId: CHILD,
                traceState: 's',
                parentSpanId: ROOT,
                flags: 257,
                name: 'n',
                kind: 4,
                startTimeUnixNano: '1700000000123456789',
                endTimeUnixNano: '1700000000123456790',
                attributes: [{ key: 'k', value: { intValue: '127' } }],
                droppedAttributesCount: 2,
                events: [{ timeUnixNano: '5', name: 'e', attributes: [] }],
                droppedEventsCount: 3,
                links: [{ traceId: TRACE, spanId: ROOT, attributes: [] }],
                droppedLinksCount: 4,
                status: { message: 'ok', code: 1 },
              },
            ],
            schemaUrl: 'u',
          },
        ],
        schemaUrl: 'w',
      },
    ],
  });
});

test('JSON bodies: every span valid → the body itself on one line, integers beyond 2^53 untouched', () => {
  const body = JSON.stringify(fullRequest(), null, 2).replace('"intValue": "9007199254740993"', '"intValue": 9007199254740993');
  assert.ok(body.includes('\n'));
  const traces = readTraceRequestJson('\uFEFF' + body + '\r\n');
  assert.equal(traces.acceptedSpans, 2);
  assert.equal(traces.rejectedSpans, 0);
  const line = text(traces.line);
  assert.ok(!line.includes('\n') && !line.includes('\r'));
  assert.ok(line.includes('"intValue": 9007199254740993'));
  assert.deepEqual(JSON.parse(line), JSON.parse(body));
  // Bytes in, the same bytes out (line breaks made spaces), BOM dropped.
  const bytes = Buffer.from('\uFEFF' + body + '\r\n');
  const fromBytes = readTraceRequestJson(bytes);
  assert.ok(Buffer.isBuffer(fromBytes.line));
  assert.equal(text(fromBytes.line), body.replace(/\n/g, ' ') + '  ');
  const compact = Buffer.from(JSON.stringify(fullRequest()));
  assert.equal(readTraceRequestJson(compact).line, compact, 'a one-line body is written as it came, not copied');
});

test('JSON bodies: invalid spans are dropped and counted, long integers kept exact in the re-serialized line', () => {
  const request = {
    resource_spans: [
      {
        scope_spans: [
          {
            spans: [
              { trace_id: TRACE, span_id: ROOT, name: 'ok', start_time_unix_nano: 1700000000123456789, attributes: [{ key: 'big', value: { intValue: 12345678901234567890 } }] },
              { traceId: TRACE, spanId: '', name: 'no span id', startTimeUnixNano: '1' },
              { traceId: TRACE, spanId: CHILD, name: 'no start' },
              'not an object',
            ],
          },
        ],
      },
    ],
  };
  // JSON.stringify would round the numbers; write the literals by hand.
  const body = JSON.stringify(request)
    .replace('1700000000123456800', '1700000000123456789')
    .replace('12345678901234567000', '12345678901234567890');
  assert.ok(body.includes('1700000000123456789') && body.includes('12345678901234567890'));
  const traces = readTraceRequestJson(body);
  assert.equal(traces.acceptedSpans, 1);
  assert.equal(traces.rejectedSpans, 3);
  assert.match(traces.rejectionMessage!, /3 spans rejected: span "no span id" has no valid spanId.*span "no start" has no startTimeUnixNano; a span is not a JSON object/);
  const line = text(traces.line);
  assert.ok(line.includes('"1700000000123456789"'), line);
  assert.ok(line.includes('"12345678901234567890"'), line);
  const buf = Buffer.from(line);
  const read = readOtlpJson(buf, 0, buf.length, { file: 'x', line: 1, byteBase: 0 });
  assert.deepEqual(read.problems, []);
  assert.deepEqual(
    read.spans.map((s) => [s.spanId, s.startNs]),
    [[ROOT, 1700000000123456789n]],
  );
});

test('JSON bodies that are not requests fail with a message naming what failed', () => {
  assert.throws(() => readTraceRequestJson('{"resourceSpans": [}'), (err: Error) => err instanceof OtlpJsonError && /^invalid JSON: /.test(err.message));
  assert.throws(() => readTraceRequestJson(''), /invalid JSON/);
  assert.throws(() => readTraceRequestJson('[1,2]'), /expected a JSON object/);
  assert.throws(() => readTraceRequestJson('{"resourceSpans": {}}'), /resourceSpans: expected an array/);
  assert.throws(() => readTraceRequestJson('{"resourceSpans": [{"scopeSpans": [{"spans": 5}]}]}'), /resourceSpans\[0\]\.scopeSpans\[0\]\.spans: expected an array/);
  assert.deepEqual(readTraceRequestJson('{}'), { line: undefined, acceptedSpans: 0, rejectedSpans: 0, rejectionMessage: undefined });
  assert.deepEqual(readTraceRequestJson('{"resourceSpans": []}').acceptedSpans, 0);
});

test('JSON bodies as bytes: non-ASCII text survives the rejected-span rewrite byte for byte, and messages show it as UTF-8', () => {
  const request = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agent — café' } }] },
        scopeSpans: [
          {
            spans: [
              { traceId: TRACE, spanId: ROOT, name: 'réponse 🚀', startTimeUnixNano: '1', attributes: [{ key: 'prompt', value: { stringValue: '日本語 "q" \\ \n end' } }] },
              { traceId: TRACE, spanId: 'zz', name: 'é bad', startTimeUnixNano: '1' },
            ],
          },
        ],
      },
    ],
  };
  const traces = readTraceRequestJson(Buffer.from(JSON.stringify(request)));
  assert.equal(traces.rejectedSpans, 1);
  assert.match(traces.rejectionMessage!, /span "é bad" has no valid spanId/);
  assert.ok(Buffer.isBuffer(traces.line));
  const expected = structuredClone(request);
  expected.resourceSpans[0].scopeSpans[0].spans.pop();
  assert.equal(text(traces.line), JSON.stringify(expected));
  assert.throws(() => readTraceRequestJson(Buffer.from('{"a": 日本語}')), /invalid JSON: .*"\{"a": 日本語\}" is not valid JSON/);
});

test('protobuf strings pass through as bytes: invalid UTF-8 reads back as U+FFFD, never as broken JSON', () => {
  const request = fullRequest() as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  const span = request.resourceSpans[0].scopeSpans[0].spans[1];
  span.name = 'AAAA';
  const bytes = Buffer.from(encodeTraceRequestProto(request));
  // Overwrite the name's bytes in place: a lone continuation byte, a quote, a control character.
  const at = bytes.indexOf('AAAA');
  bytes.set([0x80, 0x22, 0x01, 0xff], at);
  const { line } = decodeTraceRequestProto(bytes);
  const buf = Buffer.from(line!);
  const { spans, problems } = readOtlpJson(buf, 0, buf.length, { file: 'x', line: 1, byteBase: 0 });
  assert.deepEqual(problems, []);
  assert.equal(spans.find((s) => s.spanId === ROOT)!.name, '\uFFFD"\u0001\uFFFD');
});

test('a request that the trace file reader would not read back whole is refused, naming why (repeated keys, deep nesting)', () => {
  const span = `{"traceId":"${TRACE}","spanId":"${ROOT}","name":"real","startTimeUnixNano":"1"}`;
  // JSON.parse keeps the last "spans"; a streaming reader meets the first one too.
  assert.throws(() => readTraceRequestJson(`{"resourceSpans":[{"scopeSpans":[{"spans":{},"spans":[${span}]}]}]}`), (e: Error) => e instanceof OtlpJsonError && /read back/.test(e.message));
  assert.throws(() => readTraceRequestJson(`{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}]}],"resourceSpans":[]}`), (e: Error) => e instanceof OtlpJsonError && /read back/.test(e.message));
  let deep = '{"stringValue":"x"}';
  for (let i = 0; i < 5000; i++) deep = `{"kvlistValue":{"values":[{"key":"k","value":${deep}}]}}`;
  const nested = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"${ROOT}","name":"deep","startTimeUnixNano":"1","attributes":[{"key":"a","value":${deep}}]}]}]}]}`;
  assert.throws(() => readTraceRequestJson(nested), (e: Error) => e instanceof OtlpJsonError && /nested deeper than 512 levels/.test(e.message));
  assert.throws(() => readTraceRequestJson(Buffer.from(nested)), /nested deeper than 512 levels/);
});
