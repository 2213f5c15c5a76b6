import * as vscode from 'vscode';
import type { Redactor } from '../core/privacy/redact';
import { spanPayloads } from '../core/genai/payloads';
import { loadSpanDetails } from '../core/ingest/spanDetails';
import { isInProgress, spanDurationMs, StatusCode } from '../core/model/span';
import { rangeLenses, spanStatsInRange, type CodeRange, type RangeLens, type RangeSpanStats } from '../core/source/functionSpans';
import type { SpanRef } from '../core/source/runDigest';
import { sourceFileKey } from '../core/source/sourceIndex';
import { formatDuration, startedLabel } from '../protocol/format';
import { Commands } from './commandIds';
import { commandOf } from './commands';
import { DisposableStore } from './disposable';
import type { DocumentFunctions } from './documentFunctions';
import type { SpanLocationIndex } from './spanLocations';

export interface SpanTarget {
  readonly traceId: string;
  readonly spanId: string;
}

/** What a lens click (or "Show Spans for Function at Cursor") lists: the spans from lines of a file. */
export interface SpansInRange {
  readonly file: string;
  readonly startLine: number;
  readonly endLine: number;
  /** The function's name, or undefined for a line outside any. */
  readonly name: string | undefined;
}

/** Times a document without symbols is asked again (its language server may still be starting). */
const SYMBOL_RETRIES = 20;
const SYMBOL_RETRY_MS = 3000;

/**
 * Above each function, method or class that produced spans (its spans counted together: how
 * many, p50, p95, failed, running), and above lines outside any function that did. Places come
 * from the shared `SpanLocationIndex`, ranges from the language's document symbols.
 */
export class SourceLensProvider extends DisposableStore implements vscode.CodeLensProvider {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changeEmitter.event;
  private readonly retries = new Map<string, number>();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly locations: SpanLocationIndex,
    private readonly functions: DocumentFunctions,
  ) {
    super();
    this.register(locations.onDidChange(() => this.changeEmitter.fire()));
    this.register({ dispose: () => clearTimeout(this.retryTimer) });
  }

  async provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (document.uri.scheme !== 'file' || !this.locations.ready) return [];
    const spans = (await this.locations.current()).get(sourceFileKey(document.uri.fsPath));
    if (!spans || token.isCancellationRequested) return [];
    const functions = await this.functions.of(document);
    if (functions.length === 0) this.retryLater(document.uri.toString());
    return rangeLenses(spans, functions)
      .filter((lens) => lens.startLine <= document.lineCount)
      .map((lens) => {
        const at: SpansInRange = { file: document.uri.fsPath, startLine: lens.startLine, endLine: lens.endLine, name: lens.name };
        const line = lens.startLine - 1;
        return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { ...commandOf(Commands.ShowSpansIn, lensTitle(lens.stats), at), tooltip: lensTooltip(lens) });
      });
  }

  private retryLater(uri: string): void {
    const n = this.retries.get(uri) ?? 0;
    if (n >= SYMBOL_RETRIES) return;
    this.retries.set(uri, n + 1);
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.changeEmitter.fire();
    }, SYMBOL_RETRY_MS);
  }
}

export function lensTitle(stats: RangeSpanStats): string {
  const parts = [`$(pulse) ${stats.count.toLocaleString()} span${stats.count === 1 ? '' : 's'}`];
  if (stats.p50Ms !== undefined) parts.push(`p50 ${formatDuration(stats.p50Ms)}`);
  if (stats.p95Ms !== undefined) parts.push(`p95 ${formatDuration(stats.p95Ms)}`);
  if (stats.failed > 0) parts.push(`${stats.failed.toLocaleString()} failed`);
  if (stats.running > 0) parts.push(`${stats.running.toLocaleString()} running`);
  return parts.join(' · ');
}

function lensTooltip(lens: RangeLens): string {
  const what = lens.name ? `${lens.name}${lens.stats.lines > 1 ? ` (${lens.stats.lines} lines of it)` : ''}` : `line ${lens.startLine}`;
  return `Spans from ${what}; the latest started ${startedLabel(lens.stats.lastStartMs, Date.now(), vscode.env.language)}. Click to open one in the waterfall.`;
}

