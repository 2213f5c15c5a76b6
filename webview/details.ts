import { formatDuration, tokenPartsText, tokensText } from '../src/protocol/format';
import type { AttributeTable, ConversationMessageView, EvaluationView, PayloadView, SpanDetailsView, StackFrameView } from '../src/protocol/waterfall';
import { el } from './dom';
import { jsonTree } from './jsonTree';

const LONG_VALUE = 400;

/** Which step of the Go to Source chain found a span's code, in words. */
const VIA_TEXT = { attributes: 'its code.* attributes', stacktrace: 'its stack trace', symbol: 'its name, among the workspace symbols' } as const;

export interface DetailsActions {
  goToSource(): void;
  openFrame(path: string, line: number | undefined): void;
  /** Show secrets as recorded in this panel, after a click. */
  reveal(): void;
  /** Replay… this LLM call. */
  replay(): void;
}

/** What the webview's row of the span knows and the host's details do not. */
export interface RowTimes {
  /** The span's time outside its children. */
  readonly selfMs?: number;
  /** Set for a span that has not ended: how long it has run as far as the run's rows go. */
  readonly running?: { readonly soFarMs: number };
}

/** Fills the details pane for one span: what failed, when, where in the code, what it said. */
export function renderDetails(container: HTMLElement, d: SpanDetailsView, actions: DetailsActions, row: RowTimes = {}): void {
  const { selfMs, running } = row;
  const parts: Node[] = [];
  parts.push(el('h2', { textContent: d.name }));
  if (d.notice) {
    parts.push(el('div', { className: 'notice-box', role: 'note' }, [el('span', { className: 'codicon codicon-info', ariaHidden: 'true' }), el('span', { textContent: ` ${d.notice}` })]));
  }
  if (d.secretsMasked) {
    const reveal = document.createElement('vscode-button');
    reveal.textContent = 'Reveal';
    reveal.setAttribute('secondary', '');
    reveal.title = 'Show the masked text as recorded, in this panel';
    reveal.addEventListener('click', () => actions.reveal());
    parts.push(
      el('div', { className: 'notice-box secrets-masked', role: 'note' }, [
        el('span', { className: 'codicon codicon-shield', ariaHidden: 'true' }),
        el('span', { textContent: ' Secrets in these details are masked (tracerun.redact). ' }),
        reveal,
      ]),
    );
  }
  if (d.status === 'error') {
    parts.push(
      el('div', { className: 'error-box', role: 'alert' }, [
        el('span', { className: 'codicon codicon-error', ariaHidden: 'true' }),
        el('span', { textContent: ` ${d.errorMessage ?? 'This span failed (status ERROR).'}` }),
      ]),
    );
  }
  const inProgress = d.inProgress || running !== undefined;
  const status = d.status === 'error' ? 'Error' : d.status === 'ok' ? 'OK' : 'Unset';
  const facts: [string, string][] = [
    ['Status', inProgress ? (d.status === 'unset' ? 'Running (not ended yet)' : `${status}, still running`) : status],
    [
      'Duration',
      inProgress
        ? running && running.soFarMs > 0
          ? `running, ≥ ${formatDuration(running.soFarMs)} so far (no end time yet)`
          : 'running (no end time yet)'
        : selfMs !== undefined && selfMs < d.durationMs - 1e-9
          ? `${formatDuration(d.durationMs)} (self ${formatDuration(selfMs)})`
          : formatDuration(d.durationMs),
    ],
    ['Starts at', `+${formatDuration(d.startOffsetMs)} (${d.startTime})`],
    ['Kind', `${d.kind} (${d.spanKind})`],
  ];
  if (d.model) facts.push(['Model', d.provider ? `${d.model} (${d.provider})` : d.model]);
  if (d.tokens?.total !== undefined) {
    const parts = tokenPartsText(d.tokens);
    facts.push(['Tokens', parts ? `${tokensText(d.tokens)}; ${parts}` : tokensText(d.tokens)]);
  }
  if (d.streamed !== undefined) facts.push(['Streamed', d.streamed ? 'yes' : 'no']);
  if (d.ttftMs !== undefined) facts.push(['First token', `after ${formatDuration(d.ttftMs)}`]);
  if (d.costUsd !== undefined) facts.push(['Cost', `$${d.costUsd.toFixed(5)}${d.costRecordedIn ? ` (recorded in ${d.costRecordedIn})` : ''}`]);
  if (d.finishReasons?.length) facts.push(['Finish', d.finishReasons.join(', ')]);
  if (d.prompt && (d.prompt.name !== undefined || d.prompt.version !== undefined)) facts.push(['Prompt', [d.prompt.name ?? 'template', d.prompt.version !== undefined ? `version ${d.prompt.version}` : undefined].filter(Boolean).join(', ')]);
  facts.push(['Span ID', d.spanId]);
  if (d.scope) facts.push(['Scope', d.scope]);
  if (d.source) facts.push(['Source', `${d.source.path}${d.source.line ? `:${d.source.line}` : ''}${d.source.function ? ` (${d.source.function})` : ''}${d.source.via ? `, from ${VIA_TEXT[d.source.via]}` : ''}`]);
  parts.push(el('dl', { className: 'facts-list' }, facts.flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: v })])));
  const buttons: HTMLElement[] = [];
  if (d.kind === 'llm' && !d.notice) {
    const replay = document.createElement('vscode-button');
    replay.textContent = 'Replay…';
    replay.setAttribute('icon', 'debug-rerun');
    replay.setAttribute('secondary', '');
    replay.title = 'Open this model call as a replay document: edit the prompt, run it again, compare the answers';
    replay.addEventListener('click', () => actions.replay());
    buttons.push(replay);
  }
  // Several functions fit: Go to Source asks which (and remembers the answer).
  if (d.source || d.sourceChoices) {
    const button = document.createElement('vscode-button');
    button.textContent = 'Go to Source';
    button.setAttribute('icon', 'go-to-file');
    button.title = d.source ? `Open ${d.source.path}${d.source.line ? ` at line ${d.source.line}` : ''} (Enter)` : `Choose which of the ${d.sourceChoices} functions produced this span`;
    button.addEventListener('click', () => actions.goToSource());
    buttons.unshift(button);
  }
  if (buttons.length > 0) parts.push(el('div', { className: 'actions' }, buttons));
  if (d.sourceMissing) parts.push(el('p', { className: 'source-missing', textContent: d.sourceMissing }));
  if (d.contentMissing) {
    parts.push(
      el('div', { className: 'notice-box content-missing', role: 'note' }, [
        el('span', { className: 'codicon codicon-info', ariaHidden: 'true' }),
        el('span', { textContent: ` ${d.contentMissing.message} ` }),
        el('div', { className: 'fix' }, [el('span', { textContent: 'To record it: ' }), el('code', { textContent: d.contentMissing.fix })]),
      ]),
    );
  }
  if (d.loadError) parts.push(el('p', { className: 'error-text', textContent: d.loadError }));
  if (d.stack?.length) parts.push(section('Stack trace', d.stack.length, stackTrace(d.stack, actions)));
  if (d.conversation?.length) parts.push(section('Conversation', d.conversation.length, conversation(d.conversation)));
  for (const p of d.payloads) parts.push(section(p.label, undefined, payload(p)));
  if (d.evaluations?.length) parts.push(section('Evaluations', d.evaluations.length, evaluations(d.evaluations)));
  if (d.prompt?.template !== undefined) parts.push(section('Prompt template', undefined, foldedText(d.prompt.template), false));
  if (d.metadata?.length) parts.push(section('Metadata', d.metadata.length, attributeTable(d.metadata)));
  parts.push(section('Attributes', d.attributes.length, attributeTable(d.attributes), !d.conversation?.length));
  if (d.events.length > 0) {
    const events = d.events.map((e) =>
      el('div', { className: 'event' }, [
        el('div', { className: 'event-name', textContent: `${e.name}${e.offsetMs !== undefined ? `  +${formatDuration(e.offsetMs)}` : ''}` }),
        attributeTable(e.attributes),
      ]),
    );
    parts.push(section('Events', d.events.length, el('div', {}, events), false));
  }
  if (d.links.length > 0) {
    parts.push(
      section('Links', d.links.length, el('div', {}, d.links.map((l) => el('div', { className: 'event' }, [el('div', { className: 'event-name', textContent: `trace ${l.traceId} · span ${l.spanId}` }), attributeTable(l.attributes)]))), false),
    );
  }
  parts.push(section('Resource', d.resourceAttributes.length, attributeTable(d.resourceAttributes), false));
  container.replaceChildren(...parts);
}

