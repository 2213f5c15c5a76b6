import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInProgress, spanDurationMs, SpanKind, StatusCode, type SpanRecord } from '../../src/core/model/span';
import { TraceStore } from '../../src/core/model/traceStore';
import { Trace } from '../../src/core/model/trace';
import { buildSpanLocations, rangeLenses, SpanLocationsMerge, spanStatsInRange, type CodeRange, type ResolvedPlaces, type SpanLocations } from '../../src/core/source/functionSpans';
import { cachedRunDigest, digestsToJson, digestToText, digestWalks, keepNewestRefs, knownDigest, nameKey, runDigests, SPANS_KEPT_PER_PLACE, type JsonDigest } from '../../src/core/source/runDigest';
import { sourceLocationOf } from '../../src/core/source/source';
import { sourceFileKey } from '../../src/core/source/sourceIndex';
import { runSteps } from '../../src/core/util/steps';
import { rng } from './fuzzing';

const TRACE_FILE = '/work/app/.tracerun/otlp.jsonl';


/** Recorded paths: some resolve (to a file of the workspace, two paths to the same file), one does not. */
const PATHS: Record<string, string | undefined> = {
  'agent/tools.py': '/work/app/agent/tools.py',
  '/work/app/agent/tools.py': '/work/app/agent/tools.py',
  'agent/graph.py': '/work/app/agent/graph.py',
  'vendor/missing.py': undefined,
};
/** Span names without `code.*` paths: some point at a function (file and line), one at nothing found. */
const NAMES: Record<string, { file: string; line: number } | undefined> = {
  lookup_order: { file: '/work/app/agent/tools.py', line: 30 },
  'execute_tool refund': { file: '/work/app/agent/tools.py', line: 55 },
  plan_step: { file: '/work/app/agent/graph.py', line: 7 },
  unknown_fn: undefined,
};

function placesFor(names: ReadonlyMap<string, { file: string; line: number } | undefined>): ResolvedPlaces {
  return { path: (recorded) => PATHS[recorded], name: (key) => names.get(key) };
}

let startClock = 0;

function randomRun(next: () => number, traceId: string, spans: number): SpanRecord[] {
  const out: SpanRecord[] = [];
  const paths = Object.keys(PATHS);
  const names = [...Object.keys(NAMES), 'chat gpt-4o'];
  for (let i = 0; i < spans; i++) {
    // Distinct starts: which spans are the newest is then one answer.
    const startNs = BigInt(1_700_000_000_000 + ++startClock * 7) * 1_000_000n + BigInt(Math.floor(next() * 1_000_000));
    const r = next();
    let attributes: Record<string, string | number> | undefined;
    let name = 'step';
    if (r < 0.6) {
      attributes = { 'code.filepath': paths[Math.floor(next() * paths.length)], 'code.function': 'f' };
      if (next() < 0.95) attributes['code.lineno'] = 1 + Math.floor(next() * 80);
    } else if (r < 0.95) {
      name = names[Math.floor(next() * names.length)];
    }
    out.push({
      traceId,
      spanId: `${traceId}-${i}`,
      parentSpanId: '',
      name,
      kind: SpanKind.Internal,
      startNs,
      endNs: next() < 0.1 ? 0n : startNs + BigInt(Math.floor(next() * 5_000_000_000)),
      statusCode: next() < 0.15 ? StatusCode.Error : StatusCode.Ok,
      errorMessage: undefined,
      attributes,
      resource: { serviceName: 'svc', attributesStart: 0, attributesEnd: 0 },
      scope: undefined,
      origin: { file: TRACE_FILE, line: 1 },
      byteStart: 0,
      byteEnd: 0,
    });
  }
  return out;
}

// --- The full walk the index made before digests, kept here as the reference. ---

interface Located {
  readonly line: number;
  readonly span: SpanRecord;
}

function fullWalk(traces: readonly Trace[], places: ResolvedPlaces): Map<string, Located[]> {
  const files = new Map<string, Located[]>();
  for (const trace of traces) {
    for (const span of trace.allSpans()) {
      const recorded = sourceLocationOf(span.attributes);
      let at: { file: string; line: number } | undefined;
      if (recorded) {
        const file = places.path(recorded.path);
        at = file !== undefined && recorded.line !== undefined ? { file, line: recorded.line } : undefined;
      } else at = places.name(nameKey(span));
      if (!at) continue;
      const key = sourceFileKey(at.file);
      let list = files.get(key);
      if (!list) files.set(key, (list = []));
      list.push({ line: at.line, span });
    }
  }
  for (const list of files.values()) list.sort((a, b) => a.line - b.line);
  return files;
}

