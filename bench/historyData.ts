// The bench's (and the history e2e test's) month of traces: 30 daily files of the receiver's
// naming holding ~1,000,000 spans of agent runs, generated once per machine and reused.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng, kvI, kvS, q } from './generate';

const DAYS = 30;
const DEFAULT_SPANS = 1_000_000;

const QUESTIONS = ['Where is my order ZX-', 'Can I get a refund for invoice ', 'Why was I charged twice on ', 'Change the delivery address of order ', 'Cancel my subscription ', 'What is the status of ticket '];
const TOOLS = ['lookup_order', 'issue_refund', 'search_kb', 'send_email', 'update_address'];
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-20250514'];
const SPANS_PER_RUN = 50;

/**
 * One agent run (50 spans with its 8 steps) as an OTLP span list, children before parents (the order SDKs
 * export them): a root with the question, then steps of a chat call (GenAI attributes,
 * tokens, short messages), a retrieval and a tool call with an HTTP and a database child.
 */
function agentRun(rng: Rng, run: number, startUs: number, steps = 8): string[] {
  const traceId = rng.hex(16);
  const rootId = rng.hex(8);
  const spans: string[] = [];
  const span = (id: string, parent: string, name: string, kind: number, s: number, e: number, attrs: string[], error?: string) =>
    spans.push(
      `{"traceId":"${traceId}","spanId":"${id}","parentSpanId":"${parent}","name":${q(name)},"kind":${kind},"startTimeUnixNano":"${Math.round(s)}000","endTimeUnixNano":"${Math.round(e)}000","attributes":[${attrs.join(',')}],"status":${error ? `{"code":2,"message":${q(error)}}` : '{}'}}`,
    );
  const question = `${rng.pick(QUESTIONS)}${rng.int(1000, 9999)}?`;
  let t = startUs + 200;
  const failedStep = rng.chance(0.1) ? rng.int(0, steps - 1) : -1;
  for (let step = 0; step < steps; step++) {
    const stepId = rng.hex(8);
    const stepStart = t;
    const model = rng.pick(MODELS);
    const llmEnd = t + rng.int(300_000, 2_000_000);
    const inTokens = rng.int(200, 3000);
    const outTokens = rng.int(20, 400);
    span(rng.hex(8), stepId, `chat ${model}`, 3, t, llmEnd, [
      kvS('gen_ai.operation.name', 'chat'), kvS('gen_ai.system', 'openai'), kvS('gen_ai.request.model', model), kvS('gen_ai.response.model', model),
      kvI('gen_ai.usage.input_tokens', inTokens), kvI('gen_ai.usage.output_tokens', outTokens),
      kvS('gen_ai.prompt.0.role', 'user'), kvS('gen_ai.prompt.0.content', question), kvS('gen_ai.completion.0.content', `Calling a tool for step ${step + 1}.`),
    ]);
    t = llmEnd + 100;
    const retrieveEnd = t + rng.int(5_000, 60_000);
    span(rng.hex(8), stepId, 'retrieve documents', 1, t, retrieveEnd, [kvS('openinference.span.kind', 'RETRIEVER'), kvS('input.value', question), kvI('retrieval.documents.count', rng.int(1, 8))]);
    t = retrieveEnd + 100;
    const tool = rng.pick(TOOLS);
    const toolId = rng.hex(8);
    const toolEnd = t + rng.int(20_000, 400_000);
    span(rng.hex(8), toolId, 'GET', 3, t + 1000, t + 1000 + (toolEnd - t) / 3, [kvS('http.request.method', 'GET'), kvS('url.full', `https://api.internal/orders/${rng.int(1, 99999)}`), kvI('http.response.status_code', 200)]);
    span(rng.hex(8), toolId, 'SELECT orders', 3, t + 2000 + (toolEnd - t) / 3, toolEnd - 500, [kvS('db.system', 'postgresql'), kvS('db.query.text', 'SELECT * FROM orders WHERE id = $1')]);
    const error = step === failedStep ? `${tool} failed: upstream timeout` : undefined;
    span(toolId, stepId, `execute_tool ${tool}`, 1, t, toolEnd, [kvS('gen_ai.operation.name', 'execute_tool'), kvS('gen_ai.tool.name', tool), kvS('code.function.name', tool), kvS('code.file.path', 'src/agent/tools.py'), kvI('code.line.number', 40 + TOOLS.indexOf(tool) * 12)], error);
    t = toolEnd + 100;
    span(stepId, rootId, `agent.step ${step + 1}`, 1, stepStart, t, [kvI('agent.step', step + 1)]);
  }
  const answerEnd = t + rng.int(300_000, 1_500_000);
  span(rng.hex(8), rootId, 'chat gpt-4o', 3, t, answerEnd, [kvS('gen_ai.operation.name', 'chat'), kvS('gen_ai.request.model', 'gpt-4o'), kvI('gen_ai.usage.input_tokens', rng.int(500, 4000)), kvI('gen_ai.usage.output_tokens', rng.int(50, 500))]);
  span(rootId, '', 'support_agent.run', 2, startUs, answerEnd + 200, [kvS('openinference.span.kind', 'AGENT'), kvS('input.value', question), kvS('output.value', `Resolved run ${run}.`)]);
  return spans;
}

