/** What went wrong talking to a trace backend, so callers can say it plainly and act on it. */
export type RemoteErrorKind = 'network' | 'timeout' | 'cancelled' | 'auth' | 'not-found' | 'http' | 'malformed';

/**
 * An error of one request to a backend. The message names the backend and the request
 * (`Jaeger "team": GET http://…/api/v3/traces/… — …`), never the auth header's value.
 */
export class RemoteError extends Error {
  constructor(
    readonly kind: RemoteErrorKind,
    message: string,
    readonly status?: number,
    /** A 404 that is the server's "no such route" (an older Jaeger without API v3), not Jaeger's own "not found". */
    readonly noRoute = false,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}
