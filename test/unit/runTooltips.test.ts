import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { appendRunTooltip, appendSessionTooltip, appendSpanTooltip, isValidId, shownSourcePath, type IdKind, type RunTooltip, type SpanTooltip } from '../../src/extension/runTooltips';
import { RecordingMarkdown } from './recordingMarkdown';

// What a hostile trace file or exporter can put in a span: links, images, command links,
// theme icons, HTML, headings and code-span breakouts.
const HOSTILE = [
  '[click me](command:workbench.action.terminal.new)',
  '![x](https://attacker.example/pixel.png)',
  '$(error) <img src=x onerror=alert(1)>',
  'line one\n\n# heading\n===',
  '`code` ~~struck~~ https://attacker.example',
];
const HOSTILE_ID = '`[x](https://attacker.example)`';

function reports(): { list: [IdKind, string][]; report: (kind: IdKind, raw: string) => void } {
  const list: [IdKind, string][] = [];
  return { list, report: (kind, raw) => list.push([kind, raw]) };
}

function run(overrides: Partial<RunTooltip> = {}): RunTooltip {
  return {
    name: 'agent.run',
    stateText: 'Complete',
    startedText: '01/12/2026, 10:00:00',
    durationText: '1.2 s',
    spanCount: 3,
    tokensText: undefined,
    errorCount: 0,
    serviceNames: [],
    traceId: '0af7651916cd43dd8448eb211c80319c',
    ...overrides,
  };
}

function span(overrides: Partial<SpanTooltip> = {}): SpanTooltip {
  return {
    name: 'chat gpt-4o',
    kind: 'llm',
    durationText: '800 ms',
    model: undefined,
    tokensText: undefined,
    error: undefined,
    source: undefined,
    notReceivedChildren: undefined,
    missingParentId: undefined,
    ...overrides,
  };
}

test('ids are hex of the right length', () => {
  assert.ok(isValidId('0af7651916cd43dd8448eb211c80319c', 'trace id'));
  assert.ok(isValidId('b7ad6b7169203331', 'span id'));
  assert.ok(!isValidId('b7ad6b7169203331', 'trace id'), 'a span id is too short for a trace id');
  assert.ok(!isValidId('0af7651916cd43dd8448eb211c80319c', 'parent span id'));
  assert.ok(!isValidId('zzzzzzzzzzzzzzzz', 'span id'));
  assert.ok(!isValidId(HOSTILE_ID, 'trace id'));
});

test('a run tooltip passes every text from the trace as text, never as Markdown', () => {
  for (const hostile of HOSTILE) {
    const md = new RecordingMarkdown();
    const { list, report } = reports();
    appendRunTooltip(md, run({ name: hostile, serviceNames: ['api', hostile], errorCount: 2 }), report);
    assert.ok(!md.allMarkdown.includes(hostile), `the name is not Markdown: ${JSON.stringify(md.markdown)}`);
    assert.ok(md.text.includes(hostile), 'the name is appended as text, whole');
    assert.ok(md.text.some((t) => t.includes(`api, ${hostile}`)), 'service names are text');
    assert.match(md.allMarkdown, /`0af7651916cd43dd8448eb211c80319c`/, 'a valid trace id shows as code');
    assert.deepEqual(list, []);
  }
});

test('a run whose trace id is not hex shows "invalid id" and reports it', () => {
  const md = new RecordingMarkdown();
  const { list, report } = reports();
  appendRunTooltip(md, run({ traceId: HOSTILE_ID }), report);
  assert.ok(!md.allMarkdown.includes('attacker'), `the id is not Markdown: ${JSON.stringify(md.markdown)}`);
  assert.ok(!md.text.some((t) => t.includes('attacker')), 'the invalid id is not shown at all');
  assert.ok(md.text.includes('invalid id'));
  assert.deepEqual(list, [['trace id', HOSTILE_ID]]);
});

