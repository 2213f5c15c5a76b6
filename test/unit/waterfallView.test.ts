// The waterfall webview's state, rows and time range, driven in Node with rows made by the
// host's own code: no DOM in webview/viewState.ts, model.ts or timeline.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readOtlpJson } from '../../src/core/ingest/otlp/otlpJsonReader';
import { TraceStore } from '../../src/core/model/traceStore';
import { waterfallData, waterfallFirstSteps } from '../../src/core/waterfall/rows';
import { flatTreeOf } from '../../src/core/model/flatTree';
import { runSteps } from '../../src/core/util/steps';
import { NO_FILTER, parseDuration } from '../../webview/model';
import { TimeRange } from '../../webview/timeline';
import { WaterfallView, type ViewChange } from '../../webview/viewState';
import { SERVICE_PALETTE_SIZE, serviceSlots } from '../../webview/serviceColors';
import { ms, otlpLine, type TestSpan } from './otlpBuilder';

const TRACE = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const id = (n: string): string => n.padStart(16, '0');

/**
 * Rows: 0 root, 1 plan (failed), 2 chat, 3 group "lookup ×5", 4–8 its members, 9 answer, 10 format.
 */
function spans(): TestSpan[] {
  const s: TestSpan[] = [
    { traceId: TRACE, spanId: id('1'), name: 'root', start: ms(0), end: ms(100) },
    { traceId: TRACE, spanId: id('2'), parentSpanId: id('1'), name: 'plan', start: ms(5), end: ms(20), status: { code: 2, message: 'no plan' } },
    { traceId: TRACE, spanId: id('3'), parentSpanId: id('2'), name: 'chat', start: ms(6), end: ms(15), attributes: { 'gen_ai.operation.name': 'chat' } },
    { traceId: TRACE, spanId: id('4'), parentSpanId: id('1'), name: 'answer', start: ms(50), end: ms(90) },
    { traceId: TRACE, spanId: id('5'), parentSpanId: id('4'), name: 'format', start: ms(60), end: ms(70) },
  ];
  for (let i = 0; i < 5; i++) s.push({ traceId: TRACE, spanId: id(`a${i}`), parentSpanId: id('1'), name: 'lookup', start: ms(21 + i * 2), end: ms(22 + i * 2) });
  return s;
}

/** A view fed as the page is: a header, then the rows in slices of `sliceSize`. */
function viewOf(saved = {}, sliceSize = 4): { view: WaterfallView; changes: ViewChange[] } {
  const store = new TraceStore();
  const buf = Buffer.from(otlpLine(spans()));
  store.addSpans('/t/f.jsonl', readOtlpJson(buf, 0, buf.length, { file: '/t/f.jsonl', line: 1, byteBase: 0 }).spans);
  const data = waterfallData(store.trace(TRACE)!, Date.now(), 1);
  const view = new WaterfallView(saved);
  view.begin(data.start);
  for (let from = 0; from < data.start.rowCount; from += sliceSize) assert.ok(view.addRows(1, data.slice(from, Math.min(data.start.rowCount, from + sliceSize))));
  assert.equal(view.addRows(0, data.slice(0, 1)), false, 'rows of an older send are ignored');
  view.rebuild();
  const changes: ViewChange[] = [];
  view.onChange((c) => changes.push({ ...c }));
  return { view, changes };
}

const names = (view: WaterfallView): string[] => Array.from(view.visible, (r) => view.trace!.name(r));

test('rows arrive in slices; groups start folded; each visible row knows its position', () => {
  const { view } = viewOf();
  const t = view.trace!;
  assert.ok(t.complete);
  assert.equal(t.count, 11);
  assert.equal(t.endMs, 100);
  assert.deepEqual(names(view), ['root', 'plan', 'chat', 'lookup ×5', 'answer', 'format']);
  assert.equal(view.positionOf(t.rowOf(id('4'))), 4);
  assert.equal(view.positionOf(t.rowOf(id('a0'))), -1, 'inside the folded group');
  for (let i = 0; i < view.visible.length; i++) assert.equal(view.positionOf(view.visible[i]), i);
});

