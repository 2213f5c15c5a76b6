// The JSON receiver's one-pass path (readPlainTraceRequest): valid JSON checked without
// JSON.parse (isStrictJson), then the trace file reader alone. Whatever it takes, the full check
// (JSON.parse and the reader) must answer the same; anything it is unsure of goes to the full
// check. Fixed seeds, bounded counts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JSON_DEPTH, isStrictJson } from '../../src/core/ingest/otlp/jsonScanner';
import { readPlainTraceRequest, readTraceRequestJson, readTraceRequestJsonChecked, type AcceptedTraces } from '../../src/core/receiver/otlpJsonRequest';
import { hex, pick, rng, spliceByte, truncate, type Rand } from './fuzzing';

function request(r: Rand): Record<string, unknown> {
  const spans = Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({
    traceId: hex(r, 32),
    spanId: hex(r, 16),
    name: pick(r, ['llm.call', 'tool "search"', 'réponse 🚀', 'a\\b', 'line\nbreak\u0001']),
    kind: 1,
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(Math.floor(r() * 1e9))),
    endTimeUnixNano: '1700000001000000000',
    attributes: [
      { key: 'gen_ai.prompt', value: { stringValue: 'say "hi"\n\t\\ é' } },
      { key: 'n', value: { doubleValue: -1.5e-7 } },
      { key: 'kv', value: { kvlistValue: { values: [{ key: 'x', value: { arrayValue: { values: [{ boolValue: true }, { intValue: '-0' }] } } }] } } },
    ],
    status: { code: 2, message: 'failed' },
  }));
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ scope: { name: 's' }, spans }] }] };
}

/** Changes JSON.parse and a streaming reader may see differently, and plain breakage. */
const MUTATIONS: ((text: string, r: Rand) => string)[] = [
  (t) => t.replace('"spans":[', '"spans":[],"spans":['),
  (t) => t.replace('"spans":[', '"spans":null,"spans":['),
  (t) => t.replace('"scopeSpans":[', '"scopeSpans":[],"scopeSpans":['),
  (t) => t.replace('"scopeSpans":[', '"scope_spans":[{"spans":[]}],"scopeSpans":['),
  (t) => t.replace('{"resourceSpans":', '{"resource_spans":[],"resourceSpans":'),
  (t) => t.replace('{"resourceSpans":[', '{"resourceSpans":[null,'),
  (t) => t.replace('"scopeSpans":[', '"scopeSpans":[null,'),
  (t) => t.replace('"traceId":"', '"trace_id":"00","traceId":"'),
  (t) => t.replace(/"traceId":"([0-9a-f]+)"/, '"traceId":"$1","trace_id":""'),
  (t) => t.replace(/"spanId":"([0-9a-f]+)"/, '"span_id":"zz","spanId":"$1"'),
  (t) => t.replace(/"startTimeUnixNano":"(\d+)"/, '"startTimeUnixNano":$1'),
  (t) => t.replace(/"startTimeUnixNano":"(\d+)"/, '"startTimeUnixNano":"x","start_time_unix_nano":"$1"'),
  (t, r) => t.replace(/"spanId":"[0-9a-f]+"/, `"spanId":"${pick(r, ['', '0000000000000000', 'zz', 'AAAAAAAAAAA=', 'ABEiM0RVZnc='])}"`),
  (t) => t.replace('{"resourceSpans"', '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"x"}}]}]}],"resourceSpans"'),
  (t) => t.replace('"kind":1', '"kind":1,"kind":{"a":[1,2,{"b":null}]}'),
  (t) => t.replace('-1.5e-7', pick(rng(t.length), ['01', '1.', '.5', '-', '1e', '+1', '1E+2', '-0.0e-0', 'NaN', 'tru', 'nulls'])),
  (t) => t.replace('é', '\\u00e9'),
  (t) => t.replace('é', '\\u00g9'),
  (t) => t.replace('é', '\\x'),
  (t) => t.replace('"s"', '"\t"'),
  (t) => t + ' ',
  (t) => t + ',',
  (t) => ' \r\n' + t,
  spliceByte,
  truncate,
];

