// Sharing a run: the JSON document of Copy Run as JSON and `tracerun export`, and the OTLP
// line of Save Run As…, which the reader reads back to the same spans.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/cli';
import { compactJson, runOtlpLine } from '../../src/core/export/otlpJson';
import { runJson, shorten, type RunJsonSpan } from '../../src/core/export/runJson';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import type { SpanRecord } from '../../src/core/model/span';
import type { SpanNode, Trace } from '../../src/core/model/trace';
import { spanDetailsOf } from '../../src/core/waterfall/spanDetailsExtras';
import { attr, ms, requestJson, type TestSpan } from './otlpBuilder';
import { tempDir } from './tempDir';
import { Redactor } from '../../src/core/privacy/redact';
import { redactOtlpLine } from '../../src/core/privacy/redactingLineSink';
import { runOtlpLines } from '../../src/core/export/otlpLogsJson';
import { withLogRecords } from '../../src/core/ingest/logRecordDetails';
import { extractConversation } from '../../src/core/genai/conversation';

const TRACE = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const LONG = 'x'.repeat(5000);

const spans: TestSpan[] = [
  { traceId: TRACE, spanId: 'a000000000000001', name: 'support_agent.run', start: ms(0), end: ms(1200), kind: 2, attributes: { 'input.value': 'Where is order 42?', 'output.value': LONG, 'session.id': 's-1' }, status: { code: 2, message: 'lookup_order failed' } },
  {
    traceId: TRACE,
    spanId: 'a000000000000002',
    parentSpanId: 'a000000000000001',
    name: 'chat gpt-4o',
    start: ms(10),
    end: ms(300),
    kind: 3,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is order 42?' }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'lookup_order', arguments: { order: 42 } }] }]),
    },
  },
  {
    traceId: TRACE,
    spanId: 'a000000000000003',
    parentSpanId: 'a000000000000001',
    name: 'execute_tool lookup_order',
    start: ms(310),
    end: ms(800),
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.call.arguments': '{"order":42}', 'big.number': 1 },
    status: { code: 2, message: 'OrdersAPIError: 503' },
    events: [{ name: 'exception', timeUnixNano: String(ms(790)), attributes: [attr('exception.message', 'OrdersAPIError: 503')] }],
  },
];

