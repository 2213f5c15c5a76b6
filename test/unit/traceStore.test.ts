import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind, StatusCode, type SpanRecord } from '../../src/core/model/span';
import { RUNNING_STALE_MS, type SpanNode, type Trace } from '../../src/core/model/trace';
import { TraceStore, type TraceStoreChange } from '../../src/core/model/traceStore';
import { T0, ms } from './otlpBuilder';

const FILE_A = '/w/.tracerun/a.jsonl';
const FILE_B = '/w/.tracerun/b.jsonl';
const T0_MS = Number(T0 / 1_000_000n);

interface SpanSpec {
  trace?: string;
  id: string;
  parent?: string;
  name?: string;
  start: number;
  end?: number;
  file?: string;
  error?: boolean;
  /** Where the span was written in its file (default 0). */
  byte?: number;
}

/** A span as the reader would index it; times are milliseconds after T0. */
function rec(s: SpanSpec): SpanRecord {
  return {
    traceId: s.trace ?? 't1',
    spanId: s.id,
    parentSpanId: s.parent ?? '',
    name: s.name ?? s.id,
    kind: SpanKind.Internal,
    startNs: ms(s.start),
    endNs: ms(s.end ?? s.start + 1),
    statusCode: s.error ? StatusCode.Error : StatusCode.Unset,
    errorMessage: undefined,
    attributes: undefined,
    resource: { serviceName: 'svc', attributesStart: 0, attributesEnd: 0 },
    scope: undefined,
    origin: { file: s.file ?? FILE_A, line: 1 },
    byteStart: s.byte ?? 0,
    byteEnd: s.byte ?? 0,
  };
}

/** Every node reachable from the roots, walked iteratively (trees may be deep). */
function walk(roots: readonly SpanNode[]): SpanNode[] {
  const out: SpanNode[] = [];
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  return out;
}

/** The tree as nested names, e.g. `root(a(a1),b)`; orphans marked `?`, stand-ins for spans not received `~id`. */
function shape(trace: Trace): string {
  const render = (n: SpanNode): string =>
    (n.notReceived ? `~${n.span.spanId}` : (n.orphan ? '?' : '') + n.span.name) + (n.children.length > 0 ? `(${n.children.map(render).join(',')})` : '');
  return trace.tree().roots.map(render).join(' ');
}

function runNames(store: TraceStore): string[] {
  return store.runs().map((t) => t.summary().name);
}

test('children arriving before their parents are linked once the parents land', () => {
  const store = new TraceStore();
  // Leaves first (SDKs export a span when it ends), the root last.
  store.addSpans(FILE_A, [rec({ id: 'c1', parent: 'b', start: 3 }), rec({ id: 'c2', parent: 'b', start: 2 })]);
  store.addSpans(FILE_A, [rec({ id: 'b', parent: 'root', start: 1 })]);
  const trace = store.trace('t1')!;
  assert.equal(shape(trace), '~root(b(c2,c1))', 'before the root arrives, a stand-in for it holds b and its children');
  const standIn = trace.tree().roots[0];
  assert.equal(standIn.span.name, 'span root (not received yet)');
  assert.equal(standIn.span.startNs, ms(1), 'it started by the time its earliest child did');
  assert.equal(standIn.span.endNs, 0n, 'no end: it is drawn as still running');
  assert.equal(trace.span('root'), undefined, 'the stand-in is not a span of the trace');
  assert.equal(trace.summary().spanCount, 3);
  store.addSpans(FILE_A, [rec({ id: 'root', start: 0, end: 10 })]);
  assert.equal(shape(trace), 'root(b(c2,c1))');
  const b = trace.tree().nodes.get('b')!;
  assert.equal(b.orphan, false);
  assert.equal(b.depth, 1);
  assert.equal(trace.tree().nodes.get('c1')!.depth, 2);
  assert.equal(store.traceCount, 1);
});

