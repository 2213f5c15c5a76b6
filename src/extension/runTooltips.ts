// The Markdown tooltips of the Runs view. Everything taken from a trace (names, messages,
// paths, ids) is untrusted: it goes through `appendText`, which escapes it, never through
// `appendMarkdown`, so a span named `[x](command:…)` or `![](https://…)` shows as text.
// No `vscode` import, so the split between Markdown and text is tested in Node.

import * as path from 'node:path';
import { sourceAccess } from '../core/source/sourceAccess';
import { Commands } from './commandIds';

/** What `vscode.MarkdownString` offers; a test records the calls instead. */
export interface MarkdownSink {
  appendMarkdown(markdown: string): unknown;
  appendText(text: string): unknown;
}

export type IdKind = 'trace id' | 'span id' | 'parent span id';
/** Told of each id that is not hex of the right length (it is shown as "invalid id"). */
export type InvalidIdReport = (kind: IdKind, raw: string) => void;

const ID_HEX_DIGITS: Record<IdKind, number> = { 'trace id': 32, 'span id': 16, 'parent span id': 16 };

/** OTLP ids as the readers normalise them: lowercase hex, 16 bytes for a trace, 8 for a span. */
export function isValidId(id: string, kind: IdKind): boolean {
  return id.length === ID_HEX_DIGITS[kind] && /^[0-9a-f]+$/.test(id);
}

function appendId(md: MarkdownSink, id: string, kind: IdKind, report: InvalidIdReport): void {
  if (isValidId(id, kind)) {
    md.appendMarkdown(`\`${id}\``);
  } else {
    md.appendText('invalid id');
    report(kind, id);
  }
}

export interface RunTooltip {
  readonly name: string;
  /** Our own sentence on the run's state. */
  readonly stateText: string;
  readonly startedText: string;
  readonly durationText: string;
  readonly spanCount: number;
  readonly tokensText: string | undefined;
  readonly errorCount: number;
  readonly serviceNames: readonly string[];
  readonly traceId: string;
  /** What the run was asked and answered (see `core/runs/runInput.ts`), when read: whole, the tooltip cuts them. */
  readonly input?: string;
  readonly output?: string;
  /** Models of its LLM calls. */
  readonly models?: readonly string[];
  readonly costText?: string;
  /** What the run lacks that would make it useful (`missingContext`'s messages); their fixes are in the waterfall's header. */
  readonly missingContext?: readonly string[];
}

export function appendRunTooltip(md: MarkdownSink, run: RunTooltip, report: InvalidIdReport): void {
  md.appendMarkdown('**');
  md.appendText(run.name);
  md.appendMarkdown('**\n\n');
  md.appendText(run.stateText);
  md.appendMarkdown('\n\n');
  md.appendText(`Started ${run.startedText} · ${run.durationText} · ${run.spanCount} spans`);
  if (run.tokensText) md.appendText(` · ${run.tokensText}`);
  if (run.errorCount > 0) {
    md.appendMarkdown(' · $(error) ');
    md.appendText(`${run.errorCount} failed`);
  }
  if (run.models && run.models.length > 0) {
    md.appendMarkdown('\n\n');
    md.appendText(`Model${run.models.length === 1 ? '' : 's'}: ${run.models.join(', ')}`);
  }
  if (run.costText) {
    if (run.models && run.models.length > 0) md.appendText(` · Cost: ${run.costText}`);
    else {
      md.appendMarkdown('\n\n');
      md.appendText(`Cost: ${run.costText}`);
    }
  }
  appendPayload(md, 'Input', run.input);
  appendPayload(md, 'Output', run.output);
  if (run.serviceNames.length > 0) {
    md.appendMarkdown('\n\n');
    md.appendText(`Service: ${run.serviceNames.join(', ')}`);
  }
  if (run.missingContext && run.missingContext.length > 0) {
    // An instrumentation's name (its scope) is part of a message: text, not Markdown.
    md.appendMarkdown('\n\n$(info) **Missing context** (the waterfall\'s header says how to fix it)');
    for (const message of run.missingContext) {
      md.appendMarkdown('\n\n- ');
      md.appendText(message);
    }
  }
  md.appendMarkdown('\n\nTrace ID ');
  appendId(md, run.traceId, 'trace id', report);
}

export interface SpanTooltip {
  readonly name: string;
  readonly kind: string;
  readonly durationText: string;
  readonly model: string | undefined;
  readonly tokensText: string | undefined;
  /** Set when the span failed: its status message, or undefined when it has none. */
  readonly error: { readonly message: string | undefined } | undefined;
  readonly source: { readonly path: string; readonly line: number | undefined; readonly function: string | undefined } | undefined;
  /** The span is a stand-in for a parent that has not arrived: how many children name it. */
  readonly notReceivedChildren: number | undefined;
  /** For a stand-in: its run is no longer running, so the span will not arrive now. */
  readonly runFinished?: boolean;
  /** The span's parent has not arrived: its id. */
  readonly missingParentId: string | undefined;
  /** LLM spans of the same call folded into this item (`foldedLlmCalls`), outermost first. */
  readonly folded?: ReadonlyArray<{ readonly name: string; readonly traceId: string; readonly spanId: string }>;
  /** The span's resource `service.name`, and the services of its run (`TraceSummary.serviceNames`). */
  readonly serviceName?: string;
  readonly runServiceNames?: readonly string[];
}

