import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Throttle } from '../../src/extension/throttle';

// The receiver's status bar counter is updated through a Throttle: what it shows must reach
// the number of spans received, and soon, however the requests are spaced.
function counter(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let received = 0;
  let shown = 0;
  const throttle = new Throttle(() => (shown = received), 250);
  return {
    receive(spans: number) {
      received += spans;
      throttle.schedule();
    },
    get shown() {
      return shown;
    },
    throttle,
  };
}

test('a request after a quiet spell shows at once', (t) => {
  const c = counter(t);
  c.receive(6);
  assert.equal(c.shown, 6);
  t.mock.timers.tick(1000);
  c.receive(2);
  assert.equal(c.shown, 8, 'the last request of a run is counted without waiting');
});

test('a burst shows the latest count by the end of the interval, and updates at most once per interval', (t) => {
  const c = counter(t);
  let updates = 0;
  const counting = new Throttle(() => updates++, 250);
  for (let i = 0; i < 24; i++) {
    c.receive(1);
    counting.schedule();
    t.mock.timers.tick(10);
  }
  assert.ok(c.shown < 24, 'mid-burst updates are coalesced');
  t.mock.timers.tick(250);
  assert.equal(c.shown, 24, 'the last request of the burst is shown');
  assert.ok(updates <= 3, `${updates} updates for a 240 ms burst`);
  const afterBurst = updates;
  t.mock.timers.tick(10_000);
  assert.equal(updates, afterBurst, 'no updates once quiet');
});

test('cancel drops a pending update', (t) => {
  const c = counter(t);
  c.receive(1);
  c.receive(1);
  c.throttle.cancel();
  t.mock.timers.tick(1000);
  assert.equal(c.shown, 1);
});
