// Stacks printed by the runtimes themselves on this machine (Node here, Python and Go run for
// the test), not written by hand: the parser must find the frame that raised.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { innermostFirst, parseStackTrace } from '../../src/core/source/stackFrames';

function lookupOrder(id: string): never {
  throw new Error(`order ${id} not found`);
}

test('a stack Node printed for a thrown error: the innermost frame is the function that threw', () => {
  let stack = '';
  try {
    lookupOrder('A1042');
  } catch (err) {
    stack = (err as Error).stack ?? '';
  }
  const [innermost] = innermostFirst(parseStackTrace(stack));
  assert.equal(innermost?.format, 'node', stack);
  assert.match(innermost.function ?? '', /lookupOrder/);
  assert.equal(path.basename(innermost.path ?? ''), 'liveStacks.test.js', stack);
  assert.ok((innermost.line ?? 0) > 0);
});

const PYTHON_AGENT = ['import json', '', 'def lookup_order(order_id):', '    raise KeyError(f"order {order_id} not found")', '', 'def run():', '    return lookup_order("A1042")', '', 'run()', ''].join('\n');

test('a traceback Python printed: the innermost frame is the raise, the last one printed', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stack-py-'));
  const file = path.join(dir, 'agent.py');
  writeFileSync(file, PYTHON_AGENT);
  let traceback = '';
  try {
    execFileSync('python3', [file], { encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    traceback = String((err as { stderr?: string }).stderr ?? '');
  }
  assert.match(traceback, /Traceback/);
  const frames = innermostFirst(parseStackTrace(traceback));
  assert.deepEqual(
    frames.map((f) => [f.path, f.line, f.function, f.format]),
    [
      [file, 4, 'lookup_order', 'python'],
      [file, 7, 'run', 'python'],
      // Module level is no function to look for.
      [file, 9, undefined, 'python'],
    ],
    traceback,
  );
});

const GO_AGENT = ['package main', '', 'func lookupOrder(id string) string {', '\tpanic("order " + id + " not found")', '}', '', 'func main() {', '\tlookupOrder("A1042")', '}', ''].join('\n');

test('a panic Go printed: each function above its file and line, the panicking one first, inlined (no +0x…) or not', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stack-go-'));
  const file = path.join(dir, 'main.go');
  writeFileSync(file, GO_AGENT);
  let panic = '';
  try {
    execFileSync('go', ['run', file], { encoding: 'utf8', stdio: 'pipe', cwd: dir, env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'off' } });
  } catch (err) {
    panic = String((err as { stderr?: string }).stderr ?? '');
  }
  assert.match(panic, /panic: order A1042 not found/);
  const [innermost, caller] = innermostFirst(parseStackTrace(panic));
  assert.deepEqual([innermost?.path, innermost?.line, innermost?.function, innermost?.format], [file, 4, 'main.lookupOrder', 'go'], panic);
  assert.deepEqual([caller?.path, caller?.line, caller?.function], [file, 8, 'main.main'], panic);
});
