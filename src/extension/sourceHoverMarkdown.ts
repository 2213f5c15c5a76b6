// The Markdown of the hover on a function's name (its recent calls). Span names, inputs,
// outputs and errors come from a trace: they go through `appendText`, which escapes Markdown,
// theme icons (`$(…)`, on in this hover for the status icons) and line breaks, never through
// `appendMarkdown`. A hand-written escape missed `$(` and line breaks. No `vscode` import,
// so the split between Markdown and text is tested in Node.

import { Commands } from './commandIds';
import { isValidId, type MarkdownSink } from './runTooltips';

export interface HoverCall {
  readonly traceId: string;
  readonly spanId: string;
  /** As shown: masked by the redaction rules. */
  readonly name: string;
  readonly state: 'failed' | 'running' | 'ok';
  /** Undefined while running. */
  readonly durationText: string | undefined;
  readonly startedText: string;
  /** One-line previews of the payloads and the error, masked; undefined when there is none. */
  readonly input: string | undefined;
  readonly output: string | undefined;
  readonly error: string | undefined;
}

const STATE_ICONS: Record<HoverCall['state'], string> = { failed: '$(error) failed', running: '$(loading~spin) running', ok: '$(pass) ok' };

/** Text on one line: a line break would end the list item (or the link) it is in. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** `**Trace Run** · N spans from <function>, the last K:` and one list item per call. */
export function appendSourceHover(md: MarkdownSink, functionName: string, spanCount: number, calls: readonly HoverCall[]): void {
  md.appendMarkdown(`**Trace Run** · ${spanCount.toLocaleString()} span${spanCount === 1 ? '' : 's'} from `);
  md.appendText(oneLine(functionName));
  md.appendMarkdown(`, the last ${calls.length}:\n\n`);
  calls.forEach((call, i) => {
    if (i > 0) md.appendMarkdown('\n');
    appendCall(md, call);
  });
}

function appendCall(md: MarkdownSink, call: HoverCall): void {
  md.appendMarkdown('- ');
  const name = oneLine(call.name) || '(no name)';
  // The name is text inside a link that opens the span; ids that are not hex get no link.
  if (isValidId(call.traceId, 'trace id') && isValidId(call.spanId, 'span id')) {
    md.appendMarkdown('[');
    md.appendText(name);
    md.appendMarkdown(`](command:${Commands.OpenSpan}?${encodeURIComponent(JSON.stringify([{ traceId: call.traceId, spanId: call.spanId }]))} "Open in the waterfall")`);
  } else md.appendText(name);
  md.appendMarkdown(` ${STATE_ICONS[call.state]}`);
  md.appendText(`${call.durationText === undefined ? '' : ` · ${call.durationText}`} · ${call.startedText}`);
  appendLine(md, 'in: ', call.input);
  appendLine(md, 'out: ', call.output);
  appendLine(md, '', call.error);
}

function appendLine(md: MarkdownSink, label: string, text: string | undefined): void {
  if (text === undefined || oneLine(text) === '') return;
  md.appendMarkdown('  \n');
  md.appendText(label + oneLine(text));
}
