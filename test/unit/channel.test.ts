import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Channel, RequestCancelled } from '../../src/protocol/channel';
import { notification, request, type Message } from '../../src/protocol/messages';

const Search = request<{ query: string }, { hits: string[] }>('test/search');
const Details = request<{ id: string }, { name: string }>('test/details');
const Unhandled = request<void, number>('test/unhandled');
const Ping = notification<{ n: number }>('test/ping');

/** Two channels wired to each other in memory, as the extension and a webview are; messages cross asynchronously like postMessage. */
function pair(): { host: Channel; page: Channel; sent: Message[]; errors: string[] } {
  const sent: Message[] = [];
  const errors: string[] = [];
  let host!: Channel;
  const page = new Channel((m) => {
    sent.push(m);
    queueMicrotask(() => host.receive(structuredClone(m)));
  });
  host = new Channel(
    (m) => {
      sent.push(m);
      queueMicrotask(() => page.receive(structuredClone(m)));
    },
    (method, err) => errors.push(`${method}: ${(err as Error).message}`),
  );
  return { host, page, sent, errors };
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test('a request gets its handler result, typed by its descriptor', async () => {
  const { host, page } = pair();
  host.onRequest(Details, ({ id }) => ({ name: `span ${id}` }));
  assert.deepEqual(await page.request(Details, { id: 'a1' }), { name: 'span a1' });
});

test('a search superseded by a newer search is answered as cancelled; the newer one gets its result', async () => {
  const { host, page, sent } = pair();
  const gates = [deferred<void>(), deferred<void>()];
  const signals: { cancelled: boolean }[] = [];
  host.onRequest(Search, async ({ query }, signal) => {
    signals.push(signal);
    await gates[signals.length - 1].promise;
    return { hits: [query] };
  });
  const first = page.request(Search, { query: 'old' });
  await new Promise((r) => setTimeout(r, 0));
  const second = page.request(Search, { query: 'new' });
  await assert.rejects(first, RequestCancelled, 'the superseded search does not wait forever');
  assert.equal(signals[0].cancelled, true, 'its handler is told to stop');
  assert.equal(signals[1].cancelled, false);
  // The old handler finishing late adds no second answer.
  gates[0].resolve();
  gates[1].resolve();
  assert.deepEqual(await second, { hits: ['new'] });
  await new Promise((r) => setTimeout(r, 0));
  const responses = sent.filter((m) => m.kind === 'response');
  assert.equal(responses.length, 2, 'one answer per request');
});

test('requests of different methods do not cancel each other', async () => {
  const { host, page } = pair();
  const gate = deferred<void>();
  host.onRequest(Search, async () => (await gate.promise, { hits: [] }));
  host.onRequest(Details, () => ({ name: 'x' }));
  const search = page.request(Search, { query: 'q' });
  assert.deepEqual(await page.request(Details, { id: '1' }), { name: 'x' });
  gate.resolve();
  assert.deepEqual(await search, { hits: [] });
});

test('a handler that throws is answered with its error', async () => {
  const { host, page } = pair();
  host.onRequest(Details, async () => {
    throw new Error('That span is no longer in the trace.');
  });
  await assert.rejects(page.request(Details, { id: 'gone' }), { message: 'That span is no longer in the trace.' });
});

test('a request no handler is registered for is answered with an error naming the method', async () => {
  const { page } = pair();
  await assert.rejects(page.request(Unhandled, undefined), { message: 'no handler for test/unhandled' });
});

test('notifications reach their handler; a failing handler is reported, not thrown', async () => {
  const { host, page, errors } = pair();
  const got: number[] = [];
  host.onNotification(Ping, ({ n }) => {
    got.push(n);
    if (n === 2) throw new Error('bad ping');
  });
  page.notify(Ping, { n: 1 });
  page.notify(Ping, { n: 2 });
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(got, [1, 2]);
  assert.deepEqual(errors, ['test/ping: bad ping']);
});

test('closing a channel rejects the requests still waiting and cancels those being handled', async () => {
  const { host, page } = pair();
  const signals: { cancelled: boolean }[] = [];
  host.onRequest(Search, (_, signal) => (signals.push(signal), new Promise(() => {})));
  const waiting = page.request(Search, { query: 'q' });
  await new Promise((r) => setTimeout(r, 0));
  page.dispose();
  await assert.rejects(waiting, RequestCancelled);
  await assert.rejects(page.request(Search, { query: 'after' }), RequestCancelled);
  host.dispose();
  assert.equal(signals[0].cancelled, true);
});

test('anything that is not a protocol message is ignored', () => {
  const { host } = pair();
  for (const junk of [undefined, null, 42, 'text', { kind: 'response' }, { kind: 'request', id: 'x', method: 'm' }]) host.receive(junk);
});
