import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind, StatusCode, type SpanRecord } from '../../src/core/model/span';
import { Trace, type SpanNode } from '../../src/core/model/trace';
import { runSteps, STEP_ITEMS } from '../../src/core/util/steps';
import { layoutWaterfallSteps, type SpanForest, type WaterfallLayout, type WaterfallOptions } from '../../src/core/waterfall/layout';

const T0 = 1_700_000_000_000_000_000n;
const TRACE = '5b8efff798038103d269b633813fc60c';

/** A span as tests write it: times in ms from T0; `end` omitted = same as start (in progress). */
interface Spec {
  id: string;
  parent?: string;
  name?: string;
  start: number;
  end?: number;
  error?: boolean;
}

function record(s: Spec): SpanRecord {
  const ns = (ms: number): bigint => T0 + BigInt(Math.round(ms * 1e6));
  return {
    traceId: TRACE,
    spanId: s.id,
    parentSpanId: s.parent ?? '',
    name: s.name ?? s.id,
    kind: SpanKind.Internal,
    startNs: ns(s.start),
    endNs: ns(s.end ?? s.start),
    statusCode: s.error ? StatusCode.Error : StatusCode.Unset,
    errorMessage: undefined,
    attributes: undefined,
    resource: { serviceName: 'svc', attributesStart: 0, attributesEnd: 0 },
    scope: undefined,
    origin: { file: 'mem', line: 1 },
    byteStart: 0,
    byteEnd: 0,
  };
}

/** Lays a forest out at once, as the extension's `waterfallData` does for a small trace. */
function layOut(forest: SpanForest, options?: WaterfallOptions): WaterfallLayout {
  return runSteps(layoutWaterfallSteps(forest, options));
}

/** Builds the tree the way the extension does (Trace.tree), then lays it out, with segments. */
function layout(specs: Spec[], options?: WaterfallOptions): WaterfallLayout {
  const trace = new Trace(TRACE);
  for (const s of specs) trace.add(record(s));
  return layOut(trace.tree(), { criticalSegments: true, ...options });
}

/**
 * A row's label as the waterfall shows it (webview `TraceRows`): the span's name, or for a
 * group row (directly followed by its first member) `name ×count`.
 */
function rowLabel(l: WaterfallLayout, row: number): string {
  const size = l.groupSize[row];
  return size === 0 ? l.spans[l.spanIndex[row]].name : `${l.spans[l.spanIndex[row + 1]].name} ×${size}`;
}

/** The rows a view draws when the rows in `collapsed` hide their subtrees: each skips to its `subtreeEnd`. */
function visibleRows(l: WaterfallLayout, collapsed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let r = 0; r < l.rowCount; r = collapsed.has(r) ? l.subtreeEnd[r] : r + 1) out.push(r);
  return out;
}

const rowOf = (l: WaterfallLayout, id: string): number => {
  const i = l.spans.findIndex((s) => s.spanId === id);
  assert.ok(i >= 0, `span ${id}`);
  return l.spanIndex.indexOf(i);
};
const idOf = (l: WaterfallLayout, row: number): string => (l.spanIndex[row] < 0 ? `[${rowLabel(l, row)}]` : l.spans[l.spanIndex[row]].spanId);
const critical = (l: WaterfallLayout): string[] => [...Array(l.rowCount).keys()].filter((r) => l.onCriticalPath[r]).map((r) => idOf(l, r));
const self = (l: WaterfallLayout, id: string): number => round(l.selfMs[rowOf(l, id)]);
const round = (x: number): number => Math.round(x * 1e6) / 1e6;
const segments = (l: WaterfallLayout): string[] =>
  [...l.criticalPath.row].map((r, k) => `${idOf(l, r)}:${round(l.criticalPath.startMs[k])}-${round(l.criticalPath.endMs[k])}`);

