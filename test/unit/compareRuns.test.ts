import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { readTraceFiles } from '../../src/core/ingest/readTraceFiles';
import type { Trace } from '../../src/core/model/trace';
import { RunComparison } from '../../src/core/compare/comparison';
import { alignTreesSteps } from '../../src/core/compare/align';
import { ContentFlag, type ComparePairView, type CompareSpanView } from '../../src/protocol/compare';
import { CHANGE_COLUMN_MIN_PX, changeCellWidth, changeChips } from '../../webview/compare/pairText';
import { pairView } from '../../src/core/compare/pairs';
import { previousRunOf } from '../../src/core/compare/previousRun';
import { diffJson, diffWords } from '../../src/core/compare/textDiff';
import { canonicalJson } from '../../src/core/compare/content';
import { maskContent, maskDivergence, maskPairView, maskRunView } from '../../src/core/compare/maskCompare';
import { Redactor } from '../../src/core/privacy/redact';
import { hexId, ms, otlpLine, type TestSpan } from './otlpBuilder';
import { tempDir } from './tempDir';

/** A span of a test run: its name, what it carries, and its children in start order. */
interface Node {
  name: string;
  attrs?: Record<string, unknown>;
  error?: string;
  /** Own time before its children, in ms (default 10). */
  ms?: number;
  children?: Node[];
}

const n = (name: string, ...children: Node[]): Node => ({ name, children });
const w = (name: string, more: Omit<Node, 'name'>, ...children: Node[]): Node => ({ name, ...more, children });

/** Lays a tree out in time (each span after its previous sibling) as OTLP spans of one trace. */
function spansOf(root: Node, traceId: string): TestSpan[] {
  const out: TestSpan[] = [];
  const place = (node: Node, parent: string, start: number): number => {
    const spanId = hexId(8);
    let t = start + (node.ms ?? 10);
    const index = out.length;
    out.push({ traceId, spanId, parentSpanId: parent, name: node.name, start: ms(start), end: 0, attributes: node.attrs });
    for (const child of node.children ?? []) t = place(child, spanId, t) + 1;
    out[index].end = ms(t);
    // An empty error: failed with no status message, as many instrumentations record it.
    if (node.error !== undefined) out[index].status = node.error ? { code: 2, message: node.error } : { code: 2 };
    return t;
  };
  place(root, '', 0);
  return out;
}

async function compare(t: TestContext, a: Node, b: Node): Promise<{ cmp: RunComparison; rows: string[] }> {
  const idA = hexId(16);
  const idB = hexId(16);
  const file = path.join(tempDir(t), 'runs.jsonl');
  writeFileSync(file, otlpLine(spansOf(a, idA)) + otlpLine(spansOf(b, idB)));
  const { store } = await readTraceFiles([file]);
  const cmp = new RunComparison(store.trace(idA) as Trace, store.trace(idB) as Trace);
  // One line per pair: indent, A's name or -, B's name or -.
  const rows = cmp.pairs.map((p) => `${'  '.repeat(p.depth)}${p.a?.span.name ?? '-'} | ${p.b?.span.name ?? '-'}`);
  return { cmp, rows };
}

test('identical runs pair every span with its twin, and do not diverge', async (t) => {
  const run = () => n('agent', w('plan', { attrs: { 'input.value': 'q' } }), n('search', n('http GET')), n('answer'));
  const { cmp, rows } = await compare(t, run(), run());
  assert.deepEqual(rows, ['agent | agent', '  plan | plan', '  search | search', '    http GET | http GET', '  answer | answer']);
  assert.equal(await cmp.firstDivergence(), null);
  for (let i = 0; i < rows.length; i++) assert.equal(await cmp.flagsOf(i), ContentFlag.Checked);
});

