import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { TraceStore } from '../../src/core/model/traceStore';
import { nsToIso } from '../../src/core/model/time';
import { spanDetailsView } from '../../src/core/waterfall/spanDetailsView';
import { FIRST_SLICE_ROWS, ROWS_PER_SLICE, sliceBounds, waterfallData, waterfallDataSteps, waterfallFirstSteps } from '../../src/core/waterfall/rows';
import { flatTreeOf } from '../../src/core/model/flatTree';
import { runSteps } from '../../src/core/util/steps';
import { ROW_KINDS, RowFlag } from '../../src/protocol/waterfall';
import { ms, otlpLine } from './otlpBuilder';
import { SIBLINGS_TOKENS, siblingCallsRun, traceOf } from './siblingCallsRun';

const TRACE = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

function storeWith(lines: string[]): TraceStore {
  const store = new TraceStore();
  lines.forEach((text, i) => {
    const buf = Buffer.from(text);
    store.addSpans('/t/f.jsonl', readOtlpJson(buf, 0, buf.length, { file: '/t/f.jsonl', line: i + 1, byteBase: 0 }).spans);
  });
  return store;
}

test('waterfall rows cross as columns: depth-first, children in start order, times relative to the run', () => {
  const store = storeWith([
    otlpLine([{ traceId: TRACE, spanId: '0000000000000003', parentSpanId: '0000000000000001', name: 'second', start: ms(50), end: ms(80) }]),
    otlpLine([{ traceId: TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'first', start: ms(10), end: ms(40), status: { code: 2, message: 'boom' } }]),
    otlpLine([{ traceId: TRACE, spanId: '0000000000000004', parentSpanId: '0000000000000002', name: 'nested', start: ms(12), end: ms(20), attributes: { 'code.filepath': 'a.py', 'gen_ai.operation.name': 'chat' } }]),
    otlpLine([{ traceId: TRACE, spanId: '0000000000000001', name: 'root', start: ms(0), end: ms(100) }]),
  ]);
  const data = waterfallData(store.trace(TRACE)!, Date.now(), 7);
  assert.equal(data.start.rowCount, 4);
  assert.equal(data.start.generation, 7);
  assert.equal(data.start.header.name, 'root');
  assert.equal(data.start.header.state, 'complete');
  assert.equal(data.start.header.errorCount, 1);
  assert.equal(data.start.header.durationMs, 100);
  // Two slices, as the panel sends them.
  const a = data.slice(0, 3);
  const b = data.slice(3, 4);
  assert.equal(b.offset, 3);
  const rows = [a, b].flatMap((cols) =>
    Array.from(cols.startMs, (_, i) => [data.start.names[cols.nameIndex[i]], cols.depth[i], cols.parent[i], cols.startMs[i], cols.durationMs[i], ROW_KINDS[cols.kind[i]], cols.flags[i]]),
  );
  assert.deepEqual(rows, [
    // Sequential children: each one ends before the next starts, so all set the run's length.
    ['root', 0, -1, 0, 100, 'other', RowFlag.HasChildren | RowFlag.CriticalPath],
    ['first', 1, 0, 10, 30, 'other', RowFlag.HasChildren | RowFlag.Error | RowFlag.CriticalPath],
    ['nested', 2, 1, 12, 8, 'llm', RowFlag.HasSource | RowFlag.CriticalPath],
    ['second', 1, 0, 50, 30, 'other', RowFlag.CriticalPath],
  ]);
  assert.equal(a.spanIds + b.spanIds, '0000000000000001000000000000000200000000000000040000000000000003');
  assert.deepEqual(Array.from(a.subtreeEnd), [4, 3, 3]);
  assert.deepEqual(Array.from(a.selfMs), [40, 22, 8], 'self time excludes the children');
});

