import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStackTrace } from '../../src/core/source/stackFrames';

test('stack frames of Python, Node, Java and Go point at their file and line', () => {
  const frames = parseStackTrace(
    [
      'Traceback (most recent call last):',
      '  File "/app/support_agent.py", line 29, in lookup_order',
      '    return orders_api.get(order_id)',
      'Error: OrdersAPIError: not found',
      '    at lookupOrder (/work/demo/supportAgent.ts:67:23)',
      '    at async inSpan (demo/telemetry.ts:28:12)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at com.acme.Agent.run(Agent.java:42)',
      '\t/home/me/agent/main.go:88 +0x1d',
    ].join('\n'),
  );
  assert.deepEqual(
    frames.filter((f) => f.path).map((f) => [f.path, f.line]),
    [
      ['/app/support_agent.py', 29],
      ['/work/demo/supportAgent.ts', 67],
      ['demo/telemetry.ts', 28],
      ['Agent.java', 42],
      ['/home/me/agent/main.go', 88],
    ],
  );
  assert.equal(frames.length, 9, 'every line is kept, linked or not');
});