test('a retry loop that ran 3 times in A and 5 in B aligns 3 pairs and leaves 2 in B alone', async (t) => {
  const retries = (k: number) => Array.from({ length: k }, () => n('call_api'));
  const { cmp, rows } = await compare(t, n('agent', n('plan'), ...retries(3), n('answer')), n('agent', n('plan'), ...retries(5), n('answer')));
  assert.deepEqual(rows, [
    'agent | agent',
    '  plan | plan',
    '  call_api | call_api',
    '  call_api | call_api',
    '  call_api | call_api',
    '  - | call_api',
    '  - | call_api',
    '  answer | answer',
  ]);
  assert.equal((await cmp.firstDivergence())?.reason, 'onlyInB');
});

test('a span inserted in B and one removed from A fall where they ran; their subtrees come along', async (t) => {
  const { rows } = await compare(t, n('agent', n('plan'), n('rerank', n('embed')), n('answer')), n('agent', n('plan'), n('check', n('guard')), n('answer')));
  assert.deepEqual(rows, ['agent | agent', '  plan | plan', '  rerank | -', '    embed | -', '  - | check', '    - | guard', '  answer | answer']);
});

test('a span removed at the start of B and one added at its start', async (t) => {
  const { rows } = await compare(t, n('agent', n('warmup'), n('plan')), n('agent', n('cache_hit'), n('plan')));
  assert.deepEqual(rows, ['agent | agent', '  warmup | -', '  - | cache_hit', '  plan | plan']);
});

test('reordered siblings still pair by name, shown in the order A ran them', async (t) => {
  const { rows } = await compare(t, n('agent', n('search_web'), n('search_docs', n('embed')), n('answer')), n('agent', n('search_docs', n('embed')), n('search_web'), n('answer')));
  assert.deepEqual(rows, ['agent | agent', '  search_web | search_web', '  search_docs | search_docs', '    embed | embed', '  answer | answer']);
});

test('runs with nothing in common: every span on one side only', async (t) => {
  const { cmp, rows } = await compare(t, n('etl', n('extract')), n('chat', n('llm')));
  assert.deepEqual(rows, ['etl | -', '  extract | -', '- | chat', '  - | llm']);
  const d = await cmp.firstDivergence();
  assert.deepEqual([d?.row, d?.reason, d?.summary], [0, 'onlyInA', '`etl` ran only in A']);
});

test('the first divergence is the failing tool call, not the agent above it whose output changed later', async (t) => {
  const run = (failed: boolean) =>
    w(
      'agent',
      { attrs: { 'input.value': 'Where is order A1042?', 'output.value': failed ? 'Sorry, I could not look that up.' : 'It is out for delivery.' } },
      w('retrieve_policies', { attrs: { 'input.value': 'orders', 'retrieval.documents.0.document.content': 'Orders ship in 2 days.' } }),
      w('draft', {}, failed
        ? w('lookup_order', { attrs: { 'gen_ai.tool.call.arguments': '{"order_id":"A1042"}' }, error: 'OrdersAPIError: timeout (504)' })
        : w('lookup_order', { attrs: { 'gen_ai.tool.call.arguments': '{"order_id":"A1042"}', 'gen_ai.tool.call.result': '{"status":"out for delivery"}' } })),
    );
  const { cmp } = await compare(t, run(false), run(true));
  const d = await cmp.firstDivergence();
  assert.equal(d?.name, 'lookup_order');
  assert.equal(d?.reason, 'status');
  assert.equal(d?.summary, '`lookup_order` failed in B only: OrdersAPIError: timeout (504)');
  const diff = await cmp.pairDiff(d!.row);
  assert.deepEqual(diff.sections.map((s) => [s.label, s.same]), [['Status', false], ['Input (gen_ai.tool.call.arguments)', true], ['Output (gen_ai.tool.call.result)', false]]);
  // The agent's output differs too, but that shows only at its end, after the tool call.
  assert.equal((await cmp.flagsOf(0)) & ContentFlag.Output, ContentFlag.Output);
});