test('runs of same-named siblings fold into a group row; the critical path is flagged', () => {
  const spans = [{ traceId: TRACE, spanId: '00000000000000ff', name: 'agent', start: ms(0), end: ms(100) }];
  // Six calls in parallel: only the one that ends last holds the run up.
  for (let i = 0; i < 6; i++) spans.push({ traceId: TRACE, spanId: `00000000000000a${i}`, parentSpanId: '00000000000000ff', name: 'lookupOrder', start: ms(i), end: ms(50 + i * 5) } as never);
  const store = storeWith([otlpLine(spans)]);
  const data = waterfallData(store.trace(TRACE)!, Date.now(), 1);
  const cols = data.slice(0, data.start.rowCount);
  assert.equal(data.start.rowCount, 8, 'root, a group row, six members');
  assert.equal(cols.groupSize[1], 6);
  assert.ok(cols.flags[1] & RowFlag.Group);
  assert.equal(data.start.names[cols.nameIndex[1]], 'lookupOrder');
  assert.ok(cols.flags[0] & RowFlag.CriticalPath, 'the root is on the critical path');
  assert.ok(cols.flags[7] & RowFlag.CriticalPath, 'so is the last call, which ends last');
  assert.ok(!(cols.flags[2] & RowFlag.CriticalPath));
});

test('a span without an end is in progress; a group row takes its members\' kind; cost counts each LLM call once', () => {
  const spans = [{ traceId: TRACE, spanId: '00000000000000ff', name: 'agent', start: ms(0), end: 0 as number | bigint, attributes: { 'openinference.span.kind': 'AGENT' } }];
  for (let i = 0; i < 5; i++)
    spans.push({ traceId: TRACE, spanId: `00000000000000a${i}`, parentSpanId: '00000000000000ff', name: 'chat', start: ms(i * 10), end: ms(i * 10 + 8), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 } } as never);
  const store = storeWith([otlpLine(spans)]);
  const prices = { 'gpt-4o': { inputPerMTok: 2, outputPerMTok: 10 } };
  const data = waterfallData(store.trace(TRACE)!, Date.now(), 1, prices);
  const cols = data.slice(0, data.start.rowCount);
  assert.equal(data.start.rowCount, 7, 'agent, a group of five chats, the five');
  assert.ok(cols.flags[0] & RowFlag.InProgress, 'the agent has no end yet');
  assert.equal(cols.durationMs[0], 0);
  assert.ok(!(cols.flags[2] & RowFlag.InProgress));
  assert.equal(ROW_KINDS[cols.kind[0]], 'agent');
  assert.equal(ROW_KINDS[cols.kind[1]], 'llm', 'the group row shows its members\' kind');
  assert.deepEqual([...cols.kind.slice(2)].map((k) => ROW_KINDS[k]), ['llm', 'llm', 'llm', 'llm', 'llm']);
  assert.deepEqual(data.start.header.tokens, { input: 5000, output: 500, total: 5500 });
  assert.ok(Math.abs(data.start.header.costUsd! - 5 * (1000 * 2 + 100 * 10) / 1e6) < 1e-12, `cost ${data.start.header.costUsd}`);
});

test('span details list attributes sorted, with the source location', () => {
  const store = storeWith([
    otlpLine([{ traceId: TRACE, spanId: '0000000000000001', name: 'root', start: ms(0), end: ms(5), attributes: { 'code.lineno': 7, 'code.filepath': 'agent.py', 'code.function': 'run' } }]),
  ]);
  const trace = store.trace(TRACE)!;
  const d = spanDetailsView(trace, trace.span('0000000000000001')!, undefined);
  assert.deepEqual(d.source, { path: 'agent.py', line: 7, function: 'run' });
  assert.deepEqual(d.attributes.map(([k]) => k), ['code.filepath', 'code.function', 'code.lineno']);
  assert.deepEqual(d.resourceAttributes, [['service.name', 'test-service']]);
});

test('ISO times keep nanoseconds', () => {
  assert.equal(nsToIso(1_700_000_000_123_456_789n), '2023-11-14T22:13:20.123456789Z');
});

