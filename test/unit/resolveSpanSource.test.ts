// The chain from a span to its code, over a real workspace folder: attributes, stack traces in
// every place a span keeps one, then symbols.
import assert from 'node:assert/strict';
import { mkdirSync, promises as fs, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { resolveSpanSource, type SourceContext, type SpanSourceInput } from '../../src/core/source/resolveSpanSource';
import type { SymbolCandidate } from '../../src/core/source/symbolMatch';
import { DOTNET_STACK, GO_PANIC, JAVA_STACK, NODE_STACK, PYTHON_TRACEBACK } from './stacks';
import { tempDir } from './tempDir';

const FILES = [
  'agent/main.py',
  'agent/tools.py',
  'tools.py',
  'src/agent/tools.ts',
  'src/agent/agent.ts',
  'node_modules/ai/dist/index.mjs',
  'src/main/java/com/acme/agent/OrderTools.java',
  'tools/orders.go',
  'Acme.Agent/OrderTools.cs',
];

function workspace(t: TestContext): string {
  const ws = tempDir(t, 'tracerun-ws-');
  for (const file of FILES) {
    mkdirSync(path.dirname(path.join(ws, file)), { recursive: true });
    writeFileSync(path.join(ws, file), '\n');
  }
  return ws;
}

function context(ws: string, extra: Partial<SourceContext> = {}): SourceContext {
  return {
    folders: [ws],
    exists: async (file) => (await fs.stat(file).catch(() => undefined))?.isFile() === true,
    ...extra,
  };
}

const span = (extra: Partial<SpanSourceInput>): SpanSourceInput => ({ name: 'lookup', attributes: {}, ...extra });
const exception = (attributes: Record<string, string>) => ({ name: 'exception', attributes });

test('code.* attributes first: a container path lands on the file by its longest suffix', async (t) => {
  const ws = workspace(t);
  const r = await resolveSpanSource(span({ attributes: { 'code.filepath': '/app/agent/tools.py', 'code.lineno': 29, 'code.function': 'lookup_order', 'code.column': 5 } }), context(ws));
  assert.deepEqual(r.found, { path: path.join(ws, 'agent/tools.py'), line: 29, column: 5, function: 'lookup_order', via: 'attributes' });
});

test('tracerun.pathMappings sends a prefix where the suffix alone would not', async (t) => {
  const ws = workspace(t);
  const input = span({ attributes: { 'code.file.path': '/srv/app/tools.py', 'code.line.number': 3 } });
  assert.equal((await resolveSpanSource(input, context(ws))).found?.path, path.join(ws, 'tools.py'));
  const mapped = await resolveSpanSource(input, context(ws, { pathMappings: { '/srv/app': '${workspaceFolder}/agent' } }));
  assert.equal(mapped.found?.path, path.join(ws, 'agent/tools.py'));
});

test('each runtime’s stack trace lands on its innermost frame in the workspace, dependencies skipped', async (t) => {
  const ws = workspace(t);
  const cases: [string, SpanSourceInput, string, number, string][] = [
    ['Python, exception.stacktrace', span({ events: [exception({ 'exception.stacktrace': PYTHON_TRACEBACK })] }), 'agent/tools.py', 29, 'lookup_order'],
    ['Node, code.stacktrace', span({ attributes: { 'code.stacktrace': NODE_STACK } }), 'src/agent/tools.ts', 41, 'lookupOrder'],
    ['Java, in exception.message', span({ events: [exception({ 'exception.message': JAVA_STACK })] }), 'src/main/java/com/acme/agent/OrderTools.java', 37, 'com.acme.agent.OrderTools.lookupOrder'],
    ['Go, in the status message', span({ statusMessage: GO_PANIC }), 'tools/orders.go', 31, 'github.com/acme/agent/tools.LookupOrder'],
    ['.NET', span({ events: [exception({ 'exception.stacktrace': DOTNET_STACK })] }), 'Acme.Agent/OrderTools.cs', 37, 'Acme.Agent.OrderTools.LookupOrder'],
  ];
  for (const [what, input, file, line, fn] of cases) {
    const r = await resolveSpanSource(input, context(ws));
    assert.deepEqual(r.found && [path.relative(ws, r.found.path), r.found.line, r.found.function, r.found.via], [file, line, fn, 'stacktrace'], what);
  }
});

test('a frame in node_modules is skipped even when it is the innermost and its file is there', async (t) => {
  const ws = workspace(t);
  const stack = ['Error: boom', '    at x (/ci/node_modules/ai/dist/index.mjs:1:1)', '    at Agent.runTool (/ci/src/agent/agent.ts:88:20)'].join('\n');
  const r = await resolveSpanSource(span({ attributes: { 'code.stacktrace': stack } }), context(ws));
  assert.equal(r.found?.path, path.join(ws, 'src/agent/agent.ts'));
});

test('code.* naming a missing file falls through to the stack; nothing found says what was tried', async (t) => {
  const ws = workspace(t);
  const input = span({ attributes: { 'code.filepath': 'agent/missing.py', 'code.lineno': 3 }, events: [exception({ 'exception.stacktrace': PYTHON_TRACEBACK })] });
  assert.equal((await resolveSpanSource(input, context(ws))).found?.via, 'stacktrace');
  const none = await resolveSpanSource(span({ name: 'embed query', attributes: { 'code.filepath': 'agent/missing.py' } }), context(ws));
  assert.equal(none.found, undefined);
  assert.match(!none.found ? none.why : '', /agent\/missing\.py.*not here.*no stack trace.*code\.file\.path.*pathMappings/s);
});

test('symbols last: one candidate is taken, several are chosen among (best first), a cancelled choice finds none', async (t) => {
  const ws = workspace(t);
  const asked: string[] = [];
  const found: Record<string, SymbolCandidate[]> = {
    lookup_order: [
      { name: 'lookup_order', container: undefined, kind: 'function', path: path.join(ws, 'agent/tools.py'), line: 29, column: 5 },
      { name: 'lookup_order', container: undefined, kind: 'function', path: path.join(ws, 'tools.py'), line: 1, column: 1 },
    ],
    lookupOrder: [{ name: 'lookupOrder', container: undefined, kind: 'function', path: path.join(ws, 'src/agent/tools.ts'), line: 40, column: 17 }],
  };
  const ctx = (choose: SourceContext['choose']) =>
    context(ws, {
      findSymbols: async (q) => (asked.push(q.name), found[q.name] ?? []),
      choose,
    });
  const one = await resolveSpanSource(span({ name: 'execute_tool lookupOrder' }), ctx(undefined));
  assert.deepEqual(one.found, { path: path.join(ws, 'src/agent/tools.ts'), line: 40, column: 17, function: 'lookupOrder', via: 'symbol' });
  let offered: string[] = [];
  const picked = await resolveSpanSource(span({ name: 'lookup_order.tool' }), ctx(async (spanName, ranked) => ((offered = ranked.map((c) => `${spanName}→${path.relative(ws, c.path)}`)), ranked[1])));
  assert.deepEqual(offered, ['lookup_order.tool→agent/tools.py', 'lookup_order.tool→tools.py']);
  assert.equal(picked.found?.path, path.join(ws, 'tools.py'));
  const cancelled = await resolveSpanSource(span({ name: 'lookup_order' }), ctx(async () => undefined));
  assert.equal(cancelled.found, undefined);
  assert.ok(!cancelled.found && cancelled.cancelled);
  assert.deepEqual(asked, ['lookupOrder', 'lookup_order', 'lookup_order']);
});

test('where it may not ask (lenses, hovers, the details): several symbols are ambiguous, with how many; a remembered choice is taken', async (t) => {
  const ws = workspace(t);
  const candidates: SymbolCandidate[] = [
    { name: 'lookup_order', container: undefined, kind: 'function', path: path.join(ws, 'agent/tools.py'), line: 29, column: 5 },
    { name: 'lookup_order', container: undefined, kind: 'function', path: path.join(ws, 'tools.py'), line: 1, column: 1 },
  ];
  const quiet = (remembered: SourceContext['remembered']) => context(ws, { findSymbols: async (q) => (q.name === 'lookup_order' ? candidates : []), remembered });
  const ambiguous = await resolveSpanSource(span({ name: 'execute_tool lookup_order' }), quiet(() => undefined));
  assert.ok(!ambiguous.found);
  assert.equal(ambiguous.ambiguous, 2);
  assert.equal(ambiguous.cancelled, undefined, 'nobody was asked, so nobody cancelled');
  assert.equal(ambiguous.why, '2 functions fit — Go to Source asks which.');
  const known = await resolveSpanSource(span({ name: 'execute_tool lookup_order' }), quiet((name, ranked) => (name === 'execute_tool lookup_order' ? ranked[1] : undefined)));
  assert.equal(known.found?.path, path.join(ws, 'tools.py'));
  // Asking: the remembered one first, without a question.
  let asked = 0;
  const interactive = await resolveSpanSource(span({ name: 'execute_tool lookup_order' }), { ...quiet((_, ranked) => ranked[1]), choose: async () => (asked++, undefined) });
  assert.equal(interactive.found?.path, path.join(ws, 'tools.py'));
  assert.equal(asked, 0);
});
