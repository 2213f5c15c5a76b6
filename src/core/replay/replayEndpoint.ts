// Where Run sends a replay document: the endpoint the document names, and nothing else. A
// document whose "baseUrl" was deleted is refused rather than sent to a setting's endpoint
// the editor does not show (the rule: only the request shown goes, only where it says).
import type { ReplayDocument, ReplayProvider } from './replayDocument';

const SETTINGS: Readonly<Record<ReplayProvider, string>> = { openai: 'tracerun.replay.openaiBaseUrl', anthropic: 'tracerun.replay.anthropicBaseUrl' };

/** The endpoint the document names; undefined when it names none (absent or blank). */
export function documentEndpoint(doc: Pick<ReplayDocument, 'baseUrl'>): string | undefined {
  const url = doc.baseUrl?.trim();
  return url ? url : undefined;
}

/** Why a document without an endpoint is not sent, and what to do. */
export function noEndpointMessage(provider: ReplayProvider, settingUrl: string): string {
  return `The replay document names no "baseUrl", so it was not sent: Run sends only to the endpoint the document shows. Add "baseUrl" (${SETTINGS[provider]} is ${settingUrl}) and run again.`;
}

/**
 * The document's text with `"baseUrl": url` written in: a blank one filled, else a new key
 * right after "provider", where the document built by Replay… has it. Undefined when neither
 * is found (the user then adds it by hand).
 */
export function withBaseUrl(text: string, url: string): string | undefined {
  const value = JSON.stringify(url);
  const blank = /("baseUrl"\s*:\s*)"\s*"/.exec(text);
  if (blank) return text.slice(0, blank.index) + blank[1] + value + text.slice(blank.index + blank[0].length);
  // A top-level "provider": its value is a plain string; inside other strings its quotes are escaped.
  const provider = /(^[ \t]*|[{,][ \t]*)"provider"\s*:\s*"[^"\\]*"/m.exec(text);
  if (!provider) return undefined;
  const end = provider.index + provider[0].length;
  // On its own line with the provider's indent, or inline in a one-line document.
  const indent = /^[ \t]*$/.test(provider[1]) ? provider[1] : undefined;
  return `${text.slice(0, end)},${indent !== undefined ? `\n${indent}` : ' '}"baseUrl": ${value}${text.slice(end)}`;
}