function referenceStats(spans: readonly Located[], startLine: number, endLine: number, keep: number) {
  const inRange = spans.filter((s) => s.line >= startLine && s.line <= endLine);
  if (inRange.length === 0) return undefined;
  const durations = Float64Array.from(inRange.filter((s) => !isInProgress(s.span)).map((s) => spanDurationMs(s.span))).sort();
  const q = (p: number) => durations[Math.min(durations.length - 1, Math.ceil(p * durations.length) - 1)];
  const n = durations.length;
  const newest = [...inRange].sort((a, b) => (a.span.startNs > b.span.startNs ? -1 : 1));
  return {
    count: inRange.length,
    failed: inRange.filter((s) => s.span.statusCode === StatusCode.Error).length,
    running: inRange.filter((s) => isInProgress(s.span)).length,
    p50Ms: n === 0 ? undefined : n % 2 ? durations[n >> 1] : (durations[(n >> 1) - 1] + durations[n >> 1]) / 2,
    p95Ms: n >= 10 ? q(0.95) : undefined,
    lastStartMs: Number(newest[0].span.startNs / 1_000_000n),
    recent: newest.slice(0, keep).map((s) => s.span.spanId),
    lines: new Set(inRange.map((s) => s.line)).size,
  };
}

function actualStats(index: SpanLocations, file: string, startLine: number, endLine: number, keep: number) {
  const lines = index.get(sourceFileKey(file));
  const s = lines && spanStatsInRange(lines, startLine, endLine, keep);
  return s && { ...s, recent: s.recent.map((r) => r.spanId) };
}

const RANGES: CodeRange[] = [
  { name: 'Agent', startLine: 1, endLine: 60, nameLine: 1 },
  { name: 'lookup', startLine: 25, endLine: 35, nameLine: 25 },
  { name: 'refund', startLine: 50, endLine: 58, nameLine: 50 },
  { name: 'tail', startLine: 70, endLine: 72, nameLine: 70 },
];

function resolvedNames(): Map<string, { file: string; line: number } | undefined> {
  const out = new Map<string, { file: string; line: number } | undefined>();
  for (const [name, at] of Object.entries(NAMES)) out.set(nameKey({ name, attributes: undefined }), at);
  return out;
}

function assertSameAsFullWalk(traces: readonly Trace[], places: ResolvedPlaces, label: string): SpanLocations {
  const index = runSteps(buildSpanLocations(runSteps(runDigests(traces)), places));
  const reference = fullWalk(traces, places);
  assert.deepEqual([...index.keys()].sort(), [...reference.keys()].sort(), `${label}: files`);
  for (const [file, spans] of reference) {
    const lines = index.get(file)!;
    assert.deepEqual(
      lines.map((l) => l.line),
      [...new Set(spans.map((s) => s.line))],
      `${label}: lines of ${file}`,
    );
    for (const keep of [5, SPANS_KEPT_PER_PLACE]) {
      for (const r of [...RANGES, { name: 'all', startLine: 1, endLine: 1000, nameLine: 1 }, ...lines.map((l) => ({ name: 'one', startLine: l.line, endLine: l.line, nameLine: l.line }))]) {
        assert.deepEqual(actualStats(index, file, r.startLine, r.endLine, keep), referenceStats(spans, r.startLine, r.endLine, keep), `${label}: ${file} ${r.name} ${r.startLine}-${r.endLine} keep ${keep}`);
      }
    }
    // The lenses of the file count every span placed in it, once.
    const counted = rangeLenses(lines, RANGES.filter((r) => r.name !== 'lookup' && r.name !== 'refund')).reduce((n, l) => n + l.stats.count, 0);
    assert.equal(counted, spans.length, `${label}: lenses of ${file}`);
  }
  return index;
}

test('merged run digests give the lenses of the full walk: counts, failures, running, p50, p95, the newest spans', () => {
  for (const seed of [1, 7, 42, 2026]) {
    const next = rng(seed);
    const store = new TraceStore();
    const runs = 5 + Math.floor(next() * 20);
    for (let r = 0; r < runs; r++) store.addSpans(TRACE_FILE, randomRun(next, `t${seed}-${r}`, 1 + Math.floor(next() * (r === 0 ? 600 : 120))));
    assertSameAsFullWalk(store.runs(), placesFor(resolvedNames()), `seed ${seed}`);
    // A run that grows (a live run): its digest is worked out again, the others are kept.
    const grown = store.runs()[0];
    store.addSpans(TRACE_FILE, randomRun(next, grown.traceId, 40).map((s, i) => ({ ...s, spanId: `${s.spanId}-more${i}` })));
    assertSameAsFullWalk(store.runs(), placesFor(resolvedNames()), `seed ${seed}, grown`);
  }
});

