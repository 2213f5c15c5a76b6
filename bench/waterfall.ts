// Waterfall bench: the webview's first paint and scroll frames for agent runs of 1k to 1M
// spans, against a plain non-virtualized DOM rendering of the same rows in the same page and
// CSS; and the extension host's side (waterfallData + slices, and the heap it holds) for 1M.
//
// The traces are generated here as OTLP JSON lines, read with the real reader into a real
// TraceStore, laid out with the real waterfallData and sliced as the panel slices them. The
// slices go to a page served from 127.0.0.1 (dist/ + bench/waterfall-page.js); the page
// stubs acquireVsCodeApi, loads the production-like webview bundle and then, timed, gets the
// TraceBegin + TraceRows messages through window.postMessage, as VS Code delivers them.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describeSpan } from '../src/core/genai/conventions';
import { runTokens } from '../src/core/genai/runTokens';
import { readOtlpJson } from '../src/core/ingest/otlp/otlpJsonReader';
import type { SpanRecord } from '../src/core/model/span';
import type { SpanNode, Trace } from '../src/core/model/trace';
import { TraceStore } from '../src/core/model/traceStore';
import { layoutFlatSteps } from '../src/core/waterfall/flatRows';
import { runSteps, runStepsSliced } from '../src/core/util/steps';
import { ROWS_PER_SLICE, sliceBounds, waterfallData, waterfallFirstSteps, type WaterfallData } from '../src/core/waterfall/rows';
import { ROW_COLUMNS, ROW_KINDS, RowFlag, type RowColumns, type RunHeader, type TraceStart } from '../src/protocol/waterfall';
import { flatTreeOf } from '../src/core/model/flatTree';
import { hostOpen, type HostOpen } from './waterfallOpen';
import { kvD, kvI, kvS, q, Rng } from './generate';

export interface WaterfallResult {
  name: string;
  value: number;
  unit: string;
  /** null when the baseline could not be measured (see `note`). */
  baseline: number | null;
  /** Set when the baseline was capped or left out. */
  note?: string;
}

export const WATERFALL_TARGETS: Record<string, string> = {
  'waterfall.firstPaintMs.100k': 'value < 1000 ms',
  'waterfall.frameP95Ms.100k': 'value < 16 ms',
  'waterfall.firstPaintMs.1m': 'value < 3000 ms',
  'waterfall.hostHeapBytes.1m': 'value well under baseline',
  'waterfall.hostLongestStepMs.100k': 'value < 50 ms',
  'waterfall.hostLongestStepMs.1m': 'value < 100 ms',
  'waterfall.openMs.10k': 'value < 150 ms',
  'waterfall.openMs.100k': 'value < 400 ms',
};

export const WATERFALL_BASELINES =
  'waterfall.*: firstPaint/frameP95 baseline = plain DOM (one div per row, appended at once) in the same page and CSS; ' +
  'hostMs baseline = the same rows as one JSON array of row objects; hostHeapBytes baseline = the spans as OTLP JSON lines (bytes); ' +
  'hostLongestStepMs = longest the event loop was held during a send after a live update (tree, layout, rows, slices) as the panel does it in time slices with the flat tree, baseline = the same sliced send with the object tree (Trace.treeSliced), as before; ' +
  'openMs = Open Waterfall on a trace already read (summary and tokens counted) to its first rows painted: the host laying out the flat tree (kept since the spans were read, for a trace of 5,000 spans or more; the note says the host part with the tree made at the open), the header as first sent and the first slice (the cost and missing context follow the rows), plus the webview from the messages to the first rows painted; baseline = the same with the object tree made at the open.';

const ALL_SIZES: readonly { label: string; spans: number }[] = [
  { label: '1k', spans: 1_000 },
  { label: '10k', spans: 10_000 },
  { label: '100k', spans: 100_000 },
  { label: '1m', spans: 1_000_000 },
];
/** TRACERUN_BENCH_WATERFALL=1k,10k runs only those sizes (the host rows need 1m). */
const SIZES = process.env.TRACERUN_BENCH_WATERFALL ? ALL_SIZES.filter((s) => process.env.TRACERUN_BENCH_WATERFALL!.split(',').includes(s.label)) : ALL_SIZES;
const FRAMES = Number(process.env.TRACERUN_BENCH_FRAMES ?? 120);
/** Timed sends of the 1M trace on the host (0: none, for trying webview changes quickly). */
const HOST_ROUNDS = Number(process.env.TRACERUN_BENCH_HOST_ROUNDS ?? 2);
const SCROLL_STEP_PX = 300;
const JUMP_EVERY = 20;
/**
 * How long the plain-DOM baseline may take to paint before it is given up (its 1M page runs in
 * a browser of its own, killed at the cap: the layout of 445k rows cannot be stopped from inside).
 */
const BASELINE_CAP_MS = Number(process.env.TRACERUN_BENCH_BASELINE_CAP_MS ?? 45_000);
/** Opens of the 10k and 100k traces timed on the host, each way (see waterfallOpen.ts). */
const OPEN_REPS = Number(process.env.TRACERUN_BENCH_OPEN_REPS ?? 5);
/** TRACERUN_BENCH_NO_WEBVIEW=1: the host rows only (no browser); openMs is then the host's part alone. */
const NO_WEBVIEW = !!process.env.TRACERUN_BENCH_NO_WEBVIEW;
/** How long the plain-DOM baseline may scroll (its frames take seconds each with 1M rows). */
const BASELINE_SCROLL_MS = 15_000;
const BASELINE_SCROLL_MS_1M = 6_000;
const VIEWPORT = { width: 1280, height: 800 };
const CHROMIUM = process.env.TRACERUN_BENCH_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // window.gc() in the page, to start each measurement from a collected heap.
  '--js-flags=--expose-gc',
];
/** TRACERUN_BENCH_WEBVIEW_DIST=dir: serve webview.js/.css from there (to try a change to the webview). */
const WEBVIEW_DIST = process.env.TRACERUN_BENCH_WEBVIEW_DIST;
const FILE = '/bench/waterfall/agent-run.jsonl';
const BATCH = 512;

type Log = (message: string) => void;