test('a step stamped to the millisecond just before the failed call ended does not diverge first (the OpenTelemetry JS SDK)', async (t) => {
  // The JS SDK stamps a start with Date.now() (whole ms) and an end as that start plus a
  // precise duration: the answer that followed the tool call in A seems to start 0.4 ms
  // before the call ended. B's call failed and nothing followed it.
  const run = (traceId: string, failed: boolean): TestSpan[] => {
    const root = hexId(8);
    const tool = hexId(8);
    return [
      { traceId, spanId: root, name: 'support_agent.run', start: ms(0), end: ms(40), attributes: { 'input.value': 'Where is order A1042?' } },
      {
        traceId,
        spanId: tool,
        parentSpanId: root,
        name: 'execute_tool lookup_order',
        start: ms(5),
        end: ms(20.4),
        attributes: { 'gen_ai.tool.call.arguments': '{"order_id":"A1042"}', ...(failed ? {} : { 'gen_ai.tool.call.result': '{"status":"out for delivery"}' }) },
        ...(failed ? { status: { code: 2, message: 'OrdersAPIError: timeout after 1s (504)' } } : {}),
      },
      ...(failed ? [] : [{ traceId, spanId: hexId(8), parentSpanId: root, name: 'chat fake-gpt-4o', start: ms(20), end: ms(35) }]),
    ];
  };
  const idA = hexId(16);
  const idB = hexId(16);
  const file = path.join(tempDir(t), 'runs.jsonl');
  writeFileSync(file, otlpLine(run(idA, false)) + otlpLine(run(idB, true)));
  const { store } = await readTraceFiles([file]);
  const d = await new RunComparison(store.trace(idA) as Trace, store.trace(idB) as Trace).firstDivergence();
  assert.equal(d?.summary, '`execute_tool lookup_order` failed in B only: OrdersAPIError: timeout after 1s (504)');
});

test('a call that failed with no status message says why (error.type, the HTTP status) in its pair, its diff and the first divergence', async (t) => {
  const run = (failed: boolean) => n('agent', w('call_model', failed ? { attrs: { 'error.type': 'RateLimitError', 'http.response.status_code': 429 }, error: '' } : {}), w('fetch_docs', failed ? { attrs: { 'http.response.status_code': 503 }, error: '' } : {}));
  const { cmp } = await compare(t, run(false), run(true));
  const d = await cmp.firstDivergence();
  assert.equal(d?.summary, '`call_model` failed in B only: RateLimitError');
  assert.equal(pairView(cmp.pairs[1], cmp.aStartNs, cmp.bStartNs).b?.errorMessage, 'RateLimitError');
  assert.equal(pairView(cmp.pairs[2], cmp.aStartNs, cmp.bStartNs).b?.errorMessage, 'HTTP 503');
  const status = (await cmp.pairDiff(1)).sections.find((s) => s.label === 'Status');
  assert.equal(status?.words?.map((w) => w.text).join(''), 'okerror: RateLimitError');
});

test('an output difference before any other: `retrieve_policies` output — 2 of 3 documents differ', async (t) => {
  const docs = (x: string[]) => Object.fromEntries(x.map((d, i) => [`retrieval.documents.${i}.document.content`, d]));
  const run = (d: string[], answer: string) => w('agent', { attrs: { 'input.value': 'refund?', 'output.value': answer } }, w('retrieve_policies', { attrs: { 'input.value': 'refunds', ...docs(d) } }), w('answer', { attrs: { 'output.value': answer } }));
  const { cmp } = await compare(t, run(['a', 'b', 'c'], 'Yes within 14 days'), run(['a', 'x', 'y'], 'No refunds'));
  const d = await cmp.firstDivergence();
  assert.deepEqual([d?.name, d?.reason, d?.summary], ['retrieve_policies', 'output', '`retrieve_policies` output — 2 of 3 documents differ']);
});

test('different questions diverge at the root: its input differs at its start', async (t) => {
  const { cmp } = await compare(t, w('agent', { attrs: { 'input.value': 'Where is my order?' } }, n('plan')), w('agent', { attrs: { 'input.value': 'Where is my refund?' } }, n('plan')));
  const d = await cmp.firstDivergence();
  assert.deepEqual([d?.row, d?.reason, d?.summary], [0, 'input', '`agent` input — 1 word removed, 1 added']);
});

