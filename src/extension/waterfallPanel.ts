import * as vscode from 'vscode';
import { searchSpans } from '../core/waterfall/spanSearch';
import { spanDetailsOf } from '../core/waterfall/spanDetailsExtras';
import { maskDetails, maskRunHeader, maskTraceStart } from '../core/waterfall/maskDetails';
import type { Redactor } from '../core/privacy/redact';
import { sliceBounds, waterfallFirstSteps } from '../core/waterfall/rows';
import { CancelledError, runStepsSliced } from '../core/util/steps';
import { flatTreeOf, releaseFlatTree } from '../core/model/flatTree';
import type { PriceTable } from '../core/genai/cost';
import type { TraceWorkspace } from '../core/ingest/traceWorkspace';
import type { Channel } from '../protocol/channel';
import { panelChannel, panelHtml } from './panelHtml';
import { CopyRunAsJson, GetSpanDetails, GoToSource, Ready, ReplaySpan, SaveRunAs, SearchSpans, SelectSpan, TakeFocus, TraceBegin, TraceHeader, TraceRemoved, TraceRows, type WaterfallState } from '../protocol/waterfall';
import { DisposableStore } from './disposable';
import { Commands } from './commandIds';
import { executeCommand } from './commands';
import { detailsSourceContext, frameExists, goToLocation, goToSpanSource } from './goToSource';

export const WATERFALL_VIEW_TYPE = 'tracerun.waterfall';

/** What every waterfall panel needs from the extension. */
export interface PanelContext {
  readonly ws: TraceWorkspace;
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** The current `tracerun.modelPrices`. */
  readonly prices: () => PriceTable;
  /** The current `tracerun.redact` rules: details are masked until Reveal. */
  readonly redactor?: () => Redactor;
}
/** Live updates of big traces come less often: each one lays the whole trace out again. */
function updateDelayMs(spanCount: number): number {
  return spanCount < 10_000 ? 100 : spanCount < 200_000 ? 1000 : 3000;
}

/** One webview panel showing one trace's waterfall; updates live as spans arrive. */
export class WaterfallPanel extends DisposableStore {
  private static readonly open = new Map<string, WaterfallPanel>();
  private ready = false;
  private updateTimer: NodeJS.Timeout | undefined;
  private pendingSelection: string | undefined;
  private sending: Promise<void> | undefined;
  private updateWanted = false;
  private generation = 0;
  /** The page asked for details as recorded (Reveal was clicked): names are sent as recorded too, until the page reloads. */
  private revealed = false;
  private readonly channel: Channel;

  /**
   * Opens or brings forward a run's waterfall, for the user's command or click. VS Code never
   * gives it the focus (preserveFocus): a webview focused by VS Code takes it late, after a
   * delay and again when its page has loaded, and so closed a quick pick the user opened
   * meanwhile. A waterfall already shown takes the focus itself, at once (`TakeFocus`); one
   * whose page is still loading leaves the focus where the user has it by then.
   */
  static show(context: PanelContext, traceId: string, spanId?: string): WaterfallPanel {
    let panel = WaterfallPanel.open.get(traceId);
    if (panel) {
      const shown = panel.ready && panel.panel.visible;
      panel.panel.reveal(undefined, true);
      if (shown) panel.channel.notify(TakeFocus, undefined);
    } else {
      const webviewPanel = vscode.window.createWebviewPanel(WATERFALL_VIEW_TYPE, 'Waterfall', { viewColumn: vscode.ViewColumn.Active, preserveFocus: true }, WaterfallPanel.options(context.extensionUri));
      panel = new WaterfallPanel(webviewPanel, context, traceId);
    }
    if (spanId) panel.select(spanId);
    return panel;
  }

  static revive(webviewPanel: vscode.WebviewPanel, context: PanelContext, state: WaterfallState): void {
    webviewPanel.webview.options = WaterfallPanel.options(context.extensionUri);
    const panel = new WaterfallPanel(webviewPanel, context, state.traceId);
    if (state.selectedSpanId) panel.select(state.selectedSpanId);
  }

