/**
 * Run records, one JSON object per line, in two spellings:
 * - LangSmith's run schema (langsmith SDK `schemas.Run`/`RunBase`): `id`, `trace_id`,
 *   `parent_run_id`, `dotted_order`, `run_type` (llm, chain, tool, retriever, embedding,
 *   prompt, parser), `name`, `start_time`, `end_time`, `inputs`, `outputs`, `error`,
 *   `extra` (`metadata`, `invocation_params`), `tags`, `events`, and optionally
 *   `prompt_tokens`/`completion_tokens`/`total_tokens`.
 * - The simple format documented in the README for hand-written tracers: `id`, `trace_id`,
 *   `parent_id`, `name`, `type`, `start_time`, `end_time`, `input`, `output`, `error`,
 *   `model`, `tokens: {input, output}`, `service`, `attributes`.
 * Children may come before their parents (LangSmith posts a run when it ends). The fields
 * become OpenInference attributes, so the runs tree, payloads and datasets read them as they
 * read any instrumented span.
 */
import { SERVICE_NAME } from '../../model/indexedAttributes';
import { SpanKind, StatusCode, type AttributeValue, type Attributes, type SpanRecord } from '../../model/span';
import type { SpanDetails } from '../spanDetails';
import { indexedOnly, isObject, plainAttributes, type ForeignSpanPlace, type JsonObject } from './consoleSpan';
import { foreignSpanId, foreignTraceId } from './foreignIds';
import { parseAnyTime } from './isoTime';
import { llmRunMessages } from './runMessages';

/** Whether a parsed object is a run record (either spelling). */
export function isRunRecord(value: unknown): value is JsonObject {
  if (!isObject(value) || 'context' in value || 'resourceSpans' in value) return false;
  const id = value.id;
  return (typeof id === 'string' || typeof id === 'number') && typeof value.name === 'string' && 'start_time' in value;
}

/** LangSmith's `run_type` (and the simple format's `type`) as an OpenInference span kind. */
const RUN_KINDS: Readonly<Record<string, string>> = {
  llm: 'LLM',
  chat: 'LLM',
  chain: 'CHAIN',
  prompt: 'CHAIN',
  parser: 'CHAIN',
  tool: 'TOOL',
  retriever: 'RETRIEVER',
  embedding: 'EMBEDDING',
  agent: 'AGENT',
  reranker: 'RERANKER',
  guardrail: 'GUARDRAIL',
  evaluator: 'EVALUATOR',
};

/**
 * A dotted order reads `<time>Z<root id>.<time>Z<child id>…`: its first segment names the
 * root run, which LangSmith uses as the trace id.
 */
function traceIdFromDottedOrder(dotted: unknown): string | undefined {
  if (typeof dotted !== 'string') return undefined;
  const first = dotted.split('.', 1)[0];
  const z = first.indexOf('Z');
  return z >= 0 && z < first.length - 1 ? first.slice(z + 1) : undefined;
}

function parentOf(obj: JsonObject): unknown {
  return obj.parent_run_id ?? obj.parent_id ?? undefined;
}

export function runSpanId(obj: JsonObject): string {
  return foreignSpanId(obj.id);
}

/** A span record, or why the record was skipped. */
export function runSpanRecord(obj: JsonObject, place: ForeignSpanPlace): SpanRecord | string {
  const name = String(obj.name);
  const spanId = runSpanId(obj);
  const parent = parentOf(obj);
  const rawTrace = obj.trace_id ?? traceIdFromDottedOrder(obj.dotted_order) ?? (parent === undefined || parent === null ? obj.id : undefined);
  const traceId = foreignTraceId(rawTrace);
  if (!spanId) return `run "${name}" skipped: it has no id`;
  if (!traceId) return `run "${name}" skipped: it has a parent but no trace_id (or dotted_order) to join it to`;
  const startNs = parseAnyTime(obj.start_time);
  if (startNs === undefined) return `run "${name}" skipped: its start_time is neither an ISO time nor an epoch number`;
  const endNs = parseAnyTime(obj.end_time);
  const attributes = runAttributes(obj);
  const error = errorText(obj.error);
  const service = attributes[SERVICE_NAME];
  return {
    traceId,
    spanId,
    parentSpanId: parent === undefined || parent === null ? '' : foreignSpanId(parent),
    name,
    kind: SpanKind.Internal,
    startNs,
    endNs: endNs === undefined ? 0n : endNs >= startNs ? endNs : startNs,
    statusCode: error !== undefined ? StatusCode.Error : endNs !== undefined ? StatusCode.Ok : StatusCode.Unset,
    errorMessage: error?.split('\n', 1)[0],
    attributes: indexedOnly(attributes),
    resource: { serviceName: typeof service === 'string' && service ? service : undefined, attributesStart: 0, attributesEnd: 0 },
    scope: undefined,
    origin: { file: place.file, line: place.line },
    byteStart: place.byteStart,
    byteEnd: place.byteEnd,
  };
}