test('a duration or model change alone is no divergence, but shows in the pair', async (t) => {
  const { cmp } = await compare(t, n('agent', w('llm', { ms: 100, attrs: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 } })), n('agent', w('llm', { ms: 300, attrs: { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 9 } })));
  assert.equal(await cmp.firstDivergence(), null);
  const pair = pairView(cmp.pairs[1], cmp.aStartNs, cmp.bStartNs);
  assert.deepEqual([pair.durationDeltaMs, pair.durationDeltaPct, pair.statusChanged, pair.modelChanged, pair.tokensDelta], [200, 200, false, true, 4]);
  assert.deepEqual([pair.a?.model, pair.b?.model, pair.a?.tokens, pair.b?.tokens], ['gpt-4o', 'gpt-4o-mini', 15, 19]);
});

test('matched LLM spans show their time to first token side by side, with the change', async (t) => {
  const llm = (ttftS: number | undefined) => w('chat', { ms: 1000, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', ...(ttftS !== undefined && { 'gen_ai.response.time_to_first_chunk': ttftS }) } });
  const { cmp } = await compare(t, n('agent', llm(0.4), llm(0.3), w('tool', { attrs: { 'gen_ai.response.time_to_first_chunk': 1 } })), n('agent', llm(0.9), llm(undefined), w('tool', { attrs: { 'gen_ai.response.time_to_first_chunk': 2 } })));
  const [first, second, tool] = [1, 2, 3].map((row) => pairView(cmp.pairs[row], cmp.aStartNs, cmp.bStartNs));
  assert.deepEqual([first.a?.ttftMs, first.b?.ttftMs, first.ttftDeltaMs], [400, 900, 500]);
  assert.deepEqual([second.a?.ttftMs, second.b?.ttftMs, second.ttftDeltaMs], [300, undefined, undefined], 'one side did not record it: no delta');
  assert.deepEqual([tool.a?.ttftMs, tool.ttftDeltaMs], [undefined, undefined], 'only LLM spans have a first token');
});

test('JSON payloads differ by path; key order alone is no difference', () => {
  assert.deepEqual(diffJson({ a: 1, list: [1, 2], gone: true }, { list: [1, 3, 4], a: 1, added: 'x' }), [
    { path: '$.list[1]', change: 'changed', a: '2', b: '3' },
    { path: '$.list[2]', change: 'added', b: '4' },
    { path: '$.gone', change: 'removed', a: 'true' },
    { path: '$.added', change: 'added', b: 'x' },
  ]);
  assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
});

test('a word diff keeps what is common and shows each rewritten stretch as old, then new', () => {
  assert.deepEqual(diffWords('the cat sat on the mat.', 'a dog sat on a rug.'), [
    { op: 'removed', text: 'the cat' },
    { op: 'added', text: 'a dog' },
    { op: 'same', text: ' sat on ' },
    { op: 'removed', text: 'the mat.' },
    { op: 'added', text: 'a rug.' },
  ]);
  assert.deepEqual(diffWords('same text', 'same text'), [{ op: 'same', text: 'same text' }]);
  assert.deepEqual(diffWords('', 'new'), [{ op: 'added', text: 'new' }]);
});

test('LLM spans compare their conversations; the diff shows each message', async (t) => {
  const msgs = (q: string) => JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: q }] }]);
  const out = (a: string) => JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: a }] }]);
  const llm = (q: string, a: string) => w('chat', { attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.input.messages': msgs(q), 'gen_ai.output.messages': out(a) } });
  const { cmp } = await compare(t, n('agent', llm('hi', 'Hello there friend')), n('agent', llm('hi', 'Hello there enemy')));
  const flags = await cmp.flagsOf(1);
  assert.equal(flags, ContentFlag.Checked | ContentFlag.Output | ContentFlag.Messages);
  const d = await cmp.firstDivergence();
  assert.deepEqual([d?.name, d?.reason], ['chat', 'output']);
  const diff = await cmp.pairDiff(1);
  assert.deepEqual(diff.sections.map((s) => s.label), ['Status', 'message 1 (user)', 'message 2 (assistant)']);
  assert.deepEqual(diff.sections[2].words, [{ op: 'same', text: 'Hello there ' }, { op: 'removed', text: 'friend' }, { op: 'added', text: 'enemy' }]);
});

