import { Channel } from '../src/protocol/channel';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The webview's end of the typed channel to the extension, and VS Code's saved webview state. */
export class HostConnection extends Channel {
  private readonly api: VsCodeApi;

  constructor() {
    const api = acquireVsCodeApi();
    super(
      (message) => api.postMessage(message),
      (method, err) => console.error(`${method}:`, err),
    );
    this.api = api;
    window.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
    // A page going away answers nothing more: reject what still waits.
    window.addEventListener('pagehide', () => this.dispose());
  }

  getState<T>(): T | undefined {
    return this.api.getState() as T | undefined;
  }

  setState<T>(state: T): void {
    this.api.setState(state);
  }
}
