import * as vscode from 'vscode';
import { RunComparison } from '../core/compare/comparison';
import { alignTreesSteps } from '../core/compare/align';
import { pairView } from '../core/compare/pairs';
import { maskDivergence, maskPairView, maskRunView } from '../core/compare/maskCompare';
import type { Redactor } from '../core/privacy/redact';
import { CancelledError, runStepsSliced } from '../core/util/steps';
import { nsToIso, msBetween } from '../core/model/time';
import type { Trace } from '../core/model/trace';
import type { Channel } from '../protocol/channel';
import { panelChannel, panelHtml } from './panelHtml';
import {
  CompareBegin,
  CompareContent,
  ComparePairs,
  PAIRS_PER_SLICE,
  CompareDivergence,
  CompareReady,
  CompareRemoved,
  GetPairDiff,
  GoToSideSource,
  OpenSideWaterfall,
  RevealSecrets,
  type CompareRunView,
  type CompareState,
  type Side,
} from '../protocol/compare';
import { DisposableStore } from './disposable';
import { goToSpanSource } from './goToSource';
import { WaterfallPanel, type PanelContext } from './waterfallPanel';

export const COMPARE_VIEW_TYPE = 'tracerun.compare';

/** A change to either run is shown again after this long, so a live run does not realign on every span. */
const UPDATE_DELAY_MS = 1000;

function runView(trace: Trace): CompareRunView {
  const s = trace.summary();
  return { traceId: trace.traceId, name: s.name, durationMs: msBetween(s.startNs, s.endNs), spanCount: s.spanCount, errorCount: s.errorCount, startedAt: nsToIso(s.startNs) };
}

/** A panel comparing two runs span by span; payloads are read in the background after the rows are shown. */
export class ComparePanel extends DisposableStore {
  private static readonly open = new Map<string, ComparePanel>();
  private readonly channel: Channel;
  private comparison: RunComparison | undefined;
  private generation = 0;
  private ready = false;
  private updateTimer: NodeJS.Timeout | undefined;
  /** The user clicked Reveal in this panel: secrets are shown as recorded. */
  private revealed = false;

  static show(context: PanelContext, a: string, b: string): ComparePanel {
    const existing = ComparePanel.open.get(`${a} ${b}`);
    if (existing) {
      existing.panel.reveal(undefined, false);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, 'Compare Runs', vscode.ViewColumn.Active, ComparePanel.options(context.extensionUri));
    return new ComparePanel(panel, context, a, b);
  }

  static revive(panel: vscode.WebviewPanel, context: PanelContext, state: CompareState): void {
    panel.webview.options = ComparePanel.options(context.extensionUri);
    new ComparePanel(panel, context, state.a, state.b);
  }

