import { isMessage, type Message, type NotificationType, type RequestType } from './messages';

/** A request answered as cancelled: a newer request of the same method superseded it, or the channel closed. */
export class RequestCancelled extends Error {
  constructor(method: string) {
    super(`${method} was cancelled`);
    this.name = 'RequestCancelled';
  }
}

/** Handed to a request handler: set once its request is superseded or the channel closes, so long work can stop early. */
export interface CancelSignal {
  readonly cancelled: boolean;
}

export type RequestHandler<P, R> = (params: P, signal: CancelSignal) => R | Promise<R>;

interface Live {
  readonly id: number;
  readonly signal: { cancelled: boolean };
  answered: boolean;
}

interface Waiter {
  readonly method: string;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * One side of the typed message channel between the extension and a webview; the same class
 * runs on both sides. Every request is answered exactly once (result, error or cancelled),
 * even one with no handler; one request per method is live at a time, a newer one cancels
 * (and answers) the older; and closing the channel rejects whatever still waits, so no
 * promise waits forever.
 */
export class Channel {
  private nextId = 1;
  private closed = false;
  private readonly waiting = new Map<number, Waiter>();
  private readonly requestHandlers = new Map<string, RequestHandler<unknown, unknown>>();
  private readonly notificationHandlers = new Map<string, (params: unknown) => void | Promise<void>>();
  /** The request being handled per method. */
  private readonly live = new Map<string, Live>();

  /**
   * @param send posts one message to the other side.
   * @param onError told of a notification handler's failure (a request handler's goes back as the reply).
   */
  constructor(
    private readonly send: (message: Message) => void,
    private readonly onError: (method: string, error: unknown) => void = () => {},
  ) {}

  onRequest<P, R>(type: RequestType<P, R>, handler: RequestHandler<P, R>): void {
    this.requestHandlers.set(type.method, handler as RequestHandler<unknown, unknown>);
  }

  onNotification<P>(type: NotificationType<P>, handler: (params: P) => void | Promise<void>): void {
    this.notificationHandlers.set(type.method, handler as (params: unknown) => void);
  }

  notify<P>(type: NotificationType<P>, params: P): void {
    if (!this.closed) this.send({ kind: 'notification', method: type.method, params });
  }

  /** Rejects with `RequestCancelled` when superseded on the other side or when this channel closes. */
  request<P, R>(type: RequestType<P, R>, params: P): Promise<R> {
    if (this.closed) return Promise.reject(new RequestCancelled(type.method));
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.waiting.set(id, { method: type.method, resolve: resolve as (v: unknown) => void, reject });
      this.send({ kind: 'request', id, method: type.method, params });
    });
  }

  /** Feeds a message from the other side; anything that is not a protocol message is ignored. */
  receive(raw: unknown): void {
    if (this.closed || !isMessage(raw)) return;
    if (raw.kind === 'response') {
      const waiter = this.waiting.get(raw.id);
      if (!waiter) return;
      this.waiting.delete(raw.id);
      if ('cancelled' in raw) waiter.reject(new RequestCancelled(waiter.method));
      else if ('error' in raw) waiter.reject(new Error(raw.error));
      else waiter.resolve(raw.result);
    } else if (raw.kind === 'request') {
      void this.handleRequest(raw.id, raw.method, raw.params);
    } else {
      const handler = this.notificationHandlers.get(raw.method);
      if (!handler) return;
      try {
        const done = handler(raw.params);
        if (done) done.catch((err: unknown) => this.onError(raw.method, err));
      } catch (err) {
        this.onError(raw.method, err);
      }
    }
  }

  private async handleRequest(id: number, method: string, params: unknown): Promise<void> {
    const handler = this.requestHandlers.get(method);
    if (!handler) {
      this.send({ kind: 'response', id, error: `no handler for ${method}` });
      return;
    }
    const older = this.live.get(method);
    if (older) this.cancel(older);
    const live: Live = { id, signal: { cancelled: false }, answered: false };
    this.live.set(method, live);
    let reply: Message;
    try {
      const result = await handler(params, live.signal);
      reply = live.signal.cancelled ? { kind: 'response', id, cancelled: true } : { kind: 'response', id, result };
    } catch (err) {
      reply = live.signal.cancelled || err instanceof RequestCancelled ? { kind: 'response', id, cancelled: true } : { kind: 'response', id, error: err instanceof Error ? err.message : String(err) };
    }
    if (this.live.get(method) === live) this.live.delete(method);
    this.answer(live, reply);
  }

  /** Answers a superseded request at once; its handler's eventual result is dropped. */
  private cancel(live: Live): void {
    live.signal.cancelled = true;
    this.answer(live, { kind: 'response', id: live.id, cancelled: true });
  }

  private answer(live: Live, reply: Message): void {
    if (live.answered || this.closed) return;
    live.answered = true;
    this.send(reply);
  }

  /** Cancels the requests being handled and rejects those still waiting for an answer. */
  dispose(): void {
    if (this.closed) return;
    for (const live of this.live.values()) live.signal.cancelled = true;
    this.live.clear();
    this.closed = true;
    for (const waiter of this.waiting.values()) waiter.reject(new RequestCancelled(waiter.method));
    this.waiting.clear();
  }
}