test('spans of one trace assemble across lines and files, in any order', () => {
  const store = new TraceStore();
  store.addSpans(FILE_B, [rec({ id: 'tool', parent: 'llm', start: 5 })]);
  store.addSpans(FILE_A, [rec({ id: 'llm', parent: 'agent', start: 4 })]);
  store.addSpans(FILE_B, [rec({ id: 'agent', start: 1, end: 20 }), rec({ trace: 't2', id: 'other', start: 2 })]);
  assert.equal(shape(store.trace('t1')!), 'agent(llm(tool))');
  assert.equal(store.trace('t1')!.spanCount, 3);
  assert.equal(shape(store.trace('t2')!), 'other');
  assert.deepEqual(store.files().sort(), [FILE_A, FILE_B]);
});

test('spans whose parent never arrives gather under a stand-in for it, after the root; nothing is dropped', () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [
    rec({ id: 'root', start: 0, end: 10 }),
    rec({ id: 'child', parent: 'root', start: 1 }),
    rec({ id: 'lost', parent: 'missing', start: 2 }),
    rec({ id: 'lostkid', parent: 'lost', start: 3 }),
  ]);
  const trace = store.trace('t1')!;
  const { roots, nodes } = trace.tree();
  assert.deepEqual(
    roots.map((r) => [r.span.spanId, r.orphan, r.notReceived]),
    [
      ['root', false, false],
      ['missing', true, true],
    ],
    'the real root first, then the stand-in',
  );
  assert.equal(nodes.size, 5, 'four spans and a stand-in');
  assert.equal(nodes.get('lost')!.depth, 1);
  assert.equal(shape(trace), 'root(child) ~missing(lost(lostkid))');
  assert.equal(trace.summary().spanCount, 4);
  assert.equal(trace.summary().hasRoot, true);
});

test('stand-ins are listed after the roots, in start order', () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [
    rec({ id: 'o2', parent: 'x', start: 1 }),
    rec({ id: 'r2', start: 9 }),
    rec({ id: 'o1', parent: 'y', start: 0 }),
    rec({ id: 'r1', start: 5 }),
  ]);
  assert.equal(shape(store.trace('t1')!), 'r1 r2 ~y(o1) ~x(o2)');
  store.addSpans(FILE_A, [rec({ id: 'o3', parent: 'x', start: -1 })]);
  assert.equal(shape(store.trace('t1')!), 'r1 r2 ~x(o3,o2) ~y(o1)', 'a stand-in starts with its earliest child');
});

test('a repeated span id keeps the last span written, also across files', () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [rec({ id: 'root', start: 0 }), rec({ id: 's', parent: 'root', name: 'first', start: 1 })]);
  store.addSpans(FILE_A, [rec({ id: 's', parent: 'root', name: 'second', start: 1, error: true })]);
  const trace = store.trace('t1')!;
  assert.equal(trace.spanCount, 2);
  assert.equal(shape(trace), 'root(second)');
  assert.equal(trace.summary().errorCount, 1);
  store.addSpans(FILE_B, [rec({ id: 's', parent: 'root', name: 'third', start: 1, file: FILE_B })]);
  assert.equal(trace.spanCount, 2);
  assert.equal(shape(trace), 'root(third)');
  assert.equal(trace.summary().errorCount, 0);
  assert.equal(trace.tree().nodes.size, 2);
});

test('a repeated span that moves later re-sorts the runs by their new earliest start', () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [
    rec({ trace: 'A', id: 'a1', name: 'run A', start: 10 }),
    rec({ trace: 'A', id: 'a2', parent: 'a1', start: 50 }),
    rec({ trace: 'B', id: 'b1', name: 'run B', start: 30 }),
  ]);
  assert.deepEqual(runNames(store), ['run B', 'run A']);
  // The writer re-exports a1 with its real (later) start.
  store.addSpans(FILE_A, [rec({ trace: 'A', id: 'a1', name: 'run A', start: 60, end: 70 })]);
  assert.equal(store.trace('A')!.summary().startNs, ms(50));
  assert.deepEqual(runNames(store), ['run A', 'run B'], 'A now starts at 50, after B at 30');
  // And a later earlier span still moves A back.
  store.addSpans(FILE_A, [rec({ trace: 'A', id: 'a0', parent: 'a1', start: 20 })]);
  assert.deepEqual(runNames(store), ['run B', 'run A']);
});

