// What the compare panel shows, with secrets masked by the `tracerun.redact` rules until the
// user clicks Reveal in that panel: run names, span names, error messages, models, the first
// divergence's summary, and the payloads a pair's diff is made of.
import type { Redactor } from '../privacy/redact';
import type { ComparePairView, CompareRunView, CompareSpanView, DivergenceView } from '../../protocol/compare';
import type { ComparedPayload, SpanContent } from './content';

/** A side of a pair with its texts masked; the same object when nothing was masked (200,000 pairs stay cheap). */
export function maskSpanView(view: CompareSpanView, r: Redactor): CompareSpanView {
  const name = r.text(view.name);
  const errorMessage = view.errorMessage === undefined ? undefined : r.text(view.errorMessage);
  const model = view.model === undefined ? undefined : r.text(view.model);
  if (name === view.name && errorMessage === view.errorMessage && model === view.model) return view;
  return { ...view, name, ...(errorMessage !== undefined && { errorMessage }), ...(model !== undefined && { model }) };
}

/** A pair with both sides masked; the same object when nothing was masked. */
export function maskPairView(pair: ComparePairView, r: Redactor): ComparePairView {
  const a = pair.a && maskSpanView(pair.a, r);
  const b = pair.b && maskSpanView(pair.b, r);
  return a === pair.a && b === pair.b ? pair : { ...pair, ...(a && { a }), ...(b && { b }) };
}

export function maskRunView(run: CompareRunView, r: Redactor): CompareRunView {
  const name = r.text(run.name);
  return name === run.name ? run : { ...run, name };
}

/** The divergence's span name and summary (which quotes names and error messages). */
export function maskDivergence(d: DivergenceView, r: Redactor): DivergenceView {
  const name = r.text(d.name);
  const summary = r.text(d.summary);
  return name === d.name && summary === d.summary ? d : { ...d, name, summary };
}

function maskPayload(p: ComparedPayload, r: Redactor): ComparedPayload {
  // A JSON payload's text is its masked value written again, so text and value agree.
  const value = p.json ? r.value(p.value) : r.text(p.text);
  if (p.json ? JSON.stringify(value) === JSON.stringify(p.value) : value === p.text) return p;
  const text = p.json ? (typeof value === 'string' ? value : JSON.stringify(value)) : (value as string);
  return { ...p, text, value };
}

/**
 * A span's content masked (the same object when nothing was) before it is diffed: a diff of the raw texts would cut a secret
 * into word runs that the rules no longer recognise one by one.
 */
export function maskContent(content: SpanContent, r: Redactor): SpanContent {
  const input = content.input && maskPayload(content.input, r);
  const output = content.output && maskPayload(content.output, r);
  const messages = content.messages?.map((m) => maskPayload(m, r));
  const same = input === content.input && output === content.output && (messages ?? []).every((m, i) => m === content.messages![i]);
  return same ? content : { ...(input && { input }), ...(output && { output }), ...(messages && { messages }) };
}
