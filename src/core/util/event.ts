/** Structurally the same as `vscode.Disposable`, so core objects can join VS Code's subscriptions. */
export interface Disposable {
  dispose(): void;
}

export type Listener<T> = (value: T) => void;
export type Event<T> = (listener: Listener<T>) => Disposable;

/** A minimal event emitter for the core, which may not import `vscode`. */
export class Emitter<T> implements Disposable {
  private listeners = new Set<Listener<T>>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (err) {
        // A faulty listener must not stop the others, nor the reader that fired.
        console.error(err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
