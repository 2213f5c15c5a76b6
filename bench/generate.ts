// Deterministic generator of realistic LLM-agent traces in the OpenTelemetry Collector's
// file-exporter shape: one ExportTraceServiceRequest per line, each line one batch from one
// service's BatchSpanProcessor (spans in the order they ended, so a run's root usually lands
// in a later line than its children, and concurrent runs interleave).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Bump when the generated content changes, so cached files are regenerated. */
export const GENERATOR_VERSION = 3;

// ---------------------------------------------------------------------------------------
// PRNG

/** mulberry32: small, fast, good enough for synthetic data. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  next(): number {
    return this.u32() / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  hex(bytes: number): string {
    let out = '';
    for (let i = 0; i < bytes; i += 4) out += this.u32().toString(16).padStart(8, '0');
    return out.slice(0, bytes * 2);
  }
}

// ---------------------------------------------------------------------------------------
// Text

const WORDS = (
  'the a an of to in for on with by from as at is are was be been can will should could would not no ' +
  'agent tool call model prompt token context window retrieval document query answer user customer order ' +
  'invoice refund shipping account password reset billing subscription plan upgrade error timeout retry ' +
  'latency request response service database index vector embedding chunk search result source citation ' +
  'policy guideline step plan reasoning summary report analysis dataset metric revenue quarter forecast ' +
  'function argument parameter schema field value list item record table column row filter sort page ' +
  'python typescript repository commit branch test failure stack trace exception handler module package ' +
  'deploy cluster region instance memory cpu disk network cache queue worker job schedule cron pipeline ' +
  'please check confirm verify update create delete fetch return provide explain describe compare list ' +
  'quickly carefully only also then first next finally however because therefore instead otherwise ' +
  'important relevant recent previous current available missing invalid expired pending approved failed ' +
  'European Berlin Paris Tokyo London Q3 2024 2025 v2 API SDK JSON HTTP SQL OAuth SSO GDPR SLA'
).split(' ');

const UNICODE = ['café', 'naïve', 'Zürich', '—', '…', '→', '✓', '“smart quotes”', '日本語のテキスト', '中文内容', 'Ωmega', '€42.50', '😀', '🚀', 'Ελληνικά', 'ça va', 'niño', '±5%'];

const CODE_SNIPPETS = [
  'def get_order(order_id: str) -> dict:\n    """Fetch an order by id."""\n    return db.orders.find_one({"_id": order_id})\n',
  'SELECT id, status, total FROM orders WHERE customer_id = \'c_123\' AND created_at > now() - interval \'30 days\';',
  'const res = await fetch(`/api/v2/items?q=${encodeURIComponent(q)}`, { headers: { "Authorization": "Bearer ***" } });\n',
  '{"name": "search_docs", "arguments": {"query": "refund policy", "top_k": 5}}',
  'for i, row in enumerate(rows):\n\tif row["status"] == "failed":\n\t\tprint(f"retrying {row[\'id\']}")\n',
  'C:\\Users\\dev\\project\\config.json',
  'grep -rn "TODO" src/ | wc -l',
];

class TextPool {
  private readonly sentences: string[] = [];
  constructor(private readonly rng: Rng, count: number) {
    for (let i = 0; i < count; i++) this.sentences.push(this.makeSentence());
  }
  private makeSentence(): string {
    const rng = this.rng;
    const n = rng.int(6, 22);
    let s = '';
    for (let i = 0; i < n; i++) {
      let w: string;
      const r = rng.next();
      if (r < 0.015) w = rng.pick(UNICODE);
      else if (r < 0.03) w = `"${rng.pick(WORDS)}"`;
      else if (r < 0.04) w = String(rng.int(0, 99999));
      else w = rng.pick(WORDS);
      if (i === 0) w = w.charAt(0).toUpperCase() + w.slice(1);
      s += i === 0 ? w : (rng.chance(0.06) ? ', ' : ' ') + w;
    }
    return s + rng.pick(['.', '.', '.', '?', '!', ':']);
  }
  sentence(): string {
    return this.rng.pick(this.sentences);
  }
  /** Roughly `chars` characters of paragraphs, now and then a code snippet. */
  text(chars: number): string {
    const rng = this.rng;
    let out = '';
    while (out.length < chars) {
      let para = '';
      const n = rng.int(2, 6);
      for (let i = 0; i < n; i++) para += (i ? ' ' : '') + this.sentence();
      if (rng.chance(0.12)) para += '\n\n```\n' + rng.pick(CODE_SNIPPETS) + '\n```';
      out += (out ? '\n\n' : '') + para;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------
// OTLP JSON pieces

export const q = JSON.stringify;
export const kvS = (k: string, v: string) => `{"key":${q(k)},"value":{"stringValue":${q(v)}}}`;
export const kvI = (k: string, v: number) => `{"key":${q(k)},"value":{"intValue":"${v}"}}`;
export const kvD = (k: string, v: number) => `{"key":${q(k)},"value":{"doubleValue":${v}}}`;
const kvB = (k: string, v: boolean) => `{"key":${q(k)},"value":{"boolValue":${v}}}`;
const kvA = (k: string, vs: string[]) => `{"key":${q(k)},"value":{"arrayValue":{"values":[${vs.map((v) => `{"stringValue":${q(v)}}`).join(',')}]}}}`;

/** Microseconds since the epoch, written as the string int64 nanoseconds OTLP JSON uses. */
const nanos = (us: number, rng: Rng) => `"${Math.floor(us)}${String(rng.int(0, 999)).padStart(3, '0')}"`;

interface Service {
  readonly name: string;
  readonly style: 'openinference' | 'genai';
  readonly newCode: boolean;
  readonly resourceJson: string;
  readonly scopes: Record<'app' | 'llm' | 'http' | 'db', string>;
  readonly systemPrompt: string;
  readonly models: readonly string[];
  readonly tools: readonly string[];
  readonly queue: PendingSpan[];
  clockUs: number;
  batchTarget: number;
}

interface PendingSpan {
  readonly endUs: number;
  readonly scope: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly json: string;
}

export interface GeneratedBatch {
  readonly line: string;
  readonly spans: readonly { traceId: string; spanId: string }[];
  readonly service: string;
}

interface SpanSpec {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startUs: number;
  endUs: number;
  attrs: string[];
  events?: string[];
  status?: { code: number; message?: string };
  scope: string;
}

const PY_FRAMES = [
  ['/app/.venv/lib/python3.12/site-packages/httpx/_transports/default.py', 'handle_request'],
  ['/app/.venv/lib/python3.12/site-packages/openai/_base_client.py', '_request'],
  ['/app/.venv/lib/python3.12/site-packages/opentelemetry/trace/__init__.py', 'use_span'],
  ['/app/src/agent/tools/registry.py', 'invoke'],
  ['/app/src/agent/loop.py', 'run_step'],
  ['/app/src/agent/tools/http_tools.py', 'fetch_json'],
  ['/app/src/agent/memory/store.py', 'load'],
];

/** Generates agent runs and hands them out as exporter batches. */
export class AgentTraceGenerator {
  private readonly rng: Rng;
  private readonly text: TextPool;
  private readonly services: Service[] = [];

  constructor(seed: number) {
    this.rng = new Rng(seed);
    this.text = new TextPool(this.rng, 6000);
    const rng = this.rng;
    const defs: [string, Service['style'], boolean, string[], string[]][] = [
      ['support-agent', 'openinference', false, ['gpt-4o', 'gpt-4o-mini'], ['lookup_order', 'issue_refund', 'search_kb', 'send_email']],
      ['research-agent', 'genai', true, ['claude-sonnet-4-20250514', 'claude-3-5-haiku-20241022'], ['web_search', 'fetch_url', 'python_exec', 'summarize']],
      ['coding-agent', 'genai', false, ['gpt-4.1', 'o4-mini', 'gemini-2.5-pro'], ['read_file', 'write_file', 'run_tests', 'grep', 'git_diff']],
      ['data-analyst', 'openinference', true, ['gpt-4o', 'llama-3.1-70b-instruct'], ['sql_query', 'plot_chart', 'describe_table']],
    ];
    for (const [name, style, newCode, models, tools] of defs) {
      const resourceJson = `{"attributes":[${[
        kvS('service.name', name),
        kvS('service.version', `1.${rng.int(0, 9)}.${rng.int(0, 30)}`),
        kvS('service.instance.id', `${rng.hex(4)}-${rng.hex(2)}-${rng.hex(2)}-${rng.hex(2)}-${rng.hex(6)}`),
        kvS('deployment.environment.name', 'dev'),
        kvS('telemetry.sdk.name', 'opentelemetry'),
        kvS('telemetry.sdk.language', 'python'),
        kvS('telemetry.sdk.version', '1.27.0'),
        kvS('host.name', `dev-laptop-${rng.hex(2)}`),
        kvI('process.pid', rng.int(1000, 60000)),
        kvS('process.runtime.name', 'cpython'),
        kvS('process.runtime.version', '3.12.4'),
      ].join(',')}]}`;
      const scopes = {
        app: `{"name":"${name}.agent","version":"1.0.0"}`,
        llm:
          style === 'openinference'
            ? '{"name":"openinference.instrumentation.openai","version":"0.1.18"}'
            : '{"name":"opentelemetry.instrumentation.genai","version":"2.1b0"}',
        http: '{"name":"opentelemetry.instrumentation.httpx","version":"0.48b0"}',
        db: '{"name":"opentelemetry.instrumentation.sqlalchemy","version":"0.48b0"}',
      };
      this.services.push({
        name,
        style,
        newCode,
        resourceJson,
        scopes,
        systemPrompt: `You are ${name}, a helpful assistant. Follow these rules:\n` + this.text.text(rng.int(600, 1800)),
        models,
        tools,
        queue: [],
        clockUs: 1_748_736_000_000_000 + rng.int(0, 60_000_000),
        batchTarget: rng.int(20, 200),
      });
    }
  }

  /** The next exporter batch of the service whose clock is furthest behind; `size` overrides the batch size. */
  nextBatch(size?: number): GeneratedBatch {
    let svc = this.services[0];
    for (const s of this.services) if (s.clockUs < svc.clockUs) svc = s;
    const n = size ?? svc.batchTarget;
    while (svc.queue.length < n) this.generateWave(svc);
    if (size === undefined) svc.batchTarget = this.rng.int(20, 200);
    const batch = svc.queue.splice(0, n);
    // Collector groups a resource's spans by instrumentation scope.
    const groups = new Map<string, PendingSpan[]>();
    for (const s of batch) {
      let g = groups.get(s.scope);
      if (!g) groups.set(s.scope, (g = []));
      g.push(s);
    }
    const scopeSpans = [...groups].map(([scope, spans]) => `{"scope":${scope},"spans":[${spans.map((s) => s.json).join(',')}]}`);
    const line = `{"resourceSpans":[{"resource":${svc.resourceJson},"scopeSpans":[${scopeSpans.join(',')}],"schemaUrl":"https://opentelemetry.io/schemas/1.26.0"}]}`;
    return { line, spans: batch.map((s) => ({ traceId: s.traceId, spanId: s.spanId })), service: svc.name };
  }

  /** One to three concurrent runs of `svc`, their spans queued in the order they ended. */
  private generateWave(svc: Service): void {
    const rng = this.rng;
    const runs = rng.int(1, 3);
    const specs: SpanSpec[] = [];
    let waveEnd = svc.clockUs;
    for (let r = 0; r < runs; r++) {
      const start = svc.clockUs + rng.int(0, 3_000_000);
      const end = this.generateRun(svc, start, specs);
      if (end > waveEnd) waveEnd = end;
    }
    svc.clockUs = waveEnd + rng.int(200_000, 20_000_000);
    specs.sort((a, b) => a.endUs - b.endUs);
    for (const s of specs) svc.queue.push({ endUs: s.endUs, scope: s.scope, traceId: s.traceId, spanId: s.spanId, json: this.render(s) });
  }

  private render(s: SpanSpec): string {
    const rng = this.rng;
    let json = `{"traceId":"${s.traceId}","spanId":"${s.spanId}","parentSpanId":"${s.parentSpanId}","flags":256,"name":${q(s.name)},"kind":${s.kind},"startTimeUnixNano":${nanos(s.startUs, rng)},"endTimeUnixNano":${nanos(s.endUs, rng)},"attributes":[${s.attrs.join(',')}]`;
    if (s.events && s.events.length) json += `,"events":[${s.events.join(',')}]`;
    json += s.status ? `,"status":{"code":${s.status.code}${s.status.message ? `,"message":${q(s.status.message)}` : ''}}` : ',"status":{}';
    return json + '}';
  }

  private code(svc: Service, file: string, fn: string): string[] {
    const rng = this.rng;
    return svc.newCode
      ? [kvS('code.file.path', `/app/src/agent/${file}`), kvI('code.line.number', rng.int(10, 900)), kvS('code.function.name', fn)]
      : [kvS('code.filepath', `src/agent/${file}`), kvI('code.lineno', rng.int(10, 900)), kvS('code.function', fn)];
  }

  private exceptionEvent(atUs: number, type: string, message: string): string {
    const rng = this.rng;
    const frames: string[] = [];
    const depth = rng.int(6, 18);
    for (let i = 0; i < depth; i++) {
      const [file, fn] = rng.pick(PY_FRAMES);
      frames.push(`  File "${file}", line ${rng.int(10, 2000)}, in ${fn}\n    ${this.text.sentence().slice(0, 80)}`);
    }
    const stack = `Traceback (most recent call last):\n${frames.join('\n')}\n${type}: ${message}`;
    return `{"timeUnixNano":${nanos(atUs, rng)},"name":"exception","attributes":[${[
      kvS('exception.type', type),
      kvS('exception.message', message),
      kvS('exception.stacktrace', stack),
      kvB('exception.escaped', false),
    ].join(',')}]}`;
  }

  private messagesJson(svc: Service, history: { role: string; content: string }[]): string {
    if (svc.style === 'openinference') return JSON.stringify(history.map((m) => ({ message: { role: m.role, content: m.content } })));
    return JSON.stringify(history.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] })));
  }

  /** Generates one agent run into `out`; returns its end time. */
  private generateRun(svc: Service, startUs: number, out: SpanSpec[]): number {
    const rng = this.rng;
    const traceId = rng.hex(16);
    const rootId = rng.hex(8);
    const oi = svc.style === 'openinference';
    const question = this.text.text(rng.int(120, 700));
    const history: { role: string; content: string }[] = [
      { role: 'system', content: svc.systemPrompt },
      { role: 'user', content: question },
    ];
    let t = startUs + rng.int(500, 5000);
    const steps = rng.int(2, 9);
    let failed = false;
    let answer = '';
    const useStepSpans = svc.name === 'coding-agent';
    for (let step = 0; step < steps; step++) {
      let parent = rootId;
      const stepStart = t;
      const stepId = rng.hex(8);
      if (useStepSpans) parent = stepId;
      // Retrieval, now and then.
      if (rng.chance(step === 0 ? 0.5 : 0.15)) {
        const retId = rng.hex(8);
        const rs = t;
        const embedEnd = rs + rng.int(30_000, 250_000);
        out.push({
          traceId, spanId: rng.hex(8), parentSpanId: retId, name: 'embeddings text-embedding-3-small', kind: 3, startUs: rs + 200, endUs: embedEnd, scope: svc.scopes.llm,
          attrs: [kvS('gen_ai.operation.name', 'embeddings'), kvS('gen_ai.request.model', 'text-embedding-3-small'), kvI('gen_ai.usage.input_tokens', rng.int(8, 200)), kvS('gen_ai.system', 'openai')],
        });
        const dbEnd = embedEnd + rng.int(5_000, 120_000);
        out.push({
          traceId, spanId: rng.hex(8), parentSpanId: retId, name: 'SELECT chunks', kind: 3, startUs: embedEnd + 100, endUs: dbEnd, scope: svc.scopes.db,
          attrs: [kvS('db.system.name', 'postgresql'), kvS('db.namespace', 'kb'), kvS('db.query.text', 'SELECT id, content, embedding <=> $1 AS distance FROM chunks ORDER BY distance LIMIT $2'), kvS('server.address', 'localhost'), kvI('server.port', 5432)],
        });
        const docs: { id: string; score: number; content: string }[] = [];
        const nd = rng.int(2, 6);
        for (let d = 0; d < nd; d++) docs.push({ id: `doc-${rng.hex(4)}`, score: Math.round(rng.next() * 1000) / 1000, content: this.text.text(rng.int(200, 900)) });
        out.push({
          traceId, spanId: retId, parentSpanId: parent, name: oi ? 'VectorStoreRetriever' : 'retrieve documents', kind: 1, startUs: rs, endUs: dbEnd + 300, scope: svc.scopes.app,
          attrs: [
            kvS('openinference.span.kind', 'RETRIEVER'),
            kvS('input.value', question.slice(0, 300)),
            kvS('retrieval.documents', JSON.stringify(docs.map((d) => ({ document: d })))),
            ...this.code(svc, 'retrieval/vector.py', 'retrieve'),
          ],
        });
        history.push({ role: 'user', content: 'Context:\n' + docs.map((d) => d.content).join('\n---\n') });
        t = dbEnd + rng.int(300, 3000);
      }
      // The model call.
      const model = rng.pick(svc.models);
      const llmId = rng.hex(8);
      const llmStart = t;
      const llmEnd = llmStart + rng.int(300_000, 9_000_000);
      const inputTokens = Math.round(JSON.stringify(history).length / 4);
      const last = step === steps - 1;
      const toolCalls: { id: string; name: string; args: Record<string, unknown> }[] = [];
      if (!last) {
        const n = rng.chance(0.75) ? 1 : rng.int(2, 3);
        for (let i = 0; i < n; i++) {
          const name = rng.pick(svc.tools);
          toolCalls.push({ id: `call_${rng.hex(12)}`, name, args: { query: this.text.sentence(), limit: rng.int(1, 20), options: { verbose: rng.chance(0.5), lang: rng.pick(['en', 'de', 'ja']) } } });
        }
      }
      const reply = last ? this.text.text(rng.int(300, 2500)) : this.text.text(rng.int(40, 300));
      const outputTokens = Math.round(reply.length / 4) + toolCalls.length * 30;
      const output = JSON.stringify({ role: 'assistant', content: reply, tool_calls: toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })) });
      const llmAttrs = [
        kvS('gen_ai.operation.name', 'chat'),
        kvS('gen_ai.system', model.startsWith('claude') ? 'anthropic' : model.startsWith('gemini') ? 'gcp.gemini' : 'openai'),
        kvS('gen_ai.request.model', model),
        kvS('gen_ai.response.model', model),
        kvD('gen_ai.request.temperature', rng.pick([0, 0.2, 0.7, 1])),
        kvI('gen_ai.request.max_tokens', rng.pick([1024, 4096, 8192])),
        kvI('gen_ai.usage.input_tokens', inputTokens),
        kvI('gen_ai.usage.output_tokens', outputTokens),
        kvS('gen_ai.response.id', `chatcmpl-${rng.hex(12)}`),
        kvA('gen_ai.response.finish_reasons', [toolCalls.length ? 'tool_calls' : 'stop']),
      ];
      if (oi) {
        llmAttrs.push(
          kvS('openinference.span.kind', 'LLM'),
          kvS('llm.model_name', model),
          kvI('llm.token_count.prompt', inputTokens),
          kvI('llm.token_count.completion', outputTokens),
          kvI('llm.token_count.total', inputTokens + outputTokens),
          kvS('llm.invocation_parameters', JSON.stringify({ model, temperature: 0.2, tools: svc.tools.map((name) => ({ type: 'function', function: { name } })) })),
          kvS('llm.input_messages', this.messagesJson(svc, history)),
          kvS('output.value', output),
          kvS('output.mime_type', 'application/json'),
        );
      } else {
        llmAttrs.push(
          kvS('gen_ai.input.messages', this.messagesJson(svc, history)),
          kvS('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: reply }], finish_reason: toolCalls.length ? 'tool_call' : 'stop' }])),
          kvS('output.value', reply),
        );
      }
      llmAttrs.push(...this.code(svc, 'llm/client.py', 'complete'));
      let llmStatus: SpanSpec['status'];
      let llmEvents: string[] | undefined;
      if (rng.chance(0.015)) {
        const message = "Error code: 429 - {'error': {'message': 'Rate limit reached for requests', 'type': 'requests', 'code': 'rate_limit_exceeded'}}";
        llmStatus = { code: 2, message: rng.chance(0.5) ? message : undefined };
        llmEvents = [this.exceptionEvent(llmEnd - 1000, 'openai.RateLimitError', message)];
        failed = step === steps - 1 || rng.chance(0.3);
      }
      out.push({
        traceId, spanId: llmId, parentSpanId: parent, name: `chat ${model}`, kind: 3, startUs: llmStart, endUs: llmEnd, attrs: llmAttrs, events: llmEvents, status: llmStatus, scope: svc.scopes.llm,
      });
      history.push({ role: 'assistant', content: reply });
      t = llmEnd + rng.int(200, 3000);
      if (failed) {
        answer = '';
        break;
      }
      if (last) answer = reply;
      // Tools the model asked for.
      for (const call of toolCalls) {
        const toolId = rng.hex(8);
        const ts = t;
        let te = ts + rng.int(2_000, 2_500_000);
        if (rng.chance(0.5)) {
          const hs = ts + rng.int(100, 2000);
          const he = Math.min(te - 100, hs + rng.int(1000, 2_000_000));
          const statusCode = rng.chance(0.05) ? 503 : 200;
          out.push({
            traceId, spanId: rng.hex(8), parentSpanId: toolId, name: 'GET', kind: 3, startUs: hs, endUs: Math.max(hs + 100, he), scope: svc.scopes.http,
            attrs: [kvS('http.request.method', 'GET'), kvS('url.full', `https://api.example.com/v2/${call.name}?q=${rng.hex(4)}`), kvS('server.address', 'api.example.com'), kvI('http.response.status_code', statusCode)],
            status: statusCode >= 500 ? { code: 2 } : undefined,
          });
        } else if (rng.chance(0.4)) {
          const ds = ts + rng.int(100, 2000);
          out.push({
            traceId, spanId: rng.hex(8), parentSpanId: toolId, name: 'SELECT orders', kind: 3, startUs: ds, endUs: Math.min(te - 100, ds + rng.int(500, 300_000)), scope: svc.scopes.db,
            attrs: [kvS('db.system', 'postgresql'), kvS('db.statement', "SELECT id, status, total FROM orders WHERE customer_id = $1 AND created_at > now() - interval '30 days'"), kvS('db.name', 'shop')],
          });
        }
        const result = JSON.stringify({ ok: true, items: Array.from({ length: rng.int(1, 5) }, () => ({ id: rng.hex(4), title: this.text.sentence(), body: this.text.text(rng.int(50, 400)) })) });
        let status: SpanSpec['status'];
        let events: string[] | undefined;
        if (rng.chance(0.04)) {
          const [type, message] = rng.pick([
            ['TimeoutError', `tool ${call.name} timed out after 30s`],
            ['KeyError', "'customer_id'"],
            ['ValueError', `invalid literal for int() with base 10: '${rng.hex(3)}'`],
            ['httpx.HTTPStatusError', "Server error '503 Service Unavailable' for url 'https://api.example.com/v2/'"],
          ]);
          status = { code: 2, message: rng.chance(0.6) ? `${type}: ${message}` : undefined };
          events = [this.exceptionEvent(te - 500, type, message)];
          te += 1000;
        }
        out.push({
          traceId, spanId: toolId, parentSpanId: parent, name: `execute_tool ${call.name}`, kind: 1, startUs: ts, endUs: te, scope: svc.scopes.app, status, events,
          attrs: [
            kvS('gen_ai.operation.name', 'execute_tool'),
            kvS('gen_ai.tool.name', call.name),
            kvS('gen_ai.tool.call.id', call.id),
            kvS('openinference.span.kind', 'TOOL'),
            kvS('input.value', JSON.stringify(call.args)),
            kvS(oi ? 'output.value' : 'gen_ai.tool.call.result', status ? '' : result),
            ...this.code(svc, `tools/${call.name}.py`, call.name),
          ],
        });
        history.push({ role: 'tool', content: status ? `error: ${status.message ?? 'failed'}` : result });
        t = te + rng.int(200, 2000);
      }
      if (useStepSpans) {
        out.push({
          traceId, spanId: stepId, parentSpanId: rootId, name: `agent.step ${step + 1}`, kind: 1, startUs: stepStart, endUs: t, scope: svc.scopes.app,
          attrs: [kvS('openinference.span.kind', 'CHAIN'), kvI('agent.step', step + 1), ...this.code(svc, 'loop.py', 'run_step')],
        });
      }
      t += rng.int(100, 2000);
    }
    const end = t + rng.int(500, 5000);
    out.push({
      traceId, spanId: rootId, parentSpanId: '', name: 'agent.run', kind: rng.chance(0.5) ? 2 : 1, startUs, endUs: end, scope: svc.scopes.app,
      attrs: [
        kvS('openinference.span.kind', 'AGENT'),
        kvS('session.id', `sess_${rng.hex(8)}`),
        kvS('user.id', `user_${rng.int(1, 500)}`),
        kvS('input.value', question),
        kvS('output.value', answer),
        ...this.code(svc, 'loop.py', 'run'),
      ],
      status: failed ? { code: 2, message: 'agent failed: model call raised RateLimitError' } : undefined,
    });
    return end;
  }
}

