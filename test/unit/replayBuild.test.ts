import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { buildReplayDocument, DEFAULT_ANTHROPIC_MAX_TOKENS, type ReplaySpan } from '../../src/core/replay/buildReplay';
import { parseReplayDocument, REPLAY_FILE_SUFFIX, REPLAY_SCHEMA_ID, replayFileName } from '../../src/core/replay/replayDocument';
import { Redactor } from '../../src/core/privacy/redact';
import { loadReplaySpan } from '../../src/core/replay/replaySpan';
import { attr, hexId, ms, otlpLine } from './otlpBuilder';

const FIXTURES = resolve(__dirname, '..', '..', '..', 'test', 'fixtures');

/** An attribute value in OTLP form; lists become `arrayValue` as exporters write them. */
function otlpValue(v: unknown): unknown {
  if (Array.isArray(v)) return { arrayValue: { values: v.map((x) => (attr('', x) as { value: unknown }).value) } };
  return (attr('', v) as { value: unknown }).value;
}

/**
 * A fixture of one span's documented attributes, written as an OTLP JSON line and read back
 * through the real reader and `loadSpanDetails`, as the extension reads a span.
 */
async function spanFrom(fixture: string): Promise<ReplaySpan> {
  const f = JSON.parse(readFileSync(join(FIXTURES, 'replay', fixture), 'utf8')) as { name: string; attributes: Record<string, unknown> };
  const attributes = Object.fromEntries(Object.entries(f.attributes).map(([k, v]) => [k, otlpValue(v)]));
  const traceId = hexId(16);
  const spanId = hexId(8);
  const line = otlpLine([{ traceId, spanId, name: f.name, start: ms(0), end: ms(800), kind: 3, attributes }]);
  const file = join(mkdtempSync(join(tmpdir(), 'replay-')), 'trace.jsonl');
  writeFileSync(file, line);
  const buf = readFileSync(file);
  const { spans, problems } = readOtlpJson(buf, 0, buf.length - 1, { file, line: 1, byteBase: 0 });
  assert.deepEqual(problems, []);
  const span = spans[0];
  const details = await loadSpanDetails(span);
  return { traceId: span.traceId, spanId: span.spanId, name: span.name, startNs: span.startNs, endNs: span.endNs, attributes: details.attributes, events: details.events };
}

test('OpenInference: invocation parameters, tool schema, tool choice by name, JSON response format, tool call and result', async () => {
  const doc = buildReplayDocument(await spanFrom('openinference.json'));
  // No $schema: VS Code would try to download it; package.json ties the schema to the file name.
  assert.equal(doc.$schema, undefined);
  assert.equal(doc.provider, 'openai');
  assert.equal(doc.model, 'gpt-4o-mini', 'the model the app asked for, not the dated one that answered');
  assert.deepEqual(doc.parameters, { temperature: 0.3, maxTokens: 256, toolChoice: { name: 'lookup_order' }, responseFormat: 'json' });
  assert.deepEqual(doc.tools, [
    { name: 'lookup_order', description: 'Look an order up by id', parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] } },
  ]);
  assert.deepEqual(doc.messages, [
    { role: 'system', content: "You are Acme's support agent." },
    { role: 'user', content: 'Where is order #A1042?' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_a1042', name: 'lookup_order', arguments: '{"order_id": "A1042"}' }] },
    { role: 'tool', content: '{"status": "shipped"}', toolCallId: 'call_a1042' },
  ]);
  assert.deepEqual(doc.recorded, { text: 'Order A1042 has shipped.', toolCalls: [], tokens: { input: 120, output: 7 }, latencyMs: 800, model: 'gpt-4o-mini-2024-07-18' });
  assert.deepEqual(doc.notes, []);
  assert.equal(doc.source?.spanName, 'ChatOpenAI');
});