/** The spans of a function (or line) now; undefined when it has none. */
export async function spansIn(locations: SpanLocationIndex, at: SpansInRange): Promise<RangeSpanStats | undefined> {
  const spans = (await locations.current()).get(sourceFileKey(at.file));
  return spans && spanStatsInRange(spans, at.startLine, at.endLine);
}

/** The function around the cursor of the active editor, as a range to list the spans of. */
export async function functionAtCursor(functions: DocumentFunctions): Promise<SpansInRange | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.uri.scheme !== 'file') return undefined;
  const line = editor.selection.active.line + 1;
  const ranges: CodeRange[] = await functions.of(editor.document);
  let best: CodeRange | undefined;
  for (const f of ranges) if (f.startLine <= line && line <= f.endLine && (!best || f.endLine - f.startLine < best.endLine - best.startLine)) best = f;
  return best ? { file: editor.document.uri.fsPath, startLine: best.startLine, endLine: best.endLine, name: best.name } : { file: editor.document.uri.fsPath, startLine: line, endLine: line, name: undefined };
}

const INPUT_CHARS = 120;

/** The first line of a span's input (read back from its file), cut short; undefined when it has none. */
async function firstLineOfInput(span: SpanRef, r: Redactor): Promise<string | undefined> {
  try {
    const input = spanPayloads((await loadSpanDetails(span)).attributes).input;
    // Masked before it is cut short, so a cut never leaves part of a secret.
    const text = input && r.text(input.text).trim();
    const line = text?.split(/\r?\n/, 1)[0];
    return line && (line.length > INPUT_CHARS ? `${line.slice(0, INPUT_CHARS - 1)}…` : line);
  } catch {
    return undefined;
  }
}

/** A span picked from a lens's list, and what to do with it. */
export interface SpanPick extends SpanTarget {
  /** `replay`: the row's Replay… button (LLM spans), else open it in the waterfall. */
  readonly action: 'open' | 'replay';
}

const REPLAY_BUTTON: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('debug-rerun'), tooltip: 'Replay…' };

/**
 * One span opens at once; several are listed, the newest first, to pick one. An LLM span's
 * row has a Replay… button (in a trusted workspace), so a call made by this code can be run
 * again from beside it. `isLlm` is asked of each row's span.
 */
export async function pickSpanIn(at: SpansInRange, stats: RangeSpanStats, r: Redactor, isLlm: (span: SpanTarget) => boolean = () => false): Promise<SpanPick | undefined> {
  if (stats.count === 1) return { traceId: stats.recent[0].traceId, spanId: stats.recent[0].spanId, action: 'open' };
  const now = Date.now();
  const inputs = await Promise.all(stats.recent.map((span) => firstLineOfInput(span, r)));
  const replayable = (t: SpanTarget) => vscode.workspace.isTrusted && isLlm(t);
  const items = stats.recent.map((span, i) => {
    const target = { traceId: span.traceId, spanId: span.spanId };
    return {
      label: `${span.statusCode === StatusCode.Error ? '$(error) ' : ''}${r.text(span.name)}`,
      description: [isInProgress(span) ? 'running' : formatDuration(spanDurationMs(span)), startedLabel(Number(span.startNs / 1_000_000n), now, vscode.env.language)].join(' · '),
      detail: [span.errorMessage && r.text(span.errorMessage), inputs[i] && `input: ${inputs[i]}`].filter(Boolean).join(' — ') || undefined,
      target,
      ...(replayable(target) && { buttons: [REPLAY_BUTTON] }),
    };
  });
  const more = stats.count > items.length ? ` (the latest ${items.length} of ${stats.count.toLocaleString()})` : '';
  const pick = vscode.window.createQuickPick<(typeof items)[number]>();
  pick.title = `Spans from ${at.name ?? `line ${at.startLine}`}${more}`;
  pick.placeholder = items.some((i) => i.buttons) ? 'Open a span in the waterfall, or replay a model call (its row’s button)' : 'Open a span in the waterfall';
  pick.matchOnDescription = true;
  pick.items = items;
  try {
    return await new Promise<SpanPick | undefined>((resolve) => {
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0];
        resolve(chosen && { ...chosen.target, action: 'open' });
      });
      pick.onDidTriggerItemButton((e) => resolve({ ...e.item.target, action: 'replay' }));
      pick.onDidHide(() => resolve(undefined));
      pick.show();
    });
  } finally {
    pick.dispose();
  }
}
