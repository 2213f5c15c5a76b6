import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeSpan } from '../core/genai/conventions';
import { sourceLocationOf } from '../core/source/source';
import { isInProgress, spanDurationMs, StatusCode } from '../core/model/span';
import { formatDuration, startedLabel } from '../protocol/format';
import { lastEndBelow, settledStandIn } from '../core/model/standIns';
import type { RunState, SpanNode, Trace, TraceTree } from '../core/model/trace';
import { Commands } from './commandIds';
import { commandOf } from './commands';
import type { TokenCounts } from '../core/genai/conventions';
import { runStepsSliced } from '../core/util/steps';
import { latestTraceTokens, traceTokens, traceTokensSteps } from '../core/genai/traceTokens';
import { runMissingContext } from '../core/runs/runMissingContext';
import { appendRunTooltip, appendSessionTooltip, appendSpanTooltip, shownSourcePath, type IdKind } from './runTooltips';
import { workspaceFolders } from './symbolSource';
import { kindIcon } from './spanPresentation';
import { tokensLabel, tokensText } from '../protocol/format';
import type { TraceRunService } from './traceRunService';
import { spanErrorText } from '../core/genai/spanError';
import type { RunPreviews } from '../core/runs/runPreviews';
import { firstLineOf } from '../core/runs/runInput';
import { runFacts } from '../core/runs/runFacts';
import { foldedLlmCalls, shownChildren } from '../core/runs/nestedLlmCalls';
import type { Redactor } from '../core/privacy/redact';

/** How much of a run's input or output is masked for the view (see `maskedPreview`). */
const PREVIEW_MASK_CHARS = 65_536;
/** Above this many spans a run's tree and tokens are worked out in time slices, off the refresh. */
export const SLICED_ABOVE_SPANS = 10_000;
/** Invalid ids logged, at most: a hostile file may hold millions, and items redraw every second. */
const MAX_INVALID_IDS_REPORTED = 100;
/** Characters of a run's input shown in its description; the tooltip has more (`TOOLTIP_PAYLOAD_CHARS`). */
const INPUT_PREVIEW_CHARS = 60;

/**
 * The Runs view's items: what a run, a session, a span, a "Show more" and the unreadable lines
 * show (labels, descriptions, icons, tooltips), masked, with tokens and cost.
 */
export class RunsTreeItems {
  private readonly countingTokens = new Set<Trace>();
  private readonly reportedInvalidIds = new Set<string>();

  constructor(
    private readonly service: TraceRunService,
    /** What each run was about, read from the trace files for the runs asked about. */
    private readonly previews: RunPreviews,
    /** Redraws a run's item: its tokens, counted in time slices, are done. */
    private readonly redrawRun: (traceId: string) => void,
    /** Masks secrets in the names, errors and problems shown: they come from trace text. */
    private readonly redactor?: { readonly redactor: Redactor; readonly onDidChange: vscode.Event<void> },
    /** Where a recorded `code.*` path is in the workspace, if found (`SpanLocationIndex.resolvedPath`). */
    private readonly resolvedSourcePath: (recorded: string) => Promise<string | undefined> = async () => undefined,
  ) {}

  /** A span's tooltip that names its source waits for the hover: the path is looked up then. */
  private readonly tooltipsOnHover = new WeakMap<vscode.TreeItem, () => Promise<vscode.MarkdownString>>();

  async resolveTreeItem(item: vscode.TreeItem): Promise<vscode.TreeItem> {
    const tooltip = this.tooltipsOnHover.get(item);
    if (tooltip && item.tooltip === undefined) item.tooltip = await tooltip();
    return item;
  }

  showMoreItem(e: { readonly parentKey: string; readonly hidden: number }): vscode.TreeItem {
    const page = this.service.settings.pageSize;
    const item = new vscode.TreeItem(`Show ${Math.min(page, e.hidden)} more…`);
    item.description = `${e.hidden.toLocaleString()} not shown`;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.contextValue = 'more';
    item.id = `more:${e.parentKey}`;
    item.command = commandOf(Commands.OpenSelected, 'Show More');
    return item;
  }