/** Structural invariants every layout must satisfy, folded or not. */
function checkInvariants(l: WaterfallLayout): void {
  const n = l.rowCount;
  const spanRows = new Set<number>();
  for (let r = 0; r < n; r++) {
    const p = l.parent[r];
    assert.ok(p < r, `parent of ${r} precedes it`);
    if (p >= 0) {
      assert.equal(l.depth[r], Math.min(l.depth[p] + 1, 0xffff), `depth of ${r}`);
      assert.ok(l.subtreeEnd[p] >= l.subtreeEnd[r] && r < l.subtreeEnd[p], `row ${r} inside its parent's subtree`);
    } else {
      assert.equal(l.depth[r], 0);
    }
    // Every row in (r, subtreeEnd) has an ancestor chain reaching r.
    assert.ok(l.subtreeEnd[r] > r && l.subtreeEnd[r] <= n);
    if (l.subtreeEnd[r] < n) {
      let a = l.parent[l.subtreeEnd[r]];
      while (a >= 0 && a !== r) a = l.parent[a];
      assert.notEqual(a, r, `row ${l.subtreeEnd[r]} is outside ${r}'s subtree`);
    }
    if (l.groupSize[r] > 0) {
      assert.equal(l.spanIndex[r], -1);
      let members = 0;
      for (let c = r + 1; c < l.subtreeEnd[r]; c = l.subtreeEnd[c]) {
        assert.equal(l.parent[c], r);
        members++;
      }
      assert.equal(members, l.groupSize[r]);
    } else {
      assert.ok(l.spanIndex[r] >= 0 && l.spanIndex[r] < l.spans.length);
      assert.ok(!spanRows.has(l.spanIndex[r]), `span ${l.spanIndex[r]} on one row`);
      spanRows.add(l.spanIndex[r]);
    }
    assert.ok(l.selfMs[r] >= -1e-9 && l.selfMs[r] <= l.durationMs[r] + 1e-9, `self time of ${r} within its duration`);
  }
  assert.equal(spanRows.size, l.spans.length, 'every span on a row');
}

// ---------------------------------------------------------------------------------------
// Order and columns

test('rows are depth-first, children in start order, times relative to the first start', () => {
  const l = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'b', parent: 'root', start: 50, end: 90 },
    { id: 'a', parent: 'root', start: 10, end: 40 },
    { id: 'a1', parent: 'a', start: 12, end: 20 },
    { id: 'b1', parent: 'b', start: 60, end: 70 },
  ]);
  assert.deepEqual([...Array(l.rowCount).keys()].map((r) => idOf(l, r)), ['root', 'a', 'a1', 'b', 'b1']);
  assert.deepEqual([...l.depth], [0, 1, 2, 1, 2]);
  assert.deepEqual([...l.parent], [-1, 0, 1, 0, 3]);
  assert.deepEqual([...l.subtreeEnd], [5, 3, 3, 5, 5]);
  assert.deepEqual([...l.startMs], [0, 10, 12, 50, 60]);
  assert.deepEqual([...l.durationMs], [100, 30, 8, 40, 10]);
  assert.deepEqual([...l.groupSize], [0, 0, 0, 0, 0]);
  assert.equal(l.originNs, T0);
  assert.equal(l.endMs, 100);
  checkInvariants(l);
});

test('the origin can be given; sub-millisecond times keep their nanoseconds', () => {
  const trace = new Trace(TRACE);
  trace.add({ ...record({ id: 'r', start: 0, end: 1 }), startNs: T0 + 1n, endNs: T0 + 1_000_002n });
  const l = layOut(trace.tree(), { originNs: T0 });
  assert.equal(l.startMs[0], 0.000001);
  assert.equal(l.durationMs[0], 1.000001);
});

test('an empty trace lays out to no rows', () => {
  const l = layOut({ roots: [] });
  assert.equal(l.rowCount, 0);
  assert.equal(l.criticalPath.row.length, 0);
});

test('error column marks failed spans', () => {
  const l = layout([
    { id: 'root', start: 0, end: 10 },
    { id: 'bad', parent: 'root', start: 1, end: 2, error: true },
  ]);
  assert.deepEqual([...l.error], [0, 1]);
});

// ---------------------------------------------------------------------------------------
// Self time

test('self time: sequential children leave the gaps', () => {
  const l = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'a', parent: 'root', start: 10, end: 30 },
    { id: 'b', parent: 'root', start: 40, end: 70 },
  ]);
  assert.equal(self(l, 'root'), 50);
  assert.equal(self(l, 'a'), 20);
});

