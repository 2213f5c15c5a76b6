/**
 * The replay document: one recorded model call as a plain JSON request a user can edit and
 * send again. Written by `buildReplayDocument`, read back by `parseReplayDocument`, described
 * for the editor by media/replay.schema.json (kept in step by a unit test).
 */

export type ReplayProvider = 'openai' | 'anthropic';
export const REPLAY_PROVIDERS: readonly ReplayProvider[] = ['openai', 'anthropic'];

/** The file name pattern package.json's `jsonValidation` ties to the schema. */
export const REPLAY_FILE_SUFFIX = '.tracerun-replay.json';
export const REPLAY_SCHEMA_ID = 'https://tracerun.dev/schemas/replay.schema.json';

/**
 * The replay document's file name, also its editor tab's title: the span's name, masked by
 * `mask` (the window's `Redactor`, as the views mask it: a key in a span name stays out of
 * the storage folder and the tab) before it is cut to safe characters, then its id.
 */
export function replayFileName(span: { readonly name: string; readonly spanId: string }, mask: (text: string) => string): string {
  return `${mask(span.name).replace(/[^\w.-]+/g, '_').slice(0, 60)}-${span.spanId}${REPLAY_FILE_SUFFIX}`;
}

export interface ReplayToolCall {
  readonly id?: string;
  readonly name: string;
  /** JSON text of the arguments, as the model produced them. */
  readonly arguments?: string;
}

export interface ReplayMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
  readonly name?: string;
  readonly toolCalls?: readonly ReplayToolCall[];
  /** For a tool result: the id of the call it answers. */
  readonly toolCallId?: string;
}

export interface ReplayTool {
  readonly name: string;
  readonly description?: string;
  /** JSON schema of the arguments. */
  readonly parameters?: Record<string, unknown>;
}

/** `auto`, `none`, `required` (any tool), or one tool by name. */
export type ReplayToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

export interface ReplayParameters {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  toolChoice?: ReplayToolChoice;
  /** `text`, `json` (any JSON object), or a JSON schema the answer must follow. */
  responseFormat?: 'text' | 'json' | { readonly name?: string; readonly schema: Record<string, unknown> };
}

/** What the span recorded as the answer, for the diff. */
export interface RecordedAnswer {
  readonly text: string;
  readonly toolCalls: readonly ReplayToolCall[];
  readonly tokens?: { readonly input?: number; readonly output?: number };
  readonly latencyMs?: number;
  readonly ttftMs?: number;
  readonly model?: string;
}

export interface ReplayDocument {
  readonly $schema?: string;
  /** What the span did not record, and how it was filled in. Read by people only. */
  readonly notes?: readonly string[];
  /** The span this request was rebuilt from; the replay run links to it. */
  readonly source?: { readonly traceId: string; readonly spanId: string; readonly spanName: string; readonly conventions?: readonly string[] };
  readonly provider: ReplayProvider;
  /** Where the request goes. Replay… writes the setting's endpoint in; Run refuses a document without one (replayEndpoint.ts); the CLI takes --base-url, else this, else the provider's own. */
  readonly baseUrl?: string;
  readonly model: string;
  readonly parameters: ReplayParameters;
  readonly tools?: readonly ReplayTool[];
  readonly messages: readonly ReplayMessage[];
  readonly recorded?: RecordedAnswer;
}

/**
 * Reads an edited document back, checking what sending needs; each problem names its field.
 * Throws one Error listing them all.
 */
export function parseReplayDocument(text: string, where = 'replay document'): ReplayDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where} is not valid JSON: ${(err as Error).message}`);
  }
  const problems: string[] = [];
  if (!isRecord(doc)) throw new Error(`${where} must be a JSON object`);
  if (!REPLAY_PROVIDERS.includes(doc.provider as ReplayProvider)) problems.push(`"provider" must be one of ${REPLAY_PROVIDERS.join(', ')}`);
  if (typeof doc.model !== 'string' || doc.model === '') problems.push('"model" must be a non-empty string');
  if (doc.baseUrl !== undefined && typeof doc.baseUrl !== 'string') problems.push('"baseUrl" must be a string');
  if (doc.parameters !== undefined && !isRecord(doc.parameters)) problems.push('"parameters" must be an object');
  if (!Array.isArray(doc.messages) || doc.messages.length === 0) problems.push('"messages" must be a non-empty list');
  else
    doc.messages.forEach((m, i) => {
      if (!isRecord(m)) return problems.push(`messages[${i}] must be an object`);
      if (!['system', 'user', 'assistant', 'tool'].includes(m.role as string)) problems.push(`messages[${i}].role must be system, user, assistant or tool`);
      if (typeof m.content !== 'string') problems.push(`messages[${i}].content must be a string`);
      if (m.toolCalls !== undefined && (!Array.isArray(m.toolCalls) || m.toolCalls.some((c) => !isRecord(c) || typeof c.name !== 'string')))
        problems.push(`messages[${i}].toolCalls must be a list of {id, name, arguments}`);
      return undefined;
    });
  if (doc.tools !== undefined && (!Array.isArray(doc.tools) || doc.tools.some((t) => !isRecord(t) || typeof t.name !== 'string')))
    problems.push('"tools" must be a list of {name, description, parameters}');
  if (problems.length > 0) throw new Error(`${where}: ${problems.join('; ')}`);
  return { ...(doc as unknown as ReplayDocument), parameters: (doc.parameters as ReplayParameters | undefined) ?? {} };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
