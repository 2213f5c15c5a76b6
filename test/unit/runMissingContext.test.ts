// The missing-context note of a run's waterfall header, from what the reader noticed and the
// span's log records.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { FileTailer } from '../../src/core/ingest/tailer';
import { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import type { Trace } from '../../src/core/model/trace';
import { runMissingContext } from '../../src/core/runs/runMissingContext';
import { waterfallData } from '../../src/core/waterfall/rows';
import { ms, otlpLine, type TestSpan } from './otlpBuilder';
import { siblingCallsRun, traceOf } from './siblingCallsRun';
import { tempDir } from './tempDir';

const TRACE = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';
const ROOT = '00000000000000e1';
const LLM = '00000000000000e2';

async function workspace(t: TestContext, lines: string[]): Promise<TraceWorkspace> {
  const file = path.join(tempDir(t), 'run.jsonl');
  writeFileSync(file, lines.map((l) => l.trimEnd() + '\n').join(''));
  const ws = new TraceWorkspace();
  t.after(() => ws.dispose());
  const tailer = new FileTailer(file, ws, { complete: true });
  await tailer.poke();
  tailer.dispose();
  return ws;
}

function spans(llmAttributes: Record<string, unknown>, rootAttributes: Record<string, unknown> = {}): TestSpan[] {
  return [
    { traceId: TRACE, spanId: ROOT, name: 'agent', start: ms(0), end: ms(100), attributes: rootAttributes },
    { traceId: TRACE, spanId: LLM, parentSpanId: ROOT, name: 'chat gpt-4o', start: ms(1), end: ms(90), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', ...llmAttributes } },
  ];
}

const header = (ws: TraceWorkspace) => waterfallData(ws.store.trace(TRACE)!, Number(ms(200) / 1_000_000n), 1, {}, ws.store.logRecords).start.header;

test('the header lists what the run lacks: content of an LLM call, service.name, code location; each with its fix', async (t) => {
  const ws = await workspace(t, [otlpLine(spans({}), 'unknown_service:python')]);
  const notes = header(ws).missingContext ?? [];
  assert.equal(notes.length, 3, JSON.stringify(notes, null, 1));
  assert.match(notes[0].message, /^1 LLM span recorded no prompt or completion/);
  assert.match(notes[0].fix, /OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true/);
  assert.equal(notes[1].fix, 'export OTEL_SERVICE_NAME=my-agent');
  assert.match(notes[2].message, /Go to Source can only guess/);
});

test('content in span attributes or in log records, a service name and code.* leave nothing to say', async (t) => {
  const located = { 'code.file.path': '/app/agent.py', 'code.line.number': 3 };
  const onSpan = await workspace(t, [otlpLine(spans({ 'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]' }, located), 'support-agent')]);
  assert.equal(header(onSpan).missingContext, undefined);

  const logs = {
    resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: TRACE, spanId: LLM, eventName: 'gen_ai.user.message', timeUnixNano: String(ms(2)), body: { kvlistValue: { values: [{ key: 'content', value: { stringValue: 'hi' } }] } } }] }] }],
  };
  const asLogs = await workspace(t, [otlpLine(spans({}, located), 'support-agent'), JSON.stringify(logs)]);
  assert.equal(header(asLogs).missingContext, undefined, 'content sent as log records counts');
  const withoutLogs = await workspace(t, [otlpLine(spans({}, located), 'support-agent')]);
  assert.equal(header(withoutLogs).missingContext?.length, 1);
});

test('a stack trace on an exception event counts as a code location', async (t) => {
  const failing: TestSpan[] = spans({ 'gen_ai.input.messages': '[]' });
  failing[0] = { ...failing[0], status: { code: 2 }, events: [{ name: 'exception', timeUnixNano: String(ms(5)), attributes: [{ key: 'exception.stacktrace', value: { stringValue: 'Traceback…' } }] }] };
  const ws = await workspace(t, [otlpLine(failing, 'support-agent')]);
  assert.equal(header(ws).missingContext, undefined);
});

test("one call recorded side by side (OpenLLMetry's anthropic.chat with the content, the SDK's span without) lacks no content", () => {
  const trace = traceOf(siblingCallsRun());
  const noContent = (t: Trace) => runMissingContext(t, Number(ms(1000) / 1_000_000n)).filter((n) => n.kind === 'no-content');
  assert.deepEqual(noContent(trace), []);
  // Without content on OpenLLMetry's spans either, all six spans lack it.
  const bare = siblingCallsRun().map((s) => ({ ...s, attributes: Object.fromEntries(Object.entries(s.attributes ?? {}).filter(([k]) => !/messages$/.test(k))) }));
  assert.deepEqual(noContent(traceOf(bare)).flatMap((n) => n.spanIds).length, 6);
});
