// The stacks runtimes really print, read frame by frame: file, line, function, and which end
// of the stack is innermost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { innermostFirst, parseStackTrace } from '../../src/core/source/stackFrames';
import { DOTNET_STACK, GO_PANIC, JAVA_STACK, NODE_STACK, PYTHON_TRACEBACK } from './stacks';

const located = (stack: string) => innermostFirst(parseStackTrace(stack)).map((f) => [f.path, f.line, f.function, f.format]);

test('a Node stack from a thrown error: innermost first, `async` and file:// URLs read, node: internals left out', () => {
  assert.deepEqual(located(NODE_STACK), [
    ['/home/ci/build/src/agent/tools.ts', 41, 'lookupOrder', 'node'],
    ['/home/ci/build/src/agent/agent.ts', 88, 'Agent.runTool', 'node'],
    ['/home/ci/build/node_modules/ai/dist/index.mjs', 3210, undefined, 'node'],
  ]);
});

test('a Python traceback is printed outermost first: its innermost frame is its last', () => {
  assert.deepEqual(located(PYTHON_TRACEBACK), [
    ['/usr/local/lib/python3.12/site-packages/httpx/_client.py', 1054, 'get', 'python'],
    ['/app/agent/tools.py', 29, 'lookup_order', 'python'],
    ['/app/agent/main.py', 52, 'run_support_agent', 'python'],
  ]);
});

test('a Java stack names the class file and the qualified method', () => {
  assert.deepEqual(located(JAVA_STACK), [
    ['OrderTools.java', 37, 'com.acme.agent.OrderTools.lookupOrder', 'jvm'],
    ['SupportAgent.java', 58, 'com.acme.agent.SupportAgent.run', 'jvm'],
    ['Thread.java', 1583, 'java.base/java.lang.Thread.run', 'jvm'],
  ]);
});

test('a Go panic names each function on the line above its file', () => {
  assert.deepEqual(located(GO_PANIC), [
    ['/home/ci/go/src/github.com/acme/agent/tools/orders.go', 31, 'github.com/acme/agent/tools.LookupOrder', 'go'],
    ['/home/ci/go/src/github.com/acme/agent/main.go', 12, 'main.main', 'go'],
  ]);
});

test('a .NET stack: `at Method(args) in path:line N`, Windows paths kept whole', () => {
  assert.deepEqual(located(DOTNET_STACK), [
    ['C:\\build\\src\\Acme.Agent\\OrderTools.cs', 37, 'Acme.Agent.OrderTools.LookupOrder', 'dotnet'],
    ['C:\\build\\src\\Acme.Agent\\SupportAgent.cs', 58, 'Acme.Agent.SupportAgent.RunAsync', 'dotnet'],
  ]);
});

test('a stack embedded in an error message after its first line parses as well', () => {
  const message = `lookup_order failed: upstream said no\n${NODE_STACK}`;
  assert.equal(innermostFirst(parseStackTrace(message))[0].path, '/home/ci/build/src/agent/tools.ts');
});

test('source-mapped frames of a webpack bundle name the source file, without the bundle’s name', () => {
  const stack = ['TypeError: x is undefined', '    at lookupOrder (webpack://shop-agent/./src/agent/tools.ts:41:11)', '    at webpack:///src/agent/agent.ts:88:20'].join('\n');
  assert.deepEqual(located(stack), [
    ['./src/agent/tools.ts', 41, 'lookupOrder', 'node'],
    ['src/agent/agent.ts', 88, undefined, 'node'],
  ]);
});