test('GenAI attributes: Anthropic provider, request parameters, tool definitions, system instructions, tool_call_response', async () => {
  const doc = buildReplayDocument(await spanFrom('genai.json'));
  assert.equal(doc.provider, 'anthropic');
  assert.equal(doc.model, 'claude-sonnet-4-5');
  assert.deepEqual(doc.parameters, { temperature: 0.7, maxTokens: 512, topP: 0.9, stop: ['END'], responseFormat: 'text' });
  assert.deepEqual(doc.tools, [{ name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }]);
  assert.deepEqual(doc.messages, [
    { role: 'system', content: 'Answer briefly.' },
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_01', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    { role: 'tool', content: 'rainy, 57F', toolCallId: 'toolu_01' },
  ]);
  assert.equal(doc.recorded?.text, 'Rainy, 57°F.');
  assert.deepEqual(doc.recorded?.tokens, { input: 90, output: 6 });
});

test('OpenLLMetry: functions as tools, temperature 0 kept, the recorded answer a tool call', async () => {
  const doc = buildReplayDocument(await spanFrom('openllmetry.json'));
  assert.equal(doc.provider, 'openai');
  assert.equal(doc.model, 'gpt-4o');
  assert.deepEqual(doc.parameters, { temperature: 0, maxTokens: 100 });
  assert.deepEqual(doc.tools, [{ name: 'lookup_order', description: 'Look an order up by id', parameters: { type: 'object', properties: { order_id: { type: 'string' } } } }]);
  assert.deepEqual(doc.messages, [
    { role: 'system', content: "You are Acme's support agent." },
    { role: 'user', content: 'Where is order #B7?' },
  ]);
  assert.deepEqual(doc.recorded?.toolCalls, [{ id: 'call_b7', name: 'lookup_order', arguments: '{"order_id": "B7"}' }]);
  assert.equal(doc.recorded?.text, '');
  assert.deepEqual(doc.notes, []);
});

test('Vercel AI SDK: provider from ai.model.provider, settings, tools as a list of JSON strings, tool choice, time to first chunk', async () => {
  const doc = buildReplayDocument(await spanFrom('vercel-ai.json'));
  assert.equal(doc.provider, 'anthropic');
  assert.equal(doc.model, 'claude-3-5-haiku-latest');
  assert.deepEqual(doc.parameters, { temperature: 0.5, maxTokens: 300, toolChoice: 'auto' });
  assert.deepEqual(doc.tools, [{ name: 'classify', description: 'Label a ticket', parameters: { type: 'object', properties: { text: { type: 'string' } } } }]);
  assert.deepEqual(doc.messages, [
    { role: 'system', content: 'You classify tickets.' },
    { role: 'user', content: 'My parcel arrived damaged' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'tc1', name: 'classify', arguments: '{"text":"My parcel arrived damaged"}' }] },
    { role: 'tool', content: 'refunds', name: 'classify', toolCallId: 'tc1' },
  ]);
  assert.equal(doc.recorded?.text, 'This goes to refunds.');
  assert.equal(doc.recorded?.ttftMs, 120);
});

test('what a span did not record is said in the notes: tools, temperature, provider, Anthropic max tokens', async () => {
  // The existing conversation fixture: an OpenInference span with a tool call, no tool schemas.
  const path = join(FIXTURES, 'conversations', 'openinference.jsonl');
  const buf = readFileSync(path);
  const end = buf.indexOf(0x0a);
  const { spans } = readOtlpJson(buf, 0, end < 0 ? buf.length : end, { file: path, line: 1, byteBase: 0 });
  const span = spans.find((s) => s.spanId.endsWith('1'))!;
  const details = await loadSpanDetails(span);
  const doc = buildReplayDocument({ ...span, attributes: details.attributes, events: details.events });
  assert.ok(doc.notes?.some((n) => n.includes("tools' schemas were not recorded (lookupOrder)")), String(doc.notes));
  assert.ok(doc.notes?.some((n) => n.includes('image')), 'the receipt image is not replayed');

  const bareSpan = {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    name: 'call',
    startNs: 1n,
    endNs: 2n,
    attributes: { 'gen_ai.system': 'anthropic', 'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]' },
  };
  const bare = buildReplayDocument(bareSpan);
  assert.equal(bare.parameters.maxTokens, DEFAULT_ANTHROPIC_MAX_TOKENS);
  assert.ok(bare.notes?.some((n) => n.includes('max tokens were not recorded')));
  assert.ok(bare.notes?.some((n) => n.includes('temperature was not recorded')));
  assert.ok(bare.notes?.some((n) => n.includes('model was not recorded')));
  assert.ok(bare.notes?.some((n) => n.includes('No system message')));
  assert.ok(bare.notes?.some((n) => n.includes('answer was not recorded')));

  const json = buildReplayDocument({ ...bareSpan, attributes: { ...bareSpan.attributes, 'gen_ai.output.type': 'json' } });
  assert.equal(json.parameters.responseFormat, 'json');
  assert.ok(json.notes?.some((n) => n.includes('JSON response format') && n.includes('not sent')), String(json.notes));
  assert.ok(!bare.notes?.some((n) => n.includes('JSON response format')));

  const gemini = buildReplayDocument({ ...bareSpan, attributes: { 'gen_ai.provider.name': 'gcp.gemini', 'gen_ai.request.model': 'gemini-2.5-flash', 'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]' } });
  assert.equal(gemini.provider, 'openai');
  assert.ok(gemini.notes?.some((n) => n.includes('"gcp.gemini"')));
});