test('a span tooltip passes name, model, error, source and parent id as text', () => {
  for (const hostile of HOSTILE) {
    const md = new RecordingMarkdown();
    const { list, report } = reports();
    appendSpanTooltip(
      md,
      span({ name: hostile, model: hostile, error: { message: hostile }, source: { path: hostile, line: 12, function: hostile }, missingParentId: HOSTILE_ID }),
      report,
    );
    const markdown = md.allMarkdown;
    assert.ok(!markdown.includes(hostile), `nothing from the trace is Markdown: ${JSON.stringify(md.markdown)}`);
    assert.ok(!markdown.includes('attacker'), 'nor the parent id');
    assert.ok(md.text.includes(hostile), 'the name is text');
    assert.ok(md.text.includes(`Model: ${hostile}`));
    assert.ok(md.text.includes(`${hostile}:12 · ${hostile}`), 'the source location is text');
    assert.ok(md.text.includes('invalid id'));
    assert.deepEqual(list, [['parent span id', HOSTILE_ID]]);
  }
});

test('a span whose parent is missing names the parent id as code when it is valid', () => {
  const md = new RecordingMarkdown();
  const { list, report } = reports();
  appendSpanTooltip(md, span({ missingParentId: 'b7ad6b7169203331', error: { message: undefined } }), report);
  assert.match(md.allMarkdown, /Its parent span `b7ad6b7169203331` has not arrived\./);
  assert.ok(md.text.includes('failed'), 'a failed span without a message says "failed"');
  assert.deepEqual(list, []);
});

test('a run tooltip shows its input, output, models and cost, all as text', () => {
  for (const hostile of HOSTILE) {
    const md = new RecordingMarkdown();
    const { report } = reports();
    appendRunTooltip(md, run({ input: `Q: ${hostile}`, output: `A: ${hostile}`, models: ['gpt-4o', hostile], costText: '$0.02' }), report);
    assert.ok(!md.allMarkdown.includes(hostile), `nothing from the trace is Markdown: ${JSON.stringify(md.markdown)}`);
    assert.ok(md.text.includes(`Q: ${hostile}`), 'the input, whole');
    assert.ok(md.text.includes(`A: ${hostile}`), 'the output, whole');
    assert.ok(md.text.includes(`Models: gpt-4o, ${hostile}`));
    assert.ok(md.text.includes(' · Cost: $0.02'));
    assert.match(md.allMarkdown, /\*\*Input\*\*[\s\S]*\*\*Output\*\*/, 'labelled, input first');
  }
  const bare = new RecordingMarkdown();
  appendRunTooltip(bare, run(), reports().report);
  assert.ok(!bare.allMarkdown.includes('Input') && !bare.text.some((t) => t.startsWith('Model')), 'nothing read yet, nothing shown');
});