/**
 * The path a span's `code.*` location shows as: the file it was found to be in the workspace
 * (a container's `/app/agent/tools.py` is `agent/tools.py` here), relative to its folder, with
 * the folder's name first when there are several; as recorded until it is found.
 */
export function shownSourcePath(recorded: string, resolved: string | undefined, folders: readonly string[], paths: path.PlatformPath = path): string {
  if (resolved === undefined) return recorded;
  const folder = folders.find((f) => sourceAccess(resolved, [f], paths) === 'inside');
  if (folder === undefined) return resolved;
  const relative = paths.relative(folder, resolved);
  return folders.length > 1 ? paths.join(paths.basename(folder), relative) : relative;
}

export function appendSpanTooltip(md: MarkdownSink, span: SpanTooltip, report: InvalidIdReport): void {
  md.appendMarkdown('**');
  md.appendText(span.name);
  md.appendMarkdown('** · ');
  md.appendText(`${span.kind} · ${span.durationText}`);
  // A run of one service names it in the run's tooltip; across services, which one ran the span is the question.
  if (span.serviceName !== undefined && (span.runServiceNames?.length ?? 0) > 1) {
    md.appendMarkdown('\n\n');
    md.appendText(`Service: ${span.serviceName}`);
  }
  if (span.model) {
    md.appendMarkdown('\n\n');
    md.appendText(`Model: ${span.model}`);
  }
  if (span.tokensText) {
    md.appendMarkdown('\n\n');
    md.appendText(span.tokensText);
  }
  if (span.error) {
    md.appendMarkdown('\n\n$(error) ');
    md.appendText(span.error.message ?? 'failed');
  }
  if (span.source) {
    const { path, line, function: fn } = span.source;
    md.appendMarkdown('\n\n$(go-to-file) ');
    md.appendText(`${path}${line ? `:${line}` : ''}${fn ? ` · ${fn}` : ''}`);
  }
  if (span.notReceivedChildren !== undefined) {
    const n = span.notReceivedChildren;
    md.appendMarkdown('\n\n');
    md.appendText(
      span.runFinished
        ? `Not received: ${n} span${n === 1 ? ' names' : 's name'} it as parent, but the run finished without it (the app may have exited before exporting it, or sent it elsewhere).`
        : `Not received yet: ${n} span${n === 1 ? ' names' : 's name'} it as parent. SDKs export a span when it ends, so it is most likely still running.`,
    );
  } else if (span.missingParentId !== undefined) {
    md.appendMarkdown('\n\nIts parent span ');
    appendId(md, span.missingParentId, 'parent span id', report);
    md.appendMarkdown(' has not arrived.');
  }
  if (span.folded && span.folded.length > 0) {
    md.appendMarkdown('\n\n$(fold) One model call, also recorded as ');
    span.folded.forEach((f, i) => {
      if (i > 0) md.appendMarkdown(i === span.folded!.length - 1 ? ' and ' : ', ');
      // The name is text (escaped) inside a link that opens that span in the waterfall.
      if (isValidId(f.traceId, 'trace id') && isValidId(f.spanId, 'span id')) {
        md.appendMarkdown('[');
        md.appendText(f.name);
        md.appendMarkdown(`](command:${Commands.OpenSpan}?${encodeURIComponent(JSON.stringify([{ traceId: f.traceId, spanId: f.spanId }]))} "Open it in the waterfall")`);
      } else md.appendText(f.name);
    });
    md.appendMarkdown(' (folded into this item; the waterfall shows each span).');
  }
}

/**
 * Characters of a run's input and output a tooltip shows: a hover is no place for a 50 KB
 * prompt. Past it the tooltip says what it left out and where all of it is (the waterfall's
 * details pane shows a payload whole).
 */
export const TOOLTIP_PAYLOAD_CHARS = 1500;

/** A run's input or output: a bold label, then the text, escaped, its line breaks kept. */
function appendPayload(md: MarkdownSink, label: string, text: string | undefined): void {
  if (text === undefined || text.trim() === '') return;
  md.appendMarkdown(`\n\n**${label}**\n\n`);
  if (text.length <= TOOLTIP_PAYLOAD_CHARS) {
    md.appendText(text);
    return;
  }
  md.appendText(`${text.slice(0, TOOLTIP_PAYLOAD_CHARS)}…`);
  md.appendMarkdown(`\n\n_${TOOLTIP_PAYLOAD_CHARS.toLocaleString('en-US')} of ${text.length.toLocaleString('en-US')} characters shown: open the run's waterfall to read all of it_`);
}

export interface SessionTooltip {
  readonly sessionId: string;
  readonly runCount: number;
  readonly failedCount: number;
}

export function appendSessionTooltip(md: MarkdownSink, session: SessionTooltip): void {
  md.appendMarkdown('**Session** ');
  md.appendText(session.sessionId);
  md.appendMarkdown('\n\n');
  md.appendText(`${session.runCount} run${session.runCount === 1 ? '' : 's'}, oldest first${session.failedCount > 0 ? ` · ${session.failedCount} failed` : ''}`);
}
