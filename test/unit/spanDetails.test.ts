import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { SpanRecord } from '../../src/core/model/span';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { FileTailer, type TraceProblem } from '../../src/core/ingest/tailer';
import { attr, otlpLine, spanJson } from './otlpBuilder';
import { tempDir } from './tempDir';

const TRACE = '5b8efff798038103d269b633813fc60c';
const OTHER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'eee19b7ec3c1b174';

/** Reads `file` the way the extension does, returning the spans it indexed. */
async function indexFile(t: TestContext, file: string): Promise<SpanRecord[]> {
  const spans: SpanRecord[] = [];
  const problems: TraceProblem[] = [];
  const tailer = new FileTailer(file, {
    spans: (_f, s) => spans.push(...s),
    reset: () => (spans.length = 0),
    problem: (p) => problems.push(p),
  });
  t.after(() => tailer.dispose());
  await tailer.poke();
  assert.deepEqual(problems, []);
  return spans;
}

const PROMPT = `You are a support agent. 日本語 🚀 "quoted" \\ backslash\n`.repeat(40_000); // ~2.6 MB

/** An OTLP request with one fully loaded span: big payloads, an exception event, links, trace state. */
function richRequest(name = 'ChatOpenAI', spanId = SPAN): Record<string, unknown> {
  const span = spanJson({
    traceId: TRACE,
    spanId,
    parentSpanId: '0000000000000001',
    name,
    start: '1700000000123456789',
    end: '1700000001123456789',
    status: { code: 2, message: 'rate limited' },
    attributes: {
      'gen_ai.request.model': 'gpt-4o',
      'input.value': PROMPT,
      'output.value': '',
      'llm.token_count.total': 1234,
      temperature: 0.7,
      streaming: false,
      tags: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } },
      'big.int': { intValue: '9007199254740993' },
      metadata: { kvlistValue: { values: [attr('user', 'u-1'), attr('retries', 3)] } },
    },
    events: [
      { timeUnixNano: '1700000000500000000', name: 'stream.start', attributes: [] },
      {
        timeUnixNano: '1700000000900000000',
        name: 'exception',
        attributes: [
          attr('exception.type', 'openai.RateLimitError'),
          attr('exception.message', 'Rate limit reached'),
          attr('exception.stacktrace', 'Traceback (most recent call last):\n  File "agent.py", line 42, in run\n    resp = llm.invoke(prompt)\nopenai.RateLimitError: Rate limit reached'),
        ],
      },
    ],
  });
  span.links = [
    { traceId: Buffer.from(OTHER_TRACE, 'hex').toString('base64'), spanId: '00f067aa0ba902b7', attributes: [attr('link.kind', 'retry-of')] },
    { traceId: OTHER_TRACE, spanId: '00f067aa0ba902b8' },
  ];
  span.traceState = 'vendor=abc';
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [attr('service.name', 'support-agent'), attr('service.version', '2.1.0'), attr('deployment.environment', 'dev'), attr('host.cpus', 8)],
        },
        scopeSpans: [{ scope: { name: 'openinference', version: '0.1' }, spans: [span] }],
      },
    ],
  };
}

function checkRich(details: Awaited<ReturnType<typeof loadSpanDetails>>): void {
  assert.equal(details.attributes['input.value'], PROMPT, 'the large payload kept out of the index is read back whole');
  assert.equal(details.attributes['gen_ai.request.model'], 'gpt-4o');
  assert.equal(details.attributes['output.value'], '');
  assert.equal(details.attributes['llm.token_count.total'], 1234);
  assert.equal(details.attributes.temperature, 0.7);
  assert.equal(details.attributes.streaming, false);
  assert.deepEqual(details.attributes.tags, ['a', 2]);
  assert.equal(details.attributes['big.int'], '9007199254740993', 'int64 beyond 2^53 keeps its digits as text');
  assert.deepEqual(details.attributes.metadata, { user: 'u-1', retries: 3 });
  assert.deepEqual(details.resourceAttributes, {
    'service.name': 'support-agent',
    'service.version': '2.1.0',
    'deployment.environment': 'dev',
    'host.cpus': 8,
  });
  assert.equal(details.events.length, 2);
  assert.deepEqual(details.events[0], { name: 'stream.start', timeNs: 1700000000500000000n, attributes: {} });
  const exception = details.events[1];
  assert.equal(exception.name, 'exception');
  assert.equal(exception.timeNs, 1700000000900000000n);
  assert.equal(exception.attributes['exception.type'], 'openai.RateLimitError');
  assert.match(String(exception.attributes['exception.stacktrace']), /^Traceback[\s\S]*line 42, in run[\s\S]*RateLimitError/);
  assert.deepEqual(details.links, [
    { traceId: OTHER_TRACE, spanId: '00f067aa0ba902b7', attributes: { 'link.kind': 'retry-of' } },
    { traceId: OTHER_TRACE, spanId: '00f067aa0ba902b8', attributes: {} },
  ]);
  assert.equal(details.traceState, 'vendor=abc');
}