test('a parent cycle A→B→A does not hang and shows each span once', () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [
    rec({ id: 'A', parent: 'B', start: 1 }),
    rec({ id: 'B', parent: 'A', start: 2 }),
    rec({ id: 'C', parent: 'B', start: 3 }),
  ]);
  const trace = store.trace('t1')!;
  const tree = trace.tree();
  assert.equal(tree.nodes.size, 3);
  const seen = walk(tree.roots).map((n) => n.span.spanId);
  assert.deepEqual([...seen].sort(), ['A', 'B', 'C'], 'every span reachable from the roots exactly once');
  assert.equal(shape(trace), '?A(B(C))', 'cut at the earliest member of the cycle');
});

test('a span hanging off a cycle stays under its parent even when it started first', () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [
    rec({ id: 'tail', parent: 'A', start: 0 }),
    rec({ id: 'A', parent: 'B', start: 1 }),
    rec({ id: 'B', parent: 'A', start: 2 }),
  ]);
  const trace = store.trace('t1')!;
  assert.equal(shape(trace), '?A(tail,B)', 'the cycle is cut at its own earliest member, A');
  assert.equal(walk(trace.tree().roots).length, 3);
});

test('a self-parented span and longer cycles show every span exactly once', () => {
  const store = new TraceStore();
  const spans = [
    rec({ id: 'self', parent: 'self', start: 5 }),
    rec({ id: 'p', parent: 'q', start: 7 }),
    rec({ id: 'q', parent: 'r', start: 8 }),
    rec({ id: 'r', parent: 'p', start: 6 }),
    rec({ id: 'root', start: 0 }),
    rec({ id: 'kid', parent: 'root', start: 1 }),
  ];
  store.addSpans(FILE_A, spans);
  const trace = store.trace('t1')!;
  const tree = trace.tree();
  assert.equal(tree.nodes.size, spans.length);
  const ids = walk(tree.roots).map((n) => n.span.spanId);
  assert.equal(ids.length, spans.length, 'no span shown twice');
  assert.deepEqual([...ids].sort(), spans.map((s) => s.spanId).sort());
  assert.equal(tree.nodes.get('self')!.orphan, true);
  assert.equal(tree.roots[0].span.spanId, 'root', 'the real root comes first');
  assert.equal(shape(trace), 'root(kid) ?self ?r(q(p))');
});

test('children are ordered by start time whatever order they arrive in', () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [rec({ id: 'root', start: 0, end: 100 })]);
  for (const [id, start] of [
    ['s30', 30],
    ['s10', 10],
    ['s50', 50],
    ['s20', 20],
  ] as const) {
    store.addSpans(FILE_A, [rec({ id, parent: 'root', start })]);
  }
  const root = store.trace('t1')!.tree().roots[0];
  assert.deepEqual(
    root.children.map((c) => c.span.name),
    ['s10', 's20', 's30', 's50'],
  );
});

/** The children's names of the trace's first root, built at once and in time slices (which must agree). */
async function childOrder(store: TraceStore, trace = 't1'): Promise<string[]> {
  const t = store.trace(trace)!;
  const sliced = (await t.treeSliced()).roots[0].children.map((c) => c.span.name);
  assert.deepEqual(t.tree().roots[0].children.map((c) => c.span.name), sliced, 'the sliced build orders as the one at once');
  return sliced;
}

test('siblings that start in the same millisecond are ordered by end, whichever arrives first', async () => {
  // As the OpenTelemetry JS SDK records them: a short step and the call right after it tie.
  const spans = [
    rec({ id: 'call', parent: 'root', start: 10, end: 50 }),
    rec({ id: 'step', parent: 'root', start: 10, end: 10 }),
    rec({ id: 'later', parent: 'root', start: 5, end: 60 }),
  ];
  for (const order of [spans, [...spans].reverse()]) {
    const store = new TraceStore();
    store.addSpans(FILE_A, [rec({ id: 'root', start: 0, end: 100 })]);
    for (const span of order) store.addSpans(FILE_A, [span]);
    assert.deepEqual(await childOrder(store), ['later', 'step', 'call']);
  }
});