/** A 64-bit integer as a bare JSON number beyond 2^53, as some writers put it: JSON.parse would round it. */
const withBigNumber = (text: string) => text.replace(/("key": ?"big\.number",\s*"value": ?\{\s*"intValue": ?)"1"/, '$19007199254740993');

function writeRun(dir: string, text?: string): string {
  const file = path.join(dir, 'run.jsonl');
  writeFileSync(file, withBigNumber(text ?? `${JSON.stringify(requestJson(spans, 'support-agent'))}\n`));
  return file;
}

test('Copy Run as JSON: nested spans with timing, status, model, tokens, payloads and messages, long strings shortened', async (t) => {
  const file = writeRun(tempDir(t));
  const { store } = await readTraceFiles([file]);
  const doc = await runJson(store.trace(TRACE)!, { maxPayloadChars: 100 });
  assert.equal(doc.name, 'support_agent.run');
  assert.equal(doc.durationMs, 1200);
  assert.equal(doc.errorCount, 2);
  assert.deepEqual(doc.models, ['gpt-4o']);
  assert.deepEqual(doc.tokens, { input: 120, output: 30, total: 150 });
  assert.equal(doc.spans.length, 1);
  const root = doc.spans[0];
  assert.equal(root.input, 'Where is order 42?');
  assert.equal(root.output, `${'x'.repeat(100)}… [4,900 more characters]`);
  assert.equal(root.status, 'error');
  assert.equal(root.error, 'lookup_order failed');
  const [chat, tool] = root.children as RunJsonSpan[];
  assert.deepEqual(
    { ...chat },
    {
      name: 'chat gpt-4o',
      spanId: 'a000000000000002',
      kind: 'llm',
      spanKind: 'client',
      startMs: 10,
      durationMs: 290,
      status: 'unset',
      model: 'gpt-4o',
      tokens: { input: 120, output: 30, total: 150 },
      messages: [
        { role: 'user', direction: 'input', content: 'Where is order 42?' },
        { role: 'assistant', direction: 'output', toolCalls: [{ id: 'call_1', name: 'lookup_order', arguments: '{"order":42}' }] },
      ],
    },
    'an LLM span: its messages, not its payloads twice',
  );
  assert.equal(tool.kind, 'tool');
  assert.equal(tool.error, 'OrdersAPIError: 503');
  assert.deepEqual(tool.input, { order: 42 });
  assert.equal(tool.children, undefined);
});

test('the messages are the details pane\'s, for every span of the conversation fixtures', async () => {
  const dir = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'conversations');
  for (const name of ['genai.jsonl', 'openinference.jsonl', 'openllmetry.jsonl', 'vercel-ai.jsonl', 'genai-events.jsonl']) {
    const { store } = await readTraceFiles([path.join(dir, name)]);
    for (const trace of store.runs()) {
      const doc = await runJson(trace, { maxPayloadChars: 0 });
      const flat: RunJsonSpan[] = [];
      const walk = (list: RunJsonSpan[]) => list.forEach((s) => (flat.push(s), walk(s.children ?? [])));
      walk(doc.spans);
      assert.equal(flat.length, trace.spanCount, `${name}: every span`);
      for (const span of flat) {
        const pane = await spanDetailsOf(trace, span.spanId, { prices: {}, frameExists: async () => false, warn: () => undefined });
        const expected = pane.conversation?.map((m) => JSON.parse(JSON.stringify({ role: m.role, direction: m.direction, content: m.content, toolCalls: m.toolCalls, toolCallId: m.toolCallId })));
        assert.deepEqual(span.messages, expected && expected.length > 0 ? expected : undefined, `${name} ${span.name}`);
      }
    }
  }
});

test('shorten keeps short text, and everything with 0', () => {
  assert.equal(shorten('abc', 3), 'abc');
  assert.equal(shorten('abcd', 3), 'abc… [1 more characters]');
  assert.equal(shorten(LONG, 0), LONG);
});

