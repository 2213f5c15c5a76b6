// The flat tree (typed arrays, kept up to date span by span) against the object tree
// (`Trace.tree()`, rebuilt): on seeded random traces with duplicate ids, spans sent again with
// other times or parents, missing parents (stand-ins), spans naming themselves as parent,
// parent cycles, several roots, runs of same-named siblings and ties everywhere, the layout
// of one must be the layout of the other, column for column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind, StatusCode, type Attributes, type SpanRecord } from '../../src/core/model/span';
import { Trace } from '../../src/core/model/trace';
import { flatTreeOf, KEEP_FLAT_TREE_FROM, releaseFlatTree } from '../../src/core/model/flatTree';
import { TraceStore } from '../../src/core/model/traceStore';
import { runSteps, STEP_ITEMS } from '../../src/core/util/steps';
import { layoutWaterfallSteps, type WaterfallLayout, type WaterfallOptions } from '../../src/core/waterfall/layout';
import { layoutFlatSteps } from '../../src/core/waterfall/flatRows';
import { waterfallData, waterfallDataSteps } from '../../src/core/waterfall/rows';
import { runTokens } from '../../src/core/genai/runTokens';
import { pick, rng, type Rand } from './fuzzing';

const T0 = 1_700_000_000_000_000_000n;
const TRACE = '5b8efff798038103d269b633813fc60c';
const NAMES = ['llm', 'tool', 'step', 'retrieve', 'a'];
const FILES = ['a.jsonl', 'b.jsonl'];

function record(r: Rand, id: string, parent: string): SpanRecord {
  // Times on a coarse grid, so starts and ends tie often; some spans still running (no end).
  const start = T0 + BigInt(Math.floor(r() * 20)) * 1_000_000n;
  const running = r() < 0.1;
  const endNs = running ? 0n : start + BigInt(Math.floor(r() * 6)) * 1_000_000n;
  return {
    traceId: TRACE,
    spanId: id,
    parentSpanId: parent,
    name: r() < 0.6 ? 'step' : pick(r, NAMES),
    kind: SpanKind.Internal,
    startNs: start,
    endNs,
    statusCode: r() < 0.1 ? StatusCode.Error : StatusCode.Unset,
    errorMessage: undefined,
    attributes: undefined,
    resource: { serviceName: 'svc', attributesStart: 0, attributesEnd: 0 },
    scope: undefined,
    // Few places written, so ties go down to the order spans came in.
    origin: { file: pick(r, FILES), line: 1 },
    byteStart: Math.floor(r() * 3),
    byteEnd: 0,
  };
}

const idOf = (k: number): string => k.toString(16).padStart(16, '0');

/** A random span: a new or repeated id, under a random parent (known, missing, itself, or none). */
function randomSpan(r: Rand, n: number, made: string[]): SpanRecord {
  const repeat = made.length > 0 && r() < 0.1;
  const id = repeat ? pick(r, made) : idOf(made.length + 1);
  if (!repeat) made.push(id);
  const x = r();
  // Parents among all ids to come make cycles; ids beyond them are never sent (stand-ins).
  const parent = x < 0.06 ? '' : x < 0.08 ? id : x < 0.14 ? idOf(n + 1 + Math.floor(r() * 4)) : idOf(1 + Math.floor(r() * n));
  return record(r, id, parent);
}

function summary(l: WaterfallLayout): unknown {
  return {
    originNs: l.originNs,
    endMs: l.endMs,
    spans: l.spans.map((s) => [s.spanId, s.name, s.parentSpanId, s.startNs, s.endNs, s.origin.file, s.byteStart]),
    rowCount: l.rowCount,
    spanIndex: [...l.spanIndex],
    depth: [...l.depth],
    parent: [...l.parent],
    subtreeEnd: [...l.subtreeEnd],
    startMs: [...l.startMs],
    durationMs: [...l.durationMs],
    selfMs: [...l.selfMs],
    onCriticalPath: [...l.onCriticalPath],
    error: [...l.error],
    groupSize: [...l.groupSize],
    critical: [[...l.criticalPath.row], [...l.criticalPath.startMs], [...l.criticalPath.endMs]],
  };
}

function assertSameLayout(trace: Trace, options: WaterfallOptions, what: string): void {
  const expected = runSteps(layoutWaterfallSteps(trace.tree(), options));
  const actual = runSteps(layoutFlatSteps(flatTreeOf(trace), options));
  assert.deepStrictEqual(summary(actual), summary(expected), what);
}

