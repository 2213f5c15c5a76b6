// What the OTLP receivers share: the loopback host, defaults, errors, logging.
import { DEFAULT_MAX_REQUEST_MB } from '../config/defaults';
import { InFlightBudget } from './inFlightBudget';
import type { AcceptedTraces } from './otlpJsonRequest';
import type { TraceLineSink } from './traceFileWriter';

/** Receivers listen on IPv4 loopback only: never on other interfaces. */
export const RECEIVER_HOST = '127.0.0.1';
export { DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT } from '../config/defaults';
/** Largest request body (and message, after decompression) accepted by default. */
export const DEFAULT_MAX_BODY_BYTES = DEFAULT_MAX_REQUEST_MB * 1024 * 1024;
/**
 * The default in-flight budget, shared by both receivers: two bodies at the limit. What a
 * request is charged includes what decoding it makes, and the garbage that leaves outlives the
 * request until the next collection, so this is what keeps a flood of 32 MiB bodies under
 * 256 MB of the extension host (`npm run bench`, `receiver.peakRssMB.*`).
 */
export function defaultInFlightBytes(maxBodyBytes: number): number {
  return 2 * maxBodyBytes;
}
/** A body that stops arriving for this long is cut (408 / DEADLINE_EXCEEDED). */
export const DEFAULT_BODY_IDLE_TIMEOUT_MS = 5000;
/** Connections one client address may hold open to the OTLP/HTTP receiver at once. */
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 128;

export type ReceiverProtocol = 'http' | 'grpc';

export const PROTOCOL_LABELS: Record<ReceiverProtocol, string> = { http: 'OTLP/HTTP', grpc: 'OTLP/gRPC' };

export interface ReceiverAddress {
  readonly protocol: ReceiverProtocol;
  readonly host: string;
  readonly port: number;
  /** What to give an exporter as its endpoint, e.g. `http://127.0.0.1:4318/v1/traces`. */
  readonly endpoint: string;
}

export type ReceiverLogLevel = 'info' | 'warn' | 'error';
export type ReceiverLog = (level: ReceiverLogLevel, message: string) => void;

/** Options both receivers take. */
export interface ReceiverOptions {
  /** Where accepted requests go: a `TraceFileWriter`, usually. */
  readonly sink: TraceLineSink;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Limit of a request body, compressed and decompressed alike. */
  readonly maxBodyBytes?: number;
  /**
   * Limit of the bytes held by requests being received at once (what arrived, decompressed,
   * plus an estimate of what decoding it makes). Past it a request gets 503 with Retry-After
   * (gRPC: UNAVAILABLE), which exporters retry, so a burst of big or compressed uploads cannot
   * take unbounded memory. Default 2 × `maxBodyBytes`. Ignored when `budget` is given.
   */
  readonly maxInFlightBytes?: number;
  /** A budget shared with another receiver (`OtlpReceivers` gives both the same one). */
  readonly budget?: InFlightBudget;
  /** A body that stops arriving for this long is cut. Default 5 s. */
  readonly bodyIdleTimeoutMs?: number;
  /** Connections one client address may hold open to the receiver; more are closed at once. Default 128. */
  readonly maxConnectionsPerClient?: number;
  /** Called with the number of spans of each request once it is written (a status bar counter). */
  readonly onSpans?: (count: number) => void;
  /** Rejected requests, write failures and the like. */
  readonly onLog?: ReceiverLog;
}

/** `ReceiverOptions` with the defaults filled in. */
export interface ResolvedReceiverOptions {
  readonly sink: TraceLineSink;
  readonly port: number;
  readonly maxBodyBytes: number;
  readonly budget: InFlightBudget;
  readonly bodyIdleTimeoutMs: number;
  readonly maxConnectionsPerClient: number;
  readonly onSpans: ((count: number) => void) | undefined;
  readonly onLog: ReceiverLog | undefined;
}

export function resolveReceiverOptions(options: ReceiverOptions, defaultPort: number): ResolvedReceiverOptions {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    sink: options.sink,
    port: options.port ?? defaultPort,
    maxBodyBytes,
    budget: options.budget ?? new InFlightBudget(options.maxInFlightBytes ?? defaultInFlightBytes(maxBodyBytes)),
    bodyIdleTimeoutMs: options.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS,
    maxConnectionsPerClient: options.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
    onSpans: options.onSpans,
    onLog: options.onLog,
  };
}

/**
 * What both receivers do with a decoded request before answering: write its accepted spans,
 * count them, and log what was rejected. Rejects (after logging) when the write failed, which
 * each protocol answers with its retryable "unavailable".
 */
export async function storeAcceptedSpans(options: ResolvedReceiverOptions, protocol: ReceiverProtocol, traces: AcceptedTraces, signal: 'spans' | 'log records' = 'spans'): Promise<void> {
  const receiver = `${PROTOCOL_LABELS[protocol]} receiver`;
  if (traces.line !== undefined) {
    try {
      await options.sink.appendLine(traces.line);
    } catch (err) {
      options.onLog?.('error', `${receiver}: could not write ${traces.acceptedSpans} ${signal}: ${errorMessage(err)}`);
      throw err;
    }
    // Log records are content for spans, not spans: they count toward no span total.
    if (signal === 'spans') {
      try {
        options.onSpans?.(traces.acceptedSpans);
      } catch (err) {
        options.onLog?.('error', `${receiver}: onSpans failed: ${errorMessage(err)}`);
      }
    }
  }
  if (traces.rejectedSpans > 0) options.onLog?.('warn', `${receiver}: ${clip(traces.rejectionMessage ?? '', 500)}`);
}

/** Another process (or receiver) already listens on the port. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  readonly code = 'EADDRINUSE';
  constructor(
    readonly protocol: ReceiverProtocol,
    readonly port: number,
    readonly host: string = RECEIVER_HOST,
  ) {
    super(`${PROTOCOL_LABELS[protocol]} receiver: port ${port} on ${host} is already in use`);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Clips client-controlled text that goes into logs and error responses. */
export function clip(text: string, max = 300): string {
  return text.length <= max ? text : text.slice(0, max) + '…';
}

/**
 * Whether a `Host` (or `:authority`) names this machine's loopback: `127.0.0.1`, `localhost`
 * or `[::1]`, with or without a port. A page that reaches us through DNS rebinding sends its
 * own host name, which this refuses.
 */
export function isLoopbackHost(host: string): boolean {
  const m = /^(\[::1\]|127\.0\.0\.1|localhost)(?::(\d{1,5}))?$/i.exec(host.trim());
  return m !== null && (m[2] === undefined || Number(m[2]) <= 65535);
}