test('a run evicted after its digest counts in every rebuild without being read back', () => {
  const next = rng(5);
  const store = new TraceStore();
  for (let r = 0; r < 6; r++) store.addSpans(TRACE_FILE, randomRun(next, `e${r}`, 200));
  const places = placesFor(resolvedNames());
  const before = assertSameAsFullWalk(store.runs(), places, 'in memory');
  let reads = 0;
  const evicted = store.runs().slice(0, 4);
  for (const trace of evicted) {
    const spans = [...trace.allSpans()];
    trace.evict(() => (reads++, spans));
  }
  for (let i = 0; i < 3; i++) {
    const after = runSteps(buildSpanLocations(runSteps(runDigests(store.runs())), places));
    assert.equal(reads, 0, 'no evicted run was read back');
    assert.ok(evicted.every((t) => t.isEvicted));
    for (const [file, lines] of before) {
      for (const r of RANGES) assert.deepEqual(spanStatsInRange(after.get(file)!, r.startLine, r.endLine), spanStatsInRange(lines, r.startLine, r.endLine));
    }
  }
  // A run not seen before (restored from an index, say) is read once for its digest, then kept.
  const restored = new TraceStore();
  restored.addSpans(TRACE_FILE, randomRun(next, 'r0', 50));
  const run = restored.runs()[0];
  const spans = [...run.allSpans()];
  run.evict(() => (reads++, spans));
  runSteps(runDigests(restored.runs()));
  run.evict(() => (reads++, spans));
  runSteps(runDigests(restored.runs()));
  assert.equal(reads, 1);
});

test('a rebuild walks only the runs that changed since their digest', () => {
  const next = rng(9);
  const store = new TraceStore();
  for (let r = 0; r < 30; r++) store.addSpans(TRACE_FILE, randomRun(next, `w${r}`, 50));
  const walks = () => {
    const before = digestWalks.count;
    runSteps(runDigests(store.runs()));
    return digestWalks.count - before;
  };
  assert.equal(walks(), 30, 'the first build walks every run');
  assert.equal(walks(), 0, 'nothing changed: no run walked');
  store.addSpans(TRACE_FILE, randomRun(next, 'w3', 5).map((s, i) => ({ ...s, spanId: `late-${i}` })));
  store.addSpans(TRACE_FILE, randomRun(next, 'w-new', 5));
  assert.equal(walks(), 2, 'the run that grew and the new one');
  assert.equal(walks(), 0);
});

test('a digest keeps light references, not the span records, and the newest few per place', () => {
  const store = new TraceStore();
  const spans = Array.from({ length: 300 }, (_, i) => ({
    ...randomRun(rng(3), 'big', 1)[0],
    spanId: `s${i}`,
    startNs: BigInt(1_000 + i) * 1_000_000n,
    endNs: BigInt(1_000 + i + 10) * 1_000_000n,
    attributes: { 'code.filepath': 'agent/tools.py', 'code.lineno': 12 },
  }));
  store.addSpans(TRACE_FILE, spans);
  const [digest] = runSteps(runDigests(store.runs()));
  const at = digest.paths.find((p) => p.path === 'agent/tools.py' && p.line === 12)!;
  assert.equal(at.count, 300);
  assert.equal(at.recent.length, SPANS_KEPT_PER_PLACE);
  assert.deepEqual(at.recent.slice(0, 2).map((r) => r.spanId), ['s299', 's298']);
  const records = new Set<unknown>(store.runs()[0].allSpans());
  assert.ok(at.recent.every((r) => !records.has(r) && !('attributes' in r)), 'refs, not records');
  assert.equal(at.durations.length, 300);
});

