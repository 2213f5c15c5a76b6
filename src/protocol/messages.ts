/**
 * The envelope every message between the extension and a webview travels in, and typed
 * descriptors for each method, so neither side sends a bare string. Both bundles import
 * this module; it imports neither `vscode` nor the DOM.
 */
export interface NotificationType<P> {
  readonly method: string;
  /** Carries the type only. */
  readonly params?: P;
}

export interface RequestType<P, R> {
  readonly method: string;
  readonly params?: P;
  readonly result?: R;
}

export function notification<P>(method: string): NotificationType<P> {
  return { method };
}

export function request<P, R>(method: string): RequestType<P, R> {
  return { method };
}

/** A response carries exactly one of: a result, an error message, or that it was cancelled. */
export type Response =
  | { readonly kind: 'response'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'response'; readonly id: number; readonly error: string }
  | { readonly kind: 'response'; readonly id: number; readonly cancelled: true };

export type Message =
  | { readonly kind: 'notification'; readonly method: string; readonly params: unknown }
  | { readonly kind: 'request'; readonly id: number; readonly method: string; readonly params: unknown }
  | Response;

export function isMessage(value: unknown): value is Message {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { kind?: unknown; method?: unknown; id?: unknown };
  if (m.kind === 'response') return typeof m.id === 'number';
  if (m.kind === 'request') return typeof m.id === 'number' && typeof m.method === 'string';
  return m.kind === 'notification' && typeof m.method === 'string';
}
