// `tracerun tree --workspace DIR`: each span's source through the chain's first two steps.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/cli';
import { attr, hexId, ms, otlpLine } from './otlpBuilder';
import { NODE_STACK, PYTHON_TRACEBACK } from './stacks';
import { tempDir } from './tempDir';

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { out: (t) => (stdout += t + '\n'), err: (t) => (stderr += t + '\n') });
  return { code, stdout, stderr };
}

test('tree --workspace: container paths map into the folder, stack traces find the code of spans without code.*', async (t) => {
  const ws = tempDir(t, 'tracerun-cli-ws-');
  for (const file of ['agent/tools.py', 'src/agent/tools.ts']) {
    mkdirSync(path.dirname(path.join(ws, file)), { recursive: true });
    writeFileSync(path.join(ws, file), '\n');
  }
  const traceId = hexId(16);
  const traces = path.join(tempDir(t), 'trace.jsonl');
  const exception = (stack: string) => [{ name: 'exception', timeUnixNano: String(ms(5)), attributes: [attr('exception.type', 'Error'), attr('exception.stacktrace', stack)] }];
  writeFileSync(
    traces,
    otlpLine([
      { traceId, spanId: hexId(8, 1), name: 'agent.run', start: ms(0), end: ms(100), attributes: { 'code.filepath': '/app/agent/tools.py', 'code.lineno': 7, 'code.function': 'run' } },
      { traceId, spanId: hexId(8, 2), parentSpanId: hexId(8, 1), name: 'execute_tool lookup_order', start: ms(10), end: ms(20), status: { code: 2, message: 'httpx.HTTPStatusError' }, events: exception(PYTHON_TRACEBACK) },
      { traceId, spanId: hexId(8, 3), parentSpanId: hexId(8, 1), name: 'lookupOrder', start: ms(30), end: ms(40), attributes: { 'code.stacktrace': NODE_STACK } },
      { traceId, spanId: hexId(8, 4), parentSpanId: hexId(8, 1), name: 'embed', start: ms(50), end: ms(60), attributes: { 'code.filepath': 'agent/missing.py', 'code.lineno': 3 } },
      { traceId, spanId: hexId(8, 5), parentSpanId: hexId(8, 1), name: 'chat gpt-4o', start: ms(60), end: ms(70) },
    ]),
  );
  const json = await cli('tree', traces, '--json', '--workspace', ws);
  assert.equal(json.code, 0, json.stderr);
  const spans = (JSON.parse(json.stdout) as { traces: { spans: { name: string; source?: unknown }[] }[] }).traces[0].spans;
  assert.deepEqual(Object.fromEntries(spans.map((s) => [s.name, s.source])), {
    'agent.run': { path: path.join('agent', 'tools.py'), line: 7, function: 'run', via: 'attributes' },
    'execute_tool lookup_order': { path: path.join('agent', 'tools.py'), line: 29, function: 'lookup_order', via: 'stacktrace' },
    lookupOrder: { path: path.join('src', 'agent', 'tools.ts'), line: 41, function: 'lookupOrder', via: 'stacktrace' },
    // Not in the workspace: what the attributes say, as they say it.
    embed: { path: 'agent/missing.py', line: 3, via: 'attributes' },
    'chat gpt-4o': undefined,
  });
  const text = await cli('tree', traces, '--workspace', ws);
  assert.match(text.stdout, /execute_tool lookup_order .*agent\/tools\.py:29 \(lookup_order\) \[from its stack trace\]/);

  const elsewhere = await cli('tree', traces, '--json', '--workspace', path.join(ws, 'agent'));
  const moved = (JSON.parse(elsewhere.stdout) as { traces: { spans: { name: string; source?: { path: string } }[] }[] }).traces[0].spans;
  assert.equal(moved.find((s) => s.name === 'agent.run')?.source?.path, 'tools.py', 'by the longest suffix found in that folder');

  const bad = await cli('tree', traces, '--workspace', path.join(ws, 'nope'));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--workspace .*nope is not a folder/);
});