test('self time: concurrent children count once (union, not sum)', () => {
  const l = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'a', parent: 'root', start: 10, end: 50 },
    { id: 'b', parent: 'root', start: 20, end: 40 }, // inside a
    { id: 'c', parent: 'root', start: 45, end: 60 }, // overlaps a's end
    { id: 'd', parent: 'root', start: 80, end: 90 },
  ]);
  // Covered: [10,60] ∪ [80,90] = 60.
  assert.equal(self(l, 'root'), 40);
});

test('self time: children are clipped to the parent (clock skew, async work outliving it)', () => {
  const l = layout([
    { id: 'root', start: 10, end: 100 },
    { id: 'early', parent: 'root', start: 0, end: 20 },
    { id: 'late', parent: 'root', start: 90, end: 200 },
  ]);
  assert.equal(self(l, 'root'), 70);
});

test('self time: nested levels each subtract only their own children', () => {
  const l = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'a', parent: 'root', start: 0, end: 80 },
    { id: 'a1', parent: 'a', start: 10, end: 30 },
    { id: 'a2', parent: 'a', start: 20, end: 50 },
    { id: 'a2x', parent: 'a2', start: 25, end: 45 },
  ]);
  assert.equal(self(l, 'root'), 20);
  assert.equal(self(l, 'a'), 40);
  assert.equal(self(l, 'a2'), 10);
  assert.equal(self(l, 'a2x'), 20);
});

test('self time: an in-progress span (end == start) has none; its children keep theirs', () => {
  const l = layout([
    { id: 'root', start: 0 },
    { id: 'a', parent: 'root', start: 5, end: 25 },
  ]);
  assert.equal(self(l, 'root'), 0);
  assert.equal(self(l, 'a'), 20);
});

test('self time: a child list out of start order is still merged correctly', () => {
  const mk = (id: string, start: number, end: number, children: SpanNode[] = []): SpanNode => ({
    span: record({ id, start, end }),
    children,
    depth: 0,
    orphan: false,
    notReceived: false,
  });
  const root = mk('root', 0, 100, [mk('late', 50, 90), mk('early', 10, 60), mk('mid', 20, 30)]);
  const l = layOut({ roots: [root] });
  assert.equal(round(l.selfMs[0]), 20); // covered [10,90]
});

// ---------------------------------------------------------------------------------------
// Critical path

test('critical path: sequential children are all on it, back-to-back ones included', () => {
  const l = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'a', parent: 'root', start: 0, end: 30 },
    { id: 'b', parent: 'root', start: 30, end: 60 }, // starts exactly when a ends
    { id: 'c', parent: 'root', start: 70, end: 90 },
  ]);
  assert.deepEqual(critical(l), ['root', 'a', 'b', 'c']);
  assert.deepEqual(segments(l), ['a:0-30', 'b:30-60', 'root:60-70', 'c:70-90', 'root:90-100']);
});

test('critical path: of parallel children only the last to finish counts', () => {
  const l = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'a', parent: 'root', start: 10, end: 90 },
    { id: 'b', parent: 'root', start: 10, end: 50 },
    { id: 'c', parent: 'root', start: 20, end: 60 },
  ]);
  assert.deepEqual(critical(l), ['root', 'a']);
  assert.deepEqual(segments(l), ['root:0-10', 'a:10-90', 'root:90-100']);
});

test('critical path: overlapping children — only those that ended before the next one started', () => {
  const l = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'a', parent: 'root', start: 0, end: 40 },
    { id: 'c', parent: 'root', start: 45, end: 60 }, // runs alongside b, ends before b
    { id: 'b', parent: 'root', start: 50, end: 80 },
    { id: 'd', parent: 'root', start: 30, end: 55 }, // overlaps both a's end and b's start
  ]);
  // From 100: b (ends 80) → cursor 50; d ends 55 > 50, c ends 60 > 50: skipped; a ends 40 → on.
  assert.deepEqual(critical(l), ['root', 'a', 'b']);
  assert.deepEqual(segments(l), ['a:0-40', 'root:40-50', 'b:50-80', 'root:80-100']);
});