test('a span still running goes after a finished sibling that started with it', async () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [rec({ id: 'root', start: 0, end: 100 })]);
  store.addSpans(FILE_A, [{ ...rec({ id: 'running', parent: 'root', start: 10 }), endNs: 0n }]);
  store.addSpans(FILE_A, [rec({ id: 'done', parent: 'root', start: 10, end: 90 })]);
  assert.deepEqual(await childOrder(store), ['done', 'running']);
});

test('siblings with the same start and end are in the order written: file, then place in it', async () => {
  const spans = [
    rec({ id: 'third', parent: 'root', start: 10, end: 20, file: FILE_B, byte: 0 }),
    rec({ id: 'second', parent: 'root', start: 10, end: 20, byte: 900 }),
    rec({ id: 'first', parent: 'root', start: 10, end: 20, byte: 100 }),
  ];
  for (const order of [spans, [...spans].reverse()]) {
    const store = new TraceStore();
    store.addSpans(FILE_A, [rec({ id: 'root', start: 0, end: 100 })]);
    for (const span of order) store.addSpans(span.origin.file, [span]);
    assert.deepEqual(await childOrder(store), ['first', 'second', 'third']);
  }
});

test('a wide fan-out out of order sorts by start, then end, then as written', async () => {
  const spans: SpanRecord[] = [];
  // Ten children a millisecond, in pairs that also end together; they arrive in neither order.
  for (let k = 999; k >= 0; k--) spans.push(rec({ id: `c${k}`, parent: 'root', start: Math.floor(k / 10), end: 100 - (k % 5), byte: k % 10 }));
  const store = new TraceStore();
  store.addSpans(FILE_A, [rec({ id: 'root', start: 0, end: 200 }), ...spans]);
  const expected = [...spans]
    .sort((a, b) => Number(a.startNs - b.startNs) || Number(a.endNs - b.endNs) || a.byteStart - b.byteStart)
    .map((s) => s.name);
  assert.deepEqual(await childOrder(store), expected);
});

test('a run whose root has not arrived has the same name whatever order its spans arrive in', () => {
  // Both start in the same millisecond; the one that ends last (the enclosing step) names the run.
  const spans = [
    rec({ id: 'aaaa', parent: 'gone', name: 'chat gpt-4o', start: 0, end: 40 }),
    rec({ id: 'bbbb', parent: 'gone', name: 'agent step', start: 0, end: 90 }),
    rec({ id: 'cccc', parent: 'gone', name: 'tool', start: 50, end: 80 }),
  ];
  const names = new Set<string>();
  for (const order of [spans, [...spans].reverse(), [spans[1], spans[0], spans[2]]]) {
    const store = new TraceStore();
    for (const span of order) store.addSpans(FILE_A, [span]);
    names.add(store.trace('t1')!.summary().name);
  }
  assert.deepEqual([...names], ['agent step']);
});

test('tied runs name: equal times fall to the lower span id; two roots at once pick the same way', () => {
  const tied = [rec({ id: 'b2', name: 'second', parent: 'gone', start: 0, end: 10 }), rec({ id: 'a1', name: 'first', parent: 'gone', start: 0, end: 10 })];
  const roots = [rec({ id: 'r2', name: 'root two', start: 0, end: 10 }), rec({ id: 'r1', name: 'root one', start: 0, end: 50 })];
  for (const reverse of [false, true]) {
    const a = new TraceStore();
    for (const span of reverse ? [...tied].reverse() : tied) a.addSpans(FILE_A, [span]);
    assert.equal(a.trace('t1')!.summary().name, 'first');
    const b = new TraceStore();
    for (const span of reverse ? [...roots].reverse() : roots) b.addSpans(FILE_A, [span]);
    assert.equal(b.trace('t1')!.summary().name, 'root one');
    assert.equal(b.trace('t1')!.summary().root?.spanId, 'r1');
    assert.equal(b.trace('t1')!.tree().roots[0].span.spanId, 'r1', 'the tree leads with the root the run is named after');
  }
});

