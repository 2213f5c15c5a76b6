// Sends a replay document to its provider and returns the answer, or throws an Error whose
// message says what went wrong in words a user can act on (see providerErrors.ts). The
// client's own error is not kept as a cause: nothing that held the request goes to a log.
import { DEFAULT_REPLAY_ANTHROPIC_BASE_URL, DEFAULT_REPLAY_OPENAI_BASE_URL } from '../config/defaults';
import { API_KEY_VARIABLES } from './apiKey';
import { sendAnthropic } from './anthropicReplay';
import { sendOpenAi } from './openAiReplay';
import { isCancellation, providerErrorMessage, ReplayCancelled } from './providerErrors';
import type { ReplayAnswer, SendOptions } from './replayAnswer';
import type { ReplayDocument, ReplayProvider } from './replayDocument';

export const DEFAULT_BASE_URLS: Readonly<Record<ReplayProvider, string>> = {
  openai: DEFAULT_REPLAY_OPENAI_BASE_URL,
  anthropic: DEFAULT_REPLAY_ANTHROPIC_BASE_URL,
};

export { API_KEY_VARIABLES };

/** How long a provider may take to start answering before the replay says it did not. */
export const DEFAULT_REPLAY_TIMEOUT_MS = 120_000;

export interface ReplaySendOptions extends SendOptions {
  /** Where a missing or refused key can be set, for the 401 message. */
  readonly keyHint?: string;
}

export async function sendReplay(doc: ReplayDocument, options: ReplaySendOptions): Promise<ReplayAnswer> {
  if (options.signal?.aborted) throw new ReplayCancelled();
  try {
    const timed = { ...options, timeoutMs: options.timeoutMs ?? DEFAULT_REPLAY_TIMEOUT_MS };
    return doc.provider === 'anthropic' ? await sendAnthropic(doc, timed) : await sendOpenAi(doc, timed);
  } catch (err) {
    if (isCancellation(err) || options.signal?.aborted) throw new ReplayCancelled();
    throw new Error(
      providerErrorMessage(err, {
        provider: doc.provider,
        baseUrl: options.baseUrl,
        model: doc.model,
        keyHint: options.keyHint ?? API_KEY_VARIABLES[doc.provider],
        apiKey: options.apiKey,
        timeoutMs: options.timeoutMs ?? DEFAULT_REPLAY_TIMEOUT_MS,
      }),
    );
  }
}
