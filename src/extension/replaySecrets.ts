import * as vscode from 'vscode';
import type { ReplayProvider } from '../core/replay/replayDocument';
import { API_KEY_VARIABLES, apiKeySecretName, lookUpApiKey } from '../core/replay/apiKey';

const PROVIDER_NAMES: Readonly<Record<ReplayProvider, string>> = { openai: 'OpenAI-compatible', anthropic: 'Anthropic' };

/**
 * Replay's API keys: VS Code's secret storage first (the OS keychain), then the usual
 * environment variable. A key is handed to the provider client and nowhere else: never
 * written to a file, a setting or the log.
 */
export class ReplaySecrets {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly env: Readonly<Record<string, string | undefined>> = process.env,
  ) {}

  /** The key to send to `baseUrl` with; undefined when one must be asked for. */
  async get(provider: ReplayProvider, baseUrl: string): Promise<string | undefined> {
    return lookUpApiKey(this.secrets, provider, baseUrl, this.env);
  }

  /** Asks which provider and the key (a password box); an empty key removes the stored one. */
  async prompt(provider?: ReplayProvider): Promise<ReplayProvider | undefined> {
    const chosen =
      provider ??
      (
        await vscode.window.showQuickPick(
          (Object.keys(PROVIDER_NAMES) as ReplayProvider[]).map((p) => ({ label: PROVIDER_NAMES[p], description: API_KEY_VARIABLES[p], provider: p })),
          { title: 'Set Replay API Key', placeHolder: 'For which provider?' },
        )
      )?.provider;
    if (!chosen) return undefined;
    const key = await vscode.window.showInputBox({
      title: `${PROVIDER_NAMES[chosen]} API key for Replay`,
      prompt: `Kept in VS Code's secret storage, sent only with a replay you run. Empty removes it (then ${API_KEY_VARIABLES[chosen]} is used).`,
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return undefined;
    if (key.trim() === '') await this.secrets.delete(apiKeySecretName(chosen));
    else await this.secrets.store(apiKeySecretName(chosen), key.trim());
    return chosen;
  }

  static hint(provider: ReplayProvider): string {
    return `"Trace Run: Set Replay API Key" or ${API_KEY_VARIABLES[provider]}`;
  }
}
