// The waterfall in VS Code's high contrast themes (dark and light), on a run that is still
// going: spans exported before they ended are drawn open-ended and say "running", a failed
// tool call is marked by more than its colour, and bars, the selection and the critical path
// are outlined in the theme's contrast colours.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { requestJson, type TestSpan } from '../unit/otlpBuilder';
import { launchVSCode, type Session } from './harness';

const REPO = resolve(__dirname, '..', '..', '..');
const VSIX = join(REPO, 'dist', 'tracerun.vsix');
const TRACE = 'c0ffee00'.repeat(4);
const base = BigInt(Date.now() - 30_000) * 1_000_000n;
const at = (ms: number): bigint => base + BigInt(ms) * 1_000_000n;

const ROOT = 'a000000000000001';
const LLM = 'a000000000000002';
const TOOL = 'a000000000000003';
const SUMMARIZE = 'a000000000000004';
const SUMMARY_LLM = 'a000000000000005';
const SUMMARY_TOOL = 'a000000000000006';

/**
 * A research agent's run caught mid-way: the root and its "summarize" step were exported
 * before they ended (the root with no end time, the step with "0"), while everything under
 * them has ended; one tool call failed.
 */
function runningRun(): string {
  const spans: TestSpan[] = [
    { traceId: TRACE, spanId: ROOT, name: 'research_agent.run', start: at(0), end: 0, kind: 2, attributes: { 'openinference.span.kind': 'AGENT' } },
    { traceId: TRACE, spanId: LLM, parentSpanId: ROOT, name: 'chat gpt-4o', start: at(20), end: at(1400), kind: 3, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 160 } },
    {
      traceId: TRACE,
      spanId: TOOL,
      parentSpanId: ROOT,
      name: 'execute_tool web_search',
      start: at(1420),
      end: at(2300),
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'web_search' },
      status: { code: 2, message: 'TimeoutError: web_search timed out after 30s' },
    },
    { traceId: TRACE, spanId: SUMMARIZE, parentSpanId: ROOT, name: 'summarize', start: at(2350), end: '0', attributes: { 'openinference.span.kind': 'CHAIN' } },
    { traceId: TRACE, spanId: SUMMARY_LLM, parentSpanId: SUMMARIZE, name: 'chat gpt-4o-mini', start: at(2400), end: at(3900), kind: 3, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 800, 'gen_ai.usage.output_tokens': 90 } },
    { traceId: TRACE, spanId: SUMMARY_TOOL, parentSpanId: SUMMARIZE, name: 'execute_tool cite_sources', start: at(3950), end: at(4200), attributes: { 'gen_ai.operation.name': 'execute_tool' } },
  ];
  const request = requestJson(spans) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  // The root has no end time at all, as some exporters write a span that has not ended.
  delete request.resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano;
  return JSON.stringify(request) + '\n';
}

/** What a user (and assistive technology) gets from one row. */
interface RowInfo {
  name: string;
  label: string;
  ariaLabel: string;
  title: string;
  barClass: string;
  hasErrorIcon: boolean;
  bar: { background: string; borderTopWidth: string; borderTopColor: string; borderRightColor: string; outlineStyle: string; width: number };
}

async function rowInfo(frame: Frame, spanId: string): Promise<RowInfo> {
  return frame.$eval(`.row[data-span-id="${spanId}"]:not([hidden])`, (row: any) => {
    const bar = row.querySelector('.bar');
    const cs = (globalThis as any).getComputedStyle(bar);
    return {
      name: row.querySelector('.span-name')?.textContent ?? '',
      label: row.querySelector('.bar-label')?.textContent ?? '',
      ariaLabel: row.getAttribute('aria-label') ?? '',
      title: row.getAttribute('title') ?? '',
      barClass: bar.className,
      hasErrorIcon: !!row.querySelector('.name-cell .codicon-error'),
      bar: {
        background: cs.backgroundImage,
        borderTopWidth: cs.borderTopWidth,
        borderTopColor: cs.borderTopColor,
        borderRightColor: cs.borderRightColor,
        outlineStyle: cs.outlineStyle,
        width: bar.getBoundingClientRect().width,
      },
    };
  });
}

/** A theme colour as the webview computes it (e.g. --vscode-contrastBorder → "rgb(111, 195, 223)"). */
async function themeColor(frame: Frame, variable: string): Promise<string> {
  return frame.evaluate((v) => {
    const doc = (globalThis as any).document;
    const probe = doc.createElement('span');
    probe.style.color = `var(${v})`;
    doc.body.append(probe);
    const color = (globalThis as any).getComputedStyle(probe).color as string;
    probe.remove();
    return color;
  }, variable);
}