test('a run tooltip cuts a long input or output at 1,500 characters and says so, and where to read all of it', () => {
  const md = new RecordingMarkdown();
  appendRunTooltip(md, run({ input: 'q'.repeat(4000), output: 'short answer' }), reports().report);
  assert.ok(md.text.includes(`${'q'.repeat(1500)}…`), 'the first 1,500 characters');
  assert.ok(!md.text.some((t) => t.includes('q'.repeat(1501))), 'no more');
  assert.match(md.allMarkdown, /1,500 of 4,000 characters shown: open the run's waterfall to read all of it/);
  assert.equal(md.allMarkdown.match(/characters shown/g)?.length, 1, 'a short output is whole, with no note');
  assert.ok(md.text.includes('short answer'));
});

test('a session tooltip passes its id as text', () => {
  for (const hostile of HOSTILE) {
    const md = new RecordingMarkdown();
    appendSessionTooltip(md, { sessionId: hostile, runCount: 3, failedCount: 1 });
    assert.ok(!md.allMarkdown.includes(hostile));
    assert.ok(md.text.includes(hostile));
    assert.ok(md.text.includes('3 runs, oldest first · 1 failed'));
  }
});

test('run tooltip: what the run lacks is listed, each message as text (an instrumentation name comes from the trace)', () => {
  const md = new RecordingMarkdown();
  const messages = ['1 LLM span recorded no prompt or completion: ' + HOSTILE[0] + ' leaves content out unless its content setting allows it.', 'No span names its service.'];
  appendRunTooltip(md, run({ missingContext: messages }), reports().report);
  assert.match(md.allMarkdown, /\*\*Missing context\*\*/);
  for (const m of messages) assert.ok(md.text.includes(m), m);
  assert.ok(!md.allMarkdown.includes('command:'), 'nothing from the trace goes in as Markdown');
  const none = new RecordingMarkdown();
  appendRunTooltip(none, run({ missingContext: [] }), reports().report);
  assert.ok(!none.allMarkdown.includes('Missing context'));
});

test('a span with a nested LLM span of the same call folded in links that span, its name as text', () => {
  const trace = 'a'.repeat(32);
  for (const hostile of HOSTILE) {
    const md = new RecordingMarkdown();
    const { list, report } = reports();
    appendSpanTooltip(md, span({ folded: [{ name: hostile, traceId: trace, spanId: 'b'.repeat(16) }, { name: 'bad ids', traceId: HOSTILE_ID, spanId: 'c'.repeat(16) }] }), report);
    const markdown = md.allMarkdown;
    assert.ok(!markdown.includes(hostile), `the folded span's name is not Markdown: ${JSON.stringify(md.markdown)}`);
    assert.ok(md.text.includes(hostile) && md.text.includes('bad ids'));
    assert.match(markdown, /One model call, also recorded as \[/);
    const link = `](command:tracerun.openSpan?${encodeURIComponent(JSON.stringify([{ traceId: trace, spanId: 'b'.repeat(16) }]))} "Open it in the waterfall")`;
    assert.ok(markdown.includes(link), 'a link that opens it in the waterfall');
    assert.equal(markdown.split('command:').length, 2, 'a span with ids that are not hex gets no link');
    assert.ok(!markdown.includes('attacker'));
    assert.deepEqual(list, []);
  }
});

test('a span’s source shows where it is in the workspace, relative to its folder, once found; as recorded until then', () => {
  const shown = (recorded: string, resolved: string | undefined, folders: string[]) => {
    const md = new RecordingMarkdown();
    appendSpanTooltip(md, span({ source: { path: shownSourcePath(recorded, resolved, folders, path.posix), line: 29, function: 'lookup_order' } }), reports().report);
    return md.text.find((t) => t.includes(':29'));
  };
  // Recorded in a container, found in the workspace by its suffix.
  assert.equal(shown('/app/agent/tools.py', '/home/me/shop/agent/tools.py', ['/home/me/shop']), 'agent/tools.py:29 · lookup_order');
  // Several folders: the folder's name first.
  assert.equal(shown('/app/agent/tools.py', '/home/me/shop/agent/tools.py', ['/home/me/web', '/home/me/shop']), 'shop/agent/tools.py:29 · lookup_order');
  assert.equal(shown('/app/agent/tools.py', undefined, ['/home/me/shop']), '/app/agent/tools.py:29 · lookup_order');
  // Found outside every folder (an absolute path that exists): where it is.
  assert.equal(shown('/opt/lib/tools.py', '/opt/lib/tools.py', ['/home/me/shop']), '/opt/lib/tools.py:29 · lookup_order');
  assert.equal(shownSourcePath('C:\\app\\agent\\tools.py', 'c:\\src\\shop\\agent\\tools.py', ['c:\\src\\shop'], path.win32), 'agent\\tools.py');
});

test("a span tooltip names the span's service, as text, when its run has more than one", () => {
  const md = new RecordingMarkdown();
  appendSpanTooltip(md, span({ serviceName: HOSTILE[0], runServiceNames: ['support-agent', HOSTILE[0]] }), reports().report);
  assert.ok(md.text.includes(`Service: ${HOSTILE[0]}`));
  assert.ok(!md.allMarkdown.includes(HOSTILE[0]), 'never as Markdown');
  const single = new RecordingMarkdown();
  appendSpanTooltip(single, span({ serviceName: 'support-agent', runServiceNames: ['support-agent'] }), reports().report);
  assert.ok(!single.text.includes('Service:'), "one service: the run's tooltip names it");
});

test("a stand-in's tooltip says it is most likely still running while its run runs, and that the run finished without it after", () => {
  const running = new RecordingMarkdown();
  appendSpanTooltip(running, span({ notReceivedChildren: 2 }), reports().report);
  assert.match(running.text.join('\n'), /Not received yet: 2 spans name it as parent\. .*most likely still running/);
  const finished = new RecordingMarkdown();
  appendSpanTooltip(finished, span({ notReceivedChildren: 2, runFinished: true }), reports().report);
  assert.match(finished.text.join('\n'), /Not received: 2 spans name it as parent, but the run finished without it/);
  assert.doesNotMatch(finished.text.join('\n'), /running|yet/);
});