test('a folded subtree stays folded when the trace is sent again (folds are kept by span id)', () => {
  const { view, changes } = viewOf();
  view.toggle(view.trace!.rowOf(id('2')));
  assert.deepEqual(names(view), ['root', 'plan', 'lookup ×5', 'answer', 'format']);
  assert.equal(changes.length, 1);
  assert.ok(changes[0].rows);
  const saved = view.saved();
  assert.deepEqual(saved.collapsed, [id('2')]);
  const again = viewOf(saved).view;
  assert.deepEqual(names(again), ['root', 'plan', 'lookup ×5', 'answer', 'format']);
  again.toggle(again.trace!.rowOf(id('2')), true);
  assert.deepEqual(names(again), ['root', 'plan', 'chat', 'lookup ×5', 'answer', 'format']);
});

test('arrow keys: down and up step over group rows; left folds, then goes to the parent; right unfolds', () => {
  const { view } = viewOf();
  const t = view.trace!;
  const at = () => t.name(view.selectedRow());
  view.select(id('3'), false);
  view.moveSelection(view.positionOf(view.selectedRow()) + 1);
  assert.equal(at(), 'answer', 'the folded group row is not a span: stepped over');
  view.moveSelection(view.positionOf(view.selectedRow()) - 1);
  assert.equal(at(), 'chat');
  view.collapseOrSelectParent();
  assert.equal(at(), 'plan', 'a leaf goes to its parent');
  view.collapseOrSelectParent();
  assert.equal(at(), 'plan');
  assert.ok(view.isCollapsed(view.selectedRow()), 'an open parent folds first');
  view.expandSelected();
  assert.ok(!view.isCollapsed(view.selectedRow()));
  view.moveSelection(1e9);
  assert.equal(at(), 'format', 'clamped to the last row');
  view.moveSelection(-5);
  assert.equal(at(), 'root');
});

test('selecting a span inside a folded group opens it and asks, in one change, to scroll it into view', () => {
  const { view, changes } = viewOf();
  view.select(id('a2'), true);
  const row = view.trace!.rowOf(id('a2'));
  assert.equal(view.positionOf(row), 6);
  assert.deepEqual(changes, [{ rows: true, selection: true, matches: false, filter: false, reveal: 6 }]);
  assert.deepEqual(view.saved().openedGroups, [`g:${id('a0')}`]);
});

test('a filter keeps matching rows with their ancestors; revealing a span it hides clears it', () => {
  const { view, changes } = viewOf();
  view.setFilter({ kinds: undefined, errorsOnly: true, minDurationMs: 0 });
  assert.deepEqual(names(view), ['root', 'plan']);
  view.setFilter({ kinds: new Set(['llm']), errorsOnly: false, minDurationMs: 0 });
  assert.deepEqual(names(view), ['root', 'plan', 'chat']);
  view.setFilter({ kinds: undefined, errorsOnly: false, minDurationMs: parseDuration('35ms') });
  assert.deepEqual(names(view), ['root', 'answer']);
  changes.length = 0;
  view.select(id('5'), true);
  assert.equal(view.filter, NO_FILTER);
  assert.equal(changes.length, 1);
  assert.ok(changes[0].filter && changes[0].selection);
  assert.equal(changes[0].reveal, view.positionOf(view.trace!.rowOf(id('5'))));
});

test('search: names match span rows (not group rows); stepping wraps and selects the match', () => {
  const { view, changes } = viewOf();
  const rows = view.nameMatches('LOOKUP');
  assert.equal(rows.length, 5);
  view.setMatches(rows, false);
  assert.deepEqual(view.matchInfo(), { count: 5, current: -1 });
  assert.equal(view.selectedSpanId, undefined, 'no jump: nothing selected');
  view.stepMatch(1);
  assert.equal(view.selectedSpanId, id('a0'));
  view.stepMatch(-1);
  assert.equal(view.selectedSpanId, id('a4'), 'back from the first wraps to the last');
  assert.ok(view.isCurrentMatch(rows[4]) && view.isMatch(rows[0]) && !view.isCurrentMatch(rows[0]));
  assert.equal(changes.length, 3);
  view.setMatches(view.nameMatches('answer'), true);
  assert.equal(view.selectedSpanId, id('4'), 'a jump selects the first match');
});

test('collapse all, expand to a depth, expand all', () => {
  const { view } = viewOf();
  view.collapseAll();
  assert.deepEqual(names(view), ['root']);
  view.expandTo(2);
  assert.deepEqual(names(view), ['root', 'plan', 'lookup ×5', 'answer']);
  view.expandTo(Infinity);
  assert.equal(view.visible.length, 11);
});

