// The JSON receiver's read-back check: the reader runs first and measures the nesting itself
// (no separate depth pass), and a span JSON.parse finds valid is acknowledged only when the
// reader reads it too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JSON_DEPTH, findTooDeep } from '../../src/core/ingest/otlp/jsonScanner';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { OtlpJsonError, readTraceRequestJson } from '../../src/core/receiver/otlpJsonRequest';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

/** A request whose one span has an attribute value nested `levels` deep (`{"arrayValue":{"values":[ … ]}}`). */
function nestedRequest(levels: number, where: 'attribute' | 'unknown key'): string {
  let value = '{"stringValue":"x"}';
  // Each wrapper adds 3 levels: the AnyValue object, arrayValue's object, its values array.
  for (let i = 0; i < levels; i++) value = `{"arrayValue":{"values":[${value}]}}`;
  const extra = where === 'attribute' ? `"attributes":[{"key":"k","value":${value}}]` : `"custom":${value}`;
  return `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"${SPAN}","name":"n","startTimeUnixNano":"1",${extra}}]}]}]}`;
}

test('the reader in structureOnly mode measures nesting from the line start: it fails exactly where findTooDeep finds the limit passed', () => {
  for (const where of ['attribute', 'unknown key'] as const) {
    let sawPass = false;
    let sawFail = false;
    // Around the limit: the structure above a skipped value counts too (it used not to).
    for (let levels = 160; levels <= 175; levels++) {
      const buf = Buffer.from(nestedRequest(levels, where));
      const tooDeep = findTooDeep(buf, 0, buf.length) >= 0;
      const read = () => readOtlpJson(buf, 0, buf.length, { file: 'f', line: 1, byteBase: 0, structureOnly: true });
      if (tooDeep) {
        sawFail = true;
        assert.throws(read, new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`), `${where}, ${levels}`);
        assert.throws(() => readTraceRequestJson(buf), (e: Error) => e instanceof OtlpJsonError && /nested deeper than 512 levels/.test(e.message));
      } else {
        sawPass = true;
        assert.equal(read().spans.length, 1, `${where}, ${levels}`);
        assert.equal(readTraceRequestJson(buf).acceptedSpans, 1);
      }
    }
    assert.ok(sawPass && sawFail, 'the range crosses the limit');
  }
});

test('a span that JSON.parse finds valid but the reader skips (a key in both spellings) is refused, not acknowledged', () => {
  const span = (extra: string) => `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"${SPAN}","name":"x","startTimeUnixNano":"1",${extra}}]}]}]}`;
  for (const extra of ['"trace_id":""', '"span_id":""', '"start_time_unix_nano":""']) {
    const body = span(extra);
    assert.throws(() => readTraceRequestJson(Buffer.from(body)), (e: Error) => e instanceof OtlpJsonError && /would not read back/.test(e.message), extra);
    assert.throws(() => readTraceRequestJson(body), /would not read back/, extra);
  }
  // The same keys in the order the reader and JSON.parse agree on are fine.
  const agreed = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"trace_id":"","traceId":"${TRACE}","spanId":"${SPAN}","name":"x","startTimeUnixNano":"1"}]}]}]}`;
  const { line, acceptedSpans } = readTraceRequestJson(Buffer.from(agreed));
  assert.equal(acceptedSpans, 1);
  const buf = Buffer.from(line as Buffer);
  assert.equal(readOtlpJson(buf, 0, buf.length, { file: 'f', line: 1, byteBase: 0 }).spans.length, 1);
});

test('a time written as a bare integer near 2^64 is judged as the reader reads it, not as JSON.parse rounds it', () => {
  const body = (end: string) =>
    `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE}","spanId":"${SPAN}","name":"edge","startTimeUnixNano":1,"endTimeUnixNano":${end}},{"traceId":"${TRACE}","spanId":"b7ad6b7169203332","name":"fine","startTimeUnixNano":"1"}]}]}]}`;
  // JSON.parse makes each of these 2^64, out of range; the reader reads them exactly.
  for (const end of ['18446744073709551615', '18446744073709551000']) {
    for (const input of [body(end), Buffer.from(body(end))]) {
      const { line, acceptedSpans, rejectedSpans } = readTraceRequestJson(input);
      assert.deepEqual([acceptedSpans, rejectedSpans], [2, 0], end);
      const buf = Buffer.from(line as Buffer | string);
      assert.equal(readOtlpJson(buf, 0, buf.length, { file: 'f', line: 1, byteBase: 0 }).spans.length, 2);
    }
  }
  const past = readTraceRequestJson(Buffer.from(body('18446744073709551616')));
  assert.deepEqual([past.acceptedSpans, past.rejectedSpans], [1, 1]);
  assert.match(past.rejectionMessage!, /span "edge" has an endTimeUnixNano out of range/);
  const buf = Buffer.from(past.line as Buffer);
  assert.deepEqual(readOtlpJson(buf, 0, buf.length, { file: 'f', line: 1, byteBase: 0 }).spans.map((s) => [s.name, s.endNs]), [['fine', 0n]]);
});
