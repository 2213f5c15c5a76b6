/**
 * Smaller facts a span states about its LLM call, for the details: the provider, whether the
 * request streamed, the managed prompt it used, and the metadata the vendors' SDKs attach.
 *
 * - Provider: [GA] `gen_ai.provider.name`, its deprecated name `gen_ai.system`; [OI]
 *   `llm.provider` (the hosting provider) and `llm.system` (the AI product); [AI]
 *   `ai.model.provider`.
 * - Streaming: [GA] `gen_ai.request.stream` (boolean); OpenLLMetry `llm.is_streaming`; the
 *   Vercel AI SDK's `*.doStream` / `ai.stream*` operations stream by definition.
 * - Prompt: Langfuse `langfuse.observation.prompt.name` / `.version`; OpenInference
 *   `llm.prompt_template.template` / `.version`.
 * - Metadata: LangSmith `langsmith.metadata.<key>`, Langfuse `langfuse.observation.metadata.<key>`
 *   and `langfuse.trace.metadata.<key>`, the Vercel AI SDK's `ai.telemetry.metadata.<key>`,
 *   OpenInference `metadata` (a JSON object).
 * - Evaluations: OpenInference annotations and evaluations on spans (spec/annotations.md):
 *   `annotations.<i>.annotation.{name,label,score,explanation,annotator_kind}`, the same under
 *   `evaluations.<i>.evaluation.*`, or one result as `annotation.*` / `evaluation.*` on the span.
 */
import type { AttributeValue, Attributes } from '../model/span';
import { indexed } from './conversationSources';

const PROVIDER_KEYS = ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system', 'ai.model.provider'] as const;

export function spanProvider(a: Attributes | undefined): string | undefined {
  if (a === undefined) return undefined;
  for (const key of PROVIDER_KEYS) {
    const v = a[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/** Whether the request streamed; undefined when the span does not say. */
export function isStreamingRequest(name: string, a: Attributes | undefined): boolean | undefined {
  const stated = a?.['gen_ai.request.stream'] ?? a?.['llm.is_streaming'];
  if (typeof stated === 'boolean') return stated;
  if (stated === 'true' || stated === 'false') return stated === 'true';
  const operation = typeof a?.['ai.operationId'] === 'string' ? (a['ai.operationId'] as string) : name;
  if (/^ai\.stream(Text|Object)(\.doStream)?$/.test(operation)) return true;
  if (/^ai\.generate(Text|Object)(\.doGenerate)?$/.test(operation)) return false;
  return undefined;
}

export interface PromptReference {
  readonly name?: string;
  readonly version?: string;
  /** The template text, when the span records it. */
  readonly template?: string;
}

/** The managed prompt (or prompt template) the call rendered; undefined when none is named. */
export function promptReference(a: Attributes | undefined): PromptReference | undefined {
  if (a === undefined) return undefined;
  const name = text(a['langfuse.observation.prompt.name']);
  const version = text(a['langfuse.observation.prompt.version']) ?? text(a['llm.prompt_template.version']);
  const template = text(a['llm.prompt_template.template']);
  if (name === undefined && version === undefined && template === undefined) return undefined;
  return { ...(name !== undefined && { name }), ...(version !== undefined && { version }), ...(template !== undefined && { template }) };
}

const METADATA_PREFIXES = ['langsmith.metadata.', 'langfuse.observation.metadata.', 'langfuse.trace.metadata.', 'ai.telemetry.metadata.'] as const;

/** The span's metadata, keys without their vendor prefix; undefined when it has none. */
export function spanMetadata(a: Attributes | undefined): Record<string, AttributeValue> | undefined {
  if (a === undefined) return undefined;
  let out: Record<string, AttributeValue> | undefined;
  const oi = a.metadata;
  if (typeof oi === 'string' && oi.trimStart().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(oi);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) out = { ...(parsed as Record<string, AttributeValue>) };
    } catch {
      // not JSON: left to the attributes list
    }
  } else if (typeof oi === 'object' && oi !== null && !Array.isArray(oi)) {
    out = { ...oi };
  }
  for (const key of Object.keys(a)) {
    const prefix = METADATA_PREFIXES.find((p) => key.startsWith(p));
    if (prefix !== undefined && key.length > prefix.length) (out ??= {})[key.slice(prefix.length)] = a[key];
  }
  return out;
}

function text(v: AttributeValue | undefined): string | undefined {
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** One annotation or evaluation of the span's result. */
export interface SpanEvaluation {
  readonly name?: string;
  readonly label?: string;
  readonly score?: number;
  readonly explanation?: string;
  /** `HUMAN`, `LLM`, `CODE` or custom. */
  readonly annotatorKind?: string;
}

/** The annotations and evaluations recorded on the span, in order; empty when none. */
export function spanEvaluations(a: Attributes | undefined): SpanEvaluation[] {
  if (a === undefined) return [];
  const out: SpanEvaluation[] = [];
  for (const word of ['annotation', 'evaluation'] as const) {
    const single = evaluation(a, `${word}.`);
    if (single !== undefined) out.push(single);
    for (const r of indexed(a, `${word}s`)) {
      const e = evaluation(r, `${word}.`);
      if (e !== undefined) out.push(e);
    }
  }
  return out;
}

function evaluation(r: Attributes, prefix: string): SpanEvaluation | undefined {
  const name = text(r[`${prefix}name`]);
  const label = text(r[`${prefix}label`]);
  const rawScore = r[`${prefix}score`];
  const score = typeof rawScore === 'number' ? rawScore : typeof rawScore === 'string' && rawScore.trim() !== '' && Number.isFinite(Number(rawScore)) ? Number(rawScore) : undefined;
  const explanation = text(r[`${prefix}explanation`]);
  const annotatorKind = text(r[`${prefix}annotator_kind`]);
  if (name === undefined && label === undefined && score === undefined) return undefined;
  return {
    ...(name !== undefined && { name }),
    ...(label !== undefined && { label }),
    ...(score !== undefined && { score }),
    ...(explanation !== undefined && { explanation }),
    ...(annotatorKind !== undefined && { annotatorKind }),
  };
}