test('a repeat that ends earlier hands the run name to the tied span that now ends last', () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [rec({ id: 'aaaa', parent: 'gone', name: 'short', start: 0, end: 40 }), rec({ id: 'bbbb', parent: 'gone', name: 'long', start: 0, end: 90 })]);
  const t = store.trace('t1')!;
  assert.equal(t.summary().name, 'long');
  store.addSpans(FILE_A, [rec({ id: 'bbbb', parent: 'gone', name: 'long', start: 0, end: 20 })]);
  assert.equal(t.summary().name, 'short');
});

test('runs are newest first by earliest span start, and re-sorted when an earlier span arrives', () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [rec({ trace: 'old', id: 'o', name: 'old run', start: 100 })]);
  store.addSpans(FILE_A, [rec({ trace: 'new', id: 'n', name: 'new run', start: 200 })]);
  store.addSpans(FILE_A, [rec({ trace: 'mid', id: 'm', name: 'mid run', start: 150 })]);
  assert.deepEqual(runNames(store), ['new run', 'mid run', 'old run']);
  // A span of "new" that started before everything makes it the oldest run.
  store.addSpans(FILE_A, [rec({ trace: 'new', id: 'n0', parent: 'n', start: 50 })]);
  assert.deepEqual(runNames(store), ['mid run', 'old run', 'new run']);
  // A late span of "old" does not move it.
  store.addSpans(FILE_A, [rec({ trace: 'old', id: 'o9', parent: 'o', start: 900 })]);
  assert.deepEqual(runNames(store), ['mid run', 'old run', 'new run']);
});

test('run state: running while recent without a root, incomplete when stale, complete once the root lands', () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [
    rec({ id: 'tool', parent: 'agent', name: 'search tool', start: 20, end: 30 }),
    rec({ id: 'llm', parent: 'agent', name: 'ChatModel', start: 10, end: 40 }),
  ]);
  const trace = store.trace('t1')!;
  const lastEndMs = T0_MS + 40;
  assert.equal(trace.state(lastEndMs + 1000), 'running');
  assert.equal(trace.summary().name, 'ChatModel', 'a rootless run is named after its earliest span');
  assert.equal(trace.summary().hasRoot, false);
  assert.equal(trace.state(lastEndMs + RUNNING_STALE_MS - 1), 'running');
  assert.equal(trace.state(lastEndMs + RUNNING_STALE_MS + 1), 'incomplete');
  store.addSpans(FILE_A, [rec({ id: 'agent', name: 'agent run', start: 5, end: 50 })]);
  assert.equal(trace.state(lastEndMs + 1000), 'complete');
  assert.equal(trace.state(lastEndMs + 10 * RUNNING_STALE_MS), 'complete');
  assert.equal(trace.summary().name, 'agent run');
  assert.equal(trace.summary().spanCount, 3);

  // A root exported before it ended (endTimeUnixNano 0) does not finish the run.
  const live = new TraceStore();
  live.addSpans(FILE_A, [{ ...rec({ id: 'root', start: 0 }), endNs: 0n }, rec({ id: 'step', parent: 'root', start: 1, end: 40 })]);
  assert.equal(live.trace('t1')!.summary().hasRoot, true);
  assert.equal(live.trace('t1')!.state(lastEndMs + 1000), 'running');
  live.addSpans(FILE_A, [rec({ id: 'root', start: 0, end: 50 })]);
  assert.equal(live.trace('t1')!.state(lastEndMs + 1000), 'complete', 'the same root, now ended');
});