const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
function fullGc(): void {
  gc();
  gc();
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const median = (values: readonly number[]) => percentile(values, 50);
const f1 = (v: number) => v.toFixed(1);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

// ---------------------------------------------------------------------------------------
// One big agent run as OTLP JSON lines


const WORDS = (
  'the a of to in for on with by from as is are was be can will should not agent tool call model prompt token context ' +
  'retrieval document query answer user customer order invoice refund shipping account billing plan error timeout retry ' +
  'latency request response service database index vector embedding chunk search result source citation policy step ' +
  'reasoning summary report analysis dataset metric function argument schema field value list record table row filter ' +
  'python typescript repository commit branch test failure stack trace exception module package deploy cluster cache ' +
  'queue worker job pipeline check confirm verify update create fetch return explain compare first next finally café Zürich →'
).split(' ');
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-20250514', 'gemini-2.5-pro', 'o4-mini'];
const TOOLS = ['web_search', 'read_file', 'write_file', 'run_tests', 'grep', 'git_diff', 'sql_query', 'lookup_order', 'search_kb', 'python_exec'];
const ROLES = ['researcher', 'coder', 'reviewer', 'planner', 'analyst'];
const ERRORS: readonly [string, string][] = [
  ['TimeoutError', 'tool timed out after 30s'],
  ['KeyError', "'customer_id'"],
  ['httpx.HTTPStatusError', "Server error '503 Service Unavailable'"],
  ['openai.RateLimitError', 'Error code: 429 - rate_limit_exceeded'],
];

interface Spec {
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startUs: number;
  endUs: number;
  attrs: string[];
  error?: [string, string];
}

/**
 * Generates one agent run of exactly `spanCount` spans: agent steps (chains) with retrievals
 * (embedding + db + rerank), LLM calls, tools with HTTP/DB children, now and then a fan-out of
 * same-named siblings (fetch_url ×N, map-reduce summaries) that the waterfall folds, and
 * sub-agents nesting down to depth ~10; a few percent of tools and LLM calls fail. Spans come
 * out children first (as SDKs export them), in lines of `BATCH` spans.
 */
class AgentRunGenerator {
  private readonly rng: Rng;
  private readonly sentences: string[] = [];
  private readonly traceId: string;
  private readonly resource: string;
  private readonly scope: string;
  private pending: string[] = [];
  private step = 0;
  emitted = 0;

  constructor(seed: number, private readonly onLine: (line: string) => void) {
    this.rng = new Rng(seed);
    const rng = this.rng;
    for (let i = 0; i < 3000; i++) {
      const n = rng.int(5, 18);
      const words: string[] = [];
      for (let w = 0; w < n; w++) words.push(rng.pick(WORDS));
      this.sentences.push(words.join(' ') + '.');
    }
    this.traceId = rng.hex(16);
    this.resource = `{"attributes":[${[kvS('service.name', 'deep-research-agent'), kvS('service.version', '2.3.1'), kvS('telemetry.sdk.language', 'python'), kvS('telemetry.sdk.name', 'opentelemetry'), kvS('host.name', 'dev-laptop')].join(',')}]}`;
    this.scope = '{"name":"agent.instrumentation","version":"1.0.0"}';
  }

  private text(chars: number): string {
    let out = '';
    while (out.length < chars) out += (out ? ' ' : '') + this.rng.pick(this.sentences);
    return out;
  }

  private code(file: string, fn: string): string[] {
    return [kvS('code.filepath', `src/agent/${file}`), kvI('code.lineno', this.rng.int(10, 900)), kvS('code.function', fn)];
  }

  private render(s: Spec): string {
    const rng = this.rng;
    let json = `{"traceId":"${this.traceId}","spanId":"${s.spanId}","parentSpanId":"${s.parentSpanId}","name":${q(s.name)},"kind":${s.kind},"startTimeUnixNano":"${Math.floor(s.startUs)}${String(rng.int(0, 999)).padStart(3, '0')}","endTimeUnixNano":"${Math.floor(s.endUs)}${String(rng.int(0, 999)).padStart(3, '0')}","attributes":[${s.attrs.join(',')}]`;
    if (s.error) {
      const [type, message] = s.error;
      const stack = `Traceback (most recent call last):\n  File "/app/src/agent/loop.py", line ${rng.int(10, 900)}, in run_step\n  File "/app/src/agent/tools/registry.py", line ${rng.int(10, 300)}, in invoke\n${type}: ${message}`;
      json += `,"events":[{"timeUnixNano":"${Math.floor(s.endUs)}000","name":"exception","attributes":[${[kvS('exception.type', type), kvS('exception.message', message), kvS('exception.stacktrace', stack)].join(',')}]}]`;
      json += `,"status":{"code":2,"message":${q(`${type}: ${message}`)}}`;
    } else json += ',"status":{}';
    return json + '}';
  }

  private push(buf: string[], s: Spec): void {
    buf.push(this.render(s));
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.onLine(`{"resourceSpans":[{"resource":${this.resource},"scopeSpans":[{"scope":${this.scope},"spans":[${this.pending.join(',')}]}]}]}`);
    this.pending = [];
  }

  private commit(buf: string[]): void {
    for (const s of buf) {
      this.pending.push(s);
      this.emitted++;
      if (this.pending.length === BATCH) this.flush();
    }
  }

  /** Generates the run; returns its span count (always `spanCount`). */
  run(spanCount: number): number {
    const rng = this.rng;
    const rootId = rng.hex(8);
    const start = 1_748_736_000_000_000;
    let t = start + 2_000;
    const budget = spanCount - 1;
    while (this.emitted < budget) {
      const left = budget - this.emitted;
      let buf: string[] = [];
      let end = t;
      for (let attempt = 0; attempt < 20; attempt++) {
        buf = [];
        end = this.agentStep(buf, rootId, 1, t);
        if (buf.length <= left) break;
      }
      if (buf.length > left) {
        // Too big for what is left of the budget: end with single LLM calls.
        buf = [];
        end = this.llm(buf, rootId, t, false);
      }
      this.commit(buf);
      t = end + rng.int(200, 3000);
    }
    this.commit([
      this.render({
        spanId: rootId, parentSpanId: '', name: 'agent.run', kind: 2, startUs: start, endUs: t + 1000,
        attrs: [kvS('openinference.span.kind', 'AGENT'), kvS('session.id', `sess_${rng.hex(8)}`), kvS('input.value', this.text(300)), kvS('output.value', this.text(400)), ...this.code('loop.py', 'run')],
      }),
    ]);
    this.flush();
    return this.emitted;
  }

  /** One agent step under `parent` at `depth`, into `buf`; returns its end. */
  private agentStep(buf: string[], parent: string, depth: number, t0: number): number {
    const rng = this.rng;
    const id = rng.hex(8);
    let t = t0 + rng.int(100, 2000);
    if (rng.chance(0.35)) t = this.retrieval(buf, id, t) + rng.int(300, 3000);
    if (rng.chance(0.1)) {
      const e = t + rng.int(5_000, 80_000);
      this.push(buf, { spanId: rng.hex(8), parentSpanId: id, name: 'input_guardrail', kind: 1, startUs: t, endUs: e, attrs: [kvS('openinference.span.kind', 'GUARDRAIL'), kvS('input.value', this.text(120))] });
      t = e + rng.int(100, 1000);
    }
    t = this.llm(buf, id, t, true) + rng.int(200, 3000);
    const calls = rng.chance(0.7) ? 1 : rng.int(2, 3);
    for (let c = 0; c < calls; c++) t = this.tool(buf, id, depth + 1, t) + rng.int(200, 2000);
    if (rng.chance(0.05)) {
      const e = t + rng.int(50_000, 900_000);
      this.push(buf, { spanId: rng.hex(8), parentSpanId: id, name: 'evaluate answer', kind: 1, startUs: t, endUs: e, attrs: [kvS('openinference.span.kind', 'EVALUATOR'), kvS('output.value', this.text(200))] });
      t = e;
    }
    const end = t + rng.int(100, 2000);
    this.push(buf, {
      spanId: id, parentSpanId: parent, name: `agent.step ${++this.step}`, kind: 1, startUs: t0, endUs: end,
      attrs: [kvS('openinference.span.kind', 'CHAIN'), kvI('agent.step', this.step), ...this.code('loop.py', 'run_step')],
    });
    return end;
  }

  private retrieval(buf: string[], parent: string, t0: number): number {
    const rng = this.rng;
    const id = rng.hex(8);
    const e1 = t0 + rng.int(30_000, 250_000);
    this.push(buf, {
      spanId: rng.hex(8), parentSpanId: id, name: 'embeddings text-embedding-3-small', kind: 3, startUs: t0 + 200, endUs: e1,
      attrs: [kvS('gen_ai.operation.name', 'embeddings'), kvS('gen_ai.system', 'openai'), kvS('gen_ai.request.model', 'text-embedding-3-small'), kvI('gen_ai.usage.input_tokens', rng.int(8, 200))],
    });
    const e2 = e1 + rng.int(5_000, 120_000);
    this.push(buf, {
      spanId: rng.hex(8), parentSpanId: id, name: 'SELECT chunks', kind: 3, startUs: e1 + 100, endUs: e2,
      attrs: [kvS('db.system.name', 'postgresql'), kvS('db.namespace', 'kb'), kvS('db.query.text', 'SELECT id, content, embedding <=> $1 AS distance FROM chunks ORDER BY distance LIMIT $2')],
    });
    let e = e2;
    if (rng.chance(0.3)) {
      e = e2 + rng.int(20_000, 200_000);
      this.push(buf, { spanId: rng.hex(8), parentSpanId: id, name: 'rerank', kind: 3, startUs: e2 + 100, endUs: e, attrs: [kvS('openinference.span.kind', 'RERANKER'), kvS('reranker.model_name', 'rerank-english-v3.0')] });
    }
    this.push(buf, {
      spanId: id, parentSpanId: parent, name: 'VectorStoreRetriever', kind: 1, startUs: t0, endUs: e + 300,
      attrs: [kvS('openinference.span.kind', 'RETRIEVER'), kvS('input.value', this.text(150)), kvS('retrieval.documents', q(Array.from({ length: 3 }, () => ({ document: { id: `doc-${rng.hex(4)}`, content: this.text(200) } })))), ...this.code('retrieval/vector.py', 'retrieve')],
    });
    return e + 300;
  }

  private llm(buf: string[], parent: string, t0: number, big: boolean, name?: string, model = this.rng.pick(MODELS)): number {
    const rng = this.rng;
    const end = t0 + rng.int(300_000, big ? 9_000_000 : 2_000_000);
    const input = this.text(big ? rng.int(400, 2000) : rng.int(100, 400));
    const output = this.text(big ? rng.int(100, 800) : rng.int(50, 200));
    this.push(buf, {
      spanId: rng.hex(8), parentSpanId: parent, name: name ?? `chat ${model}`, kind: 3, startUs: t0, endUs: end,
      attrs: [
        kvS('gen_ai.operation.name', 'chat'), kvS('gen_ai.system', model.startsWith('claude') ? 'anthropic' : model.startsWith('gemini') ? 'gcp.gemini' : 'openai'),
        kvS('gen_ai.request.model', model), kvS('gen_ai.response.model', model), kvD('gen_ai.request.temperature', 0.2),
        kvI('gen_ai.usage.input_tokens', Math.round(input.length / 4)), kvI('gen_ai.usage.output_tokens', Math.round(output.length / 4)),
        kvS('gen_ai.input.messages', q([{ role: 'user', parts: [{ type: 'text', content: input }] }])), kvS('output.value', output),
        ...this.code('llm/client.py', 'complete'),
      ],
      error: rng.chance(0.015) ? ERRORS[3] : undefined,
    });
    return end;
  }

  private tool(buf: string[], parent: string, depth: number, t0: number): number {
    const rng = this.rng;
    const id = rng.hex(8);
    const toolName = rng.pick(TOOLS);
    const subAgentChance = depth <= 2 ? 0.08 : depth <= 4 ? 0.06 : depth <= 6 ? 0.04 : 0;
    let t = t0 + rng.int(100, 2000);
    let name = `execute_tool ${toolName}`;
    let kindAttrs = [kvS('gen_ai.operation.name', 'execute_tool'), kvS('gen_ai.tool.name', toolName), kvS('openinference.span.kind', 'TOOL')];
    let error: Spec['error'];
    if (rng.chance(subAgentChance)) {
      // A sub-agent: its own steps, one level of nesting deeper each.
      const role = rng.pick(ROLES);
      name = `invoke_agent ${role}`;
      kindAttrs = [kvS('gen_ai.operation.name', 'invoke_agent'), kvS('gen_ai.agent.name', role)];
      const steps = rng.int(2, 5);
      for (let s = 0; s < steps; s++) t = this.agentStep(buf, id, depth + 1, t) + rng.int(100, 1000);
    } else if (rng.chance(0.03)) {
      // Fan-out: many fetches in parallel, same name, so the waterfall folds them.
      name = 'execute_tool web_search';
      const n = rng.int(5, 120);
      let end = t;
      for (let k = 0; k < n; k++) {
        const fid = rng.hex(8);
        const fs0 = t + rng.int(0, 50_000) + k * 2_000;
        const hs = fs0 + rng.int(100, 2000);
        const he = hs + rng.int(1_000, 1_500_000);
        const status = rng.chance(0.03) ? 503 : 200;
        this.push(buf, {
          spanId: rng.hex(8), parentSpanId: fid, name: 'GET', kind: 3, startUs: hs, endUs: he,
          attrs: [kvS('http.request.method', 'GET'), kvS('url.full', `https://example.com/${rng.hex(6)}`), kvI('http.response.status_code', status)],
          error: status === 503 ? ERRORS[2] : undefined,
        });
        const fe = he + rng.int(100, 3000);
        this.push(buf, { spanId: fid, parentSpanId: id, name: 'fetch_url', kind: 1, startUs: fs0, endUs: fe, attrs: [kvS('openinference.span.kind', 'TOOL'), kvS('input.value', `https://example.com/${rng.hex(6)}`), kvS('output.value', this.text(150))] });
        if (fe > end) end = fe;
      }
      t = end;
    } else if (rng.chance(0.02)) {
      // Map-reduce: many small summaries in parallel, then one that combines them.
      const mid = rng.hex(8);
      const n = rng.int(5, 150);
      let end = t;
      for (let k = 0; k < n; k++) end = Math.max(end, this.llm(buf, mid, t + k * 10_000 + rng.int(0, 20_000), false, 'chat gpt-4o-mini summarize', 'gpt-4o-mini'));
      end = this.llm(buf, mid, end + 500, true);
      this.push(buf, { spanId: mid, parentSpanId: id, name: 'map_reduce summarize', kind: 1, startUs: t, endUs: end + 200, attrs: [kvS('openinference.span.kind', 'CHAIN'), kvI('chunks', n)] });
      t = end + 200;
    } else {
      const e = t + rng.int(2_000, 2_500_000);
      if (rng.chance(0.5)) {
        const status = rng.chance(0.05) ? 503 : 200;
        this.push(buf, {
          spanId: rng.hex(8), parentSpanId: id, name: 'GET', kind: 3, startUs: t + 100, endUs: e - 100,
          attrs: [kvS('http.request.method', 'GET'), kvS('url.full', `https://api.example.com/v2/${toolName}?q=${rng.hex(4)}`), kvI('http.response.status_code', status)],
          error: status === 503 ? ERRORS[2] : undefined,
        });
      } else if (rng.chance(0.4)) {
        this.push(buf, {
          spanId: rng.hex(8), parentSpanId: id, name: 'SELECT orders', kind: 3, startUs: t + 100, endUs: Math.min(e - 100, t + rng.int(500, 300_000)),
          attrs: [kvS('db.system', 'postgresql'), kvS('db.statement', 'SELECT id, status, total FROM orders WHERE customer_id = $1')],
        });
      }
      if (rng.chance(0.04)) error = rng.pick(ERRORS.slice(0, 3));
      t = e;
    }
    const end = t + rng.int(100, 2000);
    this.push(buf, {
      spanId: id, parentSpanId: parent, name, kind: 1, startUs: t0, endUs: end, error,
      attrs: [...kindAttrs, kvS('input.value', q({ query: this.text(60), limit: rng.int(1, 20) })), kvS('output.value', error ? '' : this.text(rng.int(100, 500))), ...this.code(`tools/${toolName}.py`, toolName)],
    });
    return end;
  }
}

interface BuiltTrace {
  store: TraceStore;
  trace: Trace;
  otlpBytes: number;
  lines: number;
}

/** Generates the run and reads it line by line into a TraceStore (lines are dropped as read). */
export function buildTrace(spanCount: number, seed: number): BuiltTrace {
  const store = new TraceStore();
  let otlpBytes = 0;
  let lines = 0;
  const gen = new AgentRunGenerator(seed, (line) => {
    const buf = Buffer.from(line + '\n', 'utf8');
    const { spans, problems } = readOtlpJson(buf, 0, buf.length - 1, { file: FILE, line: ++lines, byteBase: otlpBytes });
    if (problems.length > 0) throw new Error(`generated line ${lines}: ${problems[0]}`);
    otlpBytes += buf.length;
    store.addSpans(FILE, spans);
  });
  const emitted = gen.run(spanCount);
  const runs = store.runs();
  if (runs.length !== 1 || runs[0].spanCount !== spanCount || emitted !== spanCount) {
    throw new Error(`generated ${emitted} spans into ${runs.length} traces (${runs[0]?.spanCount} spans), expected one of ${spanCount}`);
  }
  return { store, trace: runs[0], otlpBytes, lines };
}

/** What the rows hold: kinds, depth, failures and folded groups. */
function composition(slices: readonly RowColumns[]): string {
  const kinds = new Map<string, number>();
  let maxDepth = 0;
  let errors = 0;
  let groups = 0;
  let folded = 0;
  for (const s of slices) {
    for (let i = 0; i < s.kind.length; i++) {
      const k = ROW_KINDS[s.kind[i]];
      if (!(s.flags[i] & RowFlag.Group)) kinds.set(k, (kinds.get(k) ?? 0) + 1);
      if (s.depth[i] > maxDepth) maxDepth = s.depth[i];
      if (s.flags[i] & RowFlag.Error && !(s.flags[i] & RowFlag.Group)) errors++;
      if (s.groupSize[i] > 0) {
        groups++;
        folded += s.groupSize[i];
      }
    }
  }
  const kindList = [...kinds].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${k} ${c}`).join(', ');
  return `depth ≤ ${maxDepth}, ${errors} failed, ${groups} folded groups (${folded} siblings), kinds: ${kindList}`;
}

// ---------------------------------------------------------------------------------------
// Host side

/** Sends nothing, but builds what the panel sends: waterfallData, then every slice. */
/** As the panel sends a trace: TraceBegin's start (its header as first known), every slice, then the whole header (TraceHeader). */
function hostSend(trace: Trace): HostSend {
  const first = runSteps(waterfallFirstSteps(trace, flatTreeOf(trace), Date.now(), 1));
  runSteps(first.moreRows());
  const slices: RowColumns[] = [];
  for (const [from, to] of sliceBounds(first.start.rowCount)) slices.push(first.slice(from, to));
  return { start: first.start, slices, header: runSteps(first.wholeHeader()) };
}

interface HostSend {
  readonly start: TraceStart;
  readonly slices: RowColumns[];
  readonly header: RunHeader;
}

/**
 * Runs `work` while a probe notes the longest gap between two turns of the event loop: the
 * longest time the extension host could not answer anything else.
 */
async function longestBlock(work: () => Promise<unknown>): Promise<number> {
  let longest = 0;
  let last = performance.now();
  let running = true;
  const tick = (): void => {
    const now = performance.now();
    if (now - last > longest) longest = now - last;
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  running = false;
  const now = performance.now();
  return Math.max(longest, now - last);
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** As WaterfallPanel.sendTrace: the flat tree (or the object tree, as before), the first rows, then the others in time slices and the slices one per turn, then the whole header. */
async function slicedSend(trace: Trace, objectTree = false): Promise<void> {
  const tree = objectTree ? await trace.treeSliced() : flatTreeOf(trace);
  const first = await runStepsSliced(waterfallFirstSteps(trace, tree, Date.now(), 1));
  const [firstSlice, ...others] = sliceBounds(first.start.rowCount);
  if (firstSlice) first.slice(...firstSlice);
  await runStepsSliced(first.moreRows());
  for (const [from, to] of others) {
    await nextTurn();
    first.slice(from, to);
  }
  await runStepsSliced(first.wholeHeader());
}

/** The send before time slicing: tree and rows at once, then the slices one per turn. */
async function blockingSend(trace: Trace): Promise<void> {
  const data = waterfallData(trace, Date.now(), 1);
  for (let from = 0; from < data.start.rowCount; from += ROWS_PER_SLICE) {
    await nextTurn();
    data.slice(from, Math.min(data.start.rowCount, from + ROWS_PER_SLICE));
  }
}

/**
 * Longest event-loop block of a sliced send with the flat tree, and with the object tree as
 * before, each after a live update (the flat tree is made before, as the panel's first send
 * made it); one send at once is logged for scale.
 */
async function benchLongestStep(store: TraceStore, trace: Trace, label: string, log: Log): Promise<WaterfallResult> {
  const sliced: number[] = [];
  const objectSliced: number[] = [];
  const rounds = Math.max(3, HOST_ROUNDS);
  await slicedSend(trace);
  for (let round = 0; round < rounds; round++) {
    touch(store, trace);
    fullGc();
    sliced.push(await longestBlock(() => slicedSend(trace)));
    touch(store, trace);
    fullGc();
    objectSliced.push(await longestBlock(() => slicedSend(trace, true)));
  }
  touch(store, trace);
  fullGc();
  const blocking = await longestBlock(() => blockingSend(trace));
  log(`  ${label} longest host step: flat tree, sliced ${sliced.map(f1).join(', ')} ms; object tree, sliced ${objectSliced.map(f1).join(', ')} ms; flat tree at once ${f1(blocking)} ms`);
  return { name: `waterfall.hostLongestStepMs.${label}`, value: median(sliced), unit: 'ms', baseline: median(objectSliced) };
}

/** A live update changes the trace: its tree (and summary) are rebuilt on the next send. */
function touch(store: TraceStore, trace: Trace): void {
  const root = trace.summary().root!;
  store.addSpans(root.origin.file, [root]);
}

/** The naive alternative the columnar protocol replaced: every row as an object, one JSON array. */
function naiveJsonRows(trace: Trace): number {
  const tree = trace.tree();
  const origin = trace.summary().startNs;
  const rows: unknown[] = [];
  const stack: SpanNode[] = [...tree.roots].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    const s: SpanRecord = node.span;
    rows.push({
      spanId: s.spanId,
      name: s.name,
      depth: node.depth,
      startMs: Number(s.startNs - origin) / 1e6,
      durationMs: Number(s.endNs - s.startNs) / 1e6,
      kind: describeSpan(s).kind,
      error: s.statusCode === 2,
      children: node.children.length,
    });
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  return JSON.stringify(rows).length;
}

function heapNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

interface HostResults {
  results: WaterfallResult[];
  /** The 1M trace's messages, encoded for the page. */
  encoded: EncodedTrace;
}

async function benchHost(log: Log): Promise<HostResults> {
  const n = 1_000_000;
  if (!(globalThis as { gc?: unknown }).gc) log('  WARNING: no global gc (run node with --expose-gc): the heap numbers are noise');
  // Heap: what the extension host holds for the trace: the store with the flat tree it keeps
  // for a big trace, and the panel's WaterfallData (layout + name table).
  fullGc();
  const before = heapNow();
  const t0 = performance.now();
  const built = buildTrace(n, 1001);
  const ingestMs = performance.now() - t0;
  // The store keeps a big trace's flat tree from the first spans read (`KEEP_FLAT_TREE_FROM`).
  fullGc();
  const storeBytes = heapNow() - before;
  let data: WaterfallData | undefined = waterfallData(built.trace, Date.now(), 1);
  fullGc();
  const heapBytes = heapNow() - before;
  log(
    `  1M-span run: ${built.lines} OTLP lines, ${mb(built.otlpBytes)} (${(built.otlpBytes / n).toFixed(0)} B/span), generated + read in ${(ingestMs / 1000).toFixed(1)} s; ` +
      `${data.start.rowCount} rows (${data.start.rowCount - n} group rows), ${data.start.names.length} distinct names`,
  );
  log(
    `  host heap: ${mb(heapBytes)} (${(heapBytes / n).toFixed(0)} B/span) = store with the flat tree it kept ${mb(storeBytes)} + WaterfallData ${mb(heapBytes - storeBytes)}; ` +
      `OTLP JSON ${mb(built.otlpBytes)}`,
  );
  data = undefined;

  // Time: a send as after a live update (tree and summary rebuilt), then every slice.
  const rounds: number[] = [];
  let last: { data: WaterfallData; slices: RowColumns[] } | undefined;
  for (let round = 0; round < HOST_ROUNDS; round++) {
    touch(built.store, built.trace);
    last = undefined;
    fullGc();
    const a = performance.now();
    runSteps(flatTreeOf(built.trace).settle());
    const b = performance.now();
    const d = waterfallData(built.trace, Date.now(), 1);
    const c = performance.now();
    const slices: RowColumns[] = [];
    for (let from = 0; from < d.start.rowCount; from += ROWS_PER_SLICE) slices.push(d.slice(from, Math.min(d.start.rowCount, from + ROWS_PER_SLICE)));
    const e = performance.now();
    rounds.push(e - a);
    last = { data: d, slices };
    log(`  host send round ${round + 1}: ${f1(e - a)} ms = tree ${f1(b - a)} + waterfallData ${f1(c - b)} + ${slices.length} slices ${f1(e - c)} ms`);
  }
  // Where waterfallData's time goes.
  let a = performance.now();
  runSteps(layoutFlatSteps(flatTreeOf(built.trace)));
  const layoutMs = performance.now() - a;
  a = performance.now();
  runTokens(built.trace.allSpans(), (id) => built.trace.span(id));
  const tokensMs = performance.now() - a;
  log(`  of waterfallData: layoutWaterfall ${f1(layoutMs)} ms, runTokens ${f1(tokensMs)} ms; the rest is kinds, flags and the name table`);
  const longest = await benchLongestStep(built.store, built.trace, '1m', log);
  const naive: number[] = [];
  for (let round = 0; round < Math.min(1, HOST_ROUNDS); round++) {
    touch(built.store, built.trace);
    fullGc();
    const s = performance.now();
    const chars = naiveJsonRows(built.trace);
    naive.push(performance.now() - s);
    log(`  naive JSON rows round ${round + 1}: ${f1(naive[round])} ms (${mb(chars)} of JSON)`);
  }
  log(`  1m: ${composition(last!.slices)}`);
  const encoded = encodeTrace(hostSend(built.trace));
  built.store.dispose();
  return {
    encoded,
    results: [
      { name: 'waterfall.hostMs.1m', value: median(rounds), unit: 'ms', baseline: median(naive) },
      { name: 'waterfall.hostHeapBytes.1m', value: heapBytes, unit: 'bytes', baseline: built.otlpBytes },
      longest,
    ],
  };
}

// ---------------------------------------------------------------------------------------
// The page

interface EncodedTrace {
  manifest: Buffer;
  rows: Buffer;
  rowCount: number;
  spanCount: number;
}

/** Every row column the panel sends (from the one declaration, so a new column is benched too). */
const COLUMNS = Object.keys(ROW_COLUMNS) as (keyof typeof ROW_COLUMNS)[];

/** TraceStart as JSON, the slices' columns as one binary file (8-byte aligned, one range per column). */
function encodeTrace({ start, slices, header }: HostSend): EncodedTrace {
  const parts: Buffer[] = [];
  let offset = 0;
  const add = (bytes: Buffer): [number, number] => {
    const at = offset;
    parts.push(bytes);
    offset += bytes.length;
    const pad = (8 - (offset % 8)) % 8;
    if (pad) {
      parts.push(Buffer.alloc(pad));
      offset += pad;
    }
    return [at, bytes.length];
  };
  const manifestSlices = slices.map((s) => {
    // Each column with its typed array's name, which the page rebuilds it as.
    const columns: Record<string, [number, number, string]> = {};
    for (const c of COLUMNS) {
      const arr = s[c];
      columns[c] = [...add(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength)), ROW_COLUMNS[c].name];
    }
    return { offset: s.offset, spanIds: add(Buffer.from(s.spanIds, 'latin1')), columns };
  });
  return {
    manifest: Buffer.from(JSON.stringify({ start, header, slices: manifestSlices })),
    rows: Buffer.concat(parts),
    rowCount: start.rowCount,
    spanCount: start.header.spanCount,
  };
}

function pageHtml(mode: 'webview' | 'baseline', traceId: string): string {
  const state = JSON.stringify({ traceId }).replace(/"/g, '&quot;');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<link rel="stylesheet" href="/dist/codicons/codicon.css" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="/dist/webview.css">
<style>
  /* A few of the theme variables VS Code sets on a webview (Dark Modern). */
  html { --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f;
    --vscode-descriptionForeground: #9d9d9d; --vscode-panel-border: #2b2b2b; --vscode-list-hoverBackground: #2a2d2e; --vscode-errorForeground: #f85149;
    --vscode-charts-blue: #3794ff; --vscode-charts-green: #89d185; --vscode-charts-purple: #b180d7; --vscode-charts-orange: #d18616; --vscode-charts-yellow: #cca700; --vscode-charts-red: #f14c4c; }
</style>
<script src="/bench/waterfall-page.js"></script>
</head>
<body>
<div id="app" data-state="${state}"></div>
${mode === 'webview' ? '<script src="/dist/webview.js"></script>' : ''}
</body>
</html>`;
}

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json', '.json': 'application/json' };

/** Serves dist/, the harness, the bench pages and the encoded traces on 127.0.0.1. */
async function startServer(root: string, traces: Map<string, EncodedTrace>, traceIds: Map<string, string>): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: Buffer | string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const page = /^\/page\/(webview|baseline)\/([\w]+)$/.exec(url.pathname);
    if (page) return send(200, 'text/html; charset=utf-8', pageHtml(page[1] as 'webview' | 'baseline', traceIds.get(page[2]) ?? ''));
    const data = /^\/data\/([\w]+)\/(manifest\.json|rows\.bin)$/.exec(url.pathname);
    if (data) {
      const t = traces.get(data[1]);
      if (!t) return send(404, 'text/plain', 'no such trace');
      return data[2] === 'rows.bin' ? send(200, 'application/octet-stream', t.rows) : send(200, 'application/json', t.manifest);
    }
    let file: string | undefined;
    if (url.pathname === '/bench/waterfall-page.js') file = path.join(root, 'bench', 'waterfall-page.js');
    else if (url.pathname.startsWith('/dist/')) {
      const rel = url.pathname.slice('/dist/'.length).split('/').filter((p) => p !== '..');
      const alt = WEBVIEW_DIST && (rel.join('/') === 'webview.js' || rel.join('/') === 'webview.css') ? path.join(WEBVIEW_DIST, ...rel) : undefined;
      file = alt ?? path.join(root, 'dist', ...rel);
    }
    if (!file || !fs.existsSync(file)) return send(404, 'text/plain', 'not found');
    send(200, CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', fs.readFileSync(file));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}` };
}

interface FirstPaint {
  postMs: number;
  firstRowsMs: number | null;
  firstRowsPaintedMs: number | null;
  handledMs: number;
  paintedMs: number;
  rowsInDom: number;
  firstRowName: string | null;
  scrollHeight: number;
  clientHeight: number;
}

interface BaselinePaint {
  paintedMs: number;
  capped: boolean;
  rowsBuilt: number;
  rowsInDom: number;
  firstRowName: string | null;
  scrollHeight: number;
  clientHeight: number;
}

interface Scroll {
  work: number[];
  intervals: number[];
  max: number;
  rowsInDom: number;
}

async function openPage(browser: Browser, origin: string, mode: 'webview' | 'baseline', key: string): Promise<Page> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('crash', () => errors.push('page crashed'));
  await page.goto(`${origin}/page/${mode}/${key}?mode=${mode}`);
  await page.evaluate(`window.__bench.load(${JSON.stringify(key)})`);
  if (errors.length > 0) throw new Error(`${mode} page for ${key}: ${errors.join('; ')}`);
  (page as Page & { benchErrors?: string[] }).benchErrors = errors;
  return page;
}

