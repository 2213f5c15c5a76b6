// Which key a replay is sent with. The key is only ever returned to be handed to a provider
// client: nothing here writes or logs it.
import type { ReplayProvider } from './replayDocument';

export const API_KEY_VARIABLES: Readonly<Record<ReplayProvider, string>> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
};

/** What a server on this machine is given as a key when none is set: it ignores it. */
export const LOCAL_PLACEHOLDER_KEY = 'no-key-needed-for-a-local-server';

/** Whether a base URL points at this machine, where local servers (Ollama, vLLM…) need no key. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/**
 * The stored key (VS Code's secret storage), else the provider's environment variable, else
 * a placeholder for a server on this machine; undefined when a key must be asked for.
 */
export function resolveApiKey(
  provider: ReplayProvider,
  baseUrl: string,
  stored: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const key = stored?.trim() || env[API_KEY_VARIABLES[provider]]?.trim();
  if (key) return key;
  return isLoopbackUrl(baseUrl) ? LOCAL_PLACEHOLDER_KEY : undefined;
}

/** Where VS Code's secret storage keeps a provider's key: one entry per provider. */
export function apiKeySecretName(provider: ReplayProvider): string {
  return `tracerun.replay.apiKey.${provider}`;
}

/** What the lookup reads of VS Code's `SecretStorage` (a fake in tests: no vscode here). */
export interface SecretReader {
  get(key: string): PromiseLike<string | undefined>;
}

/** The key to send to `baseUrl` with: the provider's stored key, its variable, the placeholder for this machine. */
export async function lookUpApiKey(
  secrets: SecretReader,
  provider: ReplayProvider,
  baseUrl: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  return resolveApiKey(provider, baseUrl, await secrets.get(apiKeySecretName(provider)), env);
}
