// tracerun.receiver.redactOnWrite: received requests are masked before they reach the file.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { Redactor } from '../../src/core/privacy/redact';
import { RedactingLineSink, redactOtlpLine } from '../../src/core/privacy/redactingLineSink';
import { TraceFileWriter } from '../../src/core/receiver/traceFileWriter';
import { ms, requestJson } from './otlpBuilder';
import { tempDir } from './tempDir';

const KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv';

function leakyRequest(): Record<string, unknown> {
  const request = requestJson([
    {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'aaaaaaaaaaaaaaaa',
      name: 'call',
      start: ms(0),
      end: ms(5),
      status: { code: 2, message: `401 with ${KEY}` },
      attributes: { 'input.value': `my key ${KEY}`, 'db.password': 'hunter2', 'llm.token_count.prompt': 12, nested: { kvlistValue: { values: [{ key: 'note', value: { stringValue: `mail ops@example.com` } }] } } },
      events: [{ name: 'log', timeUnixNano: String(ms(1)), attributes: [{ key: 'line', value: { stringValue: `Authorization: Bearer abcdefghijklmnop123` } }] }],
    },
  ]);
  return request;
}

test('a request line is masked: attribute strings, nested values, secret keys, status and events; ids, times and numbers kept', () => {
  const line = JSON.stringify(leakyRequest());
  const masked = String(redactOtlpLine(line, new Redactor()));
  assert.ok(!masked.includes(KEY) && !masked.includes('hunter2') && !masked.includes('ops@example.com') && !masked.includes('abcdefghijklmnop123'), masked);
  const span = (JSON.parse(masked) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] }).resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(span.traceId, '5b8efff798038103d269b633813fc60c');
  assert.equal(span.startTimeUnixNano, String(ms(0)));
  assert.deepEqual((span.status as { message: string }).message, '401 with ‹redacted: api key›');
  const attrs = span.attributes as { key: string; value: Record<string, unknown> }[];
  assert.deepEqual(attrs.find((a) => a.key === 'db.password')?.value, { stringValue: '‹redacted: secret attribute›' });
  assert.deepEqual(attrs.find((a) => a.key === 'llm.token_count.prompt')?.value, { intValue: '12' });
  assert.equal(redactOtlpLine('not json', new Redactor()), 'not json');
});

test('with redactOnWrite the file the receivers write never holds the secret, and reads back as before', async (t) => {
  const dir = tempDir(t);
  const writer = new TraceFileWriter({ dir });
  const sink = new RedactingLineSink(writer, () => new Redactor());
  await sink.appendLine(Buffer.from(JSON.stringify(leakyRequest())));
  const [file] = readdirSync(dir).map((f) => path.join(dir, f));
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(KEY));
  const { store, problems } = await readTraceFiles([file]);
  assert.deepEqual(problems, []);
  const span = store.runs()[0].summary().root!;
  assert.equal(span.errorMessage, '401 with ‹redacted: api key›');
  const details = await loadSpanDetails(span);
  assert.equal(details.attributes['input.value'], 'my key ‹redacted: api key›');
  assert.equal(details.attributes['llm.token_count.prompt'], 12);
});