test('removeFile drops only that file’s spans and deletes traces left empty', () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [
    rec({ trace: 'shared', id: 'root', start: 0 }),
    rec({ trace: 'onlyA', id: 'x', start: 5 }),
  ]);
  store.addSpans(FILE_B, [
    rec({ trace: 'shared', id: 'kid', parent: 'root', start: 1, file: FILE_B }),
    rec({ trace: 'onlyB', id: 'y', start: 6, file: FILE_B }),
  ]);
  assert.equal(store.traceCount, 3);
  store.removeFile(FILE_A);
  assert.equal(store.trace('onlyA'), undefined);
  assert.equal(store.traceCount, 2);
  const shared = store.trace('shared')!;
  assert.equal(shared.spanCount, 1);
  assert.equal(shape(shared), '~root(kid)', 'the span left from B now hangs under a stand-in for its parent');
  assert.deepEqual(store.runs().map((t) => t.traceId).sort(), ['onlyB', 'shared']);
  assert.deepEqual(store.files(), [FILE_B]);
  store.removeFile(FILE_B);
  assert.equal(store.traceCount, 0);
  assert.deepEqual(store.runs(), []);
  assert.deepEqual(store.files(), []);
});

test('removing a file re-sorts the runs by what is left', () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, [rec({ trace: 'A', id: 'early', name: 'A early', start: 0 })]);
  store.addSpans(FILE_B, [
    rec({ trace: 'A', id: 'late', name: 'A late', start: 100, file: FILE_B }),
    rec({ trace: 'B', id: 'b', name: 'B', start: 50, file: FILE_B }),
  ]);
  assert.deepEqual(runNames(store), ['B', 'A early']);
  store.removeFile(FILE_A);
  assert.deepEqual(runNames(store), ['A late', 'B']);
});

test('onDidChange reports the changed and removed trace ids', () => {
  const store = new TraceStore();
  const events: { changed: string[]; removed: string[] }[] = [];
  const sub = store.onDidChange((e: TraceStoreChange) => events.push({ changed: [...e.changed].sort(), removed: [...e.removed].sort() }));
  store.addSpans(FILE_A, [rec({ trace: 'A', id: 'a', start: 0 }), rec({ trace: 'B', id: 'b', start: 1 })]);
  store.addSpans(FILE_B, [rec({ trace: 'B', id: 'b2', parent: 'b', start: 2, file: FILE_B })]);
  store.addSpans(FILE_A, []);
  store.removeFile(FILE_A);
  store.removeFile('/not/a/trace/file.jsonl');
  assert.deepEqual(events, [
    { changed: ['A', 'B'], removed: [] },
    { changed: ['B'], removed: [] },
    { changed: ['B'], removed: ['A'] },
  ]);
  sub.dispose();
  store.addSpans(FILE_A, [rec({ trace: 'C', id: 'c', start: 3 })]);
  assert.equal(events.length, 3, 'no events after the listener is disposed');
});

test('a 20,000-deep chain of spans builds without overflowing the stack', () => {
  const store = new TraceStore();
  const depth = 20_000;
  const spans: SpanRecord[] = [];
  // Deepest first, as an SDK would export them.
  for (let i = depth - 1; i >= 0; i--) spans.push(rec({ id: `s${i}`, parent: i === 0 ? '' : `s${i - 1}`, start: i, end: 2 * depth - i }));
  store.addSpans(FILE_A, spans);
  const trace = store.trace('t1')!;
  const tree = trace.tree();
  assert.equal(tree.nodes.size, depth);
  assert.equal(tree.roots.length, 1);
  assert.equal(tree.roots[0].span.spanId, 's0');
  assert.equal(tree.nodes.get(`s${depth - 1}`)!.depth, depth - 1);
  assert.equal(walk(tree.roots).length, depth);
  assert.equal(trace.summary().name, 's0');
  assert.equal(trace.state(T0_MS), 'complete');

  // The same chain closed into one big cycle (bad data) must not hang or recurse either.
  const cyc = new TraceStore();
  const ring: SpanRecord[] = [];
  for (let i = 0; i < depth; i++) ring.push(rec({ id: `r${i}`, parent: `r${(i + depth - 1) % depth}`, start: i }));
  cyc.addSpans(FILE_A, ring);
  const ringTree = cyc.trace('t1')!.tree();
  assert.equal(ringTree.nodes.size, depth);
  assert.equal(walk(ringTree.roots).length, depth);
  assert.equal(ringTree.roots[0].span.spanId, 'r0');
});