test('references no lens lists are let go across runs: the newest per place stay, the lenses are the same', () => {
  for (const seed of [4, 8, 15]) {
    const next = rng(seed);
    const store = new TraceStore();
    for (let r = 0; r < 40; r++) store.addSpans(TRACE_FILE, randomRun(next, `k${seed}-${r}`, 20 + Math.floor(next() * 80)));
    const places = placesFor(resolvedNames());
    const digests = runSteps(runDigests(store.runs()));
    const refsAt = () => {
      const n = new Map<string, number>();
      for (const d of digests) {
        for (const s of d.paths) n.set(`${s.path}:${s.line}`, (n.get(`${s.path}:${s.line}`) ?? 0) + s.recent.length);
        for (const named of d.names) n.set(named.key, (n.get(named.key) ?? 0) + named.recent.length);
      }
      return n;
    };
    const before = refsAt();
    assert.ok([...before.values()].some((n) => n > SPANS_KEPT_PER_PLACE), `seed ${seed}: some place has more references than a lens lists`);
    keepNewestRefs(digests);
    const after = refsAt();
    for (const [place, n] of before) assert.equal(after.get(place), Math.min(n, SPANS_KEPT_PER_PLACE), `seed ${seed}: ${place}`);
    // The digests are pruned in place and cached: the lenses still equal the full walk's.
    assertSameAsFullWalk(store.runs(), places, `seed ${seed}, pruned`);
  }
});

test('the merge kept between builds gives what a fresh one does: runs grown, new, gone; a place resolved later', () => {
  const next = rng(11);
  const store = new TraceStore();
  for (let r = 0; r < 12; r++) store.addSpans(TRACE_FILE, randomRun(next, `m${r}`, 80));
  const names = resolvedNames();
  // `plan_step` not found at first (its language server still starting), found later.
  const planKey = nameKey({ name: 'plan_step', attributes: undefined });
  const found = names.get(planKey)!;
  names.set(planKey, undefined);
  const places = placesFor(names);
  const merge = new SpanLocationsMerge();
  const same = (label: string, placedRuns: number) => {
    const digests = runSteps(runDigests(store.runs()));
    const kept = runSteps(merge.update(digests, places));
    assert.equal(merge.placedRuns, placedRuns, `${label}: runs placed`);
    const fresh = runSteps(buildSpanLocations(digests, places));
    assert.deepEqual([...kept.keys()].sort(), [...fresh.keys()].sort(), label);
    for (const [file, lines] of fresh) {
      assert.deepEqual(kept.get(file)!.map((l) => l.line), lines.map((l) => l.line), `${label}: lines of ${file}`);
      for (const l of lines) assert.deepEqual(spanStatsInRange(kept.get(file)!, l.line, l.line), spanStatsInRange(lines, l.line, l.line), `${label}: ${file}:${l.line}`);
    }
    return kept;
  };
  const first = same('first', 12);
  const firstCopy = new Map([...first].map(([k, v]) => [k, [...v]]));
  same('unchanged', 0);
  store.addSpans(TRACE_FILE, randomRun(next, 'm2', 10).map((s, i) => ({ ...s, spanId: `grown-${i}` })));
  store.addSpans(TRACE_FILE, randomRun(next, 'm-new', 30));
  same('one grown, one new', 2);
  assert.deepEqual(first, firstCopy, 'an index given before does not change');
  store.removeFile(TRACE_FILE);
  store.addSpans(TRACE_FILE, randomRun(next, 'm5', 20));
  same('all gone but one', 1);
  names.set(planKey, found);
  same('a name found later: every run placed again', 1);
  assertSameAsFullWalk(store.runs(), places, 'after it all');
});

test("a run's places are one list, each path and line or name once, a path's lines together; durations exactly the ended spans", () => {
  const next = rng(21);
  const store = new TraceStore();
  for (let r = 0; r < 10; r++) store.addSpans(TRACE_FILE, randomRun(next, `p${r}`, 150));
  for (const d of runSteps(runDigests(store.runs()))) {
    const pathLines = d.paths.map((p) => `${p.path}\u0000${p.line}`);
    assert.equal(new Set(pathLines).size, pathLines.length, 'each path and line once');
    const paths = d.paths.map((p) => p.path).filter((p, i, all) => i === 0 || all[i - 1] !== p);
    assert.equal(new Set(paths).size, paths.length, "a path's lines together");
    assert.equal(new Set(d.names.map((n) => n.key)).size, d.names.length, 'each name once');
    for (const p of [...d.paths, ...d.names]) {
      assert.equal(p.durations.length, p.count - p.running);
      assert.deepEqual(p.durations, [...p.durations].sort((a, b) => a - b));
    }
  }
});