test('the flat tree lays out as the object tree on random traces, span by span', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const r = rng(seed);
    const n = 1 + Math.floor(r() * (seed % 10 === 0 ? 400 : 60));
    const options: WaterfallOptions = { criticalSegments: true, foldThreshold: pick(r, [undefined, 2, 3, 0]) };
    const trace = new Trace(TRACE);
    const made: string[] = [];
    // The flat tree is asked for at some point: spans before it are linked in bulk, the rest one by one.
    const askAt = Math.floor(r() * n);
    for (let i = 0; i < n; i++) {
      trace.add(randomSpan(r, n, made));
      if (i === askAt) flatTreeOf(trace);
      if (i >= askAt && r() < 0.15) assertSameLayout(trace, options, `seed ${seed}, after span ${i + 1} of ${n}`);
      if (r() < 0.01) trace.removeFromFile(pick(r, FILES));
    }
    assertSameLayout(trace, options, `seed ${seed}, all ${n} spans`);
  }
});

test('the flat tree lays out as the object tree when asked while it is being built', () => {
  for (let seed = 1000; seed < 1050; seed++) {
    const r = rng(seed);
    const n = 50 + Math.floor(r() * 200);
    const trace = new Trace(TRACE);
    const made: string[] = [];
    for (let i = 0; i < n / 2; i++) trace.add(randomSpan(r, n, made));
    const tree = flatTreeOf(trace);
    const settling = tree.settle();
    settling.next(); // part of the backlog linked; spans keep arriving
    for (let i = Math.ceil(n / 2); i < n; i++) trace.add(randomSpan(r, n, made));
    assertSameLayout(trace, { criticalSegments: true }, `seed ${seed}`);
  }
});

test('the flat tree keeps sibling ties in the order spans iterate once the trace has split its map', () => {
  // Past 32,768 spans a trace's map iterates shard by shard; ties among siblings follow that.
  const r = rng(7);
  const trace = new Trace(TRACE);
  const made: string[] = [];
  const n = 40_000;
  flatTreeOf(trace);
  for (let i = 0; i < n; i++) {
    const id = idOf(i + 1);
    made.push(id);
    // A few wide parents, everyone tied: start, end and place written.
    const span = record(r, id, i < 10 ? '' : idOf(1 + (i % 10)));
    trace.add({ ...span, startNs: T0 + BigInt(i % 3) * 1_000_000n, endNs: T0 + 5_000_000n, byteStart: 0, origin: { file: 'a.jsonl', line: 1 } });
    if (i === 30_000) assertSameLayout(trace, {}, 'before the split');
  }
  assertSameLayout(trace, {}, 'after the split');
  for (let i = 0; i < 50; i++) trace.add(randomSpan(r, n, made));
  assertSameLayout(trace, { criticalSegments: true }, 'after random spans');
});

test('waterfall rows from the flat tree, kept across live updates, are those of the object tree', () => {
  const r = rng(99);
  const trace = new Trace(TRACE);
  const made: string[] = [];
  const kinds: (Attributes | undefined)[] = [{ 'openinference.span.kind': 'LLM', 'llm.token_count.prompt': 10, 'llm.token_count.completion': 3 }, { 'openinference.span.kind': 'LLM' }, { 'openinference.span.kind': 'TOOL' }, { 'code.file.path': 'a.py' }, undefined];
  const add = (): void => {
    const span = randomSpan(r, 300, made);
    trace.add({ ...span, attributes: pick(r, kinds) });
  };
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 50; i++) add();
    const flat = waterfallData(trace, 0, round);
    const object = runSteps(waterfallDataSteps(trace, trace.tree(), 0, round));
    assert.deepStrictEqual(flat.start, object.start, `round ${round}: header`);
    // Both read the tokens cached by revision: count them again over every span.
    assert.deepStrictEqual(flat.start.header.tokens, runTokens(trace.allSpans(), (id) => trace.span(id)), `round ${round}: tokens`);
    assert.deepStrictEqual(flat.slice(0, flat.start.rowCount), object.slice(0, object.start.rowCount), `round ${round}: rows`);
  }
});

