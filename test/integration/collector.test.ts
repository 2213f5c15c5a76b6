// The OpenTelemetry Collector as the README sets it up (OTLP in, the file exporter writing
// .tracerun/traces.jsonl), fed by the real OTel JS SDK and a Python agent, while the core's
// watcher tails what it writes: runs appear live, rotated files are read, zstd output is
// named as such, and a restarted Collector loses nothing it had written.
import { ROOT_CONTEXT, SpanStatusCode, trace as apiTrace, type Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { describeSpan } from '../../src/core/genai/conventions';
import { extractConversation } from '../../src/core/genai/conversation';
import { traceTokens } from '../../src/core/genai/traceTokens';
import { withLogRecords } from '../../src/core/ingest/logRecordDetails';
import type { TraceWorkspace } from '../../src/core/ingest/traceWorkspace';
import { FakeModelApi } from './fakeModelApi';
import { REPO, detailsOf, freePort, runAgent, setup, spansOf, start, waitFor, watchWorkspace, type Running } from './harness';
import { assertConversation, llmSpans } from './supportConversation';

/** The README's Collector configuration ("Pointing an app at it"), exactly as users copy it. */
function readmeConfig(): string {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Pointing an app at it'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(yaml, 'the README shows a Collector configuration');
  return yaml;
}

let collectorBin: string;
const folders: string[] = [];

before(async () => {
  collectorBin = await setup('setup-collector.sh');
});

after(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

interface Collector {
  readonly folder: string;
  readonly httpUrl: string;
  readonly grpcUrl: string;
  readonly file: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Collector run in `folder` (the workspace, so the README's relative path lands in its
 * .tracerun) with the README's config plus `overrides` merged on top (the Collector merges
 * --config files in order): free loopback ports, no self-telemetry port.
 */
async function collector(name: string, overrides: string): Promise<Collector> {
  const folder = mkdtempSync(path.join(os.tmpdir(), `tracerun-otelcol-${name}-`));
  folders.push(folder);
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  mkdirSync(path.join(folder, '.tracerun')); // the README says to: the exporter does not create it
  writeFileSync(path.join(folder, 'readme.yaml'), readmeConfig());
  writeFileSync(
    path.join(folder, 'test.yaml'),
    [
      'receivers:',
      '  otlp:',
      '    protocols:',
      `      http: { endpoint: "127.0.0.1:${httpPort}" }`,
      `      grpc: { endpoint: "127.0.0.1:${grpcPort}" }`,
      'service:',
      '  telemetry: { metrics: { level: none } }',
      overrides,
    ].join('\n'),
  );
  let running: Running | undefined;
  return {
    folder,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    grpcUrl: `http://127.0.0.1:${grpcPort}`,
    file: path.join(folder, '.tracerun', 'traces.jsonl'),
    async start() {
      const run = start(collectorBin, ['--config', 'readme.yaml', '--config', 'test.yaml'], { cwd: folder });
      running = run;
      await Promise.race([
        waitFor('the Collector to be ready', () => run.output().includes('Everything is ready'), 60_000),
        run.done.then((r) => {
          throw new Error(`the Collector exited with ${r.code}:\n${r.stderr}`);
        }),
      ]);
    },
    async stop() {
      if (!running) return;
      running.child.kill('SIGTERM');
      await running.done;
      running = undefined;
    },
  };
}

/** The real OTel JS SDK exporting each span as it ends to the Collector over OTLP/HTTP. */
function jsTracer(httpUrl: string, service: string) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${httpUrl}/v1/traces` }))],
  });
  return { provider, tracer: provider.getTracer('tracerun.integration') };
}

function child(tracer: ReturnType<typeof jsTracer>['tracer'], parent: Span, name: string, attributes: Record<string, string | number> = {}): void {
  tracer.startSpan(name, { attributes }, apiTrace.setSpan(ROOT_CONTEXT, parent)).end();
}

function runNamed(ws: TraceWorkspace, name: string) {
  return ws.store.runs().find((r) => r.summary().name === name);
}

describe('the README configuration: runs appear live as the Collector writes them', () => {
  let c: Collector;
  let ws: TraceWorkspace;
  const problems: string[] = [];
  before(async () => {
    c = await collector('live', '');
    await c.start();
    ws = await watchWorkspace(c.folder, problems);
  });
  after(async () => {
    ws?.dispose();
    await c?.stop();
  });

  test('a run shows while its root is open, then completes', async () => {
    const { provider, tracer } = jsTracer(c.httpUrl, 'js-agent');
    const root = tracer.startSpan('js_agent.run', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
    child(tracer, root, 'chat gpt-4o', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 5 });
    await provider.forceFlush();
    const traceId = root.spanContext().traceId;
    const live = await waitFor('the model call while the run is open', () => ws.store.trace(traceId));
    assert.equal(live.state(Date.now()), 'running', 'the root has not ended: the run is running');
    assert.equal(describeSpan(spansOf(live)[0]).kind, 'llm');
    root.setStatus({ code: SpanStatusCode.OK });
    root.end();
    await provider.forceFlush();
    await waitFor('the run to complete', () => live.state(Date.now()) === 'complete');
    assert.equal(live.summary().name, 'js_agent.run');
    assert.deepEqual(traceTokens(live), { input: 12, output: 5, total: 17 });
    await provider.shutdown();
    assert.deepEqual(problems, []);
  });

  test('a Python agent (openai-v2, spans and log records over gRPC) shows its runs', async () => {
    const python = await setup('setup-python.sh');
    const fake = new FakeModelApi();
    const modelUrl = await fake.start();
    try {
      await runAgent(python, 'agent_openai_v2.py', {
        OPENAI_BASE_URL: `${modelUrl}/v1`,
        OPENAI_API_KEY: 'sk-test-loopback',
        TRACERUN_EXPORT: `grpc=${c.grpcUrl}`,
      });
    } finally {
      fake.dispose();
    }
    const runs = await waitFor('the two support runs', () => {
      const r = ws.store.runs().filter((t) => t.summary().name === 'support_agent.run' && t.state(Date.now()) === 'complete');
      return r.length === 2 && r;
    });
    const [ok] = [...runs].sort((a, b) => (a.summary().startNs < b.summary().startNs ? -1 : 1));
    const calls = llmSpans(ok);
    assert.deepEqual(
      calls.map((s) => describeSpan(s).model),
      ['fake-gpt-4o-mini-2024-07-18', 'fake-gpt-4o-2024-07-18', 'fake-gpt-4o-2024-07-18'],
    );
    assert.ok(readFileSync(c.file, 'utf8').includes('"resourceLogs"'), 'log records share the file');
    assert.deepEqual(problems, [], 'log-record lines are skipped, not reported');
    // EVENT_ONLY: the messages are only in the log records the Collector wrote beside the spans.
    const last = calls.at(-1)!;
    const details = await detailsOf(last);
    assert.equal(extractConversation(details), undefined, 'no content on the span itself');
    // The Collector exports logs in their own batches: they may land in the file after the spans.
    let conversation = extractConversation(await withLogRecords(last, details, ws.store.logRecords));
    for (const until = Date.now() + 20_000; !conversation?.messages.some((m) => m.direction === 'output') && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 100));
      conversation = extractConversation(await withLogRecords(last, details, ws.store.logRecords));
    }
    assertConversation(conversation);
  });
});

describe('the file exporter rotating (rotation settings)', () => {
  test('spans in rotated files are all read, once', async () => {
    const c = await collector('rotation', ['exporters:', '  file:', '    append: false', '    rotation: { max_megabytes: 1, max_backups: 10 }'].join('\n'));
    await c.start();
    const ws = await watchWorkspace(c.folder);
    try {
      const { provider, tracer } = jsTracer(c.httpUrl, 'js-rotation');
      const big = 'x'.repeat(20_000);
      const root = tracer.startSpan('rotation.run');
      const count = 150; // ~3 MB: at least two rotations
      for (let i = 0; i < count; i++) {
        child(tracer, root, `step ${i}`, { 'input.value': big });
        if (i % 10 === 9) await provider.forceFlush(); // the exporter allows only so many requests in flight
      }
      root.end();
      await provider.forceFlush();
      await provider.shutdown();
      const traceId = root.spanContext().traceId;
      await waitFor('every span', () => ws.store.trace(traceId)?.spanCount === count + 1, 30_000);
      const files = readdirSync(path.join(c.folder, '.tracerun'));
      assert.ok(files.length >= 3, `rotated: ${files.join(', ')}`);
      assert.ok(ws.watchedFiles().length >= 3, 'the backups are watched too');
    } finally {
      ws.dispose();
      await c.stop();
    }
  });
});

describe('the file exporter compressing (compression: zstd)', () => {
  test('a zstd file is named as such, with how to turn compression off', async () => {
    const c = await collector('zstd', ['exporters:', '  file:', '    compression: zstd'].join('\n'));
    await c.start();
    const problems: string[] = [];
    const ws = await watchWorkspace(c.folder, problems);
    try {
      const { provider, tracer } = jsTracer(c.httpUrl, 'js-zstd');
      tracer.startSpan('zstd.run').end();
      await provider.shutdown();
      await waitFor('a problem about the file', () => problems.length > 0, 10_000);
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /zstd/i);
      assert.match(problems[0], /compression/i);
    } finally {
      ws.dispose();
      await c.stop();
    }
  });
});

describe('the Collector restarted mid-run', () => {
  test('nothing it had written is lost, and the run completes', async () => {
    const c = await collector('restart', '');
    await c.start();
    const ws = await watchWorkspace(c.folder);
    try {
      const { provider, tracer } = jsTracer(c.httpUrl, 'js-restart');
      const root = tracer.startSpan('restart.run');
      for (let i = 0; i < 5; i++) child(tracer, root, `before ${i}`);
      await provider.forceFlush();
      const traceId = root.spanContext().traceId;
      await waitFor('the spans sent before the restart', () => ws.store.trace(traceId)?.spanCount === 5, 15_000);
      await c.stop();
      await c.start();
      for (let i = 0; i < 5; i++) child(tracer, root, `after ${i}`);
      root.end();
      await provider.forceFlush();
      await provider.shutdown();
      const run = await waitFor('the run to complete after the restart', () => {
        const t = ws.store.trace(traceId);
        return t?.state(Date.now()) === 'complete' && t;
      }, 15_000);
      assert.deepEqual(
        spansOf(run).map((s) => s.name).sort(),
        ['after 0', 'after 1', 'after 2', 'after 3', 'after 4', 'before 0', 'before 1', 'before 2', 'before 3', 'before 4', 'restart.run'],
      );
    } finally {
      ws.dispose();
      await c.stop();
    }
  });
});

describe('the Collector restarted without append (append: false truncates the file)', () => {
  // The README sets `append: true` for this: a file truncated under the watcher is read again
  // from its start, and what the spans of its earlier bytes were cannot be read back (their
  // details stay on disk, at offsets the new content now holds), so they leave the view.
  test('runs written before the restart drop from view; what comes after shows', async () => {
    const c = await collector('restart-truncate', ['exporters:', '  file:', '    append: false'].join('\n'));
    await c.start();
    const ws = await watchWorkspace(c.folder);
    try {
      const before = jsTracer(c.httpUrl, 'js-truncate');
      const done = before.tracer.startSpan('before.run');
      child(before.tracer, done, 'before step');
      done.end();
      const open = before.tracer.startSpan('open.run');
      child(before.tracer, open, 'open step before');
      await before.provider.forceFlush();
      await waitFor('the runs sent before the restart', () => runNamed(ws, 'before.run') && ws.store.trace(open.spanContext().traceId)?.spanCount === 1, 15_000);
      await c.stop();
      await c.start();
      child(before.tracer, open, 'open step after');
      open.end();
      await before.provider.forceFlush();
      await before.provider.shutdown();
      const run = await waitFor('the open run to complete after the restart', () => {
        const t = ws.store.trace(open.spanContext().traceId);
        return t?.state(Date.now()) === 'complete' && t;
      }, 15_000);
      assert.equal(runNamed(ws, 'before.run'), undefined, 'the run finished before the restart is gone');
      assert.deepEqual(spansOf(run).map((s) => s.name), ['open.run', 'open step after'], 'of the open run, only what was written after the restart');
      assert.ok(!readFileSync(c.file, 'utf8').includes('before step'), 'the Collector truncated the file');
    } finally {
      ws.dispose();
      await c.stop();
    }
  });
});
