import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildSourceIndex, sourceFileKey, SPANS_KEPT_PER_LINE } from '../../src/core/source/sourceIndex';
import { SpanKind, StatusCode, type SpanRecord } from '../../src/core/model/span';
import { runSteps } from '../../src/core/util/steps';
import { TraceStore } from '../../src/core/model/traceStore';
import { ms } from './otlpBuilder';

const FOLDER = path.resolve('/work/app');
const TRACE_FILE = path.join(FOLDER, '.tracerun', 'otlp.jsonl');

function span(trace: string, id: string, start: number, end: number, attrs: Record<string, string | number>, failed = false): SpanRecord {
  return {
    traceId: trace,
    spanId: id,
    parentSpanId: '',
    name: `span ${id}`,
    kind: SpanKind.Internal,
    startNs: ms(start),
    endNs: end === 0 ? 0n : ms(end),
    statusCode: failed ? StatusCode.Error : StatusCode.Ok,
    errorMessage: failed ? 'boom' : undefined,
    attributes: attrs,
    resource: { serviceName: 'svc', attributesStart: 0, attributesEnd: 0 },
    scope: undefined,
    origin: { file: TRACE_FILE, line: 1 },
    byteStart: 0,
    byteEnd: 0,
  };
}

test('spans group by the source file and line they record, across runs; relative paths resolve in the workspace', () => {
  const store = new TraceStore();
  const at = (line: number, fn = 'lookup_order') => ({ 'code.filepath': 'agent/tools.py', 'code.lineno': line, 'code.function': fn });
  store.addSpans(TRACE_FILE, [
    span('t1', 'a1', 0, 100, at(12)),
    span('t1', 'a2', 200, 500, at(12), true),
    span('t1', 'a3', 600, 0, at(12)), // still running
    span('t1', 'b1', 0, 50, { 'code.file.path': path.join(FOLDER, 'agent', 'tools.py'), 'code.line.number': 40, 'code.function.name': 'refund' }),
    span('t1', 'n1', 0, 50, { 'code.filepath': 'agent/tools.py' }), // no line: no lens
  ]);
  store.addSpans(TRACE_FILE, [span('t2', 'c1', 1000, 1300, at(12)), span('t2', 'd1', 0, 5, { other: 'x' })]);
  const index = runSteps(buildSourceIndex(store.runs(), [FOLDER]));
  assert.deepEqual([...index.keys()], [path.join(FOLDER, 'agent', 'tools.py')]);
  const [line12, line40] = index.get(path.join(FOLDER, 'agent', 'tools.py'))!;
  assert.equal(line12.line, 12);
  assert.equal(line12.function, 'lookup_order');
  assert.equal(line12.count, 4);
  assert.equal(line12.failed, 1);
  assert.equal(line12.running, 1);
  assert.equal(line12.medianMs, 300, 'median of 100, 300 and 300 ms; the running one has no duration yet');
  assert.deepEqual(line12.recent.map((r) => [r.traceId, r.span.spanId]), [['t2', 'c1'], ['t1', 'a3'], ['t1', 'a2'], ['t1', 'a1']], 'newest first');
  assert.equal(line40.count, 1);
  assert.equal(line40.function, 'refund');
});

test('a line that produced thousands of spans keeps only the newest to pick from', () => {
  const store = new TraceStore();
  const spans: SpanRecord[] = [];
  for (let i = 0; i < 5000; i++) spans.push(span('t', `s${i}`, (i * 7919) % 5000, ((i * 7919) % 5000) + 1, { 'code.filepath': '/abs/loop.py', 'code.lineno': 3 }));
  store.addSpans(TRACE_FILE, spans);
  const [at] = runSteps(buildSourceIndex(store.runs(), [FOLDER])).get(path.normalize('/abs/loop.py'))!;
  assert.equal(at.count, 5000);
  assert.equal(at.recent.length, SPANS_KEPT_PER_LINE);
  assert.deepEqual(at.recent.slice(0, 3).map((r) => r.span.startNs), [ms(4999), ms(4998), ms(4997)]);
  assert.equal(at.lastStartMs, Number(ms(4999) / 1_000_000n));
});

test('source files are looked up as VS Code names them: a Windows drive letter in either case', () => {
  assert.equal(sourceFileKey('C:\\App\\agent\\..\\tools.py', 'win32'), 'c:\\App\\tools.py');
  assert.equal(sourceFileKey('c:\\App\\tools.py', 'win32'), 'c:\\App\\tools.py');
  assert.equal(sourceFileKey('/home/me/App/./tools.py', 'linux'), '/home/me/App/tools.py', 'case kept elsewhere');
});