function pageErrors(page: Page): string[] {
  return (page as Page & { benchErrors?: string[] }).benchErrors ?? [];
}

/** Scrolls FRAMES frames, or as many as fit in `budgetMs`. */
async function scrollFrames(page: Page, budgetMs = 60_000): Promise<Scroll> {
  return (await page.evaluate(`window.__bench.scroll(${FRAMES}, ${SCROLL_STEP_PX}, ${JUMP_EVERY}, ${budgetMs})`)) as Scroll;
}

/** TRACERUN_BENCH_PROFILE=dir: one more, unmeasured webview run per size under the profiler. */
const PROFILE_DIR = process.env.TRACERUN_BENCH_PROFILE;

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  args?: { name?: string };
}

/**
 * Runs `what` with the V8 sampling profiler and a devtools timeline trace on; writes the
 * .cpuprofile (open it in DevTools) and logs the top functions by self time and the main
 * thread's time per timeline event (script, style, layout, paint…).
 */
async function profiled<T>(page: Page, name: string, log: Log, what: () => Promise<T>): Promise<T> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,v8', transferMode: 'ReportEvents' });
  await cdp.send('Profiler.start');
  const result = await what();
  const { profile } = await cdp.send('Profiler.stop');
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach();
  fs.mkdirSync(PROFILE_DIR!, { recursive: true });
  const file = path.join(PROFILE_DIR!, `${name}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));

  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) ?? 0) + (deltas[i] ?? 0) / 1000);
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + (self.get(node.id) ?? 0));
  }
  const top = [...byFunction].filter(([k]) => k !== '(idle)' && k !== '(program)').sort((a, b) => b[1] - a[1]).slice(0, 10);
  log(`    profile ${name} (${path.relative(process.cwd(), file)}): self time ${top.map(([k, ms]) => `${k} ${f1(ms)} ms`).join(', ')}`);

  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const byEvent = new Map<string, number>();
  for (const e of events) {
    if (!main || e.pid !== main.pid || e.tid !== main.tid || e.ph !== 'X' || e.dur === undefined) continue;
    byEvent.set(e.name, (byEvent.get(e.name) ?? 0) + e.dur / 1000);
  }
  const interesting = ['RunTask', 'FunctionCall', 'EventDispatch', 'FireAnimationFrame', 'V8.GC_SCAVENGER', 'MajorGC', 'MinorGC', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'ProxyMain::BeginMainFrame::commit'];
  log(`    timeline ${name} (main thread, nested events overlap): ${interesting.filter((n) => byEvent.has(n)).map((n) => `${n} ${f1(byEvent.get(n)!)}`).join(', ')} ms`);
  return result;
}

async function profileWebview(browser: Browser, origin: string, label: string, log: Log): Promise<void> {
  const page = await openPage(browser, origin, 'webview', label);
  try {
    await profiled(page, `waterfall-${label}-firstPaint`, log, () => page.evaluate('window.__bench.firstPaint()'));
    await profiled(page, `waterfall-${label}-scroll`, log, () => scrollFrames(page));
  } finally {
    await page.close();
  }
}

/** With a deadline: a page stuck in one long task cannot be stopped from inside. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]).finally(() => clearTimeout(timer));
}

interface SizeResult {
  firstPaint: number;
  /** From the messages posted to the first rows painted (median). */
  firstRowsPainted: number;
  frameP95: number;
  basePaint: number | null;
  baseFrameP95: number | null;
  paintNote?: string;
  frameNote?: string;
}

async function benchSize(
  launch: () => Promise<Browser>,
  browser: Browser,
  origin: string,
  label: string,
  encoded: EncodedTrace,
  log: Log,
): Promise<SizeResult> {
  const reps = encoded.rowCount <= 200_000 ? 3 : 2;
  const paints: FirstPaint[] = [];
  const frames: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const page = await openPage(browser, origin, 'webview', label);
    try {
      const fp = (await page.evaluate('window.__bench.firstPaint()')) as FirstPaint;
      if (fp.rowsInDom === 0) throw new Error(`webview ${label}: no rows in the DOM after all slices (${pageErrors(page).join('; ')})`);
      paints.push(fp);
      const sc = await scrollFrames(page);
      frames.push(percentile(sc.work, 95));
      const visible = Math.round(fp.scrollHeight / 22);
      log(
        `  webview ${label} #${rep + 1}: first rows painted ${f1(fp.firstRowsPaintedMs ?? NaN)} ms, all ${encoded.rowCount} rows handled ${f1(fp.handledMs)} ms, painted ${f1(fp.paintedMs)} ms ` +
          `(postMessage ${f1(fp.postMs)} ms); ~${visible} visible rows, ${fp.rowsInDom} in DOM; ` +
          `scroll: frame work p50 ${f1(percentile(sc.work, 50))} p95 ${f1(percentile(sc.work, 95))} max ${f1(Math.max(...sc.work))} ms, rAF interval p95 ${f1(percentile(sc.intervals, 95))} ms`,
      );
      if (pageErrors(page).length > 0) throw new Error(`webview ${label}: ${pageErrors(page).join('; ')}`);
    } finally {
      await page.close();
    }
  }
  const firstPaint = median(paints.map((p) => p.paintedMs));
  const firstRowsPainted = median(paints.map((p) => p.firstRowsPaintedMs ?? p.paintedMs));
  const frameP95 = median(frames);
  if (PROFILE_DIR) await profileWebview(browser, origin, label, log);

  // Baseline: plain DOM. The 1M one gets its own browser, so a stuck page can be killed.
  if (process.env.TRACERUN_BENCH_NO_BASELINE) return { firstPaint, firstRowsPainted, frameP95, basePaint: null, baseFrameP95: null, paintNote: 'skipped', frameNote: 'skipped' };
  const baseReps = encoded.rowCount <= 20_000 ? 3 : 1;
  const basePaints: number[] = [];
  const baseFrames: number[] = [];
  let paintNote: string | undefined;
  let frameNote: string | undefined;
  const own = encoded.rowCount > 200_000;
  const baseBrowser = own ? await launch() : browser;
  try {
    for (let rep = 0; rep < baseReps; rep++) {
      const page = await openPage(baseBrowser, origin, 'baseline', label);
      try {
        const started = performance.now();
        const bp = await withDeadline(page.evaluate(`window.__bench.baselineFirstPaint(${BASELINE_CAP_MS})`) as Promise<BaselinePaint>, own ? BASELINE_CAP_MS : BASELINE_CAP_MS + 30_000);
        if (bp === 'timeout' || bp.capped) {
          const ms = bp === 'timeout' ? performance.now() - started : bp.paintedMs;
          paintNote =
            bp === 'timeout'
              ? `capped: the plain DOM had not painted after ${f1(ms / 1000)} s; the value recorded is that lower bound`
              : `capped: the plain DOM had built only ${bp.rowsBuilt} rows after ${f1(ms / 1000)} s; the value recorded is that lower bound`;
          frameNote = 'no plain DOM to scroll: its first paint was capped';
          log(`  baseline ${label}: ${paintNote}`);
          basePaints.push(ms);
          break;
        }
        basePaints.push(bp.paintedMs);
        const budget = own ? BASELINE_SCROLL_MS_1M : BASELINE_SCROLL_MS;
        const sc = await withDeadline(scrollFrames(page, budget), budget + 60_000);
        if (sc === 'timeout' || sc.work.length < 2) {
          frameNote = `the plain DOM did not render 2 scroll frames within ${budget / 1000} s`;
          log(`  baseline ${label}: painted ${f1(bp.paintedMs)} ms, ${bp.rowsInDom} rows in DOM; ${frameNote}`);
          break;
        }
        if (sc.work.length < FRAMES) frameNote = `only ${sc.work.length} of ${FRAMES} scroll frames fit in ${budget / 1000} s`;
        baseFrames.push(percentile(sc.work, 95));
        log(
          `  baseline ${label} #${rep + 1}: painted ${f1(bp.paintedMs)} ms, ${bp.rowsInDom} rows in DOM; ` +
            `scroll (${sc.work.length} frames): frame work p50 ${f1(percentile(sc.work, 50))} p95 ${f1(percentile(sc.work, 95))} max ${f1(Math.max(...sc.work))} ms, rAF interval p95 ${f1(percentile(sc.intervals, 95))} ms`,
        );
      } finally {
        await withDeadline(page.close(), own ? 2_000 : 10_000);
      }
    }
  } finally {
    if (own) await withDeadline(baseBrowser.close(), 10_000);
  }
  return {
    firstPaint,
    firstRowsPainted,
    frameP95,
    basePaint: basePaints.length > 0 ? median(basePaints) : null,
    baseFrameP95: baseFrames.length > 0 ? median(baseFrames) : null,
    paintNote,
    frameNote,
  };
}

