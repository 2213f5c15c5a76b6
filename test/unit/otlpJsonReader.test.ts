import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonSyntaxError } from '../../src/core/ingest/otlp/jsonScanner';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { SpanKind, StatusCode } from '../../src/core/model/span';
import { otlpLine } from './otlpBuilder';

function read(text: string) {
  const buf = Buffer.from(text);
  return readOtlpJson(buf, 0, buf.length, { file: '/t/x.jsonl', line: 7, byteBase: 100 });
}

const TRACE = '5b8efff798038103d269b633813fc60c';

test('reads the Collector file exporter shape, keeping indexed attributes only', () => {
  const line = otlpLine([
    {
      traceId: TRACE,
      spanId: 'eee19b7ec3c1b174',
      parentSpanId: 'eee19b7ec3c1b173',
      name: 'ChatOpenAI',
      start: '1700000000123456789',
      end: '1700000001123456789',
      kind: 3,
      status: { code: 2, message: 'rate limited' },
      attributes: { 'code.filepath': 'agent.py', 'code.lineno': 42, 'input.value': 'x'.repeat(5000) },
    },
  ]);
  const { spans, problems } = read(line);
  assert.deepEqual(problems, []);
  assert.equal(spans.length, 1);
  const s = spans[0];
  assert.equal(s.traceId, TRACE);
  assert.equal(s.parentSpanId, 'eee19b7ec3c1b173');
  assert.equal(s.kind, SpanKind.Client);
  assert.equal(s.startNs, 1700000000123456789n);
  assert.equal(s.endNs - s.startNs, 1_000_000_000n);
  assert.equal(s.statusCode, StatusCode.Error);
  assert.equal(s.errorMessage, 'rate limited');
  assert.deepEqual(s.attributes, { 'code.filepath': 'agent.py', 'code.lineno': 42 });
  assert.equal(s.resource.serviceName, 'test-service');
  assert.equal(s.scope?.name, 'test');
  assert.equal(s.origin.line, 7);
  // The byte range, offset by byteBase, holds exactly this span's JSON.
  const raw = JSON.parse(Buffer.from(line).toString('utf8', s.byteStart - 100, s.byteEnd - 100));
  assert.equal(raw.name, 'ChatOpenAI');
  assert.equal(raw.attributes[2].value.stringValue.length, 5000);
});

test('accepts what real writers vary: base64 ids, numeric int64, enum names, old keys, snake_case', () => {
  const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
  const text = `{"resource_spans":[{"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old"},"spans":[
    {"traceId":"${b64(TRACE)}","spanId":"${b64('0000000000000001')}","name":"a","kind":"SPAN_KIND_SERVER",
     "startTimeUnixNano":1700000000123456789,"endTimeUnixNano":1700000000223456789,
     "status":{"code":"STATUS_CODE_ERROR"},
     "attributes":[{"key":"code.lineno","value":{"intValue":12}},{"key":"x","value":{"doubleValue":"NaN"}},
                   {"key":"b","value":{"bytesValue":"AAEC"}},{"value":{"doubleValue":"Infinity"},"key":"code.column"}],
     "events":[{"name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"ValueError"}},{"key":"exception.message","value":{"stringValue":"bad"}},{"key":"exception.stacktrace","value":{"stringValue":"Traceback..."}}]}]},
    {"trace_id":"0x${TRACE}","span_id":"0x0000000000000002","parent_span_id":"0000000000000001","name":"b",
     "start_time_unix_nano":"1700000000133456789","end_time_unix_nano":"1700000000143456789","kind":"SPAN_KIND_INTERNAL"}
  ]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late-resource"}}]}}]}`;
  const { spans } = read(text);
  assert.equal(spans.length, 2);
  const [a, b] = spans;
  assert.equal(a.traceId, TRACE);
  assert.equal(a.spanId, '0000000000000001');
  assert.equal(a.kind, SpanKind.Server);
  assert.equal(a.startNs, 1700000000123456789n, 'numbers beyond 2^53 keep their digits');
  assert.equal(a.statusCode, StatusCode.Error);
  assert.equal(a.errorMessage, 'ValueError: bad', 'exception event fills in a missing status message');
  assert.equal(a.attributes?.['code.lineno'], 12);
  assert.equal(a.attributes?.['code.column'], Infinity, 'value before key still decodes');
  assert.equal(a.scope?.name, 'old');
  assert.equal(a.resource.serviceName, 'late-resource', 'resource after scopeSpans applies');
  assert.equal(b.traceId, TRACE);
  assert.equal(b.parentSpanId, '0000000000000001');
  assert.equal(b.kind, SpanKind.Internal);
});

