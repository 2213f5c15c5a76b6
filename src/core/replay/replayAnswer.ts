import type { ReplayToolCall } from './replayDocument';

/** One answer from the provider to a replayed request. */
export interface ReplayAnswer {
  readonly text: string;
  readonly toolCalls: readonly ReplayToolCall[];
  readonly tokens?: { readonly input?: number; readonly output?: number };
  /** From sending the request to the last byte of the answer. */
  readonly latencyMs: number;
  /** From sending the request to the first text or tool call; absent when none came. */
  readonly ttftMs?: number;
  /** The model that answered, as the provider named it. */
  readonly model?: string;
  readonly finishReason?: string;
  /** When the request was sent, epoch ms (for the replay run's spans). */
  readonly startedAtMs: number;
}

/** Where and how one request is sent; the key is only ever handed to the client. */
export interface SendOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly signal?: AbortSignal;
  /** Each piece of text as it streams in. */
  readonly onText?: (delta: string) => void;
  /** Whole-request timeout (ms). */
  readonly timeoutMs?: number;
}

/** Measures latency and time to first token the same way for both providers. */
export class AnswerClock {
  readonly startedAtMs = Date.now();
  private readonly start = performance.now();
  private first: number | undefined;

  token(): void {
    this.first ??= performance.now() - this.start;
  }

  get ttftMs(): number | undefined {
    return this.first;
  }

  elapsedMs(): number {
    return performance.now() - this.start;
  }
}