test('an LLM row carries its time to first token (seconds, milliseconds or an instant), other rows none', () => {
  const at = ms(0);
  const store = storeWith([
    otlpLine([
      { traceId: TRACE, spanId: '0000000000000001', name: 'agent', start: ms(0), end: ms(3000), attributes: { 'gen_ai.response.time_to_first_chunk': 9 } },
      { traceId: TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'chat', start: ms(100), end: ms(1600), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.response.time_to_first_chunk': 0.4 } },
      { traceId: TRACE, spanId: '0000000000000003', parentSpanId: '0000000000000001', name: 'ai.streamText.doStream', start: ms(1700), end: ms(2500), attributes: { 'ai.operationId': 'ai.streamText.doStream', 'ai.model.id': 'gpt-4o', 'ai.response.msToFirstChunk': 250 } },
      { traceId: TRACE, spanId: '0000000000000004', parentSpanId: '0000000000000001', name: 'generation', start: ms(2600), end: ms(2900), attributes: { 'gen_ai.operation.name': 'chat', 'langfuse.observation.completion_start_time': new Date(Number((at + 2_720_000_000n) / 1_000_000n)).toISOString() } },
      { traceId: TRACE, spanId: '0000000000000005', parentSpanId: '0000000000000001', name: 'chat (not streamed)', start: ms(2950), end: ms(2990), attributes: { 'gen_ai.operation.name': 'chat' } },
    ]),
  ]);
  const data = waterfallData(store.trace(TRACE)!, Date.now(), 1);
  const cols = data.slice(0, data.start.rowCount);
  const byName = Object.fromEntries(Array.from(cols.nameIndex, (n, r) => [data.start.names[n], cols.ttftMs[r]]));
  assert.equal(byName['agent'], 0, 'only LLM spans: an agent stating a first chunk is not drawn with one');
  assert.equal(byName['chat'], 400);
  assert.equal(byName['ai.streamText.doStream'], 250);
  assert.ok(Math.abs(byName['generation'] - 120) < 1, `Langfuse's completion start, minus the span's start: ${byName['generation']}`);
  assert.equal(byName['chat (not streamed)'], 0);
});

test("a stream whose first chunk is only an event (OpenLLMetry's per-chunk events) draws its wait too, and the compare panel states it", async () => {
  const chunk = (atMs: number) => ({ name: 'llm.content.completion.chunk', timeUnixNano: String(ms(atMs)), attributes: [] });
  const store = storeWith([
    otlpLine([
      { traceId: TRACE, spanId: '0000000000000001', name: 'agent', start: ms(0), end: ms(3000), events: [chunk(5)] },
      {
        traceId: TRACE,
        spanId: '0000000000000002',
        parentSpanId: '0000000000000001',
        name: 'openai.chat',
        start: ms(100),
        end: ms(1600),
        attributes: { 'llm.request.type': 'chat', 'gen_ai.request.model': 'gpt-4o', 'llm.is_streaming': true },
        // A prompt event first, then one event per chunk: the first of them is the first token.
        events: [{ name: 'gen_ai.content.prompt', timeUnixNano: String(ms(101)), attributes: [] }, chunk(420), chunk(450), chunk(1590)],
      },
    ]),
  ]);
  const trace = store.trace(TRACE)!;
  const data = waterfallData(trace, Date.now(), 1);
  const cols = data.slice(0, data.start.rowCount);
  const byName = Object.fromEntries(Array.from(cols.nameIndex, (n, r) => [data.start.names[n], cols.ttftMs[r]]));
  assert.equal(byName['openai.chat'], 320, 'the first chunk came 320ms after the call started');
  assert.equal(byName['agent'], 0, 'only LLM spans');
  const { pairView } = await import('../../src/core/compare/pairs');
  const node = trace.tree().nodes.get('0000000000000002')!;
  assert.equal(pairView({ a: node, b: node, depth: 1, parent: 0 }, trace.summary().startNs, trace.summary().startNs).a?.ttftMs, 320);
});

test("the header's tokens and cost count one call recorded twice once, side by side (OpenLLMetry and the Anthropic SDK) or nested", () => {
  const prices = { 'fake-claude-*': { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 } };
  const header = waterfallData(traceOf(siblingCallsRun()), Date.now(), 1, prices).start.header;
  assert.deepEqual({ input: header.tokens?.input, output: header.tokens?.output }, SIBLINGS_TOKENS);
  assert.equal(header.costUsd, 26 * 1 + 42 * 2, '$1 an input token, $2 an output one');
  const nested = storeWith([
    otlpLine([
      { traceId: TRACE, spanId: '0000000000000001', name: 'Anthropic', start: ms(0), end: ms(50), attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'fake-claude-haiku', 'llm.token_count.prompt': 3, 'llm.token_count.completion': 1 } },
      { traceId: TRACE, spanId: '0000000000000002', parentSpanId: '0000000000000001', name: 'anthropic.messages.create', start: ms(1), end: ms(49), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'fake-claude-haiku', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 1 } },
    ]),
  ]);
  assert.equal(waterfallData(nested.trace(TRACE)!, Date.now(), 1, prices).start.header.costUsd, 3 + 1 * 2);
});