test('Save Run As: one OTLP line the reader reads back to the same spans, attributes, events and resource', async (t) => {
  const dir = tempDir(t);
  // Pretty-printed, with a second run that is not exported.
  const other = { ...spans[0], traceId: 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', spanId: 'b000000000000001' };
  const original = writeRun(dir, JSON.stringify({ resourceSpans: [...(requestJson(spans, 'support-agent').resourceSpans as object[]), ...(requestJson([other], 'other').resourceSpans as object[])] }, null, 2));
  const before = (await readTraceFiles([original])).store.trace(TRACE)!;
  const line = await runOtlpLine(before);
  assert.doesNotMatch(line, /\n/, 'one line');
  const saved = path.join(dir, 'saved.otlp.jsonl');
  writeFileSync(saved, `${line}\n`);
  assert.match(readFileSync(saved, 'utf8'), /"big\.number","value":\{"intValue":9007199254740993\}/, 'a 64-bit integer kept as written');
  const { store, problems } = await readTraceFiles([saved]);
  assert.deepEqual(problems, []);
  assert.equal(store.traceCount, 1, 'only the run asked for');
  const after = store.trace(TRACE)!;
  assert.equal(after.spanCount, before.spanCount);
  for (const span of before.allSpans()) {
    const back = after.span(span.spanId)!;
    const strip = (s: typeof span) => ({ ...s, origin: undefined, byteStart: undefined, byteEnd: undefined, resource: { serviceName: s.resource.serviceName } });
    assert.deepEqual(strip(back), strip(span), span.name);
    const [a, b] = await Promise.all([loadSpanDetails(span), loadSpanDetails(back)]);
    assert.deepEqual(b, a, `${span.name}: attributes, events, links and resource attributes`);
  }
});

/** openai-v2 with content capture: the call's messages as log records, in a line of their own. */
function contentLogs(traceId: string, spanId: string, user: string): Record<string, unknown> {
  const text = (v: string) => ({ stringValue: v });
  const kv = (o: Record<string, unknown>) => ({ kvlistValue: { values: Object.entries(o).map(([key, value]) => ({ key, value })) } });
  const record = (eventName: string, at: number, body: unknown) => ({ timeUnixNano: String(ms(at)), traceId, spanId, eventName, attributes: [attr('gen_ai.system', 'openai')], body });
  return {
    resourceLogs: [
      {
        scopeLogs: [
          {
            logRecords: [
              record('gen_ai.system.message', 11, kv({ content: text('Be brief.') })),
              record('gen_ai.user.message', 12, kv({ content: text(user) })),
              record('gen_ai.choice', 290, kv({ index: { intValue: '0' }, finish_reason: text('stop'), message: kv({ role: text('assistant'), content: text('It ships today.') }) })),
            ],
            scope: { name: 'opentelemetry.instrumentation.openai_v2', version: '2.1b0' },
          },
        ],
        // After its records, as a writer may put it.
        resource: { attributes: [attr('service.name', 'support-agent')] },
      },
    ],
  };
}

test("Save Run As and tracerun export --format otlp: the run's log records follow as a second line, and the call's conversation reads back from the saved file", async (t) => {
  const dir = tempDir(t);
  const chat = 'a000000000000002';
  // The run's content logs, and another run's, which stay behind.
  const original = path.join(dir, 'run.jsonl');
  // The call's span holds no messages of its own: they are all in the log records.
  const callSpans = [spans[0], { ...spans[1], attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } }];
  writeFileSync(original, [requestJson(callSpans, 'support-agent'), contentLogs(TRACE, chat, 'Where is order 42?'), contentLogs('b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', 'b000000000000002', 'other run')].map((r) => JSON.stringify(r)).join('\n') + '\n');
  const read = await readTraceFiles([original]);
  const conversationOf = async (r: typeof read) => {
    const span = r.store.trace(TRACE)!.span(chat)!;
    return extractConversation(await withLogRecords(span, await loadSpanDetails(span), r.store.logRecords))?.messages.map((m) => [m.direction, m.role, m.content]);
  };
  const expected = [
    ['input', 'system', 'Be brief.'],
    ['input', 'user', 'Where is order 42?'],
    ['output', 'assistant', 'It ships today.'],
  ];
  assert.deepEqual(await conversationOf(read), expected, 'the recorded conversation, from its log records');

  const lines = await runOtlpLines(read.store.trace(TRACE)!, read.store.logRecords);
  assert.equal(lines.length, 2, 'spans, then log records');
  assert.ok(lines.every((l) => !l.includes('\n')), 'each one line');
  const logs = JSON.parse(lines[1]) as { resourceLogs: { resource: unknown; scopeLogs: { scope: unknown; logRecords: unknown[] }[] }[] };
  assert.deepEqual(logs.resourceLogs.map((r) => r.resource), [{ attributes: [attr('service.name', 'support-agent')] }], 'the resource the records were sent under');
  assert.deepEqual(logs.resourceLogs[0].scopeLogs.map((s) => [s.scope, s.logRecords.length]), [[{ name: 'opentelemetry.instrumentation.openai_v2', version: '2.1b0' }, 3]]);
  assert.doesNotMatch(lines[1], /other run/, 'only the run asked for');

  const saved = path.join(dir, 'saved.otlp.jsonl');
  writeFileSync(saved, lines.map((l) => `${l}\n`).join(''));
  const back = await readTraceFiles([saved]);
  assert.deepEqual(back.problems, []);
  assert.equal(back.store.traceCount, 1);
  assert.deepEqual(await conversationOf(back), expected, 'the saved call keeps its conversation');

  // The CLI prints the same lines; the masked lines (Save Run As) read back to it too.
  let out = '';
  assert.equal(await runCli(['export', original, '--trace', TRACE, '--format', 'otlp'], { out: (s) => (out += `${s}\n`), err: () => undefined }), 0);
  assert.deepEqual(out.trimEnd().split('\n'), lines);
  const masked = lines.map((l) => redactOtlpLine(l, new Redactor())).map((l) => (typeof l === 'string' ? l : Buffer.from(l).toString('utf8')));
  writeFileSync(saved, masked.map((l) => `${l}\n`).join(''));
  assert.deepEqual(await conversationOf(await readTraceFiles([saved])), expected);
});