test('critical path: walks into nested children', () => {
  const l = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'agent', parent: 'root', start: 5, end: 95 },
    { id: 'llm1', parent: 'agent', start: 10, end: 40 },
    { id: 'tool', parent: 'agent', start: 40, end: 60 },
    { id: 'http', parent: 'tool', start: 45, end: 58 },
    { id: 'cache', parent: 'tool', start: 41, end: 44 },
    { id: 'llm2', parent: 'agent', start: 62, end: 90 },
    { id: 'log', parent: 'root', start: 10, end: 20 }, // concurrent with agent
  ]);
  assert.deepEqual(critical(l), ['root', 'agent', 'llm1', 'tool', 'cache', 'http', 'llm2']);
  assert.deepEqual(segments(l), [
    'root:0-5',
    'agent:5-10',
    'llm1:10-40',
    'tool:40-41',
    'cache:41-44',
    'tool:44-45',
    'http:45-58',
    'tool:58-60',
    'agent:60-62',
    'llm2:62-90',
    'agent:90-95',
    'root:95-100',
  ]);
  // The path's segments tile the root exactly.
  const total = l.criticalPath.endMs.reduce((sum, e, k) => sum + e - l.criticalPath.startMs[k], 0);
  assert.equal(round(total), 100);
});

test('critical path: a child outliving its parent is clipped to the parent', () => {
  const l = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'a', parent: 'root', start: 10, end: 150 },
    { id: 'a1', parent: 'a', start: 20, end: 140 }, // clipped to 20–100 through a
    { id: 'b', parent: 'root', start: 0, end: 5 },
  ]);
  assert.deepEqual(critical(l), ['root', 'b', 'a', 'a1']);
  assert.deepEqual(segments(l), ['b:0-5', 'root:5-10', 'a:10-20', 'a1:20-100']);
});

test('critical path: an in-progress root (end == start) lasts until its last child ends', () => {
  const l = layout([
    { id: 'root', start: 0 },
    { id: 'a', parent: 'root', start: 0, end: 50 },
    { id: 'b', parent: 'root', start: 60, end: 80 },
  ]);
  assert.deepEqual(critical(l), ['root', 'a', 'b']);
  assert.deepEqual(segments(l), ['a:0-50', 'root:50-60', 'b:60-80']);
  assert.equal(l.endMs, 80);
  assert.equal(l.durationMs[0], 0, 'the row still shows the recorded duration');
});

test('critical path: a zero-length child explains no latency and is skipped', () => {
  const l = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'a', parent: 'root', start: 0, end: 50 },
    { id: 'marker', parent: 'root', start: 90 }, // in progress, no children
  ]);
  assert.deepEqual(critical(l), ['root', 'a']);
});

test('critical path: a lone in-progress root is the path', () => {
  const l = layout([{ id: 'root', start: 0 }]);
  assert.deepEqual(critical(l), ['root']);
  assert.deepEqual(segments(l), []);
});

test('critical path segments are left out by default; the marks stay', () => {
  const specs: Spec[] = [
    { id: 'root', start: 0, end: 100 },
    { id: 'a', parent: 'root', start: 10, end: 90 },
  ];
  const l = layout(specs, { criticalSegments: false });
  assert.deepEqual(critical(l), ['root', 'a']);
  assert.equal(l.criticalPath.row.length, 0);
  const trace = new Trace(TRACE);
  for (const s of specs) trace.add(record(s));
  assert.equal(layOut(trace.tree()).criticalPath.row.length, 0);
  assert.deepEqual(critical(layout([{ id: 'root', start: 0 }], { criticalSegments: false })), ['root']);
});

