import * as vscode from 'vscode';
import { spanPayloads, type SpanPayload } from '../core/genai/payloads';
import { loadSpanDetails } from '../core/ingest/spanDetails';
import { isInProgress, spanDurationMs, StatusCode } from '../core/model/span';
import { innermostRange, spanStatsInRange } from '../core/source/functionSpans';
import type { SpanRef } from '../core/source/runDigest';
import { sourceFileKey } from '../core/source/sourceIndex';
import type { Redactor } from '../core/privacy/redact';
import { formatDuration, startedLabel } from '../protocol/format';
import { Commands } from './commandIds';
import { appendSourceHover, type HoverCall } from './sourceHoverMarkdown';
import type { DocumentFunctions } from './documentFunctions';
import type { SpanLocationIndex } from './spanLocations';

/** Calls a hover lists. Each reads its span back from its file for the input and output. */
const CALLS_SHOWN = 5;
const PREVIEW_CHARS = 80;

/** One line of a payload, its secrets masked before it is cut short. */
function preview(p: SpanPayload | undefined, r: Redactor): string | undefined {
  if (!p) return undefined;
  const line = r.text(p.text).replace(/\s+/g, ' ').trim();
  const cut = line.length > PREVIEW_CHARS ? `${line.slice(0, PREVIEW_CHARS - 1)}…` : line;
  return cut === '' ? undefined : cut;
}

/** What the hover shows of one call; its payloads are read back from its file. */
async function hoverCall(span: SpanRef, now: number, r: Redactor): Promise<HoverCall> {
  const failed = span.statusCode === StatusCode.Error;
  let input: string | undefined;
  let output: string | undefined;
  try {
    const payloads = spanPayloads((await loadSpanDetails(span)).attributes);
    input = preview(payloads.input, r);
    output = preview(payloads.output, r);
  } catch {
    // The file changed since it was read: the call is still listed, without its payloads.
  }
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    name: r.text(span.name),
    state: failed ? 'failed' : isInProgress(span) ? 'running' : 'ok',
    durationText: isInProgress(span) ? undefined : formatDuration(spanDurationMs(span)),
    startedText: startedLabel(Number(span.startNs / 1_000_000n), now, vscode.env.language),
    input,
    output,
    error: failed && span.errorMessage ? preview({ text: span.errorMessage } as SpanPayload, r) : undefined,
  };
}

/** On a function's name: its last few calls, each with a link that opens it in the waterfall. */
export class SourceHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly locations: SpanLocationIndex,
    private readonly functions: DocumentFunctions,
    /** The current `tracerun.redact` rules: names, inputs, outputs and errors are masked. */
    private readonly redactor: () => Redactor,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (document.uri.scheme !== 'file' || !this.locations.ready) return undefined;
    const spans = (await this.locations.current()).get(sourceFileKey(document.uri.fsPath));
    if (!spans || token.isCancellationRequested) return undefined;
    const fn = innermostRange(await this.functions.of(document), position.line + 1, true);
    if (!fn) return undefined;
    const word = document.getWordRangeAtPosition(position);
    if (!word || document.getText(word) !== fn.name.replace(/\(.*$/, '').split('.').pop()) return undefined;
    const stats = spanStatsInRange(spans, fn.startLine, fn.endLine, CALLS_SHOWN);
    if (!stats) return undefined;
    const now = Date.now();
    const r = this.redactor();
    const calls = await Promise.all(stats.recent.map((span) => hoverCall(span, now, r)));
    // Theme icons on for the status icons; `appendText` escapes them in what the trace says.
    const md = new vscode.MarkdownString('', true);
    appendSourceHover(md, fn.name, stats.count, calls);
    md.isTrusted = { enabledCommands: [Commands.OpenSpan] };
    return new vscode.Hover(md, word);
  }
}