test('spans that arrive while the flat tree is laid out in steps wait for the next layout', () => {
  const r = rng(5);
  const trace = new Trace(TRACE);
  const made: string[] = [];
  for (let i = 0; i < 30_000; i++) trace.add(randomSpan(r, 30_000, made));
  const before = summary(runSteps(layoutWaterfallSteps(trace.tree(), {})));
  const steps = layoutFlatSteps(flatTreeOf(trace));
  // Into the walk: past linking the spans (STEP_ITEMS a step), the tops and the walk's allocations.
  for (let i = 0; i < Math.ceil(30_000 / STEP_ITEMS) + 6; i++) steps.next();
  for (let i = 0; i < 300; i++) trace.add(randomSpan(r, 30_000, made));
  assert.deepStrictEqual(summary(runSteps(steps)), before);
  assertSameLayout(trace, { criticalSegments: true }, 'the next layout');
});

test("an evicted trace's flat tree is let go, and made again from the spans read back", () => {
  const r = rng(11);
  const trace = new Trace(TRACE);
  const made: string[] = [];
  for (let i = 0; i < 200; i++) trace.add(randomSpan(r, 200, made));
  const before = flatTreeOf(trace);
  assertSameLayout(trace, {}, 'before eviction');
  const kept = [...trace.allSpans()];
  trace.evict(() => kept.map((s) => ({ ...s })));
  assert.equal(before.stale, true);
  assertSameLayout(trace, { criticalSegments: true }, 'read back');
  assert.notEqual(flatTreeOf(trace), before);
});

test("the flat tree lists its spans in the trace's order, before and after the trace's map splits", () => {
  const r = rng(21);
  const trace = new Trace(TRACE);
  const made: string[] = [];
  const inOrder = (what: string): void => {
    const tree = flatTreeOf(trace);
    runSteps(tree.settle());
    const order = runSteps(tree.spansInTraceOrder());
    assert.deepStrictEqual(Array.from(order, (s) => tree.ids[s]), [...trace.allSpans()].map((s) => s.spanId), what);
  };
  // Parents named before they arrive (stand-ins filled later), spans sent again, spans after the tree was made.
  for (let i = 0; i < 500; i++) trace.add(randomSpan(r, 600, made));
  inOrder('before the tree');
  for (let i = 0; i < 500; i++) trace.add(randomSpan(r, 1000, made));
  inOrder('linked one by one');
  for (let i = 0; i < 40_000; i++) trace.add(randomSpan(r, 41_000, made));
  inOrder('split, one by one');
  flatTreeOf(trace).reset();
  inOrder('split, made anew');
});

