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

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

async function callLine(span: SpanRef, now: number, r: Redactor): Promise<string> {
  const failed = span.statusCode === StatusCode.Error;
  const status = failed ? '$(error) failed' : isInProgress(span) ? '$(loading~spin) running' : '$(pass) ok';
  const duration = isInProgress(span) ? '' : ` · ${formatDuration(spanDurationMs(span))}`;
  const link = `command:${Commands.OpenSpan}?${encodeURIComponent(JSON.stringify([{ traceId: span.traceId, spanId: span.spanId }]))}`;
  let io = '';
  try {
    const payloads = spanPayloads((await loadSpanDetails(span)).attributes);
    const input = preview(payloads.input, r);
    const output = preview(payloads.output, r);
    if (input) io += `  \nin: ${escapeMarkdown(input)}`;
    if (output) io += `  \nout: ${escapeMarkdown(output)}`;
  } catch {
    // The file changed since it was read: the call is still listed, without its payloads.
  }
  const error = failed && span.errorMessage ? `  \n${escapeMarkdown(preview({ text: span.errorMessage } as SpanPayload, r) ?? '')}` : '';
  return `[${escapeMarkdown(r.text(span.name))}](${link} "Open in the waterfall") ${status}${duration} · ${startedLabel(Number(span.startNs / 1_000_000n), now, vscode.env.language)}${io}${error}`;
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
    const lines = await Promise.all(stats.recent.map((span) => callLine(span, now, r)));
    const md = new vscode.MarkdownString(`**Trace Run** · ${stats.count.toLocaleString()} span${stats.count === 1 ? '' : 's'} from \`${fn.name}\`, the last ${lines.length}:\n\n${lines.map((l) => `- ${l}`).join('\n')}`, true);
    md.isTrusted = { enabledCommands: [Commands.OpenSpan] };
    return new vscode.Hover(md, word);
  }
}