  static disposeAll(): void {
    for (const panel of [...ComparePanel.open.values()]) panel.panel.dispose();
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] };
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly context: PanelContext,
    private readonly a: string,
    private readonly b: string,
  ) {
    super();
    const key = `${a} ${b}`;
    ComparePanel.open.set(key, this);
    this.register({ dispose: () => ComparePanel.open.delete(key) });
    this.register({ dispose: () => clearTimeout(this.updateTimer) });
    // Stops the background reads of an older comparison.
    this.register({ dispose: () => void this.generation++ });
    this.register(panel.onDidDispose(() => this.dispose()));
    const { channel, disposable } = panelChannel(panel, context.log, 'compare');
    this.channel = channel;
    this.register(disposable);
    this.handleMessages();
    this.register(
      context.ws.store.onDidChange((change) => {
        for (const [side, id] of [['a', a], ['b', b]] as const) if (change.removed.has(id)) this.channel.notify(CompareRemoved, { side });
        if (this.ready && (change.changed.has(a) || change.changed.has(b))) this.updateTimer ??= setTimeout(() => ((this.updateTimer = undefined), void this.send()), UPDATE_DELAY_MS);
      }),
    );
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'tracerun.svg');
    panel.title = this.title();
    panel.webview.html = this.html();
  }

  private trace(side: Side): Trace | undefined {
    return this.context.ws.store.trace(side === 'a' ? this.a : this.b);
  }

  /** The rules everything shown is masked by; none once the user clicked Reveal. */
  private redactor(): Redactor | undefined {
    return this.revealed ? undefined : this.context.redactor?.();
  }

  private title(): string {
    const r = this.redactor();
    const name = (side: Side) => {
      const n = this.trace(side)?.summary().name;
      return n === undefined ? (side === 'a' ? this.a : this.b).slice(0, 8) : r ? r.text(n) : n;
    };
    return `Compare: ${name('a')} ↔ ${name('b')}`;
  }

  /** Aligns the runs and sends the rows; then finds the first divergence and reads every pair's payloads, in the background. */
  private async send(): Promise<void> {
    const ta = this.trace('a');
    const tb = this.trace('b');
    if (!ta || !tb) {
      this.channel.notify(CompareRemoved, { side: ta ? 'b' : 'a' });
      return;
    }
    const generation = ++this.generation;
    const stale = () => generation !== this.generation || this.isDisposed;
    const [treeA, treeB] = await Promise.all([ta.treeSliced(), tb.treeSliced()]);
    if (stale()) return;
    let pairs;
    try {
      pairs = await runStepsSliced(alignTreesSteps(treeA, treeB), { isCancelled: stale });
    } catch (err) {
      if (err instanceof CancelledError) return;
      throw err;
    }
    const cmp = new RunComparison(ta, tb, pairs);
    this.comparison = cmp;
    const r = this.redactor();
    // Whether a message masked anything is told with it, so the Reveal notice shows at once.
    let masked = false;
    const shown = <T>(value: T, mask: (v: T, r: Redactor) => T): T => {
      if (!r) return value;
      const out = mask(value, r);
      if (out !== value) masked = true;
      return out;
    };
    /** `{ secretsMasked: true }` when something was masked since the last message; then starts over. */
    const maskedFlag = (): { secretsMasked?: true } => {
      const flag = masked;
      masked = false;
      return flag ? { secretsMasked: true } : {};
    };
    const a = shown(runView(ta), maskRunView);
    const b = shown(runView(tb), maskRunView);
    this.panel.title = this.title();
    const views = (from: number) => cmp.pairs.slice(from, from + PAIRS_PER_SLICE).map((p) => shown(pairView(p, cmp.aStartNs, cmp.bStartNs), maskPairView));
    const first = views(0);
    this.channel.notify(CompareBegin, { generation, a, b, scaleMs: Math.max(a.durationMs, b.durationMs, 0.001), pairCount: cmp.pairs.length, pairs: first, ...maskedFlag() });
    for (let from = PAIRS_PER_SLICE; from < cmp.pairs.length; from += PAIRS_PER_SLICE) {
      await new Promise((r) => setImmediate(r));
      if (stale()) return;
      const slice = views(from);
      this.channel.notify(ComparePairs, { generation, offset: from, pairs: slice, ...maskedFlag() });
    }
    const found = await cmp.firstDivergence(stale);
    if (stale()) return;
    const divergence = found && shown(found, maskDivergence);
    this.channel.notify(CompareDivergence, { generation, divergence, ...maskedFlag() });
    await cmp.checkAll((rows, flags) => this.channel.notify(CompareContent, { generation, rows, flags }), stale);
    for (const e of cmp.readErrors) this.context.log.warn(`compare: ${e}`);
  }

  private spanOf(side: Side, spanId: string) {
    return this.trace(side)?.span(spanId);
  }

  private handleMessages(): void {
    const channel = this.channel;
    const failed = (err: unknown) => this.context.log.error(`compare of ${this.a} and ${this.b}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    channel.onNotification(CompareReady, () => {
      this.ready = true;
      void this.send().catch(failed);
    });
    channel.onRequest(GetPairDiff, async ({ row }) => {
      const cmp = this.comparison;
      if (!cmp || row < 0 || row >= cmp.pairs.length) throw new Error('That pair is no longer shown.');
      return cmp.pairDiff(row, this.redactor());
    });
    channel.onNotification(RevealSecrets, () => {
      this.revealed = true;
      void this.send().catch(failed);
    });
    channel.onNotification(OpenSideWaterfall, ({ side, spanId }) => {
      const traceId = side === 'a' ? this.a : this.b;
      WaterfallPanel.show(this.context, traceId, spanId);
    });
    channel.onNotification(GoToSideSource, async ({ side, spanId }) => {
      const span = this.spanOf(side, spanId);
      if (span) await goToSpanSource(span, this.context.log, this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
    });
  }

  private html(): string {
    const state: CompareState = { a: this.a, b: this.b };
    return panelHtml(this.panel.webview, this.context.extensionUri, { bundle: 'compare', title: 'Compare Runs', state });
  }
}
