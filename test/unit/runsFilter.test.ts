// The Runs view's filters and session groups, over runs read from a real trace file.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import type { Trace } from '../../src/core/model/trace';
import { describeFilter, distinctValues, filterRuns, isFilterActive, NO_FILTER, parseDuration, startOfDayMs, type RunFilter } from '../../src/core/runs/filter';
import { searchNewRuns, searchRuns } from '../../src/core/runs/runSearch';
import { runFacts } from '../../src/core/runs/runFacts';
import { runList } from '../../src/core/runs/runList';
import { groupBySession, SESSION_KEYS, sessionOf } from '../../src/core/runs/sessions';
import { INDEXED_ATTRIBUTE_KEYS } from '../../src/core/model/indexedAttributes';
import { T0, otlpLine, type TestSpan } from './otlpBuilder';
import { tempDir } from './tempDir';

const T0_MS = Number(T0 / 1_000_000n);
const at = (ms: number): bigint => T0 + BigInt(ms) * 1_000_000n;
const HOUR = 3_600_000;
/** "Now" for these tests: a day after T0. */
const NOW = T0_MS + 24 * HOUR;

let seq = 0;
const id = (bytes: 16 | 8, n: number) => n.toString(16).padStart(bytes * 2, '0');

/** A run: a root and one LLM call, starting `startMs` after T0. */
function run(n: number, o: { name: string; startMs: number; durationMs: number; model: string; failed?: boolean; session?: Record<string, string>; question: string }): TestSpan[] {
  const traceId = id(16, n);
  const rootId = id(8, ++seq);
  return [
    { traceId, spanId: rootId, name: o.name, start: at(o.startMs), end: at(o.startMs + o.durationMs), attributes: { 'input.value': o.question, ...o.session }, status: o.failed ? { code: 2, message: 'tool failed' } : undefined },
    { traceId, spanId: id(8, ++seq), parentSpanId: rootId, name: 'chat', start: at(o.startMs + 1), end: at(o.startMs + 2), attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': o.model, 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 } },
  ];
}

async function store(t: Parameters<typeof tempDir>[0]) {
  const file = path.join(tempDir(t), 'traces.jsonl');
  writeFileSync(
    file,
    otlpLine([
      ...run(1, { name: 'support_agent.run', startMs: 22 * HOUR, durationMs: 1000, model: 'gpt-4o', question: 'Where is my refund for the kettle?', session: { 'session.id': 'chat-1' } }),
      ...run(2, { name: 'support_agent.run', startMs: 24 * HOUR - 10 * 60_000, durationMs: 3000, model: 'gpt-4o-mini', failed: true, question: 'Cancel order 42', session: { 'session.id': 'chat-1' } }),
      ...run(3, { name: 'rag.run', startMs: 0, durationMs: 500, model: 'gpt-4o', question: 'What is the warranty?', session: { 'langsmith.metadata.thread_id': 'thread-9' } }),
      ...run(4, { name: 'rag.run', startMs: 23 * HOUR + 30 * 60_000, durationMs: 200, model: 'claude-3-5-sonnet', question: 'Opening hours?' }),
    ]),
  );
  return (await readTraceFiles([file])).store;
}

const names = (runs: readonly Trace[]) => runs.map((t) => Number.parseInt(t.traceId, 16));

test('each filter keeps the runs that pass it; together, the runs that pass all', async (t) => {
  const s = await store(t);
  const runs = s.runs();
  assert.deepEqual(names(runs), [2, 4, 1, 3], 'newest first');
  const f = (filter: RunFilter) => names(filterRuns(runs, filter, NOW));
  assert.deepEqual(f({ errorsOnly: true }), [2]);
  assert.deepEqual(f({ rootName: 'rag.run' }), [4, 3]);
  assert.deepEqual(f({ model: 'gpt-4o' }), [1, 3], 'gpt-4o, not gpt-4o-mini');
  assert.deepEqual(f({ minDurationMs: 1000 }), [2, 1]);
  assert.deepEqual(f({ window: 'hour' }), [2, 4]);
  assert.deepEqual(f({ window: 'all' }), [2, 4, 1, 3]);
  assert.deepEqual(f({ rootName: 'support_agent.run', minDurationMs: 2000 }), [2]);
  assert.equal(filterRuns(runs, NO_FILTER, NOW), runs, 'no filter: the same list, no copy');
});

test('today means since local midnight', async (t) => {
  const midnight = startOfDayMs(NOW);
  const d = new Date(midnight);
  assert.deepEqual([d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()], [0, 0, 0, 0]);
  assert.ok(midnight <= NOW && NOW - midnight < 24 * HOUR);
  const runs = (await store(t)).runs();
  const today = names(filterRuns(runs, { window: 'today' }, NOW));
  const expected = runs.filter((r) => Number(r.summary().startNs / 1_000_000n) >= midnight);
  assert.deepEqual(today, names(expected));
  assert.ok(!today.includes(3), 'the run a day old is not today');
});

test('the text filter matches span names, attribute values and inputs across runs, with progress', async (t) => {
  const runs = (await store(t)).runs();
  const progress: number[] = [];
  const refund = await searchRuns(runs, 'REFUND', { onProgress: (p) => progress.push(p.done / p.total) });
  assert.deepEqual([...refund].map((x) => Number.parseInt(x, 16)), [1], 'an input, case-insensitively');
  assert.equal(progress.at(-1), 1, 'progress ends at all spans');
  const byName = await searchRuns(runs, 'rag.r');
  assert.deepEqual([...byName].map((x) => Number.parseInt(x, 16)).sort(), [3, 4], 'span names');
  const byModel = await searchRuns(runs, 'claude-3-5');
  assert.deepEqual([...byModel].map((x) => Number.parseInt(x, 16)), [4], 'attribute values');
  const cancelled = await searchRuns(runs, 'kettle', { signal: { cancelled: true } });
  assert.equal(cancelled.size, 0);

  const filter: RunFilter = { text: { query: 'order', traceIds: new Set(), searched: new Set(runs.map((r) => r.traceId)) } };
  assert.deepEqual(names(filterRuns(runs, filter, NOW)), []);
  const widened = await searchNewRuns({ query: 'order', traceIds: new Set(), searched: new Set([runs[1].traceId]) }, runs);
  assert.deepEqual([...widened.traceIds].map((x) => Number.parseInt(x, 16)), [2], 'runs not searched before are');
});

test('the filter in a line for the view message; durations as typed', () => {
  assert.equal(isFilterActive(NO_FILTER), false);
  assert.equal(isFilterActive({ window: 'all' }), false);
  assert.equal(describeFilter({ errorsOnly: true, rootName: 'a', model: 'm', minDurationMs: 2000, window: 'hour', text: { query: 'q', traceIds: new Set(), searched: new Set() } }), 'errors only · name a · model m · ≥ 2.00s · last hour · "q"');
  assert.equal(parseDuration('2s'), 2000);
  assert.equal(parseDuration('1.5 m'), 90_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('250'), 250);
  assert.equal(parseDuration('fast'), undefined);
});

test('pick lists: names and models, most runs first', async (t) => {
  const runs = (await store(t)).runs();
  assert.deepEqual(distinctValues(runs, (r) => runFacts(r).models), [
    { value: 'gpt-4o', runs: 2 },
    { value: 'claude-3-5-sonnet', runs: 1 },
    { value: 'gpt-4o-mini', runs: 1 },
  ]);
  const priced = runFacts(runs[0], { 'gpt-4o-mini': { inputPerMTok: 1_000_000, outputPerMTok: 2_000_000 } });
  assert.equal(priced.costUsd, 10 + 10, '10 input tokens at $1 each, 5 output at $2');
});

test('runs of one session group together: newest session first, its runs oldest first', async (t) => {
  const runs = (await store(t)).runs();
  assert.equal(sessionOf(runs[0]), 'chat-1');
  assert.equal(sessionOf(runs[3]), 'thread-9', 'a LangSmith thread');
  assert.equal(sessionOf(runs[1]), undefined);
  const grouped = groupBySession(runs).map((e) => (e.type === 'run' ? Number.parseInt(e.trace.traceId, 16) : `${e.sessionId}: ${names(e.runs).join(',')}`));
  assert.deepEqual(grouped, ['chat-1: 1,2', 4, 'thread-9: 3']);
  const list = runList(runs, { errorsOnly: true }, NOW);
  assert.equal(list.matched, 1);
  assert.equal(list.total, 4);
  assert.deepEqual(names(list.sessions.get('chat-1')!), [2], 'a session holds only the runs that pass the filter');
});

test('session keys of each convention, on the root or any span', () => {
  const keys = { 'gen_ai.conversation.id': 'c', 'langfuse.session.id': 'l', 'langsmith.metadata.session_id': 's', 'langsmith.metadata.conversation_id': 'x' };
  for (const [key, value] of Object.entries(keys)) {
    const fake = { revision: 1, summary: () => ({ root: undefined }), allSpans: () => [{ attributes: { [key]: value } }][Symbol.iterator]() } as unknown as Trace;
    assert.equal(sessionOf(fake), value, key);
  }
});

test("LangSmith run records: their extra.metadata's thread_id, session_id or conversation_id groups runs into sessions", async (t) => {
  const file = path.join(tempDir(t), 'runs.jsonl');
  const record = (n: number, metadata: Record<string, unknown>) =>
    JSON.stringify({ id: `0d3b4c1e-7f6a-4b2c-9d8e-00000000000${n}`, run_type: 'chain', name: 'support_agent', start_time: `2024-05-01T12:0${n}:00.000000`, end_time: `2024-05-01T12:0${n}:01.000000`, inputs: { question: `q${n}` }, extra: { metadata } });
  writeFileSync(
    file,
    [
      record(1, { thread_id: 'thread-1', ls_run_depth: 0 }),
      record(2, { thread_id: 'thread-1' }),
      record(3, { session_id: 'session-2' }),
      record(4, { conversation_id: 42 }),
      record(5, { user: 'no session here' }),
    ].join('\n') + '\n',
  );
  const runs = (await readTraceFiles([file])).store.runs();
  const question = (trace: Trace) => Number(trace.traceId.slice(-1));
  const grouped = groupBySession(runs).map((e) => (e.type === 'run' ? question(e.trace) : `${e.sessionId}: ${e.runs.map(question).join(',')}`));
  assert.deepEqual(grouped, [5, '42: 4', 'session-2: 3', 'thread-1: 1,2']);
});

test('the session keys are kept by the reader index, so grouping runs reads no file', () => {
  for (const key of SESSION_KEYS) assert.ok(INDEXED_ATTRIBUTE_KEYS.has(key), key);
});