test('details of a span in a JSONL file: all attributes, resource attributes, events and links', async (t) => {
  const file = path.join(tempDir(t), 'traces.jsonl');
  // Lines before it with multibyte text, so byte and character offsets differ.
  writeFileSync(
    file,
    otlpLine([{ traceId: TRACE, spanId: '0000000000000001', name: 'agent 🚀 計画', start: 1, end: 2, attributes: { 'input.value': 'ü'.repeat(1000) } }]) +
      JSON.stringify(richRequest()) +
      '\n' +
      otlpLine([{ traceId: TRACE, spanId: '0000000000000003', name: 'after', start: 3, end: 4 }]),
  );
  const spans = await indexFile(t, file);
  assert.deepEqual(
    spans.map((s) => s.name),
    ['agent 🚀 計画', 'ChatOpenAI', 'after'],
  );
  const rich = spans[1];
  assert.equal(rich.attributes?.['input.value'], undefined, 'the index leaves the payload on disk');
  assert.equal(rich.errorMessage, 'rate limited');
  checkRich(await loadSpanDetails(rich));
  const first = await loadSpanDetails(spans[0]);
  assert.equal(first.attributes['input.value'], 'ü'.repeat(1000));
  assert.deepEqual(first.resourceAttributes, { 'service.name': 'test-service' });
  assert.deepEqual(first.links, []);
  assert.equal(first.traceState, undefined);
});

test('details of a span in a pretty-printed document', async (t) => {
  const file = path.join(tempDir(t), 'trace.otlp.jsonl');
  writeFileSync(file, JSON.stringify(richRequest(), null, 2));
  const spans = await indexFile(t, file);
  assert.deepEqual(
    spans.map((s) => s.name),
    ['ChatOpenAI'],
  );
  checkRich(await loadSpanDetails(spans[0]));
});

test('details still load after more lines are appended', async (t) => {
  const file = path.join(tempDir(t), 'traces.jsonl');
  writeFileSync(file, JSON.stringify(richRequest()) + '\n');
  const [span] = await indexFile(t, file);
  appendFileSync(file, otlpLine([{ traceId: TRACE, spanId: '0000000000000009', name: 'later', start: 1, end: 2 }]));
  checkRich(await loadSpanDetails(span));
});

test('a clear error when the file changed underneath', async (t) => {
  const file = path.join(tempDir(t), 'traces.jsonl');
  const original = JSON.stringify(richRequest()) + '\n';
  writeFileSync(file, original);
  const [span] = await indexFile(t, file);
  const changed = /changed since it was read/;

  // Rewritten with different content: the bytes no longer hold a span.
  writeFileSync(file, otlpLine([{ traceId: TRACE, spanId: SPAN, name: 'x', start: 1, end: 2 }]).repeat(50_000));
  await assert.rejects(loadSpanDetails(span), changed);

  // Truncated: the range runs past the end of the file.
  writeFileSync(file, original.slice(0, original.length / 2));
  await assert.rejects(loadSpanDetails(span), changed);

  // Same layout, but another span now sits at those bytes.
  writeFileSync(file, JSON.stringify(richRequest('ChatOpenAI', 'eee19b7ec3c1b175')) + '\n');
  await assert.rejects(loadSpanDetails(span), (err: Error) => {
    assert.match(err.message, changed);
    assert.ok(err.message.includes(file), 'the message names the file');
    return true;
  });

  // Restored: the details load again.
  writeFileSync(file, original);
  checkRich(await loadSpanDetails(span));

  // Deleted.
  rmSync(file);
  await assert.rejects(loadSpanDetails(span), (err: Error) => {
    assert.equal(err.message, `${file} no longer exists; the span's details were in it`);
    return true;
  });
});
