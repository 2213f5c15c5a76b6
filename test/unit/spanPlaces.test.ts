// Where each run's spans were read from, kept per run as a flat list of files and their lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanPlaces } from '../../src/core/history/spanPlaces';
import { SpanKind, StatusCode, type SpanRecord } from '../../src/core/model/span';

function span(traceId: string, file: string, line: number, lineStart?: number): SpanRecord {
  return {
    traceId, spanId: `${file}:${line}:${Math.random()}`, parentSpanId: '', name: 's', kind: SpanKind.Internal, startNs: 1n, endNs: 2n,
    statusCode: StatusCode.Unset, errorMessage: undefined, attributes: undefined, resource: { serviceName: undefined, attributesStart: 0, attributesEnd: 0 },
    scope: undefined, origin: { file, line, ...(lineStart === undefined ? {} : { lineStart, lineEnd: lineStart + 10 }) }, byteStart: 0, byteEnd: 0,
  };
}

test("a run's lines per file: noted once per line, in two files, settled, joined from an index, a file removed", () => {
  const places = new SpanPlaces();
  places.add(span('t1', 'a.jsonl', 1, 0));
  places.add(span('t1', 'a.jsonl', 1, 0));
  places.add(span('t1', 'a.jsonl', 2, 10));
  places.add(span('t2', 'a.jsonl', 2, 10));
  assert.deepEqual(places.linesOf('t1', 'a.jsonl'), [1, 0, 10, 2, 10, 20]);
  assert.equal(places.inSeveralFiles('t1'), false);
  places.add(span('t1', 'b.jsonl', 7, 100));
  assert.equal(places.inSeveralFiles('t1'), true);
  places.settle('t1');
  assert.deepEqual(places.linesOf('t1', 'a.jsonl'), [1, 0, 10, 2, 10, 20]);
  assert.deepEqual(places.linesOf('t1', 'b.jsonl'), [7, 100, 110]);
  places.addLines('t1', 'b.jsonl', [9, 200, 210]);
  places.addLines('t3', 'c.jsonl', [1, 0, 5]);
  assert.deepEqual(places.linesOf('t1', 'b.jsonl'), [7, 100, 110, 9, 200, 210]);
  assert.deepEqual(places.linesOf('t3', 'c.jsonl'), [1, 0, 5]);
  assert.ok(places.canReload('t3'));
  places.removeFile('a.jsonl', ['t1', 't2']);
  assert.equal(places.linesOf('t1', 'a.jsonl'), undefined);
  assert.deepEqual(places.linesOf('t1', 'b.jsonl'), [7, 100, 110, 9, 200, 210]);
  assert.equal(places.inSeveralFiles('t1'), false);
  assert.equal(places.canReload('t2'), false, 'nothing left of t2');
  // A span without a line of its own pins its run: never evicted.
  places.add(span('t3', 'c.jsonl', 4));
  assert.ok(places.isPinned('t3'));
  assert.equal(places.canReload('t3'), false);
});