/** A random trace with the awkward cases: out-of-order arrival, missing parents, cycles, repeats. */
function randomSpans(count: number, seed: number): SpanRecord[] {
  let s = seed;
  const rand = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const spans: SpanRecord[] = [];
  for (let i = 0; i < count; i++) {
    const r = rand();
    // Mostly a parent seen earlier; some missing parents, self-parents and forward links (cycles).
    const parent = i === 0 ? '' : r < 0.85 ? `s${Math.floor(rand() * i)}` : r < 0.9 ? `missing${i}` : r < 0.92 ? `s${i}` : r < 0.95 ? `s${Math.floor(rand() * count)}` : '';
    spans.push(rec({ id: `s${i}`, parent, start: Math.floor(rand() * 1000), end: 1000 + Math.floor(rand() * 1000), error: rand() < 0.05, file: rand() < 0.5 ? FILE_A : FILE_B }));
  }
  for (let i = spans.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [spans[i], spans[j]] = [spans[j], spans[i]];
  }
  return spans;
}

function treeText(roots: readonly SpanNode[]): string {
  return walk(roots)
    .map((n) => `${n.depth}${n.orphan ? '?' : ''}${n.span.spanId}`)
    .join(' ');
}

test('the tree built in time slices equals the one built at once, and gives the event loop turns while it builds', async () => {
  for (const seed of [1, 2, 3]) {
    const spans = randomSpans(30_000, seed);
    const atOnce = new TraceStore();
    atOnce.addSpans(FILE_A, spans);
    const sliced = new TraceStore();
    sliced.addSpans(FILE_A, spans);
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const tree = await sliced.trace('t1')!.treeSliced();
    ticking = false;
    const expected = atOnce.trace('t1')!.tree();
    assert.equal(treeText(tree.roots), treeText(expected.roots), `seed ${seed}`);
    const shown = walk(tree.roots).filter((n) => !n.notReceived);
    assert.equal(shown.length, spans.length, 'every span shown');
    assert.equal(new Set(shown.map((n) => n.span.spanId)).size, spans.length, 'and only once');
    assert.ok(turns > 1, `the event loop turned ${turns} times while 30,000 spans were linked`);
    assert.equal(sliced.trace('t1')!.tree(), tree, 'the sliced build is cached for the next caller');
  }
});

test('callers during a sliced build share it; spans that arrived meanwhile are in the next build', async () => {
  const store = new TraceStore();
  store.addSpans(FILE_A, randomSpans(20_000, 9));
  const trace = store.trace('t1')!;
  const first = trace.treeSliced();
  store.addSpans(FILE_A, [rec({ id: 'late', parent: 's0', start: 5 })]);
  const second = trace.treeSliced();
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a, b, 'one build for both');
  assert.equal((await trace.treeSliced()).nodes.has('late'), true, 'the trace changed during it: the next call builds again');
  assert.equal(trace.latestTree(), trace.tree());
});

