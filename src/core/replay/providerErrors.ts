/**
 * A provider's failure as one sentence a user can act on: who refused, why, and what to do.
 * Both official clients' errors have the same shapes (`status`, `headers`; connection, timeout
 * and abort errors). They are told apart by class, not by name: the errors' `name` is plain
 * "Error" and a minified bundle renames classes.
 */
import * as Anthropic from '@anthropic-ai/sdk/error';
import OpenAI from 'openai';

export class ReplayCancelled extends Error {
  constructor() {
    super('Replay cancelled.');
    this.name = 'ReplayCancelled';
  }
}

interface ClientError {
  readonly name?: string;
  readonly message?: string;
  readonly status?: number;
  readonly headers?: { get(name: string): string | null } | Record<string, string>;
  readonly cause?: unknown;
}

export interface ErrorContext {
  readonly provider: 'openai' | 'anthropic';
  readonly baseUrl: string;
  readonly model: string;
  /** Where the key can be set, e.g. "the command 'Trace Run: Set Replay API Key' or OPENAI_API_KEY". */
  readonly keyHint: string;
  /** Never shown: removed from any provider message that echoes it. */
  readonly apiKey?: string;
  readonly timeoutMs?: number;
}

export function providerErrorMessage(error: unknown, c: ErrorContext): string {
  const e = (error ?? {}) as ClientError;
  const who = `${c.provider === 'anthropic' ? 'Anthropic' : 'The OpenAI-compatible endpoint'} at ${c.baseUrl}`;
  const detail = providerDetail(e, c.apiKey);
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status === 401 || status === 403) return `${who} refused the API key (${status}${detail}). Set the key with ${c.keyHint}.`;
  if (status === 404) return `${who} answered 404${detail}: check the model "${c.model}" and the base URL.`;
  if (status === 429) {
    const after = header(e, 'retry-after');
    return `${who} is rate limiting (429${detail})${after ? `: retry after ${/^\d+$/.test(after) ? `${after} s` : after}` : ''}.`;
  }
  if (status !== undefined && status >= 500) return `${who} failed with ${status}${detail}; try again later.`;
  if (status !== undefined) return `${who} rejected the request (${status}${detail}).`;
  if (isCancellation(error)) return new ReplayCancelled().message;
  if (error instanceof OpenAI.APIConnectionTimeoutError || error instanceof Anthropic.APIConnectionTimeoutError) return `${who} did not answer${c.timeoutMs !== undefined ? ` within ${+(c.timeoutMs / 1000).toFixed(1)} s` : ' in time'}.`;
  const code = causeCode(e);
  if (code === 'ECONNREFUSED') return `Nothing is listening at ${c.baseUrl} (connection refused): is the server running, and is the base URL right?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${c.baseUrl}: host not found (${code}).`;
  if (error instanceof OpenAI.APIConnectionError || error instanceof Anthropic.APIConnectionError) return `Could not reach ${c.baseUrl}${code ? ` (${code})` : ''}.`;
  return redact(e.message ?? String(error), c.apiKey);
}

export function isCancellation(error: unknown): boolean {
  return (
    error instanceof ReplayCancelled ||
    error instanceof OpenAI.APIUserAbortError ||
    error instanceof Anthropic.APIUserAbortError ||
    (error as { name?: string } | undefined)?.name === 'AbortError'
  );
}

function providerDetail(e: ClientError, apiKey: string | undefined): string {
  // The clients' messages start with the status ("401 Incorrect API key…"); keep the words.
  const text = (e.message ?? '').replace(/^\d{3}\s*/, '').trim();
  return text === '' || text === 'status code (no body)' ? '' : `: ${redact(text, apiKey).slice(0, 300)}`;
}

function header(e: ClientError, name: string): string | undefined {
  const h = e.headers;
  if (!h) return undefined;
  const v = typeof (h as { get?: unknown }).get === 'function' ? (h as { get(n: string): string | null }).get(name) : (h as Record<string, string>)[name];
  return v ?? undefined;
}

function causeCode(e: ClientError): string | undefined {
  // fetch wraps the socket error: APIConnectionError → TypeError('fetch failed') → Error{code}.
  let c: unknown = e;
  for (let depth = 0; depth < 4 && c !== undefined && c !== null; depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}

function redact(text: string, apiKey: string | undefined): string {
  return apiKey !== undefined && apiKey.length >= 4 ? text.split(apiKey).join('***') : text;
}
