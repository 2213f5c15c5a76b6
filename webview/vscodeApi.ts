import type { Message, NotificationType, RequestType } from '../src/protocol/messages';
import { isMessage } from '../src/protocol/messages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The webview's side of the typed protocol: notifications both ways, requests matched by id. */
export class HostConnection {
  private readonly api = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly handlers = new Map<string, (params: unknown) => void>();

  constructor() {
    window.addEventListener('message', (event: MessageEvent) => {
      const m = event.data as unknown;
      if (!isMessage(m)) return;
      if (m.kind === 'response') {
        const waiter = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.error !== undefined) waiter?.reject(new Error(m.error));
        else waiter?.resolve(m.result);
      } else if (m.kind === 'notification') {
        this.handlers.get(m.method)?.(m.params);
      }
    });
  }

  on<P>(type: NotificationType<P>, handler: (params: P) => void): void {
    this.handlers.set(type.method, handler as (params: unknown) => void);
  }

  notify<P>(type: NotificationType<P>, params: P): void {
    const message: Message = { kind: 'notification', method: type.method, params };
    this.api.postMessage(message);
  }

  request<P, R>(type: RequestType<P, R>, params: P): Promise<R> {
    const id = this.nextId++;
    const message: Message = { kind: 'request', id, method: type.method, params };
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage(message);
    });
  }

  getState<T>(): T | undefined {
    return this.api.getState() as T | undefined;
  }

  setState<T>(state: T): void {
    this.api.setState(state);
  }
}