test('critical path with several tops: the top ending last, then tops that ended before it began', () => {
  const sequential = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'orphanA', start: 120, end: 150 },
    { id: 'orphanB', start: 160, end: 200 },
  ]);
  assert.deepEqual(critical(sequential), ['root', 'orphanA', 'orphanB']);
  assert.deepEqual(segments(sequential), ['root:0-100', 'orphanA:120-150', 'orphanB:160-200']);

  const overlapping = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'orphan', start: 50, end: 120 },
  ]);
  assert.deepEqual(critical(overlapping), ['orphan']);

  // Spans whose parent has not arrived hang under a stand-in for it, which lasts as long as they do.
  const waiting = layout([
    { id: 'root', start: 0, end: 100 },
    { id: 'kidA', parent: 'missing', start: 120, end: 150 },
    { id: 'kidB', parent: 'missing', start: 160, end: 200 },
  ]);
  assert.deepEqual(critical(waiting), ['root', 'missing', 'kidA', 'kidB']);
  assert.deepEqual(segments(waiting), ['root:0-100', 'kidA:120-150', 'missing:150-160', 'kidB:160-200']);
});

test('critical path matches a straightforward recursive reference on random traces', () => {
  let seed = 42;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let round = 0; round < 200; round++) {
    const specs: Spec[] = [{ id: 's0', start: 0, end: 1000 }];
    const count = 2 + Math.floor(rand() * 40);
    for (let k = 1; k < count; k++) {
      const parent = specs[Math.floor(rand() * specs.length)];
      const pEnd = parent.end ?? parent.start;
      // Mostly inside the parent, sometimes overflowing, sometimes zero-length; integer times
      // so that ties (back-to-back children) happen.
      const start = Math.floor(parent.start - 5 + rand() * (pEnd - parent.start + 10));
      const len = rand() < 0.1 ? 0 : Math.floor(rand() * (pEnd - parent.start) * 0.7);
      specs.push({ id: `s${k}`, parent: parent.id, start, end: start + len, name: rand() < 0.5 ? 'x' : 'y' });
    }
    for (const foldThreshold of [0, 2]) {
      const l = layout(specs, { foldThreshold });
      checkInvariants(l);
      const expected = referenceCriticalPath(specs);
      const actual = new Set(critical(l).filter((id) => !id.startsWith('[')));
      if (process.env.WF_DEBUG && [...actual].sort().join() !== [...expected].sort().join()) console.log(JSON.stringify(specs), segments(l));
      assert.deepEqual([...actual].sort(), [...expected].sort(), `round ${round}`);
      // Self time against a brute-force union.
      for (const s of specs) assert.equal(self(l, s.id), round2(referenceSelf(specs, s)), `self ${s.id} round ${round}`);
    }
  }
});

const round2 = round;

/** Jaeger's algorithm written plainly and recursively, with the same tie and clipping rules. */
function referenceCriticalPath(specs: Spec[]): Set<string> {
  const kids = new Map<string, Spec[]>();
  for (const s of specs) if (s.parent) kids.set(s.parent, [...(kids.get(s.parent) ?? []), s]);
  const end = (s: Spec): number => s.end ?? s.start;
  // Children in tree order (start, end, then arrival), so full ties resolve as in the layout: the later one.
  for (const list of kids.values()) list.sort((a, b) => a.start - b.start || end(a) - end(b));
  const effEnd = (s: Spec): number => (end(s) > s.start ? end(s) : Math.max(s.start, ...(kids.get(s.id) ?? []).map(effEnd)));
  const on = new Set<string>();
  const walk = (s: Spec, ws: number, we: number): void => {
    on.add(s.id);
    const clipped = (kids.get(s.id) ?? [])
      .map((c) => ({ c, cs: Math.max(c.start, ws), ce: Math.min(effEnd(c), we) }))
      .filter((k) => k.ce > k.cs);
    let cursor = we;
    for (;;) {
      const candidates = clipped.filter((k) => k.ce <= cursor && cursor > ws);
      if (candidates.length === 0) return;
      const best = candidates.reduce((a, b) => (b.ce > a.ce || (b.ce === a.ce && b.cs >= a.cs) ? b : a));
      walk(best.c, best.cs, best.ce);
      cursor = best.cs;
      clipped.splice(clipped.indexOf(best), 1);
    }
  };
  const root = specs[0];
  if (effEnd(root) > root.start) walk(root, root.start, effEnd(root));
  else on.add(root.id);
  return on;
}

