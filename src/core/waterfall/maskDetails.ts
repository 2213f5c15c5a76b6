// The details pane's text with secrets masked by the `tracerun.redact` rules: what a panel
// shows (and what its copy buttons copy) until the user clicks Reveal in that panel.
import type { Redactor } from '../privacy/redact';
import type { AttributeTable, SpanDetailsView } from '../../protocol/waterfall';

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