/** Rows are pooled and reused: every row drawn sits at a place of its own. */
async function assertRowsApart(frame: Frame): Promise<void> {
  const tops = await frame.$$eval('.rows-viewport .row', (rows: any[]) => rows.filter((r) => r.getClientRects().length > 0).map((r) => r.offsetTop as number));
  assert.equal(new Set(tops).size, tops.length, `no two rows drawn in one place (${tops.join(', ')})`);
}

/** Screenshot of just the waterfall panel (the webview), next to the full-window ones. */
async function panelShot(s: Session, frame: Frame, name: string): Promise<void> {
  const iframe = await frame.frameElement();
  await iframe.screenshot({ path: join(s.artifactsDir, `${name}.png`) });
  await iframe.dispose();
}

let workspace: string;

before(() => {
  workspace = mkdtempSync(join(tmpdir(), 'tracerun-e2e-hc-'));
  mkdirSync(join(workspace, 'traces'));
  writeFileSync(join(workspace, 'traces', 'research.jsonl'), runningRun());
});

after(() => rmSync(workspace, { recursive: true, force: true }));

for (const theme of [
  { colorTheme: 'Default High Contrast', name: 'waterfall-hc-dark', bodyClass: 'vscode-high-contrast', light: false },
  { colorTheme: 'Default High Contrast Light', name: 'waterfall-hc-light', bodyClass: 'vscode-high-contrast-light', light: true },
]) {
  describe(theme.colorTheme, () => {
    let s: Session;
    let frame: Frame;

    before(async () => {
      s = await launchVSCode({ vsixPath: VSIX, workspaceDir: workspace, name: theme.name, colorTheme: theme.colorTheme });
    });

    after(async () => {
      await s?.close();
    });

    test('the run opens in the high contrast theme', async () => {
      await s.openViewContainer('Trace Run');
      await s.waitForTreeItem('research_agent.run', { viewTitle: 'Runs', timeout: 30_000 });
      await s.clickTreeItemAction('research_agent.run', 'Open Waterfall', { viewTitle: 'Runs' });
      frame = await s.webviewFrame(`.row[data-span-id="${SUMMARY_TOOL}"]`, 30_000);
      const classes = await frame.evaluate(() => (globalThis as any).document.body.className as string);
      assert.match(classes, new RegExp(`\\b${theme.bodyClass}\\b`), `VS Code marks the webview body (${classes})`);
      assert.match(classes, /\bvscode-high-contrast\b/);
      await s.parkMouse();
      await s.screenshot('01-waterfall');
      await panelShot(s, frame, '01-waterfall-panel');
    });

    test('spans that have not ended are drawn open-ended and say they are running', async () => {
      for (const spanId of [ROOT, SUMMARIZE]) {
        const row = await rowInfo(frame, spanId);
        assert.match(row.label, /^running/, `${row.name}: the duration says running, not "0ns" (${row.label})`);
        assert.doesNotMatch(row.label, /\b0(ns|ms)\b/);
        assert.match(row.ariaLabel, /still running/, `${row.name}: read out as still running (${row.ariaLabel})`);
        assert.match(row.title, /still running/);
        assert.match(row.barClass, /\brunning\b/);
        assert.ok(row.bar.width > 10, `${row.name}: the bar is drawn (${row.bar.width}px), not a 0-length sliver`);
      }
      // The step runs on to the end of the time axis (the run's latest time), past its children's ends.
      const right = (selector: string) => frame.$eval(selector, (e: any) => e.getBoundingClientRect().right as number);
      const stepEnd = await right(`.row[data-span-id="${SUMMARIZE}"]:not([hidden]) .bar`);
      const axisEnd = await right('.axis-time');
      assert.ok(Math.abs(stepEnd - axisEnd) <= 2, `the open bar reaches the axis end (${stepEnd} vs ${axisEnd})`);
      assert.ok(stepEnd >= (await right(`.row[data-span-id="${SUMMARY_TOOL}"]:not([hidden]) .bar`)) - 1);
      // Its children ended: they show their durations.
      assert.match((await rowInfo(frame, SUMMARY_LLM)).label, /^1\.50s$/);
      // Open right end: in high contrast the border does not close it.
      const open = await rowInfo(frame, SUMMARIZE);
      assert.equal(open.bar.borderRightColor, 'rgba(0, 0, 0, 0)', 'the running bar has no right border');

      await frame.click(`.row[data-span-id="${SUMMARIZE}"] .span-name`);
      await frame.waitForSelector('.details h2:text("summarize")');
      const details = (await frame.textContent('.details .facts-list')) ?? '';
      assert.match(details, /Status\s*Running/, `the details say running (${details})`);
      assert.match(details, /Duration\s*running/);
      await s.parkMouse();
      await panelShot(s, frame, '02-running-span-selected');
    });

    test('the failed tool call is marked by its icon and a hatched bar, not by colour alone', async () => {
      const row = await rowInfo(frame, TOOL);
      assert.ok(row.hasErrorIcon, 'the row has the error icon');
      assert.match(row.ariaLabel, /failed/);
      assert.match(row.barClass, /\berror\b/);
      assert.match(row.bar.background, /repeating-linear-gradient/, `the bar is hatched (${row.bar.background})`);
      assert.equal(row.bar.borderTopColor, await themeColor(frame, '--vscode-errorForeground'), 'outlined in the error colour');
    });

    test('bars are bordered in the contrast colour; the critical path, selection and focus are outlined', async () => {
      const contrastBorder = await themeColor(frame, '--vscode-contrastBorder');
      const llm = await rowInfo(frame, LLM);
      assert.equal(llm.bar.borderTopWidth, '1px');
      assert.equal(llm.bar.borderTopColor, contrastBorder, 'bars carry --vscode-contrastBorder');
      const critical = await frame.$$eval('.row:not([hidden]) .bar.critical', (bars: any[]) => bars.map((b) => (globalThis as any).getComputedStyle(b).outlineStyle));
      assert.ok(critical.length > 0, 'some bar is on the critical path');
      assert.ok(critical.every((style) => style === 'solid'), `critical path bars are outlined (${critical})`);

      await frame.click(`.row[data-span-id="${TOOL}"] .span-name`);
      await frame.waitForSelector('.details h2:text("execute_tool web_search")');
      const outline = () =>
        frame.$eval('.row[aria-selected="true"]', (r: any) => {
          const cs = (globalThis as any).getComputedStyle(r);
          return { style: cs.outlineStyle, color: cs.outlineColor, width: cs.outlineWidth };
        });
      const selected = await outline();
      assert.notEqual(selected.style, 'none', 'the selected row is outlined');
      await frame.focus('.rows-viewport');
      const focused = await outline();
      assert.equal(focused.style, 'solid');
      assert.equal(focused.color, await themeColor(frame, '--vscode-focusBorder'), 'the focused selection is outlined in the focus border colour');
      assert.match((await frame.textContent('.details .error-box')) ?? '', /TimeoutError: web_search timed out/);
      // Keyboard moves redraw the rows in place.
      await frame.press('.rows-viewport', 'End');
      await frame.press('.rows-viewport', 'Home');
      await frame.click(`.row[data-span-id="${TOOL}"] .span-name`);
      await assertRowsApart(frame);
      assert.equal(await frame.$$eval('.row:not([hidden]) .name-cell .codicon-error', (icons: any[]) => icons.filter((i) => i.getClientRects().length > 0).length), 1, 'one error icon: on the failed row only');
      await s.parkMouse();
      await s.screenshot('03-failed-span-selected');
      await panelShot(s, frame, '03-failed-span-selected-panel');
    });

    test('text takes the theme’s colours', async () => {
      const foreground = await themeColor(frame, '--vscode-foreground');
      const texts = await frame.$$eval('.row:not([hidden]) .span-name, .row:not([hidden]) .bar-label', (els: any[]) => els.map((e) => (globalThis as any).getComputedStyle(e).color as string));
      assert.ok(texts.length > 0);
      assert.ok(
        texts.every((c) => c === foreground),
        `names and durations are in the foreground colour ${foreground} (${[...new Set(texts)].join(', ')})`,
      );
      // Labels drawn over a bar sit on the editor background, so they never sit on a bar's colour.
      const inside = await frame.$$eval('.row:not([hidden]) .bar-label.inside', (els: any[]) => els.map((e) => (globalThis as any).getComputedStyle(e).backgroundColor as string));
      const background = await frame.evaluate(() => {
        const doc = (globalThis as any).document;
        return (globalThis as any).getComputedStyle(doc.body).backgroundColor as string;
      });
      assert.ok(inside.every((c) => c === background), `inside labels on ${background} (${inside})`);
    });
  });
}
