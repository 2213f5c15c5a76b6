// A real Jaeger (built from the Go module proxy by scripts/setup-jaeger.sh) on loopback, fed
// by the real OTel JS SDK: the same agent run exported to Jaeger and to Trace Run's own
// receiver (which writes the trace file the Runs view reads) must read back the same, the
// tree, kinds, tokens, conversation and details; a local run whose caller and callee
// exported to Jaeger is joined; Jaeger behind an auth proxy and Jaeger gone give clear errors.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace as apiTrace, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/cli';
import { runJson } from '../../src/core/export/runJson';
import { runOtlpLine } from '../../src/core/export/otlpJson';
import { loadSpanDetails } from '../../src/core/ingest/spanDetails';
import { decodeKeyValues } from '../../src/core/ingest/otlp/anyValue';
import { buildReplayDocument } from '../../src/core/replay/buildReplay';
import { loadReplaySpan } from '../../src/core/replay/replaySpan';
import type { SpanNode } from '../../src/core/model/trace';
import { TraceStore } from '../../src/core/model/traceStore';
import { JaegerClient } from '../../src/core/remote/jaegerClient';
import { RemoteError } from '../../src/core/remote/remoteError';
import { RemotePager } from '../../src/core/remote/remotePager';
import { addRemoteSpans, missingParents } from '../../src/core/remote/remoteRuns';
import type { OtlpReceivers } from '../../src/core/receiver/otlpReceivers';
import type { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import { FakeModelApi } from './fakeModelApi';
import { runAgent, setup, spansOf, startReceivers, waitFor, watchWorkspace } from './harness';
import { authProxy, jaegerServer, type JaegerServer } from './jaegerServer';

let jaeger: JaegerServer;
let receivers: OtlpReceivers;
let receiverUrl: string;
let ws: TraceWorkspace;
let folder: string;
const problems: string[] = [];

before(async () => {
  jaeger = await jaegerServer(await setup('setup-jaeger.sh'));
  await jaeger.start();
  folder = mkdtempSync(path.join(os.tmpdir(), 'tracerun-jaeger-ws-'));
  const started = await startReceivers(folder);
  receivers = started.receivers;
  receiverUrl = started.httpUrl;
  ws = await watchWorkspace(folder, problems);
});

after(async () => {
  ws?.dispose();
  await receivers?.close();
  await jaeger?.dispose();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** The real SDK exporting each span as it ends, over OTLP/HTTP JSON, to each of `urls`. */
function tracerTo(service: string, ...urls: string[]) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment': 'ci' }),
    spanProcessors: urls.map((url) => new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${url}/v1/traces` }))),
  });
  return { provider, tracer: provider.getTracer('tracerun.integration', '1.0.0') };
}

function under(parent: Span) {
  return apiTrace.setSpan(ROOT_CONTEXT, parent);
}

/**
 * A support agent's run as OpenInference instrumentations record it: the agent, a model call
 * that asks for a tool (messages, tokens), the tool (with its code location), a failed
 * knowledge-base search with an exception event, and the model's answer.
 */
function agentRun(tracer: Tracer, parentContext = ROOT_CONTEXT): Span {
  const root = tracer.startSpan('support_agent.run', { attributes: { 'openinference.span.kind': 'AGENT', 'input.value': 'Where is order 42?', 'session.id': 'sess-7' } }, parentContext);
  const llm = tracer.startSpan(
    'ChatOpenAI',
    {
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o-mini',
        'llm.token_count.prompt': 120,
        'llm.token_count.completion': 30,
        'llm.token_count.total': 150,
        'llm.input_messages.0.message.role': 'system',
        'llm.input_messages.0.message.content': 'You help with orders.',
        'llm.input_messages.1.message.role': 'user',
        'llm.input_messages.1.message.content': 'Where is order 42?',
        'llm.output_messages.0.message.role': 'assistant',
        'llm.output_messages.0.message.tool_calls.0.tool_call.id': 'call_1',
        'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'lookup_order',
        'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"order_id": 42}',
      },
    },
    under(root),
  );
  llm.setStatus({ code: SpanStatusCode.OK });
  llm.end();
  const tool = tracer.startSpan('lookup_order', { attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'lookup_order', 'input.value': '{"order_id": 42}', 'output.value': 'shipped', 'code.filepath': '/app/agent/tools.py', 'code.lineno': 12, 'code.function': 'lookup_order' } }, under(root));
  tool.end();
  const kb = tracer.startSpan('search_kb', { attributes: { 'openinference.span.kind': 'RETRIEVER', 'input.value': 'order 42 status' } }, under(root));
  kb.recordException({ name: 'TimeoutError', message: 'kb timed out', stack: 'TimeoutError: kb timed out\n    at search (/app/agent/kb.ts:7:3)' });
  kb.setStatus({ code: SpanStatusCode.ERROR, message: 'kb timed out' });
  kb.end();
  const answer = tracer.startSpan(
    'ChatOpenAI',
    {
      attributes: {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o-mini',
        'llm.token_count.prompt': 160,
        'llm.token_count.completion': 12,
        'llm.input_messages.0.message.role': 'user',
        'llm.input_messages.0.message.content': 'Where is order 42?',
        'llm.input_messages.1.message.role': 'tool',
        'llm.input_messages.1.message.tool_call_id': 'call_1',
        'llm.input_messages.1.message.content': 'shipped',
        'llm.output_messages.0.message.role': 'assistant',
        'llm.output_messages.0.message.content': 'Order 42 has shipped.',
      },
    },
    under(root),
  );
  answer.end();
  root.setAttribute('output.value', 'Order 42 has shipped.');
  root.end();
  return root;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Polls Jaeger until it has the trace with `count` spans (its batch processor writes after ~100 ms). */
async function inJaeger(client: JaegerClient, traceId: string, count: number) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const got = await client.trace(traceId).catch((err: unknown) => {
      if (err instanceof RemoteError && err.kind === 'not-found') return undefined;
      throw err;
    });
    if (got && got.spans.length === count) return got;
    if (Date.now() > deadline) throw new Error(`Jaeger has ${got?.spans.length ?? 0} of the ${count} spans of ${traceId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a run exported to Jaeger and to the local receiver', () => {
  let traceId: string;
  let client: JaegerClient;

  before(async () => {
    client = new JaegerClient({ name: 'team', url: jaeger.queryUrl });
    const { provider, tracer } = tracerTo('support-agent', jaeger.otlpUrl, receiverUrl);
    traceId = agentRun(tracer).spanContext().traceId;
    await provider.forceFlush();
    await provider.shutdown();
    await waitFor('the local run', () => ws.store.trace(traceId)?.spanCount === 5);
    await inJaeger(client, traceId, 5);
  });

  test('searching the service lists the run, with the services and operations to pick from', async () => {
    assert.ok((await client.services()).includes('support-agent'));
    assert.deepEqual(await client.operations('support-agent'), ['ChatOpenAI', 'lookup_order', 'search_kb', 'support_agent.run']);
    const found = await client.search({ service: 'support-agent', startMin: new Date(Date.now() - 3_600_000), startMax: new Date(), limit: 20 });
    assert.ok(found.traceIds.includes(traceId), `search found ${found.traceIds.join(', ')}`);
    const store = new TraceStore();
    addRemoteSpans(store, found);
    assert.equal(store.trace(traceId)?.summary().name, 'support_agent.run');
    const errorsOnly = await client.search({ service: 'support-agent', startMin: new Date(Date.now() - 3_600_000), startMax: new Date(), limit: 20, errorsOnly: true });
    assert.ok(errorsOnly.traceIds.includes(traceId), 'the run has a failed span');
    const slow = await client.search({ service: 'support-agent', startMin: new Date(Date.now() - 3_600_000), startMax: new Date(), limit: 20, minDurationMs: 60_000 });
    assert.deepEqual(slow.traceIds, [], 'no span took a minute');
    const nothing = await client.search({ service: 'support-agent', startMin: new Date(Date.now() - 7_200_000), startMax: new Date(Date.now() - 3_600_000), limit: 20 });
    assert.deepEqual(nothing.traceIds, [], 'an empty window is an empty list, not an error');
  });

  test('`tracerun tree --jaeger` prints the same tree, kinds, tokens, sources and conversation as the file', async () => {
    const file = ws.store.trace(traceId)!.allSpans().next().value!.origin.file;
    const local = await cli('tree', file, '--json', '--messages', '--workspace', folder);
    const remote = await cli('tree', '--jaeger', jaeger.queryUrl, '--trace', traceId, '--json', '--messages', '--workspace', folder);
    assert.equal(remote.code, 0, remote.err);
    assert.equal(remote.err, '');
    const localRun = (JSON.parse(local.out) as { traces: { traceId: string }[] }).traces.find((t) => t.traceId === traceId);
    const remoteRun = (JSON.parse(remote.out) as { traces: { traceId: string }[] }).traces[0];
    assert.deepEqual(remoteRun, localRun);
    // What that JSON holds, so an empty tree can't pass: kinds, tokens, the conversation.
    const spans = (remoteRun as unknown as { spans: { name: string; kind: string; tokens?: { total?: number }; messages?: { role: string; content?: string; toolCalls?: { name: string }[] }[] }[] }).spans;
    // (Siblings started in the same millisecond are ordered by end, so not by creation here.)
    assert.deepEqual(spans.map((s) => `${s.name} ${s.kind}`).sort(), ['ChatOpenAI llm', 'ChatOpenAI llm', 'lookup_order tool', 'search_kb retriever', 'support_agent.run agent']);
    const [ask, answer] = spans.filter((s) => s.name === 'ChatOpenAI').sort((a, b) => (a.tokens?.total ?? 0) - (b.tokens?.total ?? 0));
    assert.equal(ask.tokens?.total, 150);
    assert.deepEqual(ask.messages?.map((m) => m.role), ['system', 'user', 'assistant']);
    assert.equal(ask.messages?.[2].toolCalls?.[0].name, 'lookup_order');
    assert.equal(answer.tokens?.total, 172);
    assert.equal(answer.messages?.at(-1)?.content, 'Order 42 has shipped.');
    const text = await cli('tree', '--jaeger', jaeger.queryUrl, '--service', 'support-agent', '--since', '1h');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, new RegExp(`▶ support_agent\\.run .*trace ${traceId}`));
    assert.match(text.out, /ChatOpenAI .*llm gpt-4o-mini {2}150 tokens/);
  });

  test("each span's details (attributes, events, resource) read back as from the file, over API v3 and v1", async () => {
    const local = new Map(spansOf(ws.store.trace(traceId)!).map((s) => [s.spanId, s]));
    for (const api of ['v3', 'v1'] as const) {
      const remote = await new JaegerClient({ name: 'team', url: jaeger.queryUrl }, { api }).trace(traceId);
      assert.deepEqual(remote.problems, [], api);
      assert.equal(remote.spans.length, local.size, api);
      for (const span of remote.spans) {
        const mine = local.get(span.spanId)!;
        assert.ok(mine, `${api}: ${span.name} is one of the run's spans`);
        // Jaeger's v1 JSON has microseconds: times agree to the microsecond there.
        const time = (ns: bigint) => (api === 'v1' ? (ns / 1000n) * 1000n : ns);
        assert.deepEqual(
          [span.parentSpanId, span.name, span.kind, span.startNs, span.endNs, span.statusCode, span.errorMessage, span.resource.serviceName, span.scope],
          [mine.parentSpanId, mine.name, mine.kind, time(mine.startNs), time(mine.endNs), mine.statusCode, mine.errorMessage, mine.resource.serviceName, mine.scope],
          `${api}: ${span.name}`,
        );
        const [theirs, ours] = [await loadSpanDetails(span), await loadSpanDetails(mine)];
        assert.deepEqual(theirs.attributes, ours.attributes, `${api}: ${span.name} attributes`);
        assert.deepEqual(theirs.events.map((e) => [e.name, e.attributes]), ours.events.map((e) => [e.name, e.attributes]), `${api}: ${span.name} events`);
        assert.equal(theirs.resourceAttributes['deployment.environment'], 'ci', `${api}: resource attributes`);
      }
    }
  });

  test('what a user does with a run gives the same from Jaeger: Copy Run as JSON, Replay…, Save Run As…', async () => {
    const local = ws.store.trace(traceId)!;
    const store = new TraceStore();
    addRemoteSpans(store, await client.trace(traceId));
    const remote = store.trace(traceId)!;
    assert.deepEqual(await runJson(remote, { maxPayloadChars: 0 }), await runJson(local, { maxPayloadChars: 0 }));
    const llm = spansOf(local).filter((sp) => sp.name === 'ChatOpenAI');
    assert.equal(llm.length, 2);
    for (const span of llm) {
      const replay = buildReplayDocument(await loadReplaySpan(remote.span(span.spanId)!, store.logRecords));
      assert.deepEqual(replay, buildReplayDocument(await loadReplaySpan(span, ws.store.logRecords)));
      assert.ok(replay.messages.length >= 2, 'the replay has the recorded conversation');
    }
    // Save Run As… writes each span's JSON as its source holds it: Jaeger's encoder writes
    // int64s as strings and leaves out zero fields, so the same spans, spelled differently.
    type RawSpan = { spanId: string; parentSpanId?: string; name: string; startTimeUnixNano: string | number; endTimeUnixNano: string | number; attributes?: unknown; events?: { name: string; attributes?: unknown }[]; status?: { code?: number } };
    const spansIn = (line: string) =>
      (JSON.parse(line) as { resourceSpans: { scopeSpans: { spans: RawSpan[] }[] }[] }).resourceSpans
        .flatMap((r) => r.scopeSpans.flatMap((sc) => sc.spans))
        .map((sp) => ({
          id: sp.spanId,
          parent: sp.parentSpanId ?? '',
          name: sp.name,
          start: String(sp.startTimeUnixNano),
          end: String(sp.endTimeUnixNano),
          status: Number(sp.status?.code ?? 0),
          attributes: decodeKeyValues(sp.attributes),
          events: (sp.events ?? []).map((e) => [e.name, decodeKeyValues(e.attributes)]),
        }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    const saved = spansIn(await runOtlpLine(remote));
    assert.equal(saved.length, 5);
    assert.deepEqual(saved, spansIn(await runOtlpLine(local)));
  });

  test('a trace Jaeger does not have is named as such', async () => {
    await assert.rejects(client.trace('0123456789abcdef0123456789abcdef'), (err: RemoteError) => err.kind === 'not-found' && /0123456789abcdef0123456789abcdef/.test(err.message));
  });
});

describe('a Python agent (OpenInference over OTLP/HTTP protobuf) exporting to Jaeger and to the local receiver', () => {
  test('each of its runs reads the same from Jaeger as from the file', async () => {
    const python = await setup('setup-python.sh');
    const fake = new FakeModelApi();
    const modelUrl = await fake.start();
    const before = new Set(ws.store.runs().map((r) => r.traceId));
    try {
      await runAgent(python, 'agent_openinference.py', {
        OPENAI_BASE_URL: `${modelUrl}/v1`,
        OPENAI_API_KEY: 'sk-test-loopback',
        TRACERUN_EXPORT: `http=${jaeger.otlpUrl},http=${receiverUrl}`,
      });
    } finally {
      fake.dispose();
    }
    const runs = await waitFor('the agent’s two runs, complete', () => {
      const r = ws.store.runs().filter((t) => !before.has(t.traceId) && t.state(Date.now()) === 'complete');
      return r.length === 2 && r;
    });
    const client = new JaegerClient({ name: 'team', url: jaeger.queryUrl });
    const file = spansOf(runs[0])[0].origin.file;
    const local = JSON.parse((await cli('tree', file, '--json', '--messages', '--workspace', folder)).out) as { traces: { traceId: string; spans: { kind: string; messages?: unknown[] }[] }[] };
    for (const run of runs) {
      await inJaeger(client, run.traceId, run.spanCount);
      const remote = await cli('tree', '--jaeger', jaeger.queryUrl, '--trace', run.traceId, '--json', '--messages', '--workspace', folder);
      assert.equal(remote.code, 0, remote.err);
      const mine = local.traces.find((t) => t.traceId === run.traceId)!;
      assert.deepEqual(JSON.parse(remote.out).traces[0], mine, `run ${run.summary().name} ${run.traceId}`);
      assert.ok(mine.spans.some((s) => s.kind === 'llm' && (s.messages?.length ?? 0) > 0), 'its model calls carry a conversation');
    }
  });
});

describe('paging a backend’s traces', () => {
  test('pages of 2 list 5 runs newest first, each once, then stop; errors only pages through to the failed one', async () => {
    const { provider, tracer } = tracerTo('pager-svc', jaeger.otlpUrl);
    const t0 = Date.now() - 10 * 60_000;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const root = tracer.startSpan(`job ${i}`, { startTime: new Date(t0 + i * 1000) });
      if (i === 1) root.setStatus({ code: SpanStatusCode.ERROR, message: 'job failed' });
      root.end(new Date(t0 + i * 1000 + 200));
      ids.push(root.spanContext().traceId);
    }
    await provider.shutdown();
    const client = new JaegerClient({ name: 'team', url: jaeger.queryUrl });
    for (const id of ids) await inJaeger(client, id, 1);
    // Which traces a limit keeps is the store's choice (the memory store: the ones received
    // last, in whatever order one batch held them), so only the sizes of the pages are fixed.
    const pager = new RemotePager({ service: 'pager-svc', windowMs: 3_600_000, errorsOnly: false }, 2);
    const pages: string[][] = [];
    while (pager.more) pages.push((await pager.next(client)).map((t) => t.name));
    assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
    assert.deepEqual(pages.flat().sort(), ['job 0', 'job 1', 'job 2', 'job 3', 'job 4'], 'each run once');
    assert.deepEqual(pager.traces.map((t) => t.traceId), [...ids].reverse(), 'listed newest first');
    assert.deepEqual(await pager.next(client), [], 'nothing after the last page');
    const failed = new RemotePager({ service: 'pager-svc', windowMs: 3_600_000, errorsOnly: true }, 2);
    while (failed.more) await failed.next(client);
    assert.deepEqual(failed.traces.map((t) => `${t.name}, ${t.errorCount} failed`), ['job 1, 1 failed'], 'filtered page by page, every page reached');
  });
});

describe('a local run joined with the rest of its trace', () => {
  test('spans of the caller and callee that went to Jaeger are fetched into the local run, once', async () => {
    // The gateway that called the agent, and the search service the agent called, export to
    // the team's Jaeger; the agent exports to the local receiver only.
    const gateway = tracerTo('gateway', jaeger.otlpUrl);
    const agent = tracerTo('support-agent', receiverUrl);
    const kb = tracerTo('kb-service', jaeger.otlpUrl);
    const request = gateway.tracer.startSpan('POST /support', { kind: SpanKind.SERVER });
    const run = agent.tracer.startSpan('support_agent.run', { attributes: { 'openinference.span.kind': 'AGENT' } }, under(request));
    const call = agent.tracer.startSpan('GET kb-service/search', { kind: SpanKind.CLIENT }, under(run));
    const served = kb.tracer.startSpan('search handler', { kind: SpanKind.SERVER }, under(call));
    kb.tracer.startSpan('vector lookup', {}, under(served)).end();
    served.end();
    call.end();
    run.end();
    request.end();
    for (const p of [gateway, agent, kb]) await p.provider.shutdown();
    const traceId = request.spanContext().traceId;
    const local = await waitFor('the local part', () => ws.store.trace(traceId)?.spanCount === 2 && ws.store.trace(traceId));
    assert.deepEqual(missingParents(local), [request.spanContext().spanId], 'the agent names a parent it never received');
    const client = new JaegerClient({ name: 'team', url: jaeger.queryUrl });
    const rest = await inJaeger(client, traceId, 3);
    assert.equal(addRemoteSpans(ws.store, rest), 3);
    assert.equal(addRemoteSpans(ws.store, rest), 0, 'fetching again adds nothing');
    const joined = ws.store.trace(traceId)!;
    assert.deepEqual(missingParents(joined), []);
    const lines: string[] = [];
    const walk = (nodes: readonly SpanNode[], depth: number) => {
      for (const n of nodes) {
        lines.push(`${'  '.repeat(depth)}${n.span.name} [${n.span.resource.serviceName}]`);
        walk(n.children, depth + 1);
      }
    };
    walk(joined.tree().roots, 0);
    assert.deepEqual(lines, [
      'POST /support [gateway]',
      '  support_agent.run [support-agent]',
      '    GET kb-service/search [support-agent]',
      '      search handler [kb-service]',
      '        vector lookup [kb-service]',
    ]);
    assert.equal(joined.summary().name, 'POST /support', 'the run is named after its real root now');
    assert.ok(spansOf(joined).filter((s) => s.resource.serviceName === 'support-agent').every((s) => !s.origin.file.startsWith('jaeger:')), 'local spans stay read from the local file');
  });
});

describe('Jaeger behind an auth proxy, and Jaeger gone', () => {
  test('the configured header gets through; a missing or wrong one is a clear 401; a stopped backend a clear network error, local runs untouched', async () => {
    const proxy = await authProxy(jaeger.queryUrl, 'Bearer team-secret');
    try {
      const url = proxy.url;
      const authed = new JaegerClient({ name: 'team', url, header: { name: 'Authorization', value: 'Bearer team-secret' } });
      assert.ok((await authed.services()).includes('support-agent'));
      const wrong = new JaegerClient({ name: 'team', url, header: { name: 'Authorization', value: 'Bearer old' } });
      await assert.rejects(wrong.services(), (err: RemoteError) => {
        assert.equal(err.kind, 'auth');
        assert.match(err.message, /Jaeger "team": GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/services was refused \(401/);
        assert.match(err.message, /"Authorization" header/);
        assert.doesNotMatch(err.message, /Bearer old/, 'the secret is never in a message');
        return true;
      });
      const none = await cli('tree', '--jaeger', url, '--service', 'support-agent');
      assert.equal(none.code, 1);
      assert.match(none.err, /was refused \(401 Unauthorized\): the backend wants credentials/);
    } finally {
      await proxy.close();
    }

    const localRuns = ws.store.runs().length;
    await jaeger.stop();
    try {
      const client = new JaegerClient({ name: 'team', url: jaeger.queryUrl }, { timeoutMs: 5000 });
      const started = Date.now();
      await assert.rejects(client.trace('0123456789abcdef0123456789abcdef'), (err: RemoteError) => {
        assert.equal(err.kind, 'network');
        assert.match(err.message, /^Jaeger "team": GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/traces\/0123456789abcdef0123456789abcdef failed: nothing is listening there \(ECONNREFUSED\); is Jaeger running\?$/);
        return true;
      });
      assert.ok(Date.now() - started < 5000, 'refused at once, not after the timeout');
      assert.equal(ws.store.runs().length, localRuns, 'local runs are untouched');
      const remoteSpan = spansOf(ws.store.runs().find((r) => r.summary().name === 'POST /support')!).find((s) => s.name === 'POST /support')!;
      assert.match(remoteSpan.origin.file, /^jaeger:team\/trace\//);
      assert.equal((await loadSpanDetails(remoteSpan)).resourceAttributes['service.name'], 'gateway', 'fetched spans still read back: their bytes are held');
    } finally {
      await jaeger.start();
    }
    assert.deepEqual(problems, []);
  });
});
