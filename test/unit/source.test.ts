import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { sourceCandidates, sourceLocationOf } from '../../src/core/source/source';
import { otlpLine } from './otlpBuilder';

/** The indexed attributes of a span with `attributes`, as read from an OTLP JSON line. */
function indexed(attributes: Record<string, unknown>) {
  const buf = Buffer.from(otlpLine([{ traceId: '5b8efff798038103d269b633813fc60c', spanId: '0000000000000001', name: 's', start: 1, end: 2, attributes }]));
  const { spans } = readOtlpJson(buf, 0, buf.length, { file: '/w/.tracerun/t.jsonl', line: 1, byteBase: 0 });
  return spans[0].attributes;
}

test('source from the older code.filepath / code.lineno / code.function attributes', () => {
  const loc = sourceLocationOf(
    indexed({ 'code.filepath': 'agent/tools.py', 'code.lineno': 42, 'code.function': 'search', 'code.namespace': 'agent.tools', 'input.value': 'x' }),
  );
  assert.deepEqual(loc, { path: 'agent/tools.py', line: 42, column: undefined, function: 'search', namespace: 'agent.tools' });
});

test('source from the current code.file.path / code.line.number / code.function.name attributes', () => {
  const loc = sourceLocationOf(
    indexed({ 'code.file.path': '/srv/app/main.ts', 'code.line.number': 7, 'code.column.number': 3, 'code.function.name': 'Agent.run' }),
  );
  assert.deepEqual(loc, { path: '/srv/app/main.ts', line: 7, column: 3, function: 'Agent.run', namespace: undefined });
});

test('the current names win over the older ones; line numbers written as strings count', () => {
  const loc = sourceLocationOf({
    'code.filepath': 'old.py',
    'code.file.path': 'new.py',
    'code.lineno': 1,
    'code.line.number': '12',
    'code.function': 'old_fn',
    'code.function.name': 'new_fn',
  });
  assert.equal(loc?.path, 'new.py');
  assert.equal(loc?.line, 12);
  assert.equal(loc?.function, 'new_fn');
});

test('no source without a file path; bad line numbers are dropped, not guessed', () => {
  assert.equal(sourceLocationOf(undefined), undefined);
  assert.equal(sourceLocationOf({}), undefined);
  assert.equal(sourceLocationOf({ 'code.lineno': 5, 'code.function': 'f' }), undefined);
  assert.equal(sourceLocationOf({ 'code.filepath': '' }), undefined);
  for (const bad of [0, -3, 1.5, 'abc', '']) {
    const loc = sourceLocationOf({ 'code.filepath': 'a.py', 'code.lineno': bad });
    assert.equal(loc?.path, 'a.py');
    assert.equal(loc?.line, undefined, `line ${JSON.stringify(bad)}`);
  }
});

test('an absolute recorded path is the only candidate', () => {
  assert.deepEqual(sourceCandidates('/srv/app/../app/main.py', ['/w1', '/w2'], '/w2/.tracerun/t.jsonl'), ['/srv/app/main.py']);
});

test('a relative path resolves against each folder, the trace file’s folder first', () => {
  const folders = ['/work/api', '/work/agent', '/work/web'];
  assert.deepEqual(sourceCandidates('src/tools.py', folders, '/work/agent/.tracerun/run.jsonl'), [
    '/work/agent/src/tools.py',
    '/work/api/src/tools.py',
    '/work/web/src/tools.py',
  ]);
  assert.deepEqual(sourceCandidates('./src/../lib/x.py', folders), ['/work/api/lib/x.py', '/work/agent/lib/x.py', '/work/web/lib/x.py']);
  assert.deepEqual(sourceCandidates('x.py', folders, '/elsewhere/t.jsonl'), ['/work/api/x.py', '/work/agent/x.py', '/work/web/x.py']);
  // A folder whose name merely starts like the trace file's folder does not count.
  assert.deepEqual(sourceCandidates('x.py', ['/work/app', '/work/app-ui'], '/work/app-ui/traces/t.jsonl'), ['/work/app-ui/x.py', '/work/app/x.py']);
});

test('with nested folders, the innermost folder holding the trace file comes first', () => {
  const folders = ['/work', '/work/services/agent'];
  assert.deepEqual(sourceCandidates('main.py', folders, '/work/services/agent/.tracerun/t.jsonl'), [
    '/work/services/agent/main.py',
    '/work/main.py',
  ]);
  assert.deepEqual(sourceCandidates('main.py', ['/work/', '/other'], '/work/.tracerun/t.jsonl'), ['/work/main.py', '/other/main.py'], 'a trailing slash on a folder still matches');
});

test('file:// URIs are read as paths, percent-escapes decoded', () => {
  assert.deepEqual(sourceCandidates('file:///srv/my%20app/main.py', ['/w']), ['/srv/my app/main.py']);
  const real = path.join('/tmp', 'dir with spaces', 'ünï.py');
  assert.deepEqual(sourceCandidates(pathToFileURL(real).href, ['/w']), [real]);
  assert.deepEqual(sourceCandidates('file://localhost/srv/app.py', ['/w']), ['/srv/app.py']);
});

test('a malformed file:// URI does not throw', () => {
  assert.doesNotThrow(() => sourceCandidates('file:///srv/100%.py', ['/w']));
  assert.deepEqual(sourceCandidates('file:///srv/100%.py', ['/w']), ['/srv/100%.py']);
});