test('secrets are masked in everything the compare panel shows; same or differs is still decided as recorded', async (t) => {
  const KEY_A = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv';
  const KEY_B = 'sk-proj-Zz9yXw8vUt7sRq6pOn5mLk4jIh';
  const r = new Redactor();
  const run = (key: string, failed: boolean) =>
    w('agent', { attrs: { 'input.value': `use ${key} please` } },
      // The same name on both sides (pairs match by name), itself holding a key.
      w(`call ${KEY_A}`, { attrs: { 'gen_ai.tool.call.arguments': JSON.stringify({ order: 'A1042', auth: key, api_key: 'plain' }) }, ...(failed ? { error: `401 for key ${key}` } : {}) }),
      w('chat', { attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `my key is ${key}` }] }]) } }));
  const { cmp } = await compare(t, run(KEY_A, false), run(KEY_B, true));
  const shown = (x: unknown) => JSON.stringify(x);
  const noKey = (x: unknown) => assert.ok(!shown(x).includes('sk-proj'), `no key in ${shown(x)}`);

  // Names and error messages of the rows.
  const pair = maskPairView(pairView(cmp.pairs[1], cmp.aStartNs, cmp.bStartNs), r);
  assert.equal(pair.a?.name, 'call ‹redacted: api key›');
  assert.equal(pair.b?.errorMessage, '401 for key ‹redacted: api key›');
  noKey(pair);
  const plain = pairView(cmp.pairs[2], cmp.aStartNs, cmp.bStartNs);
  assert.equal(maskPairView(plain, r), plain, 'a pair with nothing to mask is passed on as is');
  assert.equal(maskRunView({ traceId: 't', name: `run ${KEY_A}`, durationMs: 1, spanCount: 1, errorCount: 0, startedAt: '' }, r).name, 'run ‹redacted: api key›');

  // The first divergence (the root's input) and its summary.
  const d = (await cmp.firstDivergence())!;
  assert.equal(d.reason, 'input');
  noKey(maskDivergence(d, r));
  const failed = maskDivergence({ row: 1, name: `call ${KEY_A}`, reason: 'status', summary: `\`call ${KEY_A}\` failed in B only: 401 for key ${KEY_B}` }, r);
  assert.equal(failed.summary, '`call ‹redacted: api key›` failed in B only: 401 for key ‹redacted: api key›');

  // Word diffs and JSON diffs: masked before diffing, while two different keys still differ.
  const root = await cmp.pairDiff(0, r);
  assert.equal(root.secretsMasked, true);
  noKey(root);
  const input = root.sections.find((s) => s.label.startsWith('Input'))!;
  assert.equal(input.same, false, 'the recorded inputs differ (two keys)');
  assert.deepEqual(input.words, [{ op: 'same', text: 'use ‹redacted: api key› please' }]);
  const call = await cmp.pairDiff(1, r);
  noKey(call);
  assert.deepEqual(call.sections.map((s) => [s.label, s.same]), [['Status', false], ['Input (gen_ai.tool.call.arguments)', false]]);
  assert.match(shown(call.sections[0].words), /401 for key ‹redacted: api key›/);
  // The JSON input: the key in prose by its pattern, `api_key` whole by its name.
  // They differ only in masked text: shown as that text, marked as differing.
  assert.equal(call.sections[1].changes, undefined);
  assert.match(shown(call.sections[1].words), /‹redacted: api key›.*‹redacted: secret attribute›/);
  const chat = await cmp.pairDiff(2, r);
  noKey(chat);
  assert.deepEqual(chat.sections[1].words, [{ op: 'same', text: 'my key is ‹redacted: api key›' }]);
  assert.equal(chat.sections[1].same, false);

  // Revealed (no redactor): as recorded.
  const revealed = await cmp.pairDiff(2);
  assert.equal(revealed.secretsMasked, undefined);
  assert.match(shown(revealed), /sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv/);
  const masked = maskContent({ input: { label: 'x', text: JSON.stringify({ auth: KEY_A, api_key: 'plain' }), json: true, value: { auth: KEY_A, api_key: 'plain' } } }, r);
  assert.deepEqual(masked.input?.value, { auth: '‹redacted: api key›', api_key: '‹redacted: secret attribute›' });
});