test('settling a complete trace drops a selection that is not in it and reveals one that is', () => {
  const { view, changes } = viewOf();
  view.preselect(id('ff'));
  view.settle();
  assert.equal(view.selectedSpanId, undefined);
  assert.equal(changes.length, 0);
  view.preselect(id('a1'));
  view.settle();
  assert.equal(changes.length, 1);
  assert.equal(changes[0].reveal, view.positionOf(view.trace!.rowOf(id('a1'))));
});

test('time range: zoom keeps the time under the pointer; pan and set stay within the run; ticks label the view', () => {
  const range = new TimeRange(() => 1000);
  range.fit();
  assert.ok(range.isFit());
  range.zoom(0.5, 0.25);
  assert.equal(range.span, 500);
  assert.equal(range.start + range.span * 0.25, 250, 'the anchor stays put');
  range.pan(10);
  assert.deepEqual([range.start, range.end], [500, 1000], 'clamped at the end');
  range.set(-50, 100);
  assert.deepEqual([range.start, range.end], [0, 150]);
  range.set(10, 5);
  assert.deepEqual([range.start, range.end], [0, 150], 'an empty range is ignored');
  const ticks = range.ticks(4);
  assert.ok(ticks.length >= 2 && ticks.every((t) => t.at >= 0 && t.at <= 1));
  assert.equal(ticks[0].at, 0, 'the first tick at the start');
  assert.notEqual(ticks[0].label, ticks[1].label);
  range.zoom(100);
  assert.ok(range.isFit(), 'zooming out stops at the whole run');
});

test('durations typed in the filter box', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration(' 100 '), 100);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('500us'), 0.5);
  assert.equal(parseDuration('soon'), 0);
});

test('colour by service: one trace from two services gives each its own palette slot, a legend naming both, and is remembered', () => {
  const trace = 'cccccccccccccccccccccccccccccccc';
  const front: TestSpan[] = [{ traceId: trace, spanId: id('f1'), name: 'POST /ask', start: ms(0), end: ms(100) }];
  const back: TestSpan[] = [
    { traceId: trace, spanId: id('b1'), parentSpanId: id('f1'), name: 'agent.run', start: ms(10), end: ms(90) },
    { traceId: trace, spanId: id('b2'), parentSpanId: id('b1'), name: 'chat', start: ms(20), end: ms(80), attributes: { 'gen_ai.operation.name': 'chat' } },
  ];
  const store = new TraceStore();
  for (const [file, line] of [['/t/web.jsonl', otlpLine(front, 'web-frontend')], ['/t/api.jsonl', otlpLine(back, 'agent-backend')]]) {
    const buf = Buffer.from(line);
    store.addSpans(file, readOtlpJson(buf, 0, buf.length, { file, line: 1, byteBase: 0 }).spans);
  }
  const data = waterfallData(store.trace(trace)!, Date.now(), 1);
  const view = new WaterfallView();
  view.begin(data.start);
  view.addRows(1, data.slice(0, data.start.rowCount));
  view.rebuild();
  const t = view.trace!;
  const [web, agent, chat] = [t.rowOf(id('f1')), t.rowOf(id('b1')), t.rowOf(id('b2'))];
  assert.deepEqual([t.serviceOf(web), t.serviceOf(agent), t.serviceOf(chat)], ['web-frontend', 'agent-backend', 'agent-backend']);

  // By kind (the default): no service colours, no legend.
  assert.equal(view.colorBy, 'kind');
  assert.equal(view.colorSlot(web), -1);
  assert.deepEqual(view.legend(), []);

  const changes: ViewChange[] = [];
  view.onChange((c) => changes.push({ ...c }));
  view.setColorBy('service');
  assert.equal(changes.length, 1);
  assert.deepEqual([changes[0].colors, changes[0].rows], [true, false], 'recolouring redraws rows in place, the list stays');
  view.setColorBy('service');
  assert.equal(changes.length, 1, 'choosing the same mode again changes nothing');
  assert.notEqual(view.colorSlot(web), view.colorSlot(agent), 'two services, two colours');
  assert.equal(view.colorSlot(agent), view.colorSlot(chat), 'one service, one colour');
  const legend = view.legend();
  assert.deepEqual(legend.map((e) => e.label).sort(), ['agent-backend', 'web-frontend']);
  assert.equal(legend.find((e) => e.label === 'web-frontend')!.slot, view.colorSlot(web));

  assert.equal(view.saved().colorBy, 'service');
  assert.equal(new WaterfallView(view.saved()).colorBy, 'service', 'the mode survives a reload');
});

