// The protobuf receivers' JSON line is built from the message's bytes: big string fields go into
// it escaped, never made JavaScript strings (a 32 MiB prompt used to be held as a string, in the
// JSON text and in the line at once: the gRPC flood's peak memory).
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { decodeLogsRequestProto } from '../../src/core/receiver/otlpLogsRequest';
import { BIG_STRING_BYTES, ExportLogsServiceRequest, decodeTraceRequestProto, encodeTraceRequestProto, jsonStringBytes } from '../../src/core/receiver/otlpProto';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const CHILD_ENV = 'TRACERUN_PROTO_LINE_CHILD';

/** What JSON.stringify makes of bytes read as latin1 text, without its quotes, as bytes. */
const stringified = (b: Buffer) => Buffer.from(JSON.stringify(b.toString('latin1')).slice(1, -1), 'latin1');

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

if (process.env[CHILD_ENV]) {
  // The child: decode a message whose span name is 32 MiB, in an old space smaller than it
  // (Node keeps big latin1 strings outside the V8 heap; the JSON text is in it). Prints the counts.
  const bytes = fs.readFileSync(process.env[CHILD_ENV]!);
  const { line, acceptedSpans } = decodeTraceRequestProto(bytes);
  process.stdout.write(`${acceptedSpans} ${line!.length}\n`);
} else {
  test('jsonStringBytes escapes bytes exactly as JSON.stringify escapes latin1 text, and copies nothing when nothing needs escaping', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assert.deepEqual(jsonStringBytes(all), stringified(all));
    const random = rng(7);
    for (let n = 0; n < 200; n++) {
      const b = Buffer.from(Array.from({ length: Math.floor(random() * 300) }, () => (random() < 0.2 ? Math.floor(random() * 0x24) : Math.floor(random() * 256))));
      assert.deepEqual(jsonStringBytes(b), stringified(b));
    }
    const plain = Buffer.from('plain text — café 日本語');
    assert.equal(jsonStringBytes(plain), plain);
  });

  test('big string fields (name, attribute values, events, status, log bodies) reach the line byte for byte, escaped, as UTF-8 JSON', () => {
    const big = (seed: string) => (seed + ' "quoted" \\ back\nslash\t\u0001 café 日本語 🚀 ').repeat(Math.ceil((BIG_STRING_BYTES + 10) / 40));
    const span = {
      traceId: TRACE,
      spanId: SPAN,
      name: big('name'),
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000001000000000',
      attributes: [
        { key: 'gen_ai.prompt', value: { stringValue: big('prompt') } },
        { key: 'small', value: { stringValue: 'x"y' } },
        { key: 'list', value: { arrayValue: { values: [{ stringValue: big('item') }, { intValue: '7' }] } } },
      ],
      events: [{ timeUnixNano: '1700000000500000000', name: big('event'), attributes: [] }],
      status: { message: big('status'), code: 2 },
    };
    const { line } = decodeTraceRequestProto(encodeTraceRequestProto({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }));
    const back = JSON.parse(Buffer.from(line!).toString('utf8')) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    const got = back.resourceSpans[0].scopeSpans[0].spans[0] as typeof span;
    assert.equal(got.name, span.name);
    assert.deepEqual(got.attributes, span.attributes);
    assert.equal(got.events[0].name, span.events[0].name);
    assert.equal(got.status.message, span.status.message);

    const body = big('body');
    const logs = ExportLogsServiceRequest.encode(
      ExportLogsServiceRequest.fromObject({
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: Buffer.from(TRACE, 'hex'), spanId: Buffer.from(SPAN, 'hex'), body: { stringValue: body } }] }] }],
      }),
    ).finish();
    const logLine = decodeLogsRequestProto(logs).line!;
    const record = JSON.parse(Buffer.from(logLine).toString('utf8')).resourceLogs[0].scopeLogs[0].logRecords[0];
    assert.equal(record.body.stringValue, body);
  });

  test('a 32 MiB string field decodes into its line without becoming a string: the decoder runs in a 24 MB old space (the JSON text alone used to take 32 MB of it)', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracerun-proto-line-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'request.pb');
    const name = 'x'.repeat(32 * 1024 * 1024);
    fs.writeFileSync(file, encodeTraceRequestProto({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, name, startTimeUnixNano: '1' }] }] }] }));
    const child = fork(__filename, [], { env: { ...process.env, [CHILD_ENV]: file }, execArgv: ['--max-old-space-size=24'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (err += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, `the decoder ran out of memory or failed:\n${err.slice(-2000)}`);
    const [spans, length] = out.trim().split(' ').map(Number);
    assert.equal(spans, 1);
    assert.ok(length > name.length, out);
  });
}