function section(title: string, count: number | undefined, body: HTMLElement, open = true): HTMLElement {
  const c = document.createElement('vscode-collapsible');
  c.setAttribute('heading', count === undefined ? title : `${title} (${count})`);
  if (open) c.setAttribute('open', '');
  c.append(body);
  return c;
}

function copyButton(text: () => string, what: string): HTMLElement {
  const b = el('button', { className: 'tool-button copy', title: `Copy ${what}`, ariaLabel: `Copy ${what}` }, [el('span', { className: 'codicon codicon-copy', ariaHidden: 'true' })]);
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    void navigator.clipboard.writeText(text()).then(() => {
      b.firstElementChild!.className = 'codicon codicon-check';
      setTimeout(() => (b.firstElementChild!.className = 'codicon codicon-copy'), 1200);
    });
  });
  return b;
}

function conversation(messages: readonly ConversationMessageView[]): HTMLElement {
  return el(
    'div',
    { className: 'conversation' },
    messages.map((m) => {
      const body: Node[] = [el('div', { className: 'message-role' }, [el('span', { textContent: m.role }), ...(m.direction === 'output' ? [el('span', { className: 'muted', textContent: ' · response' })] : []), ...(m.content ? [copyButton(() => m.content!, `${m.role} message`)] : [])])];
      if (m.toolCallId) body.push(el('div', { className: 'muted', textContent: `result of ${m.toolCallId}` }));
      if (m.content) body.push(foldedText(m.content));
      for (const call of m.toolCalls ?? []) {
        body.push(
          el('div', { className: 'tool-call' }, [
            el('span', { className: 'codicon codicon-tools', ariaHidden: 'true' }),
            el('span', { className: 'tool-name', textContent: ` ${call.name}` }),
            ...(call.id ? [el('span', { className: 'muted', textContent: ` ${call.id}` })] : []),
            ...(call.arguments ? [payload({ label: 'arguments', text: call.arguments, json: tryJson(call.arguments) })] : []),
          ]),
        );
      }
      return el('div', { className: `message role-${m.role}` }, body);
    }),
  );
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function payload(p: PayloadView): HTMLElement {
  const content = p.json !== undefined && typeof p.json === 'object' && p.json !== null ? jsonTree(p.json) : foldedText(p.text);
  return el('div', { className: 'payload' }, [el('div', { className: 'payload-actions' }, [copyButton(() => p.text, p.label)]), content]);
}

function stackTrace(frames: readonly StackFrameView[], actions: DetailsActions): HTMLElement {
  return el(
    'pre',
    { className: 'stack' },
    frames.flatMap((f) => {
      if (!f.path) return [document.createTextNode(f.text + '\n')];
      const link = el('a', { className: 'frame-link', textContent: f.text, tabIndex: 0, role: 'link', title: `Open ${f.path}${f.line ? `:${f.line}` : ''}` });
      const open = () => actions.openFrame(f.path!, f.line);
      link.addEventListener('click', open);
      link.addEventListener('keydown', (e) => e.key === 'Enter' && open());
      return [link, document.createTextNode('\n')];
    }),
  );
}

/** Each annotation or evaluation on a line: its name, then label, score and who judged, the explanation below. */
function evaluations(list: readonly EvaluationView[]): HTMLElement {
  return el(
    'table',
    { className: 'attributes evaluations' },
    list.map((e) => {
      const verdict = [e.label, e.score !== undefined ? `score ${e.score}` : undefined, e.annotatorKind ? `by ${e.annotatorKind}` : undefined].filter(Boolean).join(' · ');
      return el('tr', {}, [
        el('th', { textContent: e.name ?? '(unnamed)', title: e.name ?? '' }),
        el('td', {}, [el('div', { textContent: verdict }), ...(e.explanation ? [foldedText(e.explanation)] : [])]),
      ]);
    }),
  );
}

function attributeTable(rows: AttributeTable): HTMLElement {
  if (rows.length === 0) return el('p', { className: 'muted', textContent: 'None' });
  return el(
    'table',
    { className: 'attributes' },
    rows.map(([k, v]) => el('tr', {}, [el('th', { textContent: k, title: k }), el('td', {}, [foldedText(v)])])),
  );
}

/** Long values (prompts, outputs) start folded, with "show more". */
function foldedText(value: string): HTMLElement {
  const pre = el('pre', { className: 'value', textContent: value.length > LONG_VALUE ? `${value.slice(0, LONG_VALUE)}…` : value });
  if (value.length <= LONG_VALUE) return pre;
  const more = el('a', { className: 'show-more', textContent: `show all ${value.length.toLocaleString()} characters`, tabIndex: 0, role: 'button' });
  const expand = () => {
    pre.textContent = value;
    more.remove();
  };
  more.addEventListener('click', expand);
  more.addEventListener('keydown', (e) => e.key === 'Enter' && expand());
  return el('div', {}, [pre, more]);
}