/**
 * 30 daily files of the receiver's naming, oldest first, mtimes a day apart, `spans` spans in
 * runs of 50 (two runs at a time share each exporter batch line); reused when present.
 */
export function ensureHistory(root: string, spans = DEFAULT_SPANS): { dir: string; files: string[]; bytes: number } {
  const dir = path.join(root, `history-v3-${spans}`);
  const folder = path.join(dir, '.tracerun');
  const done = path.join(dir, 'done.json');
  if (fs.existsSync(done)) return JSON.parse(fs.readFileSync(done, 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  const rng = new Rng(20251101);
  const files: string[] = [];
  let bytes = 0;
  let run = 0;
  const runsPerDay = Math.max(1, Math.round(spans / SPANS_PER_RUN / DAYS));
  for (let day = 0; day < DAYS; day++) {
    const file = path.join(folder, `otlp-2026-11-${String(day + 1).padStart(2, '0')}.jsonl`);
    const lines: string[] = [];
    const dayStartUs = Date.UTC(2026, 10, day + 1, 8) * 1000;
    for (let k = 0; k < runsPerDay; k += 2) {
      // One run in a hundred is a long one (80 steps, 483 spans), for opening a big run.
      const a = agentRun(rng, run, dayStartUs + k * 2_000_000, run++ % 100 === 50 ? 80 : 8);
      const b = k + 1 < runsPerDay ? agentRun(rng, run++, dayStartUs + (k + 1) * 2_000_000) : [];
      // Two runs' spans interleaved, in batches of up to 40, as a busy exporter sends them.
      const mixed: string[] = [];
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (i < a.length) mixed.push(a[i]);
        if (i < b.length) mixed.push(b[i]);
      }
      for (let i = 0; i < mixed.length; i += 40) {
        lines.push(`{"resourceSpans":[{"resource":{"attributes":[${kvS('service.name', 'support-agent')},${kvS('service.version', '1.4.2')}]},"scopeSpans":[{"scope":{"name":"openinference.instrumentation.openai","version":"0.1.18"},"spans":[${mixed.slice(i, i + 40).join(',')}]}]}]}`);
      }
    }
    const text = lines.join('\n') + '\n';
    fs.writeFileSync(file, text);
    bytes += Buffer.byteLength(text);
    const when = new Date(Date.UTC(2026, 10, day + 1, 23));
    fs.utimesSync(file, when, when);
    files.push(file);
  }
  const info = { dir, files, bytes };
  fs.writeFileSync(done, JSON.stringify(info));
  return info;
}