test('the previous run of a name: the newest one of that name that started before it', async (t) => {
  const file = path.join(tempDir(t), 'runs.jsonl');
  const ids = [hexId(16), hexId(16), hexId(16), hexId(16)];
  const run = (id: string, name: string, at: number): TestSpan => ({ traceId: id, spanId: hexId(8), name, start: ms(at), end: ms(at + 5) });
  writeFileSync(file, otlpLine([run(ids[0], 'agent', 0), run(ids[1], 'etl', 10), run(ids[2], 'agent', 20), run(ids[3], 'agent', 30)]));
  const { store } = await readTraceFiles([file]);
  assert.equal(previousRunOf(store.runs(), ids[3])?.traceId, ids[2]);
  assert.equal(previousRunOf(store.runs(), ids[2])?.traceId, ids[0]);
  assert.equal(previousRunOf(store.runs(), ids[0]), undefined);
  assert.equal(previousRunOf(store.runs(), ids[1]), undefined);
});

test('a 10,000-span fan-out aligns in steps (for time slices) to the same rows', async (t) => {
  const fan = (k: number) => n('agent', ...Array.from({ length: k }, (_, i) => n(`fetch ${i % 7}`)));
  const { cmp } = await compare(t, fan(10_000), fan(9_990));
  const steps = alignTreesSteps(cmp.a.tree(), cmp.b.tree());
  let yields = 0;
  let next = steps.next();
  while (!next.done) (yields++, (next = steps.next()));
  assert.ok(yields >= 2, `yields between slices (${yields})`);
  assert.deepEqual(next.value.map((p) => [p.a?.span.spanId, p.b?.span.spanId]), cmp.pairs.map((p) => [p.a?.span.spanId, p.b?.span.spanId]));
  assert.equal(cmp.pairs.filter((p) => !p.b).length, 10, 'the 10 extra fetches of A are on A only');
});

test("a pair's chips name each of input, output and messages that differ, messages too when input or output also differ", () => {
  const span = { spanId: 'a000000000000001', name: 'chat', kind: 'llm', startMs: 0, durationMs: 10 } as CompareSpanView;
  const pair: ComparePairView = { a: span, b: span, depth: 0, statusChanged: false, modelChanged: false };
  const chips = (flags: number) => changeChips(pair, ContentFlag.Checked | flags);
  assert.deepEqual(chips(ContentFlag.Messages), ['messages']);
  assert.deepEqual(chips(ContentFlag.Input | ContentFlag.Messages), ['input', 'messages']);
  assert.deepEqual(chips(ContentFlag.Input | ContentFlag.Output | ContentFlag.Messages), ['input', 'output', 'messages']);
  assert.deepEqual(chips(ContentFlag.Output), ['output']);
  assert.deepEqual(changeChips({ ...pair, b: undefined }, ContentFlag.Input), [], 'a span on one side only has nothing to compare');
});

test('the change column is as wide as a pair needs to show its duration change and every chip whole', () => {
  const measure = (text: string) => text.length * 6;
  const delta = '+150ms (+50%)';
  const chips = ['TTFT +150ms', 'output', 'messages'];
  // Each chip's text, padding and border, the gaps, the cell's padding and border.
  const whole = measure(delta) + 10 + chips.reduce((sum, c) => sum + measure(c) + 10, 0) + 4 + 2 * 3;
  assert.ok(changeCellWidth(delta, chips, measure) >= whole);
  assert.ok(changeCellWidth(delta, ['output'], measure) < CHANGE_COLUMN_MIN_PX, 'one chip fits the narrowest column');
  assert.ok(changeCellWidth(delta, [...chips, 'first diff'], measure) > changeCellWidth(delta, chips, measure));
});