  /** The waterfall that has the focus, if one has: the palette's share commands act on its run. */
  static active(): WaterfallPanel | undefined {
    for (const panel of WaterfallPanel.open.values()) if (panel.panel.active) return panel;
    return undefined;
  }

  static disposeAll(): void {
    for (const panel of [...WaterfallPanel.open.values()]) panel.panel.dispose();
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] };
  }

  private readonly ws: TraceWorkspace;
  private readonly extensionUri: vscode.Uri;
  private readonly log: vscode.LogOutputChannel;
  private readonly prices: () => PriceTable;
  private readonly redactor: (() => Redactor) | undefined;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    context: PanelContext,
    readonly traceId: string,
  ) {
    super();
    ({ ws: this.ws, extensionUri: this.extensionUri, log: this.log, prices: this.prices, redactor: this.redactor } = context);
    const ws = this.ws;
    const extensionUri = this.extensionUri;
    WaterfallPanel.open.set(traceId, this);
    this.register({ dispose: () => WaterfallPanel.open.delete(traceId) });
    this.register({ dispose: () => clearTimeout(this.updateTimer) });
    // The flat tree is the waterfall's: closed, the trace goes back to its spans alone.
    this.register({
      dispose: () => {
        const trace = ws.store.trace(traceId);
        if (trace) releaseFlatTree(trace);
      },
    });
    this.register(panel.onDidDispose(() => this.dispose()));
    const { channel, disposable } = panelChannel(panel, this.log, 'waterfall');
    this.channel = channel;
    this.register(disposable);
    this.handleMessages();
    this.register(
      ws.store.onDidChange((change) => {
        if (change.removed.has(traceId)) this.channel.notify(TraceRemoved, { traceId });
        else if (change.changed.has(traceId)) this.scheduleUpdate();
      }),
    );
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'tracerun.svg');
    const trace = ws.store.trace(traceId);
    panel.title = `Waterfall: ${trace ? this.shownText(trace.summary().name) : traceId.slice(0, 8)}`;
    panel.webview.html = this.html();
  }

  select(spanId: string): void {
    // A hidden panel's page is gone (no retained context) and reloads when revealed: a message
    // sent now would be lost, so the selection waits for the new page's Ready.
    if (this.ready && this.panel.visible) this.channel.notify(SelectSpan, { spanId });
    else this.pendingSelection = spanId;
  }

  /** A live update waits for a send in progress to finish rather than cancel it, so a big trace that keeps growing still gets shown. */
  private scheduleUpdate(): void {
    if (this.sending) {
      this.updateWanted = true;
      return;
    }
    const spanCount = this.ws.store.trace(this.traceId)?.spanCount ?? 0;
    this.updateTimer ??= setTimeout(() => {
      this.updateTimer = undefined;
      void this.send();
    }, updateDelayMs(spanCount));
  }

  /** Starts a send (cancelling any older one) and reports its failure in the log. */
  private async send(): Promise<void> {
    this.updateWanted = false;
    const sending = this.sendTrace().catch((err: unknown) => this.log.error(`waterfall of trace ${this.traceId}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
    this.sending = sending;
    await sending;
    if (this.sending !== sending) return;
    this.sending = undefined;
    if (this.updateWanted && !this.isDisposed) this.scheduleUpdate();
  }

  /**
   * Lays the trace out and sends it as a header and slices of rows, in time slices so neither
   * the extension host nor the webview takes one long step; a newer send cancels an older one.
   */
  private async sendTrace(): Promise<void> {
    const trace = this.ws.store.trace(this.traceId);
    if (!trace) {
      this.channel.notify(TraceRemoved, { traceId: this.traceId });
      return;
    }
    const generation = ++this.generation;
    const stale = (): boolean => generation !== this.generation || this.isDisposed;
    const started = Date.now();
    const redactor = this.redactor?.();
    const masked = redactor && !this.revealed ? redactor : undefined;
    try {
      // The flat tree: kept up to date as spans arrive, so a live update relinks only them.
      const data = await runStepsSliced(waterfallFirstSteps(trace, flatTreeOf(trace), Date.now(), generation, this.prices(), this.ws.store.logRecords), { isCancelled: stale });
      if (stale()) return;
      const start = masked ? maskTraceStart(data.start, masked) : data.start;
      this.panel.title = `Waterfall: ${start.header.name}`;
      this.channel.notify(TraceBegin, start);
      // The first rows show while the others are prepared; the header's last parts come after them.
      const [first, ...others] = sliceBounds(data.start.rowCount);
      if (first) this.channel.notify(TraceRows, { generation, rows: data.slice(...first) });
      await runStepsSliced(data.moreRows(), { isCancelled: stale });
      for (const [from, to] of others) {
        await new Promise((r) => setImmediate(r));
        if (stale()) return;
        this.channel.notify(TraceRows, { generation, rows: data.slice(from, to) });
      }
      const header = await runStepsSliced(data.wholeHeader(), { isCancelled: stale });
      if (stale()) return;
      this.channel.notify(TraceHeader, { generation, header: masked ? maskRunHeader(header, masked) : header });
      if (data.start.rowCount > 10_000) this.log.debug(`waterfall of ${data.start.rowCount} rows laid out and sent in ${Date.now() - started} ms`);
    } catch (err) {
      if (err instanceof CancelledError) return;
      throw err;
    }
  }

  private handleMessages(): void {
    const channel = this.channel;
    channel.onNotification(Ready, async () => {
      this.ready = true;
      // A new page starts masked (its Reveal is gone with the old one).
      this.revealed = false;
      await this.send();
      if (this.pendingSelection) channel.notify(SelectSpan, { spanId: this.pendingSelection });
      this.pendingSelection = undefined;
    });
    channel.onNotification(ReplaySpan, async ({ spanId }) => {
      await executeCommand(Commands.ReplaySpan, { type: 'span', traceId: this.traceId, spanId });
    });
    // The header's share buttons do what the Runs view's context menu does, for this panel's run.
    channel.onNotification(CopyRunAsJson, async () => {
      await executeCommand(Commands.CopyRunAsJson, { type: 'run', traceId: this.traceId });
    });
    channel.onNotification(SaveRunAs, async () => {
      await executeCommand(Commands.SaveRunAs, { type: 'run', traceId: this.traceId });
    });
    channel.onNotification(GoToSource, async ({ spanId, path, line }) => {
      const span = this.ws.store.trace(this.traceId)?.span(spanId);
      if (path) await goToLocation(path, line, span?.origin.file, this.log, this.otherColumn());
      else if (span) await goToSpanSource(span, this.log, this.otherColumn());
    });
    channel.onRequest(GetSpanDetails, async ({ spanId, reveal }) => {
      const view = await spanDetailsOf(this.ws.store.trace(this.traceId), spanId, { prices: this.prices(), frameExists, source: detailsSourceContext, warn: (message) => this.log.warn(message), logRecords: this.ws.store.logRecords });
      const redactor = this.redactor?.();
      if (reveal && !this.revealed && redactor) {
        // Reveal shows the span names as recorded too.
        this.revealed = true;
        this.scheduleUpdate();
      }
      return redactor && !reveal ? maskDetails(view, redactor) : view;
    });
    channel.onRequest(SearchSpans, async ({ query }, signal) => {
      const trace = this.ws.store.trace(this.traceId);
      try {
        return { spanIds: trace ? await searchSpans(trace.allSpans(), query, signal) : [] };
      } catch (err) {
        throw new Error(`search failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }

  /** Text from the trace as this panel shows it: masked until Reveal. */
  private shownText(text: string): string {
    const redactor = this.redactor?.();
    return redactor && !this.revealed ? redactor.text(text) : text;
  }

  /** Source opens beside the waterfall, not over it. */
  private otherColumn(): vscode.ViewColumn {
    const column = this.panel.viewColumn;
    return column === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
  }

  private html(): string {
    const state: WaterfallState = { traceId: this.traceId };
    return panelHtml(this.panel.webview, this.extensionUri, { bundle: 'webview', title: 'Waterfall', state });
  }
}
