import * as vscode from 'vscode';
import { buildSourceIndex, sourceFileKey, type SourceIndex, type SpansAtLine } from '../core/source/sourceIndex';
import { runStepsSliced, SharedRun } from '../core/util/steps';
import { isInProgress, spanDurationMs, StatusCode } from '../core/model/span';
import { formatDuration, startedLabel } from '../protocol/format';
import { Commands } from './commandIds';
import { commandOf } from './commands';
import { DisposableStore } from './disposable';
import type { TraceRunService } from './traceRunService';
import type { TraceWorkspace } from '../core/ingest/traceWorkspace';

/** New spans redraw the lenses at most this often: each redraw indexes every span again. */
const REINDEX_DELAY_MS = 1500;

export interface SpanTarget {
  readonly traceId: string;
  readonly spanId: string;
}

/**
 * Above each line of code that produced spans (`code.*` attributes), a lens: how many spans,
 * their median duration, how many failed; a click lists the latest to open in the waterfall.
 * The index is built in time slices after the traces change, and only while lenses are asked for.
 */
export class SourceLensProvider extends DisposableStore implements vscode.CodeLensProvider {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changeEmitter.event;
  /** The index of the traces as they are, or were when it was built (stale until rebuilt). */
  private index: SourceIndex | undefined;
  private stale = true;
  private readonly building = new SharedRun<SourceIndex>();
  private lastBuildMs = 0;
  private reindexTimer: NodeJS.Timeout | undefined;

  constructor(private readonly service: TraceRunService) {
    super();
    this.register({ dispose: () => clearTimeout(this.reindexTimer) });
    // The store is the same for the service's whole life: one subscription. Once files are
    // (re)read the lenses are redrawn at once rather than after the usual pause.
    this.register(service.store.onDidChange(() => this.scheduleReindex()));
    this.register(service.onDidReadFiles(() => this.reindexNow()));
    if (service.ready) this.reindexNow();
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (document.uri.scheme !== 'file') return [];
    // Nothing read yet: lenses come once the Runs view or a command starts watching.
    if (!this.service.ready) return [];
    const lines = (await this.currentIndex(this.service.workspace)).get(sourceFileKey(document.uri.fsPath));
    if (!lines || token.isCancellationRequested) return [];
    return lines
      .filter((at) => at.line <= document.lineCount)
      .map((at) => new vscode.CodeLens(new vscode.Range(at.line - 1, 0, at.line - 1, 0), { ...commandOf(Commands.ShowSpansAtLine, lensTitle(at), at), tooltip: lensTooltip(at) }));
  }

  /** One build at a time: editors asking meanwhile share it. */
  private currentIndex(ws: TraceWorkspace): Promise<SourceIndex> {
    if (this.index && !this.stale) return Promise.resolve(this.index);
    return this.building.run(() => {
      this.stale = false;
      const started = Date.now();
      const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
      return runStepsSliced(buildSourceIndex(ws.store.runs(), folders)).then((index) => {
        this.index = index;
        this.lastBuildMs = Date.now() - started;
        return index;
      });
    });
  }

  /**
   * New spans redraw the lenses after a pause that grows with the time a build takes, so a
   * big trace streaming in is indexed now and then, not over and over.
   */
  private reindexNow(): void {
    clearTimeout(this.reindexTimer);
    this.reindexTimer = undefined;
    this.scheduleReindex(0);
  }

  private scheduleReindex(delay = Math.max(REINDEX_DELAY_MS, 4 * this.lastBuildMs)): void {
    this.reindexTimer ??= setTimeout(() => {
      this.reindexTimer = undefined;
      this.stale = true;
      this.changeEmitter.fire();
    }, delay);
  }
}

function lensTitle(at: SpansAtLine): string {
  const parts = [`$(pulse) ${at.count.toLocaleString()} span${at.count === 1 ? '' : 's'}`];
  if (at.medianMs !== undefined) parts.push(`p50 ${formatDuration(at.medianMs)}`);
  if (at.failed > 0) parts.push(`${at.failed.toLocaleString()} failed`);
  if (at.running > 0) parts.push(`${at.running.toLocaleString()} running`);
  return parts.join(' · ');
}

function lensTooltip(at: SpansAtLine): string {
  const what = at.function ? `${at.function} (line ${at.line})` : `line ${at.line}`;
  return `Spans recorded at ${what}; the latest started ${startedLabel(at.lastStartMs, Date.now(), vscode.env.language)}. Click to open one in the waterfall.`;
}

/** The latest spans of a line to pick from; the one picked, or undefined. */
export async function pickSpanAtLine(at: SpansAtLine): Promise<SpanTarget | undefined> {
  const now = Date.now();
  const items = at.recent.map(({ traceId, span }) => ({
    label: `${span.statusCode === StatusCode.Error ? '$(error) ' : ''}${span.name}`,
    description: [isInProgress(span) ? 'running' : formatDuration(spanDurationMs(span)), startedLabel(Number(span.startNs / 1_000_000n), now, vscode.env.language)].join(' · '),
    detail: span.errorMessage,
    target: { traceId, spanId: span.spanId },
  }));
  const more = at.count > items.length ? ` (the latest ${items.length} of ${at.count.toLocaleString()})` : '';
  const picked = await vscode.window.showQuickPick(items, {
    title: `Spans from ${at.function ?? `line ${at.line}`}${more}`,
    placeHolder: 'Open a span in the waterfall',
    matchOnDescription: true,
  });
  return picked?.target;
}