test("the header's cost counts a call's recorded cost once; the user's prices win where they price the call", () => {
  const spans = siblingCallsRun();
  for (const s of spans) if (s.spanId === '15458f4b099b026c' || s.spanId === '53b539fff2a1f497') s.attributes = { ...s.attributes, 'llm.cost.total': 0.5 };
  const trace = traceOf(spans);
  assert.equal(waterfallData(trace, Date.now(), 1).start.header.costUsd, 0.5, 'both twins state it: counted once');
  const prices = { 'fake-claude-*': { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 } };
  assert.equal(waterfallData(trace, Date.now(), 1, prices).start.header.costUsd, waterfallData(traceOf(siblingCallsRun()), Date.now(), 1, prices).start.header.costUsd);
});

test("a finished run's stand-in for a parent never received ends with its last child, not running; a running run's is open-ended", () => {
  const spans = (withRoot: boolean) => [
    ...(withRoot ? [{ traceId: TRACE, spanId: '0000000000000001', name: 'agent', start: ms(0), end: ms(20) }] : []),
    { traceId: TRACE, spanId: '00000000000000b1', parentSpanId: '00000000000000aa', name: 'step one', start: ms(2), end: ms(5) },
    { traceId: TRACE, spanId: '00000000000000b2', parentSpanId: '00000000000000b1', name: 'inner', start: ms(3), end: ms(4) },
    { traceId: TRACE, spanId: '00000000000000b3', parentSpanId: '00000000000000aa', name: 'step two', start: ms(6), end: ms(9) },
  ];
  const standInRow = (data: ReturnType<typeof waterfallData>) => {
    const cols = data.slice(0, data.start.rowCount);
    const r = data.start.names.findIndex((n) => n.startsWith('span 00000000')) ;
    const row = Array.from(cols.nameIndex).indexOf(r);
    return { name: data.start.names[r], startMs: cols.startMs[row], durationMs: cols.durationMs[row], inProgress: (cols.flags[row] & RowFlag.InProgress) !== 0 };
  };
  const finished = storeWith([otlpLine(spans(true))]).trace(TRACE)!;
  const justAfter = Number(ms(21) / 1_000_000n);
  assert.equal(finished.state(justAfter), 'complete');
  const settled = { name: 'span 00000000 (not received)', startMs: 2, durationMs: 7, inProgress: false };
  assert.deepEqual(standInRow(waterfallData(finished, justAfter, 1)), settled, 'the flat tree, as the panel lays it out');
  assert.deepEqual(standInRow(runSteps(waterfallDataSteps(finished, finished.tree(), justAfter, 1))), settled, 'the object tree');

  const running = storeWith([otlpLine(spans(false))]).trace(TRACE)!;
  assert.equal(running.state(justAfter), 'running');
  assert.deepEqual(standInRow(waterfallData(running, justAfter, 1)), { name: 'span 00000000 (not received yet)', startMs: 0, durationMs: 0, inProgress: true });
});