test('compactJson drops whitespace outside strings only', () => {
  assert.equal(compactJson('{\n  "a b": "c \\" d\\n",\n  "e": [ 1, 2 ]\n}'), '{"a b":"c \\" d\\n","e":[1,2]}');
});

test('tracerun export: the JSON document, or the OTLP line; errors name what is wrong', async (t) => {
  const file = writeRun(tempDir(t));
  const run = async (...args: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(args, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`) });
    return { code, out, err };
  };
  const json = await run('export', file, '--trace', TRACE.toUpperCase(), '--max-payload-chars', '100');
  assert.equal(json.code, 0, json.err);
  const { store } = await readTraceFiles([file]);
  assert.deepEqual(JSON.parse(json.out), await runJson(store.trace(TRACE)!, { maxPayloadChars: 100 }));
  const otlp = await run('export', file, '--trace', TRACE, '--format', 'otlp');
  assert.equal(otlp.code, 0);
  assert.equal(otlp.out.trim(), await runOtlpLine(store.trace(TRACE)!));
  const missing = await run('export', file, '--trace', 'ffffffffffffffffffffffffffffffff');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no run with trace id ffff/);
  assert.equal((await run('export', file)).code, 2);
  assert.equal((await run('export', file, '--trace', TRACE, '--format', 'xml')).code, 2);
});

test('Save Run As and Copy Run as JSON mask secrets by the redact rules; the saved line still reads back', async (t) => {
  const dir = tempDir(t);
  const key = 'sk-proj-' + 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp';
  const secretSpans: TestSpan[] = [{ traceId: TRACE, spanId: 'c000000000000001', name: 'agent', start: ms(0), end: ms(10), attributes: { 'input.value': `use ${key}`, 'db.password': 'hunter2' } }];
  const file = writeRun(dir, JSON.stringify(requestJson(secretSpans, 'support-agent')));
  const trace = (await readTraceFiles([file])).store.trace(TRACE)!;
  const redactor = new Redactor();
  const masked = redactOtlpLine(await runOtlpLine(trace), redactor);
  const text = typeof masked === 'string' ? masked : Buffer.from(masked).toString('utf8');
  assert.ok(!text.includes(key) && !text.includes('hunter2'), text);
  const saved = path.join(dir, 'masked.otlp.jsonl');
  writeFileSync(saved, `${text}\n`);
  const back = await readTraceFiles([saved]);
  assert.deepEqual(back.problems, []);
  assert.equal(back.store.trace(TRACE)?.spanCount, 1);
  const copied = JSON.stringify(redactor.value(await runJson(trace, { maxPayloadChars: 0 })));
  assert.ok(!copied.includes(key), copied);
});

test('Copy Run as JSON and tracerun export: a span failed with no status message says why, from error.type, its exception or the HTTP status', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'failed.jsonl');
  const failures: TestSpan[] = [
    { traceId: TRACE, spanId: 'b000000000000001', name: 'agent', start: ms(0), end: ms(900), status: { code: 2 }, attributes: { 'error.type': 'RateLimitError' } },
    {
      traceId: TRACE,
      spanId: 'b000000000000002',
      parentSpanId: 'b000000000000001',
      name: 'lookup_order',
      start: ms(10),
      end: ms(300),
      status: { code: 2 },
      events: [{ name: 'exception', timeUnixNano: String(ms(290)), attributes: [attr('exception.type', 'KeyError'), attr('exception.message', "'A1042'")] }],
    },
    { traceId: TRACE, spanId: 'b000000000000003', parentSpanId: 'b000000000000001', name: 'GET /docs', start: ms(310), end: ms(400), status: { code: 2 }, attributes: { 'http.response.status_code': 503 } },
    { traceId: TRACE, spanId: 'b000000000000004', parentSpanId: 'b000000000000001', name: 'mystery', start: ms(410), end: ms(500), status: { code: 2 } },
  ];
  writeFileSync(file, `${JSON.stringify(requestJson(failures))}\n`);
  const { store } = await readTraceFiles([file]);
  const doc = await runJson(store.trace(TRACE)!, { maxPayloadChars: 0 });
  const root = doc.spans[0];
  assert.equal(root.error, 'RateLimitError');
  assert.deepEqual(
    (root.children as RunJsonSpan[]).map((c) => [c.name, c.error]),
    [
      ['lookup_order', "KeyError: 'A1042'"],
      ['GET /docs', 'HTTP 503'],
      ['mystery', 'error'],
    ],
  );
  // The CLI prints the same document.
  let printed = '';
  const code = await runCli(['export', file, '--trace', TRACE], { out: (s) => (printed += `${s}\n`), err: () => {} });
  assert.equal(code, 0);
  assert.equal(JSON.parse(printed).spans[0].children[0].error, "KeyError: 'A1042'");
});

test('Save Run As writes OTLP for runs of every format read: each file read back has the same tree, names, kinds, times, status, attributes, events and resource', async (t) => {
  const dir = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'formats');
  const out = tempDir(t);
  for (const name of readdirSync(dir)) {
    const { store } = await readTraceFiles([path.join(dir, name)]);
    assert.ok(store.traceCount > 0, `${name}: runs read`);
    for (const before of store.runs()) {
      const saved = path.join(out, `${name}.${before.traceId}.otlp.jsonl`);
      const line = await runOtlpLine(before);
      writeFileSync(saved, `${line}\n`);
      // OTLP/JSON as the spec writes it: hex ids, nanosecond times as strings, attributes as AnyValue.
      for (const rs of JSON.parse(line).resourceSpans) {
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            assert.match(s.traceId, /^[0-9a-f]{32}$/, `${name}: ${s.name} traceId`);
            assert.match(s.spanId, /^[0-9a-f]{16}$/, `${name}: ${s.name} spanId`);
            assert.match(s.startTimeUnixNano, /^\d+$/, `${name}: ${s.name} start`);
            for (const a of s.attributes ?? []) assert.equal(typeof a.value, 'object', `${name}: ${s.name} ${a.key} as AnyValue`);
          }
        }
      }
      const back = await readTraceFiles([saved]);
      assert.deepEqual(back.problems, [], `${name}: read back without problems`);
      assert.equal(back.store.traceCount, 1, name);
      const after = back.store.trace(before.traceId);
      assert.ok(after !== undefined, `${name}: same trace id`);
      assert.equal(after.spanCount, before.spanCount, `${name}: every span`);
      const shape = (trace: Trace) => {
        const walk = (nodes: readonly SpanNode[]): unknown[] => nodes.map((n) => [n.span.name, n.span.spanId, walk(n.children)]);
        return walk(trace.tree().roots);
      };
      assert.deepEqual(shape(after), shape(before), `${name}: same tree`);
      for (const span of before.allSpans()) {
        const other: SpanRecord = after.span(span.spanId)!;
        const facts = (s: SpanRecord) => ({
          parent: s.parentSpanId,
          name: s.name,
          kind: s.kind,
          start: s.startNs,
          end: s.endNs,
          status: s.statusCode,
          error: s.errorMessage,
          service: s.resource.serviceName,
          scope: s.scope,
        });
        assert.deepEqual(facts(other), facts(span), `${name}: ${span.name}`);
        const [a, b] = await Promise.all([loadSpanDetails(span), loadSpanDetails(other)]);
        assert.deepEqual(b.attributes, a.attributes, `${name}: ${span.name} attributes`);
        assert.deepEqual(b.resourceAttributes, a.resourceAttributes, `${name}: ${span.name} resource`);
        assert.deepEqual(b.events, a.events, `${name}: ${span.name} events`);
        assert.deepEqual(b.links, a.links, `${name}: ${span.name} links`);
      }
    }
  }
});
