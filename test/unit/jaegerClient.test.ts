// The Jaeger client's edges that a real Jaeger (test/integration/jaeger.test.ts) can't be
// made to show on demand: a server that hangs, redirects, answers garbage or is too old for
// API v3; and what a user may paste as a trace reference.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { requestJson } from './otlpBuilder';
import { JaegerClient } from '../../src/core/remote/jaegerClient';
import { parseTraceRef } from '../../src/core/remote/jaegerQuery';
import { addRemoteSpans, parseSince, replaceRemoteSpans } from '../../src/core/remote/remoteRuns';
import { TraceStore } from '../../src/core/model/traceStore';
import type { RemoteError } from '../../src/core/remote/remoteError';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

async function serve(t: TestContext, handler: http.RequestListener): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

test('a backend that does not answer in time is a timeout naming the request', async (t) => {
  const { url } = await serve(t, () => {
    /* never answers */
  });
  const client = new JaegerClient({ name: 'slow', url }, { timeoutMs: 200 });
  await assert.rejects(client.trace(TRACE), (err: RemoteError) => {
    assert.equal(err.kind, 'timeout');
    assert.equal(err.message, `Jaeger "slow": GET ${url}/api/v3/traces/${TRACE} timed out after 0.2 s`);
    return true;
  });
});

test('a request the caller cancels stops at once, as cancelled', async (t) => {
  const { url } = await serve(t, () => {});
  const controller = new AbortController();
  const pending = new JaegerClient({ name: 'team', url }, { timeoutMs: 10_000 }).services(controller.signal);
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(pending, (err: RemoteError) => err.kind === 'cancelled' && /was cancelled$/.test(err.message));
});

test('a redirect is not followed (the auth header goes only where the user said)', async (t) => {
  const { url } = await serve(t, (_req, res) => res.writeHead(302, { location: 'http://elsewhere.example/api/v3/services' }).end());
  const client = new JaegerClient({ name: 'team', url, header: { name: 'Authorization', value: 'Bearer s3cret' } });
  await assert.rejects(client.services(), (err: RemoteError) => {
    assert.match(err.message, /was redirected to http:\/\/elsewhere\.example\/api\/v3\/services; put the URL Jaeger answers on/);
    assert.doesNotMatch(err.message, /s3cret/);
    return true;
  });
});

test('an answer that is not trace JSON, and a server error, say so', async (t) => {
  const { url } = await serve(t, (req, res) => {
    if (req.url?.startsWith('/api/v3/traces/')) res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
    else res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"httpCode":500,"message":"storage unavailable"}}');
  });
  const client = new JaegerClient({ name: 'team', url });
  await assert.rejects(client.trace(TRACE), (err: RemoteError) => err.kind === 'malformed' && /returned something that is not trace JSON/.test(err.message));
  await assert.rejects(client.services(), (err: RemoteError) => err.kind === 'http' && err.message === `Jaeger "team": GET ${url}/api/v3/services failed with 500 Internal Server Error: storage unavailable`);
});

test('a Jaeger without API v3 is asked with the v1 API, and its JSON traces read back with details', async (t) => {
  const v1Trace = {
    data: [
      {
        traceID: TRACE,
        spans: [
          { traceID: TRACE, spanID: '00f067aa0ba902b7', operationName: 'agent.run', references: [], startTime: 1_700_000_000_000_000, duration: 2000, tags: [{ key: 'openinference.span.kind', type: 'string', value: 'AGENT' }], logs: [], processID: 'p1' },
          { traceID: TRACE, spanID: '00f067aa0ba902b8', operationName: 'chat', references: [{ refType: 'CHILD_OF', traceID: TRACE, spanID: '00f067aa0ba902b7' }], startTime: 1_700_000_000_000_500, duration: 1000, tags: [{ key: 'gen_ai.usage.input_tokens', type: 'int64', value: 7 }], logs: [], processID: 'p1' },
        ],
        processes: { p1: { serviceName: 'old-agent', tags: [{ key: 'host.name', type: 'string', value: 'ci-7' }] } },
      },
    ],
  };
  const { url, requests } = await serve(t, (req, res) => {
    if (req.url === `/api/traces/${TRACE}`) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v1Trace));
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
  });
  const client = new JaegerClient({ name: 'old', url });
  const got = await client.trace(TRACE);
  assert.deepEqual(requests, [`/api/v3/traces/${TRACE}?raw_traces=true`, `/api/traces/${TRACE}`]);
  assert.deepEqual(got.spans.map((s) => [s.name, s.parentSpanId, s.resource.serviceName]), [
    ['agent.run', '', 'old-agent'],
    ['chat', '00f067aa0ba902b7', 'old-agent'],
  ]);
  assert.equal(got.spans[0].origin.file, `jaeger:old/trace/${TRACE}`, 'named for the backend and trace, not a path');
  const details = await loadSpanDetails(got.spans[1]);
  assert.equal(details.attributes['gen_ai.usage.input_tokens'], 7);
  assert.equal(details.resourceAttributes['host.name'], 'ci-7');
  await client.trace(TRACE);
  assert.equal(requests.length, 3, 'the API found is remembered');
});