function referenceSelf(specs: Spec[], s: Spec): number {
  const end = s.end ?? s.start;
  const iv = specs
    .filter((c) => c.parent === s.id)
    .map((c) => [Math.max(c.start, s.start), Math.min(c.end ?? c.start, end)])
    .filter(([a, b]) => b > a)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let cur: number[] | undefined;
  for (const [a, b] of iv) {
    if (!cur || a > cur[1]) {
      if (cur) covered += cur[1] - cur[0];
      cur = [a, b];
    } else cur[1] = Math.max(cur[1], b);
  }
  if (cur) covered += cur[1] - cur[0];
  return Math.max(0, end - s.start) - covered;
}

// ---------------------------------------------------------------------------------------
// Folding

function loopTrace(count: number, opts: { failAt?: number; name?: string } = {}): Spec[] {
  const specs: Spec[] = [
    { id: 'root', start: 0, end: 1000 },
    { id: 'plan', parent: 'root', start: 1, end: 10 },
  ];
  for (let k = 0; k < count; k++) {
    const start = 10 + k * 3;
    specs.push({ id: `look${k}`, parent: 'root', name: opts.name ?? 'lookupOrder', start, end: start + 2, error: k === opts.failAt });
    specs.push({ id: `look${k}.db`, parent: `look${k}`, name: 'SELECT', start: start + 0.5, end: start + 1.5 });
  }
  specs.push({ id: 'answer', parent: 'root', start: 10 + count * 3, end: 10 + count * 3 + 20 });
  return specs;
}

test('folding: 240 same-name siblings become one group row holding them', () => {
  const l = layout(loopTrace(240, { failAt: 17 }));
  checkInvariants(l);
  assert.equal(l.rowCount, 2 + 240 * 2 + 1 + 1);
  const g = 2;
  assert.equal(idOf(l, 1), 'plan');
  assert.equal(l.groupSize[g], 240);
  assert.equal(l.spanIndex[g], -1);
  assert.equal(rowLabel(l, g), 'lookupOrder ×240');
  assert.equal(l.parent[g], 0);
  assert.equal(l.depth[g], 1);
  assert.equal(l.startMs[g], 10);
  assert.equal(l.durationMs[g], 239 * 3 + 2);
  assert.equal(round(l.selfMs[g]), 239, 'the gaps between members');
  assert.equal(l.error[g], 1, 'a member failed');
  assert.equal(l.onCriticalPath[g], 1);
  // Members sit under the group, one level deeper, their own children deeper still.
  const first = rowOf(l, 'look0');
  assert.equal(first, g + 1);
  assert.equal(l.parent[first], g);
  assert.equal(l.depth[first], 2);
  assert.equal(l.depth[rowOf(l, 'look0.db')], 3);
  assert.equal(l.subtreeEnd[g], rowOf(l, 'answer'));
  assert.equal(l.parent[rowOf(l, 'answer')], 0);
  // Self time and the critical path are the unfolded tree's.
  assert.equal(round(l.selfMs[0]), 1000 - 9 - 240 * 2 - 20);
});

test('folding: groups start collapsed; visible rows skip their members', () => {
  const l = layout(loopTrace(240));
  // The webview starts with every group row collapsed.
  const collapsed = new Set([...Array(l.rowCount).keys()].filter((r) => l.groupSize[r] > 0));
  assert.deepEqual([...visibleRows(l, collapsed)].map((r) => (l.groupSize[r] ? rowLabel(l, r) : idOf(l, r))), [
    'root',
    'plan',
    'lookupOrder ×240',
    'answer',
  ]);
  collapsed.add(0);
  assert.deepEqual([...visibleRows(l, collapsed)], [0]);
  assert.equal(visibleRows(l, new Set()).length, l.rowCount);
});