test('digests read back from their index give the same lenses as the walked ones, without reading the runs', () => {
  for (const seed of [3, 17, 99]) {
    const next = rng(seed);
    const store = new TraceStore();
    for (let r = 0; r < 15; r++) store.addSpans(TRACE_FILE, randomRun(next, `j${seed}-${r}`, 1 + Math.floor(next() * 200)));
    const places = placesFor(resolvedNames());
    const walked = runSteps(runDigests(store.runs()));
    const json: JsonDigest[] = JSON.parse(JSON.stringify(digestsToJson(walked)));
    let reads = 0;
    const restored = store.runs().map((t, i) => {
      const r = Trace.restored(t.traceId, t.summary(), () => (reads++, [...t.allSpans()]));
      knownDigest(r, TRACE_FILE, json[i]);
      assert.ok(cachedRunDigest(r), `seed ${seed}: run ${i} has its digest`);
      return r;
    });
    const before = runSteps(buildSpanLocations(walked, places));
    const after = runSteps(buildSpanLocations(runSteps(runDigests(restored)), places));
    assert.equal(reads, 0, 'no run read back');
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
    for (const [file, lines] of before) {
      assert.deepEqual(after.get(file)!.map((l) => l.line), lines.map((l) => l.line));
      for (const r of [...RANGES, ...lines.map((l) => ({ name: 'one', startLine: l.line, endLine: l.line, nameLine: l.line }))]) {
        assert.deepEqual(spanStatsInRange(after.get(file)!, r.startLine, r.endLine), spanStatsInRange(lines, r.startLine, r.endLine), `seed ${seed}: ${file} ${r.startLine}-${r.endLine}`);
      }
    }
  }
});

test('an index naming a place twice keeps the last where the first stood, as the maps it was written from did', () => {
  const store = new TraceStore();
  store.addSpans(TRACE_FILE, randomRun(rng(1), 'dup', 3));
  const trace = Trace.restored('dup', store.runs()[0].summary(), () => []);
  const stats = (count: number) => [count, 0, 0, '5000000', [1], []] as const;
  knownDigest(trace, TRACE_FILE, {
    paths: [['a.py', 1, stats(1)], ['b.py', 4, stats(2)], ['a.py', 2, stats(3)], ['a.py', 1, stats(4)]],
    names: [['k1', 'one', null, stats(5)], ['k2', 'two', null, stats(6)], ['k1', 'one', null, stats(7)]],
  });
  const d = cachedRunDigest(trace)!;
  assert.deepEqual(d.paths.map((p) => [p.path, p.line, p.count]), [['a.py', 1, 4], ['a.py', 2, 3], ['b.py', 4, 2]]);
  assert.deepEqual(d.names.map((n) => [n.key, n.count]), [['k1', 7], ['k2', 6]]);
});

test('a digest kept as its index text is the one the JSON gives, parsed when first asked for; a stale or malformed one is walked', () => {
  const next = rng(5);
  const store = new TraceStore();
  for (let r = 0; r < 8; r++) store.addSpans(TRACE_FILE, randomRun(next, `t${r}`, 1 + Math.floor(next() * 120)));
  const walked = runSteps(runDigests(store.runs()));
  const texts = digestsToJson(walked).map(digestToText);
  store.runs().forEach((t, i) => {
    const fromJson = Trace.restored(t.traceId, t.summary(), () => [...t.allSpans()]);
    knownDigest(fromJson, TRACE_FILE, JSON.parse(texts[i]) as JsonDigest);
    const fromText = Trace.restored(t.traceId, t.summary(), () => [...t.allSpans()]);
    knownDigest(fromText, TRACE_FILE, texts[i]);
    assert.deepEqual(cachedRunDigest(fromText), cachedRunDigest(fromJson), `run ${i}`);
    assert.equal(cachedRunDigest(fromText), cachedRunDigest(fromText), 'parsed once, then kept');
  });

  const malformed = Trace.restored('bad', store.runs()[0].summary(), () => [...store.runs()[0].allSpans()]);
  knownDigest(malformed, TRACE_FILE, '{"paths":[');
  assert.equal(cachedRunDigest(malformed), undefined);
  const walks = digestWalks.count;
  assert.ok(runSteps(runDigests([malformed]))[0], 'walked from its spans instead');
  assert.equal(digestWalks.count, walks + 1);

  const grown = Trace.restored('grown', store.runs()[1].summary(), () => [...store.runs()[1].allSpans()]);
  knownDigest(grown, TRACE_FILE, texts[1]);
  grown.reread();
  assert.equal(cachedRunDigest(grown), undefined, 'not for another revision');
});