function mutate(r: Rand): string {
  let text = JSON.stringify(request(r));
  const n = Math.floor(r() * 3);
  for (let i = 0; i < n; i++) text = pick(r, MUTATIONS)(text, r);
  return text;
}

function outcome(read: () => AcceptedTraces): unknown {
  try {
    const t = read();
    return { accepted: t.acceptedSpans, rejected: t.rejectedSpans, line: t.line === undefined ? undefined : Buffer.from(t.line).toString('latin1') };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

test('isStrictJson accepts exactly what JSON.parse accepts (read as latin1), within the nesting limit', () => {
  const r = rng(0x51c7);
  let valid = 0;
  for (let i = 0; i < 3000; i++) {
    const buf = Buffer.from(mutate(r));
    let parses = true;
    try {
      JSON.parse(buf.toString('latin1'));
    } catch {
      parses = false;
    }
    if (parses) valid++;
    assert.equal(isStrictJson(buf, 0, buf.length), parses, buf.toString('latin1').slice(0, 400));
  }
  assert.ok(valid > 300 && valid < 2900, `valid ${valid}`);
  for (const text of ['0', '-0.5E+3', '"\\u00e9\\/"', '[]', '{}', ' [ 1 , { "a" : [ ] } ] ', 'true', 'null', '[1,]', '{"a":1,}', '{"a"}', '"\\ud800"', '[1 2]', '', ' ', '{"a":1}x', '\u00a0[]']) {
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
    }
    assert.equal(isStrictJson(Buffer.from(text, 'latin1'), 0, text.length), parses, text);
  }
  const deep = (n: number) => Buffer.from('['.repeat(n) + ']'.repeat(n));
  assert.equal(isStrictJson(deep(MAX_JSON_DEPTH), 0, MAX_JSON_DEPTH * 2), true);
  assert.equal(isStrictJson(deep(MAX_JSON_DEPTH + 1), 0, (MAX_JSON_DEPTH + 1) * 2), false);
  // Any alignment of the bytes (they are read 4 at a time where they can be).
  for (const text of ['[1]', '"ab\\u0001"', '"abc\u0001defgh"', '{"k":"' + 'x'.repeat(37) + '"}', '"' + 'y'.repeat(40) + '\\n"', '"' + 'z'.repeat(41) + '\n"']) {
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
    }
    for (let shift = 0; shift < 4; shift++) {
      const padded = Buffer.alloc(text.length + 8);
      padded.write(text, shift, 'latin1');
      const view = padded.subarray(shift, shift + text.length);
      assert.equal(isStrictJson(view, 0, view.length), parses, `${JSON.stringify(text)} at offset ${shift}`);
      assert.equal(isStrictJson(padded, shift, shift + text.length), parses, `${JSON.stringify(text)} in range from ${shift}`);
    }
  }
  // A range of a larger buffer: nothing past its end is read.
  assert.equal(isStrictJson(Buffer.from('[1]]'), 0, 3), true);
  assert.equal(isStrictJson(Buffer.from('{"a":1}'), 0, 6), false);
});

test('the one-pass path answers as the full check does, and takes plain requests', () => {
  const r = rng(0xfa57);
  let taken = 0;
  for (let i = 0; i < 1500; i++) {
    const text = mutate(r);
    const buf = Buffer.from(text);
    const plain = readPlainTraceRequest(buf);
    const checked = outcome(() => readTraceRequestJsonChecked(buf));
    assert.deepEqual(outcome(() => readTraceRequestJson(buf)), checked, text.slice(0, 400));
    if (plain === undefined) continue;
    taken++;
    assert.deepEqual(outcome(() => plain), checked, text.slice(0, 400));
  }
  assert.ok(taken > 200, `one-pass path taken ${taken} times`);
  for (let i = 0; i < 20; i++) assert.ok(readPlainTraceRequest(Buffer.from(JSON.stringify(request(r)))), 'an unmutated request takes the one-pass path');
});