export function runSpanDetails(obj: JsonObject): SpanDetails {
  const attributes = runAttributes(obj);
  const service = attributes[SERVICE_NAME];
  delete attributes[SERVICE_NAME];
  const events = Array.isArray(obj.events) ? obj.events.filter(isObject) : [];
  const error = errorText(obj.error);
  return {
    attributes,
    resourceAttributes: service !== undefined ? { [SERVICE_NAME]: service } : {},
    events: [
      ...events.map((e) => ({
        name: String(e.name ?? ''),
        timeNs: parseAnyTime(e.time ?? e.timestamp),
        attributes: isObject(e.kwargs) ? flatten(e.kwargs) : plainAttributes(e.attributes),
      })),
      ...(error !== undefined ? [{ name: 'exception', timeNs: parseAnyTime(obj.end_time), attributes: { 'exception.message': error } }] : []),
    ],
    links: [],
    traceState: undefined,
  };
}

function errorText(error: unknown): string | undefined {
  if (error === undefined || error === null || error === '' || error === false) return undefined;
  return typeof error === 'string' ? error : JSON.stringify(error);
}

/** Nested values as JSON text: what OTLP attributes would hold. */
function flatten(obj: JsonObject): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(obj)) out[k] = v !== null && typeof v === 'object' ? JSON.stringify(v) : (v as AttributeValue);
  return out;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function payload(out: Attributes, prefix: 'input' | 'output', value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string') {
    out[`${prefix}.value`] = value;
    out[`${prefix}.mime_type`] = 'text/plain';
  } else {
    out[`${prefix}.value`] = JSON.stringify(value);
    out[`${prefix}.mime_type`] = 'application/json';
  }
}

/** Token counts wherever LangSmith or a LangChain output put them. */
function tokens(obj: JsonObject): { input?: number; output?: number; total?: number } {
  const outputs = isObject(obj.outputs) ? obj.outputs : {};
  const llmOutput = isObject(outputs.llm_output) ? outputs.llm_output : {};
  const usage = isObject(llmOutput.token_usage) ? llmOutput.token_usage : isObject(outputs.usage_metadata) ? outputs.usage_metadata : {};
  const simple = isObject(obj.tokens) ? obj.tokens : {};
  return {
    input: num(obj.prompt_tokens) ?? num(usage.prompt_tokens) ?? num(usage.input_tokens) ?? num(simple.input),
    output: num(obj.completion_tokens) ?? num(usage.completion_tokens) ?? num(usage.output_tokens) ?? num(simple.output),
    total: num(obj.total_tokens) ?? num(usage.total_tokens) ?? num(simple.total),
  };
}

/** Metadata keys that name a LangSmith thread (its docs: session_id, thread_id, conversation_id). */
const THREAD_KEYS = ['session_id', 'thread_id', 'conversation_id'] as const;

function runAttributes(obj: JsonObject): Attributes {
  const out: Attributes = isObject(obj.attributes) ? plainAttributes(obj.attributes) : {};
  const type = String(obj.run_type ?? obj.type ?? '').toLowerCase();
  const kind = RUN_KINDS[type];
  if (kind !== undefined) out['openinference.span.kind'] = kind;
  const extra = isObject(obj.extra) ? obj.extra : {};
  const metadata = isObject(extra.metadata) ? extra.metadata : undefined;
  const params = isObject(extra.invocation_params) ? extra.invocation_params : {};
  const model = obj.model ?? metadata?.ls_model_name ?? params.model ?? params.model_name;
  if (typeof model === 'string' && model) out['llm.model_name'] = model;
  const provider = metadata?.ls_provider;
  if (typeof provider === 'string' && provider) out['llm.provider'] = provider;
  const t = tokens(obj);
  if (t.input !== undefined) out['llm.token_count.prompt'] = t.input;
  if (t.output !== undefined) out['llm.token_count.completion'] = t.output;
  if (t.total !== undefined) out['llm.token_count.total'] = t.total;
  if (kind === 'LLM') llmRunMessages(obj.inputs ?? obj.input, obj.outputs ?? obj.output, out);
  payload(out, 'input', obj.inputs ?? obj.input);
  payload(out, 'output', obj.outputs ?? obj.output);
  if (Array.isArray(obj.tags) && obj.tags.length > 0) out['tag.tags'] = obj.tags.map(String);
  if (metadata !== undefined) {
    out.metadata = JSON.stringify(metadata);
    // The keys LangSmith groups runs into threads by, also as its OpenTelemetry exporter
    // writes them: the runs tree's sessions read them from the index (`runs/sessions.ts`).
    for (const key of THREAD_KEYS) {
      const v = metadata[key];
      if ((typeof v === 'string' && v !== '') || typeof v === 'number') out[`langsmith.metadata.${key}`] = v;
    }
  }
  if (Object.keys(params).length > 0) out['llm.invocation_parameters'] = JSON.stringify(params);
  const service = obj.service ?? metadata?.[SERVICE_NAME] ?? metadata?.service;
  if (typeof service === 'string' && service) out[SERVICE_NAME] = service;
  return out;
}