test('colour by service: spans that name no service are drawn in the neutral colour, and the legend says so', () => {
  const trace = 'dddddddddddddddddddddddddddddddd';
  const store = new TraceStore();
  const lines: [string, string][] = [
    ['/t/a.jsonl', otlpLine([{ traceId: trace, spanId: id('1'), name: 'root', start: ms(0), end: ms(10) }], 'api')],
    ['/t/b.jsonl', otlpLine([{ traceId: trace, spanId: id('2'), parentSpanId: id('1'), name: 'anonymous', start: ms(1), end: ms(9) }], '')],
  ];
  for (const [file, line] of lines) {
    const buf = Buffer.from(line);
    store.addSpans(file, readOtlpJson(buf, 0, buf.length, { file, line: 1, byteBase: 0 }).spans);
  }
  const data = waterfallData(store.trace(trace)!, Date.now(), 1);
  const view = new WaterfallView({ colorBy: 'service' });
  view.begin(data.start);
  view.addRows(1, data.slice(0, data.start.rowCount));
  view.rebuild();
  const t = view.trace!;
  assert.equal(t.serviceOf(t.rowOf(id('2'))), undefined);
  assert.equal(view.colorSlot(t.rowOf(id('2'))), -1);
  assert.ok(view.colorSlot(t.rowOf(id('1'))) >= 0);
  assert.deepEqual(view.legend().map((e) => [e.label, e.slot >= 0]), [['api', true], ['no service.name', false]]);
});

test('service palette slots: stable per name, distinct within a run while the palette has room, then repeating', () => {
  const one = serviceSlots(['checkout', 'search', 'auth']);
  assert.deepEqual(serviceSlots(['auth', 'checkout', 'search']), [one[2], one[0], one[1]], 'the order services arrive in does not matter');
  assert.equal(new Set(one).size, 3);
  assert.equal(serviceSlots(['checkout'])[0], serviceSlots(['checkout'])[0], 'the same name, the same slot, every time');
  const many = serviceSlots(Array.from({ length: SERVICE_PALETTE_SIZE }, (_, i) => `svc-${i}`));
  assert.equal(new Set(many).size, SERVICE_PALETTE_SIZE, 'a full palette: every colour once');
  const more = serviceSlots(Array.from({ length: SERVICE_PALETTE_SIZE + 3 }, (_, i) => `svc-${i}`));
  assert.ok(more.every((s) => s >= 0 && s < SERVICE_PALETTE_SIZE));
});

test("a live update keeps the run's cost and notes shown until its own whole header comes; another run's are not kept", () => {
  const store = new TraceStore();
  const buf = Buffer.from(otlpLine(spans()));
  store.addSpans('/t/f.jsonl', readOtlpJson(buf, 0, buf.length, { file: '/t/f.jsonl', line: 1, byteBase: 0 }).spans);
  const trace = store.trace(TRACE)!;
  const send = (generation: number) => runSteps(waterfallFirstSteps(trace, flatTreeOf(trace), Date.now(), generation));
  const view = new WaterfallView({});
  const first = send(1);
  view.begin(first.start);
  assert.equal(view.trace!.header.missingContext, undefined, 'not worked out yet');
  const whole = runSteps(first.wholeHeader());
  assert.ok(whole.missingContext?.length, 'the run lacks something');
  assert.equal(view.setHeader(0, { ...whole, costUsd: 9 }), false, "an older send's header is ignored");
  assert.ok(view.setHeader(1, { ...whole, costUsd: 0.25 }));
  assert.equal(view.trace!.header.costUsd, 0.25);

  view.begin(send(2).start);
  assert.equal(view.trace!.header.costUsd, 0.25, 'kept through the next send of the same run');
  assert.deepEqual(view.trace!.header.missingContext, whole.missingContext);
  assert.ok(view.setHeader(2, whole));
  assert.equal(view.trace!.header.costUsd, undefined, "the new send's whole header replaces it");

  view.begin({ ...send(3).start, header: { ...send(3).start.header, traceId: 'another' } });
  assert.equal(view.trace!.header.missingContext, undefined, "another run's header keeps nothing of this one's");
});