test('the first slice is sent before the other rows and the header\'s cost: the same rows and header as all at once, wherever the first slice ends', () => {
  const prices = { 'fake-claude-*': { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 } };
  const spans = siblingCallsRun();
  const root = spans.find((s) => s.name === 'anthropic.chat')!.parentSpanId!;
  // Two runs of same-named siblings: group rows, one of which a first slice may end on.
  for (let i = 0; i < 12; i++) {
    spans.push({ traceId: spans[0].traceId, spanId: `00000000000001${String(i).padStart(2, '0')}`, parentSpanId: root, name: i < 6 ? 'fetch' : 'lookup', start: ms(200 + i), end: ms(201 + i) });
  }
  const trace = traceOf(spans);
  const whole = waterfallData(trace, Date.now(), 3, prices);
  const rowCount = whole.start.rowCount;
  const rows = (data: { slice(from: number, to: number): unknown }, to: number) => JSON.parse(JSON.stringify(data.slice(0, to), (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v)));
  assert.ok(whole.start.header.costUsd! > 0 && rowCount > 20, `cost ${whole.start.header.costUsd}, ${rowCount} rows`);
  let endedOnGroup = 0;
  for (let firstRows = 1; firstRows <= rowCount; firstRows++) {
    const first = runSteps(waterfallFirstSteps(trace, flatTreeOf(trace), Date.now(), 3, prices, undefined, firstRows));
    assert.ok(first.rowsReady >= firstRows && first.rowsReady <= firstRows + 1, `${first.rowsReady} rows ready for ${firstRows}`);
    if (first.rowsReady > firstRows) endedOnGroup++;
    assert.deepEqual(rows(first, firstRows), rows(whole, firstRows), `first ${firstRows} rows`);
    assert.deepEqual(first.start.names, whole.start.names, 'every name is in the first message');
    assert.equal(first.start.header.costUsd, undefined, 'the cost comes after the rows');
    assert.equal(first.start.header.missingContext, undefined, 'so does what the run lacks');
    const { costUsd, missingContext } = whole.start.header;
    assert.ok(missingContext?.length, 'the run lacks something');
    assert.deepEqual({ ...first.start.header, costUsd, missingContext }, whole.start.header, 'the rest of the header as all at once (tokens counted before)');
    if (first.rowsReady < rowCount) assert.throws(() => first.slice(0, first.rowsReady + 1), /before they were prepared/);
    runSteps(first.moreRows());
    assert.deepEqual(rows(first, rowCount), rows(whole, rowCount), `all rows, first ${firstRows}`);
    assert.deepEqual(runSteps(first.wholeHeader()), whole.start.header);
  }
  assert.ok(endedOnGroup > 0, 'some first slice ended on a group row, whose kind comes with the next row');
});

test('a send crosses in a short first slice, then slices of ROWS_PER_SLICE rows', () => {
  assert.deepEqual(sliceBounds(0), []);
  assert.deepEqual(sliceBounds(10), [[0, 10]]);
  assert.deepEqual(sliceBounds(FIRST_SLICE_ROWS + 2 * ROWS_PER_SLICE + 7), [
    [0, FIRST_SLICE_ROWS],
    [FIRST_SLICE_ROWS, FIRST_SLICE_ROWS + ROWS_PER_SLICE],
    [FIRST_SLICE_ROWS + ROWS_PER_SLICE, FIRST_SLICE_ROWS + 2 * ROWS_PER_SLICE],
    [FIRST_SLICE_ROWS + 2 * ROWS_PER_SLICE, FIRST_SLICE_ROWS + 2 * ROWS_PER_SLICE + 7],
  ]);
});