/** The fixture of GenAI per-message events (OpenTelemetry's openai-v2 before log records). */
const GENAI_EVENTS = join(FIXTURES, 'conversations', 'genai-events.jsonl');
const GENAI_EVENTS_SPAN = '0000000000000001';

/** A span of trace files read as the CLI reads them, loaded for replay with the store's log records. */
async function replaySpanIn(files: string[], spanId: string): Promise<ReplaySpan> {
  const { store, problems } = await readTraceFiles(files);
  assert.deepEqual(problems, []);
  const span = store.runs().map((t) => t.span(spanId)).find((s) => s !== undefined);
  assert.ok(span, `span ${spanId} is read`);
  return loadReplaySpan(span, store.logRecords);
}

test('GenAI events on the span: system, user, assistant tool call and tool result are the request; the choice is the recorded answer', async () => {
  const doc = buildReplayDocument(await replaySpanIn([GENAI_EVENTS], GENAI_EVENTS_SPAN));
  assert.equal(doc.provider, 'openai');
  assert.equal(doc.model, 'gpt-4o');
  assert.deepEqual(doc.messages, [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Weather in Paris?' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"location": "Paris"}' }] },
    { role: 'tool', content: 'rainy, 57°F', toolCallId: 'call_1' },
  ]);
  assert.equal(doc.recorded?.text, "It's rainy.");
  assert.deepEqual(doc.recorded?.tokens, { input: 60, output: 8 });
  assert.ok(doc.notes?.some((n) => n.includes("tools' schemas were not recorded (get_weather)")), String(doc.notes));
});

test('a span whose messages came only as log records (openai-v2 with content capture) is replayed from them', async () => {
  // The same call as the GenAI events fixture, written as opentelemetry-instrumentation-openai-v2
  // writes it: the span bare, each message a log record with its event name and the content as body.
  const request = JSON.parse(readFileSync(GENAI_EVENTS, 'utf8').split('\n')[0]) as {
    resourceSpans: { resource: unknown; scopeSpans: { scope: unknown; spans: { spanId: string; traceId: string; events?: { name: string; timeUnixNano: string; attributes: { key: string; value: unknown }[] }[] }[] }[] }[];
  };
  const span = request.resourceSpans[0].scopeSpans[0].spans.find((s) => s.spanId === GENAI_EVENTS_SPAN)!;
  const logRecords = span.events!.map((e) => ({
    timeUnixNano: e.timeUnixNano,
    traceId: span.traceId,
    spanId: span.spanId,
    eventName: e.name,
    attributes: e.attributes.filter((a) => a.key === 'gen_ai.system'),
    body: { kvlistValue: { values: e.attributes.filter((a) => a.key !== 'gen_ai.system') } },
  }));
  delete span.events;
  request.resourceSpans[0].scopeSpans[0].spans = [span];
  const logs = { resourceLogs: [{ resource: request.resourceSpans[0].resource, scopeLogs: [{ scope: { name: 'opentelemetry.instrumentation.openai_v2' }, logRecords }] }] };
  const file = join(mkdtempSync(join(tmpdir(), 'replay-logs-')), 'trace.jsonl');
  // The log records before their span, as a batch processor may export them.
  writeFileSync(file, `${JSON.stringify(logs)}\n${JSON.stringify(request)}\n`);

  const fromLogs = buildReplayDocument(await replaySpanIn([file], GENAI_EVENTS_SPAN));
  const fromEvents = buildReplayDocument(await replaySpanIn([GENAI_EVENTS], GENAI_EVENTS_SPAN));
  assert.deepEqual(fromLogs.messages, fromEvents.messages);
  assert.equal(fromLogs.recorded?.text, "It's rainy.");
  assert.deepEqual(fromLogs.recorded?.tokens, { input: 60, output: 8 });
});