test("the waterfall header from the flat tree's rows is the one from every span: tokens, cost, what the run lacks", () => {
  // LLM spans with and without content (as the reader notes it), from different
  // instrumentations, LLM spans nested in LLM spans, missing parents; the run running or settled.
  const llm: Attributes[] = [
    { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2 },
    { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini', 'llm.token_count.prompt': 7 },
    { 'traceloop.span.kind': 'llm', 'llm.request.type': 'chat', 'gen_ai.request.model': 'claude-sonnet-4' },
    { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.response.id': 'resp-1', 'gen_ai.request.model': 'gpt-4o' },
  ];
  const other: (Attributes | undefined)[] = [{ 'openinference.span.kind': 'TOOL' }, { 'code.file.path': 'a.py' }, undefined];
  const prices = { 'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 } };
  const seen = new Set<string>();
  for (let seed = 300; seed < 340; seed++) {
    const r = rng(seed);
    const trace = new Trace(TRACE);
    const made: string[] = [];
    const n = 20 + Math.floor(r() * 150);
    const add = (): void => {
      const span = randomSpan(r, n, made);
      const isLlm = r() < 0.4;
      trace.add({ ...span, attributes: isLlm ? pick(r, llm) : pick(r, other), facts: isLlm && r() < 0.5 ? 1 : 0, scope: r() < 0.3 ? { name: 'opentelemetry.instrumentation.openai_v2', version: '1' } : undefined });
    };
    for (let i = 0; i < n; i++) add();
    for (let round = 0; round < 3; round++) {
      // Long after the last span: the run is settled, and its missing parents are judged.
      for (const nowMs of [0, 1e15]) {
        const flat = runSteps(waterfallDataSteps(trace, flatTreeOf(trace), nowMs, round, prices));
        const object = runSteps(waterfallDataSteps(trace, trace.tree(), nowMs, round, prices));
        assert.deepStrictEqual(flat.start.header, object.start.header, `seed ${seed}, round ${round}, now ${nowMs}`);
        for (const note of flat.start.header.missingContext ?? []) seen.add(note.message.replace(/^\d+ | Parent ids?: .*/g, ''));
        if (flat.start.header.costUsd !== undefined) seen.add('cost');
        // Both read the tokens cached by revision: count them again over every span.
        assert.deepStrictEqual(flat.start.header.tokens, runTokens(trace.allSpans(), (id) => trace.span(id)), `seed ${seed}, round ${round}: tokens`);
      }
      for (let i = 0; i < 20; i++) add();
    }
  }
  // The traces had something of each to say.
  const said = [...seen].join('\n');
  for (const what of [/^LLM spans recorded no prompt.*OpenTelemetry GenAI/m, /^LLM spans recorded no prompt.*OpenInference/m, /^spans name a parent that never arrived/m, /^cost$/m]) assert.match(said, what);
});

test("a flat tree's next layout sizes its columns to about as many group rows as its last one had", () => {
  const r = rng(7);
  const trace = new Trace(TRACE);
  const made: string[] = [];
  for (let i = 0; i < 20_000; i++) trace.add(randomSpan(r, 20_000, made));
  // Rows the columns have room for (they are views of buffers sized up front).
  const room = (l: WaterfallLayout): number => l.startMs.buffer.byteLength / Float64Array.BYTES_PER_ELEMENT;
  const first = runSteps(layoutFlatSteps(flatTreeOf(trace)));
  for (let i = 0; i < 200; i++) trace.add(randomSpan(r, 20_000, made));
  const next = runSteps(layoutFlatSteps(flatTreeOf(trace)));
  assert.ok(first.rowCount < first.spans.length * 1.05, 'few groups: the first layout had room for many more');
  assert.ok(room(next) >= next.rowCount && room(next) < next.rowCount * 1.02, `room for ${room(next)} rows, ${next.rowCount} made (first: ${room(first)})`);
  assertSameLayout(trace, {}, 'the next layout');
});

test("the runs among a wide parent's children are found in steps, not in the step that reaches the parent", () => {
  const r = rng(3);
  const trace = new Trace(TRACE);
  trace.add(record(r, idOf(1), ''));
  // Each name read is a span object scattered over the heap: a million children took ~100 ms at once.
  let reads = 0;
  const n = 6 * STEP_ITEMS;
  for (let k = 0; k < n; k++) {
    const span = record(r, idOf(k + 2), idOf(1));
    const name = `call ${Math.floor(k / 5)}`;
    Object.defineProperty(span, 'name', { get: () => (reads++, name) });
    trace.add(span);
  }
  const steps = layoutFlatSteps(flatTreeOf(trace));
  let most = 0;
  for (;;) {
    const before = reads;
    const next = steps.next();
    most = Math.max(most, reads - before);
    if (next.done) break;
  }
  assert.ok(reads >= n, 'the names were read');
  assert.ok(most <= STEP_ITEMS + 16, `${most} names read in one step`);
});

test('a trace the store holds past KEEP_FLAT_TREE_FROM spans keeps its flat tree as they come, through a closed waterfall; it goes with the evicted spans', () => {
  const r = rng(31);
  const store = new TraceStore();
  const made: string[] = [];
  const n = KEEP_FLAT_TREE_FROM + 1500;
  const batch = (count: number) => store.addSpans('a.jsonl', Array.from({ length: count }, () => randomSpan(r, n, made)));
  for (let i = 0; i < KEEP_FLAT_TREE_FROM - 200; i += 100) batch(100);
  const trace = store.trace(TRACE)!;
  assert.equal(flatTreeOf(trace).settled, false, 'a smaller trace makes its tree when asked: nothing linked yet');
  flatTreeOf(trace).reset();
  while (trace.spanCount < n) batch(100);
  const kept = flatTreeOf(trace);
  assert.equal(kept.spanCount, trace.spanCount, 'every span linked as it came, with no layout asking');
  assertSameLayout(trace, { criticalSegments: true }, 'a kept tree lays out as the object tree');
  releaseFlatTree(trace);
  batch(50);
  assert.equal(flatTreeOf(trace), kept, 'kept when its waterfall closes, and still followed');
  assert.equal(kept.spanCount, trace.spanCount);
  assertSameLayout(trace, {}, 'after more spans');

  const held = [...trace.allSpans()];
  trace.evict(() => held.map((s) => ({ ...s })));
  assert.equal(kept.stale, true, 'let go with the spans');
  assert.notEqual(flatTreeOf(trace), kept);
  assertSameLayout(trace, { criticalSegments: true }, 'read back');
});