test('folding threshold: runs shorter than it stay unfolded; 0 turns folding off', () => {
  assert.equal(layout(loopTrace(4)).groupSize.reduce((a, b) => a + b, 0), 0, 'default threshold is 5');
  assert.equal(layout(loopTrace(5)).groupSize[2], 5);
  assert.equal(layout(loopTrace(3), { foldThreshold: 3 }).groupSize[2], 3);
  const off = layout(loopTrace(240), { foldThreshold: 0 });
  assert.equal(off.rowCount, off.spans.length);
  assert.ok(off.groupSize.every((s) => s === 0));
  assert.equal(layout(loopTrace(240), { foldThreshold: Infinity }).rowCount, 2 + 480 + 1);
});

test('folding: a different name breaks a run; nested runs fold inside a member', () => {
  const specs: Spec[] = [{ id: 'root', start: 0, end: 1000 }];
  let t = 1;
  const add = (id: string, parent: string, name: string): void => {
    specs.push({ id, parent, name, start: t, end: t + 1 });
    t += 2;
  };
  for (let k = 0; k < 5; k++) add(`a${k}`, 'root', 'A');
  add('b', 'root', 'B');
  for (let k = 0; k < 6; k++) add(`c${k}`, 'root', 'A');
  // Inside the first A: a run of its own.
  for (let k = 0; k < 7; k++) specs.push({ id: `a0.r${k}`, parent: 'a0', name: 'retry', start: 1 + k * 0.1, end: 1 + k * 0.1 + 0.05 });
  const l = layout(specs);
  checkInvariants(l);
  const labels = [...Array(l.rowCount).keys()].filter((r) => l.groupSize[r]).map((r) => `${rowLabel(l, r)}@${l.depth[r]}`);
  assert.deepEqual(labels, ['A ×5@1', 'retry ×7@3', 'A ×6@1']);
  assert.equal(l.depth[rowOf(l, 'a0.r0')], 4);
  assert.equal(l.parent[rowOf(l, 'b')], 0);
});

test('folding applies among the tops too', () => {
  const specs: Spec[] = [];
  for (let k = 0; k < 6; k++) specs.push({ id: `o${k}`, name: 'poll', start: k * 10, end: k * 10 + 5 });
  const l = layout(specs);
  checkInvariants(l);
  assert.equal(l.groupSize[0], 6);
  assert.equal(l.parent[0], -1);
  assert.equal(l.depth[1], 1);
});

// ---------------------------------------------------------------------------------------
// Scale

/** Tests build trees by hand, pushing children as they go. */
interface TestNode extends SpanNode {
  children: TestNode[];
}

test('a 100,000-deep chain lays out without recursion', () => {
  const n = 100_000;
  const nodes: TestNode[] = [];
  for (let k = 0; k < n; k++) nodes.push({ span: record({ id: `d${k}`, start: k * 0.001, end: 1000 - k * 0.001 }), children: [], depth: k, orphan: false, notReceived: false });
  for (let k = 0; k + 1 < n; k++) nodes[k].children.push(nodes[k + 1]);
  const l = layOut({ roots: [nodes[0]] });
  assert.equal(l.rowCount, n);
  assert.equal(l.depth[n - 1], 0xffff, 'depth saturates');
  assert.equal(l.subtreeEnd[0], n);
  assert.equal(l.onCriticalPath.reduce((a, b) => a + b, 0), n);
});

test('the passes after the walk (ends, groups, self time, the critical path, durations) each yield every STEP_ITEMS rows', () => {
  // One parent of many children, folded five by five: every pass has all the rows to go over.
  const n = 8 * STEP_ITEMS;
  const root: TestNode = { span: record({ id: 'root', start: 0, end: n }), children: [], depth: 0, orphan: false, notReceived: false };
  for (let k = 0; k < n; k++) {
    root.children.push({ span: record({ id: `c${k}`, name: `step ${Math.floor(k / 5)}`, start: k, end: k + 0.5 }), children: [], depth: 1, orphan: false, notReceived: false });
  }
  const steps = layoutWaterfallSteps({ roots: [root] });
  let count = 0;
  for (let next = steps.next(); !next.done; next = steps.next()) count++;
  // The walk and six passes: a pass over a million rows held the event loop for tens of ms.
  const passes = count / (n / STEP_ITEMS);
  assert.ok(passes >= 6, `${count} steps for ${n} rows: ${passes.toFixed(1)} per STEP_ITEMS rows`);
});