test('other signals in the same file are skipped; spans without ids are reported, not fatal', () => {
  assert.deepEqual(read('{"resourceLogs":[{"scopeLogs":[]}]}').spans, []);
  const { spans, problems } = read(
    `{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"no-id","startTimeUnixNano":"1"},{"traceId":"${TRACE}","spanId":"0000000000000009","name":"ok","startTimeUnixNano":"5","endTimeUnixNano":"9"}]}]}]}`,
  );
  assert.equal(spans.length, 1);
  assert.equal(spans[0].name, 'ok');
  assert.match(problems[0], /no-id.*no traceId/);
});

test('malformed input throws a syntax error, never hangs', () => {
  const bad = ['{"resourceSpans":[', '{"resourceSpans": [ {"scopeSpans": [} ] }', 'hello', '{"a":1} trailing', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"x","kind":tru}]}]}]}', '{"resourceSpans":"unterminated}', '[1,2]'];
  for (const text of bad) assert.throws(() => read(text), (e: unknown) => e instanceof JsonSyntaxError || e instanceof SyntaxError, text);
});

test('strings with escaped quotes and backslashes are skipped and read correctly', () => {
  const line = otlpLine([
    { traceId: TRACE, spanId: '0000000000000003', name: 'say "hi" \\ there', start: 1, end: 2, attributes: { 'input.value': 'quote \\" and \\\\ and "' } },
  ]);
  const { spans } = read(line);
  assert.equal(spans[0].name, 'say "hi" \\ there');
});

test('null fields read as absent, as the protobuf JSON mapping says', () => {
  const { spans, problems } = read(
    `{"resourceSpans":[{"resource":null,"scopeSpans":[{"scope":{"name":"s","version":null},"spans":[
      {"traceId":"${TRACE}","spanId":"0000000000000001","parentSpanId":null,"name":"root","kind":null,
       "startTimeUnixNano":"5","endTimeUnixNano":"9","attributes":null,"events":null,"links":null,
       "status":{"code":2,"message":null}},
      {"traceId":"${TRACE}","spanId":"0000000000000002","parentSpanId":"0000000000000001","name":"child",
       "startTimeUnixNano":"6","endTimeUnixNano":null,"status":null}
    ]}]}]}`,
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(
    spans.map((s) => [s.name, s.parentSpanId]),
    [
      ['root', ''],
      ['child', '0000000000000001'],
    ],
  );
  assert.equal(spans[0].kind, SpanKind.Unspecified);
  assert.equal(spans[0].statusCode, StatusCode.Error);
  assert.equal(spans[0].errorMessage, undefined);
  assert.equal(spans[0].scope?.version, undefined);
  assert.equal(spans[1].endNs, 0n, 'a missing end reads as 0: the span has not ended');
});

/** A span whose indexed attribute holds a kvlist nested `depth` levels (each level 4 JSON levels). */
function deeplyNested(depth: number): string {
  let value = '{"stringValue":"bottom"}';
  for (let i = 0; i < depth; i++) value = `{"kvlistValue":{"values":[{"key":"k","value":${value}}]}}`;
  return `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"0000000000000009","name":"deep","startTimeUnixNano":"5","attributes":[{"key":"gen_ai.request.model","value":${value}}]}]}]}]}`;
}

test('deep nesting is a syntax error naming the limit, never a stack overflow; realistic nesting reads', () => {
  assert.throws(() => read(deeplyNested(5000)), (e: unknown) => e instanceof JsonSyntaxError && /nested deeper than 512 levels/.test(e.message));
  const { spans, problems } = read(deeplyNested(100));
  assert.deepEqual(problems, []);
  assert.equal(spans.length, 1);
  // A deep value the reader only skips (not an indexed attribute) is held to the same limit.
  assert.throws(() => read(deeplyNested(5000).replace('gen_ai.request.model', 'payload')), /nested deeper than 512 levels/);
});

test('a span that is not an object is reported and skipped, not fatal to its line', () => {
  const { spans, problems } = read(`{"resourceSpans":[{"scopeSpans":[{"spans":["text",7,{"traceId":"${TRACE}","spanId":"0000000000000009","name":"ok","startTimeUnixNano":"5"},null]}]}]}`);
  assert.deepEqual(spans.map((s) => s.name), ['ok']);
  assert.deepEqual(problems, ['a span is not a JSON object', 'a span is not a JSON object', 'a span is not a JSON object']);
});
