import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_PROBLEMS_PER_FILE, TraceWorkspace, type ProblemChange } from '../../src/core/ingest/traceWorkspace';

test('a file with a problem on every line keeps the first ones and counts the rest', () => {
  const ws = new TraceWorkspace();
  const events: ProblemChange[] = [];
  ws.onDidChangeProblems((e) => events.push(e));
  for (let line = 1; line <= 250; line++) ws.problem({ file: '/w/garbage.jsonl', line, message: 'malformed OTLP JSON' });
  ws.problem({ file: '/w/other.jsonl', line: 7, message: 'malformed OTLP JSON' });
  assert.equal(ws.problems().length, MAX_PROBLEMS_PER_FILE + 1);
  assert.equal(ws.problemCount(), 251);
  assert.deepEqual(ws.problems().filter((p) => p.file === '/w/garbage.jsonl').map((p) => p.line).slice(-2), [99, 100], 'the first ones, in order');
  assert.deepEqual(events[MAX_PROBLEMS_PER_FILE], { file: '/w/garbage.jsonl', notKept: 1 });
  assert.deepEqual(events[249], { file: '/w/garbage.jsonl', notKept: 150 });
  ws.reset('/w/garbage.jsonl');
  assert.equal(ws.problemCount(), 1, 'a re-read starts the count again');
  assert.deepEqual(events.at(-1), { file: '/w/garbage.jsonl', cleared: true });
  ws.dispose();
});
