// The details pane's text with secrets masked by the `tracerun.redact` rules: what a panel
// shows (and what its copy buttons copy) until the user clicks Reveal in that panel.
import type { Redactor } from '../privacy/redact';
import type { AttributeTable, RunHeader, SpanDetailsView, TraceStart } from '../../protocol/waterfall';

function table(r: Redactor, rows: AttributeTable): AttributeTable {
  return rows.map(([key, value]) => [key, r.isSecretKey(key) && value !== '' ? (r.attributes({ [key]: value })[key] as string) : r.text(value)] as const);
}

/** The view with every text from the trace masked, and whether anything was. */
export function maskDetails(view: SpanDetailsView, r: Redactor): SpanDetailsView {
  const text = (s: string | undefined) => (s === undefined ? undefined : r.text(s));
  const masked: SpanDetailsView = {
    ...view,
    name: r.text(view.name),
    errorMessage: text(view.errorMessage),
    notice: text(view.notice),
    // The source chain's words quote the span's name and recorded paths.
    sourceMissing: text(view.sourceMissing),
    source: view.source && { ...view.source, path: r.text(view.source.path), function: text(view.source.function) },
    conversation: view.conversation?.map((m) => ({
      ...m,
      content: text(m.content),
      toolCalls: m.toolCalls?.map((c) => ({ ...c, arguments: text(c.arguments) })),
    })),
    payloads: view.payloads.map((p) => ({ ...p, text: r.text(p.text), ...(p.json !== undefined ? { json: r.value(p.json) } : {}) })),
    prompt: view.prompt && { ...view.prompt, name: text(view.prompt.name), version: text(view.prompt.version), template: text(view.prompt.template) },
    evaluations: view.evaluations?.map((e) => ({ ...e, name: text(e.name), label: text(e.label), explanation: text(e.explanation) })),
    metadata: view.metadata && table(r, view.metadata),
    stack: view.stack?.map((f) => ({ ...f, text: r.text(f.text) })),
    attributes: table(r, view.attributes),
    resourceAttributes: table(r, view.resourceAttributes),
    events: view.events.map((e) => ({ ...e, name: r.text(e.name), attributes: table(r, e.attributes) })),
    links: view.links.map((l) => ({ ...l, attributes: table(r, l.attributes) })),
  };
  return JSON.stringify(masked) === JSON.stringify(view) ? view : { ...masked, secretsMasked: true };
}

/**
 * The waterfall's rows as first sent: span names and the run's name masked (a URL with a key in
 * a span's name), the same object when nothing was.
 */
export function maskTraceStart(start: TraceStart, r: Redactor): TraceStart {
  let names: string[] | undefined;
  start.names.forEach((name, i) => {
    const masked = r.text(name);
    if (masked !== name) (names ??= [...start.names])[i] = masked;
  });
  const header = maskRunHeader(start.header, r);
  if (names === undefined && header === start.header) return start;
  return { ...start, names: names ?? start.names, header };
}

/** The run's header with its name masked; the same object when nothing was. */
export function maskRunHeader(header: RunHeader, r: Redactor): RunHeader {
  const name = r.text(header.name);
  return name === header.name ? header : { ...header, name };
}