test('the summary kept span by span equals one counted over all spans, through adds, repeats and removals', () => {
  const store = new TraceStore();
  const spans = randomSpans(2_000, 4);
  const recount = (t: Trace) => {
    const all = [...t.allSpans()];
    const roots = all.filter((x) => x.parentSpanId === '').sort((x, y) => Number(x.startNs - y.startNs));
    const earliest = [...all].sort((x, y) => Number(x.startNs - y.startNs))[0];
    return {
      startNs: earliest.startNs,
      endNs: all.reduce((m, x) => (x.endNs > m ? x.endNs : m), 0n),
      errorCount: all.filter((x) => x.statusCode === StatusCode.Error).length,
      rootId: roots[0]?.spanId,
      spanCount: all.length,
    };
  };
  const summaryOf = (t: Trace) => {
    const s = t.summary();
    return { startNs: s.startNs, endNs: s.endNs, errorCount: s.errorCount, rootId: s.root?.spanId, spanCount: s.spanCount };
  };
  for (let i = 0; i < spans.length; i += 100) {
    store.addSpans(spans[i].origin.file, spans.slice(i, i + 100));
    const t = store.trace('t1')!;
    assert.deepEqual(summaryOf(t), recount(t), `after ${i + 100} spans`);
  }
  // A repeated span that fails now, and one that moves the start.
  const t = store.trace('t1')!;
  const first = [...t.allSpans()].sort((x, y) => Number(x.startNs - y.startNs))[0];
  store.addSpans(FILE_A, [{ ...first, startNs: first.startNs + 5_000_000n, statusCode: StatusCode.Error }]);
  assert.deepEqual(summaryOf(t), recount(t), 'after a repeat');
  // Repeats of ordinary spans (not the start, the end or the root) are swapped in place.
  const ordinary = [...t.allSpans()].filter((x) => x.parentSpanId !== '').slice(100, 300);
  store.addSpans(FILE_A, ordinary.map((x, i) => ({ ...x, statusCode: i % 2 ? StatusCode.Error : StatusCode.Ok })));
  assert.deepEqual(summaryOf(t), recount(t), 'after repeats that fail or recover');
  store.removeFile(FILE_B);
  assert.deepEqual(summaryOf(t), recount(t), 'after a removal');
  store.addSpans(FILE_B, [rec({ id: 'new', start: -5, file: FILE_B, error: true })]);
  assert.deepEqual(summaryOf(t), recount(t), 'adds after a removal');
  assert.equal(store.runs()[0], t);
});

test('a copy of a span exported while it ran does not undo its ended copy, whichever is read first', () => {
  const ended = rec({ id: 'root', start: 0, end: 50 });
  const running = { ...rec({ id: 'root', start: 0 }), endNs: 0n };
  for (const order of [[running, ended], [ended, running]]) {
    const store = new TraceStore();
    for (const span of order) store.addSpans(FILE_A, [span]);
    assert.equal(store.trace('t1')!.span('root')!.endNs, ms(50));
    assert.equal(store.trace('t1')!.state(T0_MS + 100), 'complete');
  }
});

test("Logfire's pending twin shows its span running until the span itself arrives, then the span is there once", () => {
  const store = new TraceStore();
  const root = rec({ id: 'aaaaaaaaaaaaaaaa', name: 'agent run', start: 0, end: 3000 });
  // Logfire's twin of `warm_up`: a zero-length child of warm_up, naming warm_up's parent.
  const twin: SpanRecord = {
    ...rec({ id: 'cccccccccccccccc', parent: 'bbbbbbbbbbbbbbbb', name: 'warm_up', start: 10, end: 10 }),
    attributes: { 'logfire.span_type': 'pending_span', 'logfire.pending_parent_id': 'aaaaaaaaaaaaaaaa' },
  };
  store.addSpans(FILE_A, [twin]);
  const running = store.trace('t1')!;
  const warmUp = running.span('bbbbbbbbbbbbbbbb');
  assert.ok(warmUp, 'the twin stands for warm_up, under its own id');
  assert.equal(warmUp.name, 'warm_up');
  assert.equal(warmUp.parentSpanId, 'aaaaaaaaaaaaaaaa');
  assert.equal(warmUp.endNs, 0n, 'running: no end time yet');
  assert.equal(running.span('cccccccccccccccc'), undefined, 'the twin is not a span of its own');

  store.addSpans(FILE_A, [rec({ id: 'bbbbbbbbbbbbbbbb', parent: 'aaaaaaaaaaaaaaaa', name: 'warm_up', start: 10, end: 1500 }), root]);
  const done = store.trace('t1')!;
  const tree = done.tree();
  assert.equal(tree.nodes.size, 2, 'agent run and warm_up, no twin');
  assert.deepEqual(tree.roots.map((r) => [r.span.name, r.children.map((c) => c.span.name)]), [['agent run', ['warm_up']]]);
  assert.equal(done.span('bbbbbbbbbbbbbbbb')!.endNs, ms(1500));
});