test('a trace missing some of its spans is read, and called partial', async (t) => {
  const body = {
    result: {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeSpans: [{ spans: [{ traceId: TRACE, spanId: '00f067aa0ba902b8', parentSpanId: '00f067aa0ba902b7', name: 'child', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000100000000' }] }],
        },
      ],
    },
  };
  const { url } = await serve(t, (_req, res) => res.writeHead(200).end(JSON.stringify(body)));
  const got = await new JaegerClient({ name: 'team', url }).trace(TRACE);
  assert.equal(got.spans.length, 1);
  assert.deepEqual(got.problems, [`trace ${TRACE} is partial: 1 parent span missing (not received by the backend yet, or sent elsewhere)`]);
});

test('a big trace is read in chunks, the event loop free between them; each span reads back from its chunk', async (t) => {
  const spans = [];
  for (let i = 0; i < 12_000; i++) {
    spans.push({ traceId: TRACE, spanId: (i + 1).toString(16).padStart(16, '0'), parentSpanId: i === 0 ? undefined : (Math.floor(i / 2) + 1).toString(16).padStart(16, '0'), name: `step ${i}`, start: 1_700_000_000_000_000_000n + BigInt(i), end: 1_700_000_000_001_000_000n + BigInt(i), attributes: { 'input.value': `question ${i}` } });
  }
  // Jaeger's API v3 body: OTLP JSON under "result", int64s as strings, one resource and scope.
  const body = JSON.stringify({ result: requestJson(spans, 'big-svc') });
  const { url } = await serve(t, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  let ticks = 0;
  const probe = setInterval(() => ticks++, 1);
  let got;
  try {
    got = await new JaegerClient({ name: 'team', url }).trace(TRACE);
  } finally {
    clearInterval(probe);
  }
  assert.deepEqual(got.sources, [`jaeger:team/trace/${TRACE}`, ...[2, 3, 4, 5, 6].map((n) => `jaeger:team/trace/${TRACE}#${n}`)], 'chunks of 2,000 spans');
  assert.ok(ticks >= 2, `timers ran between the chunks (${ticks} ticks)`);
  assert.equal(got.spans.length, 12_000);
  assert.equal(new Set(got.spans.map((sp) => sp.spanId)).size, 12_000);
  assert.deepEqual(got.problems, [], 'every parent is in the trace, whichever chunk it was read from');
  const last = got.spans.at(-1)!;
  assert.equal(last.origin.file, `jaeger:team/trace/${TRACE}#6`);
  const details = await loadSpanDetails(last);
  assert.equal(details.attributes['input.value'], 'question 11999');
  assert.equal(details.resourceAttributes['service.name'], 'big-svc', 'each chunk repeats its resource');
  assert.equal(last.scope?.name, got.spans[0].scope?.name);
});

test('a trace fetched again replaces the earlier fetch: every span reads back from the new body', async (t) => {
  const span = (n: number, parent?: number) => ({ traceId: TRACE, spanId: `00000000000000${n}0`, parentSpanId: parent ? `00000000000000${parent}0` : undefined, name: `s${n}`, start: 1_700_000_000_000_000_000n + BigInt(n), end: 1_700_000_000_100_000_000n, attributes: { 'input.value': `input of s${n}` } });
  // The second answer has a span more, first, so every byte range moved.
  const bodies = [[span(1), span(2, 1)], [span(3, 1), span(1), span(2, 1)]].map((spans) => JSON.stringify({ result: requestJson(spans) }));
  let asked = 0;
  const { url } = await serve(t, (_req, res) => res.writeHead(200).end(bodies[Math.min(asked++, 1)]));
  const client = new JaegerClient({ name: 'team', url });
  const store = new TraceStore();
  const first = await client.trace(TRACE);
  addRemoteSpans(store, first);
  const second = await client.trace(TRACE);
  assert.equal(replaceRemoteSpans(store, first, second), 3);
  const spans = [...store.trace(TRACE)!.allSpans()];
  assert.equal(spans.length, 3);
  for (const sp of spans) assert.equal((await loadSpanDetails(sp)).attributes['input.value'], `input of ${sp.name}`);
});

test('a pasted trace id or Jaeger link gives the trace id (and where Jaeger is)', () => {
  assert.deepEqual(parseTraceRef(TRACE), { traceId: TRACE });
  assert.deepEqual(parseTraceRef(' 0x4BF92F3577B34DA6A3CE929D0E0E4736 '), { traceId: TRACE });
  assert.deepEqual(parseTraceRef('a3ce929d0e0e4736'), { traceId: '0000000000000000a3ce929d0e0e4736' }, 'Jaeger drops leading zeros; 64-bit ids pad');
  assert.deepEqual(parseTraceRef(`https://jaeger.example.com/trace/${TRACE}?uiFind=abc`), { traceId: TRACE, url: 'https://jaeger.example.com' });
  assert.deepEqual(parseTraceRef(`https://tools.example.com/jaeger/trace/${TRACE}`), { traceId: TRACE, url: 'https://tools.example.com/jaeger' });
  assert.deepEqual(parseTraceRef(`http://127.0.0.1:16686/api/v3/traces/${TRACE}`), { traceId: TRACE, url: 'http://127.0.0.1:16686' });
  assert.equal(parseTraceRef('not a trace'), undefined);
  assert.equal(parseTraceRef('https://jaeger.example.com/search?service=x'), undefined);
  assert.equal(parseTraceRef('00000000000000000000000000000000'), undefined, 'the all-zero id is no trace');
});

test('--since spans of time', () => {
  assert.equal(parseSince('1h'), 3_600_000);
  assert.equal(parseSince('30m'), 1_800_000);
  assert.equal(parseSince('2d'), 172_800_000);
  assert.equal(parseSince('1 week'), undefined);
});