// ---------------------------------------------------------------------------------------
// The benchmark file

export interface DataFileInfo {
  readonly version: number;
  readonly seed: number;
  readonly targetBytes: number;
  readonly bytes: number;
  readonly lines: number;
  readonly spans: number;
  readonly file: string;
}

/** Writes `targetBytes` (rounded up to a whole line) of batches to `file`, or reuses it. */
export function ensureDataFile(dir: string, targetBytes: number, seed = 20250601): { info: DataFileInfo; generated: boolean } {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `agent-spans-v${GENERATOR_VERSION}-${seed}-${targetBytes}.jsonl`);
  const metaFile = `${file}.meta.json`;
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as DataFileInfo;
    if (meta.version === GENERATOR_VERSION && meta.seed === seed && meta.targetBytes === targetBytes && fs.statSync(file).size === meta.bytes) {
      return { info: { ...meta, file }, generated: false };
    }
  } catch {
    // not there yet, or unreadable: regenerate
  }
  const gen = new AgentTraceGenerator(seed);
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  let bytes = 0;
  let lines = 0;
  let spans = 0;
  let pending: string[] = [];
  let pendingChars = 0;
  const flush = () => {
    const buf = Buffer.from(pending.join(''), 'utf8');
    fs.writeSync(fd, buf);
    bytes += buf.length;
    pending = [];
    pendingChars = 0;
  };
  try {
    while (bytes + pendingChars < targetBytes) {
      const batch = gen.nextBatch();
      pending.push(batch.line, '\n');
      pendingChars += Buffer.byteLength(batch.line) + 1;
      lines++;
      spans += batch.spans.length;
      if (pendingChars > 8 << 20) flush();
    }
    flush();
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const info: DataFileInfo = { version: GENERATOR_VERSION, seed, targetBytes, bytes, lines, spans, file };
  fs.writeFileSync(metaFile, JSON.stringify(info, null, 2));
  return { info, generated: true };
}