  problemsItem(): vscode.TreeItem {
    const problems = this.service.workspace.problems();
    const total = this.service.workspace.problemCount();
    const files = new Set(problems.map((p) => p.file)).size;
    const item = new vscode.TreeItem(`${total.toLocaleString()} unreadable line${total === 1 ? '' : 's'}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = 'problems';
    item.description = `in ${files} file${files === 1 ? '' : 's'} · skipped${total > problems.length ? ` · first ${problems.length.toLocaleString()} listed` : ''}`;
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    item.contextValue = 'problems';
    return item;
  }

  problemItem(e: { readonly file: string; readonly line: number; readonly message: string }): vscode.TreeItem {
    const item = new vscode.TreeItem(`${path.basename(e.file)}:${e.line}`);
    item.description = this.masked(e.message);
    item.tooltip = `${e.file}:${e.line}\n${this.masked(e.message)}`;
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    item.command = {
      command: 'vscode.open',
      title: 'Open',
      arguments: [vscode.Uri.file(e.file), { selection: new vscode.Range(e.line - 1, 0, e.line - 1, 0) }],
    };
    return item;
  }

  private masked(text: string): string;
  private masked(text: string | undefined): string | undefined;
  private masked(text: string | undefined): string | undefined {
    return text === undefined || !this.redactor ? text : this.redactor.redactor.text(text);
  }

  /**
   * A run's input or output, masked, for a description or tooltip that shows its start only:
   * the first 64K characters are masked (a whole prompt of megabytes is not run through the
   * rules at every redraw), far more than either shows.
   */
  private maskedPreview(text: string): string {
    return this.masked(text.length > PREVIEW_MASK_CHARS ? text.slice(0, PREVIEW_MASK_CHARS) : text);
  }

  /** Ids that are not hex show as "invalid id" in tooltips; each is logged once. */
  private readonly reportInvalidId = (kind: IdKind, raw: string): void => {
    if (this.reportedInvalidIds.has(raw) || this.reportedInvalidIds.size > MAX_INVALID_IDS_REPORTED) return;
    this.reportedInvalidIds.add(raw);
    const shown = JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
    if (this.reportedInvalidIds.size > MAX_INVALID_IDS_REPORTED) this.service.log.warn(`more ids that are not hex of the right length; no longer logged`);
    else this.service.log.warn(`a ${kind} is not hex of the right length, shown as "invalid id": ${shown}`);
  };

  runItem(traceId: string): vscode.TreeItem {
    const trace = this.service.store.trace(traceId);
    const item = new vscode.TreeItem(traceId, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `run:${traceId}`;
    if (!trace) return item;
    const s = trace.summary();
    const now = Date.now();
    const state = trace.state(now);
    const durationMs = trace.durationMs(now);
    item.label = this.masked(s.name);
    const preview = this.previews.get(trace);
    // A big run's models and cost would take a pass over its spans at every redraw of a live run.
    const facts = trace.spanCount <= SLICED_ABOVE_SPANS ? runFacts(trace, this.service.settings.modelPrices) : undefined;
    const parts = [state === 'running' ? `running ${formatDuration(durationMs)}` : formatDuration(durationMs), `${s.spanCount.toLocaleString()} span${s.spanCount === 1 ? '' : 's'}`];
    const tokens = this.tokensOf(trace);
    const tokenText = tokensLabel(tokens);
    if (tokenText) parts.push(tokenText);
    if (s.errorCount > 0) parts.push(`${s.errorCount} error${s.errorCount === 1 ? '' : 's'}`);
    // Runs of one agent share a name: when each started tells them apart.
    parts.push(startedLabel(Number(s.startNs / 1_000_000n), now, vscode.env.language));
    // What each run was asked comes first: it tells them apart better than when they started.
    // Masked whole, then cut: a key cut short first would no longer match its rule.
    if (preview?.input) parts.unshift(firstLineOf(this.maskedPreview(preview.input), INPUT_PREVIEW_CHARS));
    item.description = parts.join(' · ');
    item.iconPath =
      state === 'running'
        ? new vscode.ThemeIcon('loading~spin')
        : s.errorCount > 0
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
          : state === 'incomplete'
            ? new vscode.ThemeIcon('question')
            : new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    const tooltip = new vscode.MarkdownString(undefined, true);
    appendRunTooltip(
      tooltip,
      {
        name: this.masked(s.name),
        stateText: runStateText(state, s.hasRoot),
        startedText: new Date(Number(s.startNs / 1_000_000n)).toLocaleString(),
        durationText: formatDuration(durationMs),
        spanCount: s.spanCount,
        tokensText: tokens && tokensText(tokens, 'tokens'),
        errorCount: s.errorCount,
        serviceNames: s.serviceNames,
        traceId,
        input: preview?.input && this.maskedPreview(preview.input),
        output: preview?.output && this.maskedPreview(preview.output),
        models: facts?.models,
        costText: facts?.costUsd === undefined ? undefined : formatUsd(facts.costUsd),
        missingContext: facts && runMissingContext(trace, now, this.service.store.logRecords).map((n) => n.message),
      },
      this.reportInvalidId,
    );
    item.tooltip = tooltip;
    // Go to Source for every span: its code.*, a stack trace or its name may find the code.
    item.contextValue = s.root ? 'run source' : 'run';
    item.command = commandOf(Commands.OpenSelected, 'Open Waterfall');
    item.accessibilityInformation = { label: `${item.label}, ${item.description}, ${state === 'running' ? 'running' : s.errorCount > 0 ? 'failed' : 'succeeded'}` };
    return item;
  }

  sessionItem(sessionId: string, runs: readonly Trace[]): vscode.TreeItem {
    const item = new vscode.TreeItem(`Session ${sessionId}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `session:${sessionId}`;
    const newest = runs[runs.length - 1];
    const errors = runs.filter((t) => t.summary().errorCount > 0).length;
    const parts = [`${runs.length} run${runs.length === 1 ? '' : 's'}`];
    if (errors > 0) parts.push(`${errors} failed`);
    if (newest) parts.push(startedLabel(Number(newest.summary().startNs / 1_000_000n), Date.now(), vscode.env.language));
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon('comment-discussion', errors > 0 ? new vscode.ThemeColor('errorForeground') : undefined);
    const tooltip = new vscode.MarkdownString(undefined, true);
    appendSessionTooltip(tooltip, { sessionId, runCount: runs.length, failedCount: errors });
    item.tooltip = tooltip;
    item.contextValue = 'session';
    return item;
  }

  /**
   * A big run's tokens are counted in time slices: until the count is done the item shows the
   * last one, and is redrawn when it is.
   */
  private tokensOf(trace: Trace): TokenCounts | undefined {
    if (trace.spanCount <= SLICED_ABOVE_SPANS) return traceTokens(trace);
    const latest = latestTraceTokens(trace);
    if (!latest?.current && !this.countingTokens.has(trace)) {
      this.countingTokens.add(trace);
      runStepsSliced(traceTokensSteps(trace))
        .then(() => {
          if (this.service.store.trace(trace.traceId) === trace) this.redrawRun(trace.traceId);
        })
        .catch((err: unknown) => this.service.log.error(`counting the tokens of run ${trace.traceId}: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => this.countingTokens.delete(trace));
    }
    return latest?.tokens;
  }

  spanItem(traceId: string, spanId: string): vscode.TreeItem {
    const trace = this.service.store.trace(traceId);
    // The tree getChildren just built (or, while spans stream in, the one before it).
    const tree = trace && (trace.latestTree() ?? trace.tree());
    const node: SpanNode | undefined = tree?.nodes.get(spanId);
    const item = new vscode.TreeItem(spanId, vscode.TreeItemCollapsibleState.None);
    item.id = `span:${traceId}:${spanId}`;
    if (!tree || !node) return item;
    // A finished run's stand-in will not arrive: it is not said to be running (as in the waterfall).
    const standInSettled = node.notReceived && trace.state(Date.now()) !== 'running';
    const span = standInSettled ? settledStandIn(node.span, lastEndBelow(node)) : node.span;
    item.label = this.masked(span.name);
    // One model call recorded by nested LLM spans, or side by side, reads as one item: the outer
    // (or first) span's, with the model, tokens and failure of whichever of them states them.
    const siblings = siblingsOf(node, tree);
    const folded = foldedLlmCalls(node, siblings);
    const chain = [span, ...folded.map((f) => f.span)];
    const failedSpan = chain.find((s) => s.statusCode === StatusCode.Error);
    const failed = failedSpan !== undefined;
    const conventions = describeSpan(span);
    const described = folded.map((f) => describeSpan(f.span));
    // A folded item is a model call, whatever the outer span reads as (the AI SDK's generateText is an agent loop of one step here).
    const shownKind = folded.length > 0 ? 'llm' : conventions.kind;
    const model = conventions.model ?? described.find((d) => d.model)?.model;
    const tokens = conventions.tokens ?? described.find((d) => d.tokens)?.tokens;
    const parts = [isInProgress(span) ? 'running' : formatDuration(spanDurationMs(span))];
    if (model) parts.push(model);
    const tokenText = tokensLabel(tokens);
    if (tokenText) parts.push(tokenText);
    if (folded.length > 0) parts.push(`+ ${folded.length === 1 ? this.masked(folded[0].span.name) : `${folded.length} nested calls`}`);
    if (node.orphan && !node.notReceived) parts.push('parent missing');
    // Many instrumentations set the ERROR status alone: error.type or the HTTP status says why.
    const errorText = failedSpan ? spanErrorText(failedSpan.errorMessage, failedSpan.attributes) : undefined;
    if (errorText) parts.push(this.masked(errorText));
    item.description = parts.join(' · ');
    item.collapsibleState = shownChildren(node, siblings).length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    item.iconPath = failed
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
      : node.notReceived
        ? new vscode.ThemeIcon(standInSettled ? 'debug-disconnect' : 'loading~spin')
        : node.orphan
        ? new vscode.ThemeIcon('debug-disconnect')
        : kindIcon(shownKind);
    const source = sourceLocationOf(span.attributes) ?? folded.map((f) => sourceLocationOf(f.span.attributes)).find((l) => l !== undefined);
    // ` llm` offers Replay… on model calls.
    item.contextValue = (node.notReceived ? 'span' : 'span source') + (conventions.kind === 'llm' ? ' llm' : '');
    const tooltipOf = (sourcePath: string | undefined): vscode.MarkdownString => {
      const tooltip = new vscode.MarkdownString(undefined, true);
      // The folded spans' names link to them in the waterfall: that command only.
      if (folded.length > 0) tooltip.isTrusted = { enabledCommands: [Commands.OpenSpan] };
      appendSpanTooltip(
        tooltip,
        {
          name: this.masked(span.name),
          kind: shownKind,
          durationText: isInProgress(span) ? 'running' : formatDuration(spanDurationMs(span)),
          model,
          tokensText: tokens && tokensText(tokens, 'tokens'),
          error: failed ? { message: this.masked(errorText) } : undefined,
          source: source && { ...source, path: sourcePath ?? source.path },
          notReceivedChildren: node.notReceived ? node.children.length : undefined,
          runFinished: standInSettled,
          missingParentId: node.orphan && !node.notReceived ? span.parentSpanId : undefined,
          folded: folded.map((f) => ({ name: this.masked(f.span.name), traceId, spanId: f.span.spanId })),
          serviceName: span.resource.serviceName === undefined ? undefined : this.masked(span.resource.serviceName),
          runServiceNames: trace?.summary().serviceNames,
        },
        this.reportInvalidId,
      );
      return tooltip;
    };
    // The path as it is in the workspace (a container's /app/… is not), relative to its folder.
    if (source) this.tooltipsOnHover.set(item, async () => tooltipOf(shownSourcePath(source.path, await this.resolvedSourcePath(source.path).catch(() => undefined), workspaceFolders())));
    else item.tooltip = tooltipOf(undefined);
    item.command = commandOf(Commands.OpenSelected, 'Open Waterfall');
    return item;
  }
}

function runStateText(state: RunState, hasRoot: boolean): string {
  if (state === 'running') return hasRoot ? 'Running: its root span has not ended yet' : 'Running: root span not received yet';
  if (state === 'incomplete') return hasRoot ? 'Incomplete: its root span never ended' : 'Incomplete: its root span never arrived';
  return 'Complete';
}

/** The children of `node`'s parent; none for a root (roots are runs, never folded side by side). */
export function siblingsOf(node: SpanNode, tree: TraceTree): readonly SpanNode[] {
  return (node.span.parentSpanId ? tree.nodes.get(node.span.parentSpanId)?.children : undefined) ?? [];
}

/** Dollars: cents from a cent up, two significant digits below. */
function formatUsd(usd: number): string {
  return usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toPrecision(2)}`;
}