/** Builds the production-like webview bundle (dist/webview.js + .css) the page loads. */
function buildWebview(root: string, log: Log): void {
  if (process.env.TRACERUN_BENCH_NO_BUILD) return;
  const t0 = performance.now();
  try {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    log(`  built dist/ (node scripts/build.mjs) in ${f1(performance.now() - t0)} ms`);
  } catch (err) {
    const built = fs.statSync(path.join(root, 'dist', 'webview.js'), { throwIfNoEntry: false })?.mtime;
    if (!built) throw err;
    log(`  WARNING: node scripts/build.mjs failed; measuring the existing dist/webview.js of ${built.toISOString()}`);
  }
}

export async function benchWaterfall(root: string, log: Log): Promise<WaterfallResult[]> {
  const started = performance.now();
  buildWebview(root, log);
  if (WEBVIEW_DIST) log(`  serving webview.js/.css from ${WEBVIEW_DIST}`);
  for (const f of ['webview.js', 'webview.css', 'codicons/codicon.css']) {
    if (!fs.existsSync(path.join(root, 'dist', f))) throw new Error(`dist/${f} is missing: run node scripts/build.mjs`);
  }
  const results: WaterfallResult[] = [];
  const traces = new Map<string, EncodedTrace>();
  const traceIds = new Map<string, string>();
  const hostResults: WaterfallResult[] = [];
  const opens = new Map<string, HostOpen>();

  for (const { label, spans } of SIZES) {
    if (spans >= 1_000_000) continue;
    const t0 = performance.now();
    const built = buildTrace(spans, 1001);
    const send = hostSend(built.trace);
    const { slices } = send;
    traces.set(label, encodeTrace(send));
    traceIds.set(label, built.trace.traceId);
    if (label === '100k') hostResults.push(await benchLongestStep(built.store, built.trace, label, log));
    if (label === '10k' || label === '100k') {
      const open = await hostOpen(built.store, built.trace, OPEN_REPS);
      opens.set(label, open);
      log(`  ${label} open, host (to the first slice): flat tree ${open.flat.map(f1).join(', ')} ms; flat tree made at the open ${open.fresh.map(f1).join(', ')} ms; object tree ${open.object.map(f1).join(', ')} ms`);
    }
    built.store.dispose();
    log(`  ${label}: ${spans} spans, ${send.start.rowCount} rows, ${mb(built.otlpBytes)} OTLP JSON, prepared in ${f1(performance.now() - t0)} ms; ${composition(slices)}`);
  }
  const host = SIZES.some((s) => s.label === '1m') ? await benchHost(log) : undefined;
  if (host) {
    traces.set('1m', host.encoded);
    traceIds.set('1m', (JSON.parse(host.encoded.manifest.toString()) as { start: TraceStart }).start.header.traceId);
  }
  fullGc();
  if (NO_WEBVIEW) {
    results.push(...hostResults, ...(host?.results ?? []), ...openResults(opens, new Map(), log));
    return results;
  }

  const { server, origin } = await startServer(root, traces, traceIds);
  const launch = () => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const browser = await launch();
  const sizeResults: WaterfallResult[] = [];
  const frameResults: WaterfallResult[] = [];
  const firstRows = new Map<string, number>();
  try {
    log(`  chromium ${browser.version()}, viewport ${VIEWPORT.width}×${VIEWPORT.height}, ${FRAMES} scroll frames of ${SCROLL_STEP_PX} px with a jump every ${JUMP_EVERY}`);
    for (const { label } of SIZES) {
      const r = await benchSize(launch, browser, origin, label, traces.get(label)!, log);
      firstRows.set(label, r.firstRowsPainted);
      sizeResults.push({ name: `waterfall.firstPaintMs.${label}`, value: r.firstPaint, unit: 'ms', baseline: r.basePaint, ...(r.paintNote ? { note: r.paintNote } : {}) });
      frameResults.push({ name: `waterfall.frameP95Ms.${label}`, value: r.frameP95, unit: 'ms', baseline: r.baseFrameP95, ...(r.frameNote ? { note: r.frameNote } : {}) });
    }
  } finally {
    await withDeadline(browser.close(), 10_000);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  results.push(...sizeResults, ...frameResults, ...hostResults, ...(host?.results ?? []), ...openResults(opens, firstRows, log));
  log(`  waterfall bench took ${f1((performance.now() - started) / 1000)} s`);
  return results;
}

// Standalone: `node --expose-gc out/bench/waterfall.js` runs just this part and prints its rows.
if (/[\\/]bench[\\/]waterfall\.js$/.test(process.argv[1] ?? '')) {
  let root = __dirname;
  while (!fs.existsSync(path.join(root, 'package.json')) || !fs.existsSync(path.join(root, 'src', 'core'))) {
    if (path.dirname(root) === root) throw new Error('cannot find the repository root');
    root = path.dirname(root);
  }
  const log = (m: string) => process.stdout.write(m + '\n');
  benchWaterfall(root, log).then(
    (results) => {
      for (const r of results) {
        const ratio = r.baseline === null ? 'n/a' : (r.value / r.baseline).toFixed(3);
        log(`${r.name.padEnd(30)} ${r.value.toFixed(2).padStart(14)} ${String(r.baseline?.toFixed(2) ?? 'n/a').padStart(14)} ${r.unit}  ratio ${ratio}${r.note ? `  (${r.note})` : ''}`);
      }
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/** openMs rows: the host's open (median) plus the webview's first rows painted (median), both ways. */
function openResults(opens: ReadonlyMap<string, HostOpen>, firstRows: ReadonlyMap<string, number>, log: Log): WaterfallResult[] {
  const results: WaterfallResult[] = [];
  for (const [label, open] of opens) {
    const webview = firstRows.get(label);
    const host = median(open.flat);
    const fresh = median(open.fresh);
    const baseHost = median(open.object);
    log(`  ${label} open: host ${f1(host)} ms (flat tree made at the open ${f1(fresh)} ms; object tree ${f1(baseHost)} ms) + webview first rows painted ${webview === undefined ? 'not measured' : `${f1(webview)} ms`}`);
    const parts = `host ${f1(host)} ms (${f1(fresh)} ms when the flat tree is made at the open) + webview ${webview === undefined ? 'not measured (TRACERUN_BENCH_NO_WEBVIEW)' : `${f1(webview)} ms`}`;
    results.push({
      name: `waterfall.openMs.${label}`,
      value: host + (webview ?? 0),
      unit: 'ms',
      baseline: baseHost + (webview ?? 0),
      note: parts,
    });
  }
  return results;
}