test('a span without messages cannot be replayed, and says so', () => {
  assert.throws(
    () => buildReplayDocument({ traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), name: 'empty', startNs: 0n, endNs: 0n, attributes: { 'gen_ai.request.model': 'x' } }),
    /cccccccccccccccc \("empty"\) recorded no messages/,
  );
});

test('an edited document round-trips through parseReplayDocument; a broken one names each bad field', async () => {
  const doc = buildReplayDocument(await spanFrom('genai.json'));
  assert.deepEqual(parseReplayDocument(JSON.stringify(doc)), doc);
  assert.throws(() => parseReplayDocument('{"provider": "gemini", "model": "", "messages": [{"role": "robot"}]}', 'x.tracerun-replay.json'), (err: Error) => {
    assert.match(err.message, /^x\.tracerun-replay\.json: /);
    assert.match(err.message, /"provider" must be one of openai, anthropic/);
    assert.match(err.message, /"model" must be a non-empty string/);
    assert.match(err.message, /messages\[0\]\.role/);
    assert.match(err.message, /messages\[0\]\.content/);
    return true;
  });
  assert.throws(() => parseReplayDocument('{"provider": ', 'y'), /y is not valid JSON/);
});

test('every document built from the fixtures is valid against media/replay.schema.json, which package.json ties to *.tracerun-replay.json', async () => {
  // ajv is in node_modules through the packaging tools; the schema is what VS Code validates with.
  const Ajv = (require('ajv') as { default: new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } } }).default;
  const schemaPath = resolve(FIXTURES, '..', '..', 'media', 'replay.schema.json');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { $id: string };
  assert.equal(schema.$id, REPLAY_SCHEMA_ID);
  const validate = new Ajv({ strict: false }).compile(schema);
  for (const f of ['openinference.json', 'genai.json', 'openllmetry.json', 'vercel-ai.json']) {
    const doc = buildReplayDocument(await spanFrom(f));
    assert.ok(validate(JSON.parse(JSON.stringify(doc))), `${f}: ${JSON.stringify(validate.errors)}`);
  }
  assert.equal(validate({ provider: 'openai', model: 'm', messages: [{ role: 'user', content: 'hi' }], parameters: { temprature: 1 } }), false, 'a misspelt parameter is flagged');
  const pkg = JSON.parse(readFileSync(resolve(FIXTURES, '..', '..', 'package.json'), 'utf8')) as { contributes: { jsonValidation?: { fileMatch: string | string[]; url: string }[] } };
  const entry = pkg.contributes.jsonValidation?.find((j) => j.url === './media/replay.schema.json');
  assert.ok(entry, 'package.json contributes the schema');
  assert.deepEqual([entry.fileMatch].flat(), ['*.tracerun-replay.json']);
});

test("the replay document's file name (its tab's title) masks a key planted in the span's name, as the views do", () => {
  const key = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv';
  const redactor = new Redactor();
  const name = replayFileName({ name: `chat ${key} gpt-4o`, spanId: 'b7ad6b7169203331' }, (text) => redactor.text(text));
  assert.ok(!name.includes(key) && !name.includes('Ab3dEf6hIj9kLm2nOp5qRs8tUv'), name);
  assert.equal(name, `chat_redacted_api_key_gpt-4o-b7ad6b7169203331${REPLAY_FILE_SUFFIX}`);
  assert.equal(replayFileName({ name: 'chat gpt-4o', spanId: 'b7ad6b7169203331' }, (text) => redactor.text(text)), `chat_gpt-4o-b7ad6b7169203331${REPLAY_FILE_SUFFIX}`, 'nothing to mask: as before');
});
