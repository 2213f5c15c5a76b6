import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledError, runSteps, runStepsSliced, SharedRun, STEP_ITEMS, STEP_MS, StepBudget, type Steps } from '../../src/core/util/steps';

function* busy(slices: number, msEach: number, log: string[]): Steps<number> {
  for (let i = 0; i < slices; i++) {
    const until = performance.now() + msEach;
    while (performance.now() < until) {
      // spin: a stand-in for a few thousand spans of work
    }
    log.push(`step ${i}`);
    yield;
  }
  return slices;
}

test('steps run to the end at once, or in slices that let other work in between', async () => {
  assert.equal(runSteps(busy(3, 0, [])), 3);
  const log: string[] = [];
  setImmediate(() => log.push('other work'));
  const result = await runStepsSliced(busy(6, 4, log), { budgetMs: 6 });
  assert.equal(result, 6);
  const other = log.indexOf('other work');
  assert.ok(other > 0 && other < log.length - 1, `other work ran between steps: ${log.join(', ')}`);
});

test('a sliced run stops with CancelledError when cancelled, and the steps are closed', async () => {
  let closed = false;
  function* forever(): Steps<void> {
    try {
      for (;;) {
        const until = performance.now() + 2;
        while (performance.now() < until) {
          // spin
        }
        yield;
      }
    } finally {
      closed = true;
    }
  }
  let cancelled = false;
  setTimeout(() => (cancelled = true), 20);
  await assert.rejects(runStepsSliced(forever(), { budgetMs: 3, isCancelled: () => cancelled }), CancelledError);
  assert.equal(closed, true);
});

test('a shared run is started once for the callers that ask while it runs, and again after it settles', async () => {
  const shared = new SharedRun<number>();
  let starts = 0;
  const start = () => new Promise<number>((resolve) => setTimeout(() => resolve(++starts), 10));
  const [a, b] = await Promise.all([shared.run(start), shared.run(start)]);
  assert.deepEqual([a, b, starts], [1, 1, 1]);
  assert.equal(await shared.run(start), 2, 'settled: the next caller starts a new run');
  await assert.rejects(shared.run(() => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await shared.run(start), 3, 'a failed run does not stick');
});

test('a step budget yields after STEP_ITEMS items of work, weights counted', () => {
  const budget = new StepBudget();
  let calls = 0;
  while (!budget.spend()) calls++;
  assert.ok(calls === STEP_ITEMS - 1 || calls < STEP_ITEMS, `yielded after ${calls + 1} items`);
  const weighted = new StepBudget();
  let heavy = 0;
  while (!weighted.spend(8)) heavy++;
  assert.ok(heavy + 1 <= Math.ceil(STEP_ITEMS / 8), `${heavy + 1} items of weight 8`);
});

test('a step budget yields sooner when its items are slow: a step is bounded by time, not only by count', () => {
  const budget = new StepBudget();
  let items = 0;
  for (;;) {
    items++;
    const until = performance.now() + 0.1; // 0.1 ms an item: 2048 items would take 200 ms
    while (performance.now() < until);
    if (budget.spend()) break;
  }
  // Looked at every 64 items: by then 6.4 ms have passed, more than STEP_MS.
  assert.ok(STEP_MS < 6.4 && items === 64, `${items} items`);
});
