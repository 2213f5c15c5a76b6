import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInProgress, spanDurationMs, StatusCode, type SpanRecord } from '../../src/core/model/span';
import { innermostRange, rangeLenses, spanStatsInRange, type CodeRange, type LineSpans } from '../../src/core/source/functionSpans';
import { spanRef } from '../../src/core/source/runDigest';

interface LocatedSpan {
  readonly line: number;
  readonly span: SpanRecord;
}

let next = 0;
function at(line: number, startMs: number, durationMs: number | 'running', failed = false): LocatedSpan {
  const startNs = BigInt(startMs) * 1_000_000n;
  const span = {
    traceId: 't',
    spanId: (++next).toString(16).padStart(16, '0'),
    name: `s${next}`,
    startNs,
    endNs: durationMs === 'running' ? 0n : startNs + BigInt(durationMs) * 1_000_000n,
    statusCode: failed ? StatusCode.Error : StatusCode.Unset,
  } as SpanRecord;
  return { line, span };
}
/** By line, each span a run's part of its own (the merge of parts is what is tested). */
function sorted(spans: LocatedSpan[]): LineSpans[] {
  const lines = new Map<number, LineSpans>();
  for (const { line, span } of spans) {
    const parts = (lines.get(line)?.parts ?? []) as LineSpans['parts'][number][];
    parts.push({
      count: 1,
      failed: span.statusCode === StatusCode.Error ? 1 : 0,
      running: isInProgress(span) ? 1 : 0,
      durations: isInProgress(span) ? [] : [spanDurationMs(span)],
      lastStartNs: span.startNs,
      recent: [spanRef(span)],
    });
    lines.set(line, { line, parts });
  }
  return [...lines.values()].sort((a, b) => a.line - b.line);
}

test('a function counts the spans from every line of its body: p50, p95 (over 10 or more), failed, running, newest first', () => {
  const spans = sorted([at(12, 1000, 100), at(15, 2000, 300, true), at(15, 3000, 'running'), at(40, 4000, 5)]);
  const s = spanStatsInRange(spans, 10, 20)!;
  assert.deepEqual([s.count, s.failed, s.running, s.p50Ms, s.p95Ms, s.lines, s.lastStartMs], [3, 1, 1, 200, undefined, 2, 3000]);
  assert.deepEqual(s.recent.map((r) => r.startNs / 1_000_000n), [3000n, 2000n, 1000n]);
  assert.equal(spanStatsInRange(spans, 16, 39), undefined);
  const many = sorted(Array.from({ length: 20 }, (_, i) => at(5, i, (i + 1) * 10)));
  const m = spanStatsInRange(many, 1, 9, 3)!;
  assert.deepEqual([m.p50Ms, m.p95Ms], [105, 190]);
  assert.deepEqual(m.recent.map((r) => Number(r.startNs / 1_000_000n)), [19, 18, 17], 'only the newest `keep`');
});

test('lenses: one per function with spans (nested ones too), one per line outside every function', () => {
  const functions: CodeRange[] = [
    { name: 'Agent', startLine: 10, endLine: 30, nameLine: 10 },
    { name: 'run', startLine: 12, endLine: 20, nameLine: 12 },
    { name: 'idle', startLine: 40, endLine: 45, nameLine: 40 },
  ];
  const spans = sorted([at(3, 1, 1), at(3, 2, 1), at(14, 3, 1), at(18, 4, 1), at(25, 5, 1), at(50, 6, 1)]);
  const lenses = rangeLenses(spans, functions);
  assert.deepEqual(lenses.map((l) => [l.name ?? `line ${l.startLine}`, l.stats.count]), [['line 3', 2], ['Agent', 3], ['run', 2], ['line 50', 1]]);
  // No symbols (a language without a provider): every line with spans has its lens.
  assert.deepEqual(rangeLenses(spans, []).map((l) => [l.startLine, l.stats.count]), [[3, 2], [14, 1], [18, 1], [25, 1], [50, 1]]);
});

test('the function at a line is the innermost; on its name only when asked', () => {
  const functions: CodeRange[] = [
    { name: 'Agent', startLine: 10, endLine: 30, nameLine: 10 },
    { name: 'run', startLine: 11, endLine: 20, nameLine: 12 },
  ];
  assert.equal(innermostRange(functions, 15)?.name, 'run');
  assert.equal(innermostRange(functions, 25)?.name, 'Agent');
  assert.equal(innermostRange(functions, 12, true)?.name, 'run');
  assert.equal(innermostRange(functions, 15, true), undefined);
});
