// Both OTLP receivers behind one object, each with its own status: one port may be taken
// while the other is free.
import { Emitter, type Disposable } from '../util/event';
import { OtlpGrpcReceiver } from './grpcReceiver';
import { OtlpHttpReceiver } from './httpReceiver';
import { InFlightBudget } from './inFlightBudget';
import {
  DEFAULT_GRPC_PORT,
  DEFAULT_MAX_BODY_BYTES,
  defaultInFlightBytes,
  DEFAULT_HTTP_PORT,
  PROTOCOL_LABELS,
  PortInUseError,
  errorMessage,
  type ReceiverAddress,
  type ReceiverLog,
  type ReceiverProtocol,
} from './receiverCommon';
import type { TraceLineSink } from './traceFileWriter';

export interface OtlpReceiversOptions {
  readonly sink: TraceLineSink;
  /** OTLP/HTTP port (default 4318; 0 picks a free one); false leaves it off. */
  readonly httpPort?: number | false;
  /** OTLP/gRPC port (default 4317; 0 picks a free one); false leaves it off. */
  readonly grpcPort?: number | false;
  readonly maxBodyBytes?: number;
  /** Bytes both receivers together may hold for requests in flight (default 2 × `maxBodyBytes`). */
  readonly maxInFlightBytes?: number;
  /** A body that stops arriving for this long is cut (default 5 s). */
  readonly bodyIdleTimeoutMs?: number;
  /** Connections one client address may hold open to each receiver (default 128). */
  readonly maxConnectionsPerClient?: number;
  /** Spans written, per request. */
  readonly onSpans?: (count: number, protocol: ReceiverProtocol) => void;
  readonly onLog?: ReceiverLog;
}

export type ReceiverState = 'disabled' | 'stopped' | 'starting' | 'listening' | 'port-in-use' | 'failed';

export interface ReceiverStatus {
  readonly protocol: ReceiverProtocol;
  readonly state: ReceiverState;
  /** The bound port when listening, else the one asked for. */
  readonly port: number | undefined;
  readonly address: ReceiverAddress | undefined;
  /** Why it is not listening ('port-in-use', 'failed'). */
  readonly error: string | undefined;
}

interface Slot {
  readonly protocol: ReceiverProtocol;
  readonly port: number | false;
  receiver: OtlpHttpReceiver | OtlpGrpcReceiver | undefined;
  status: ReceiverStatus;
}

export class OtlpReceivers implements Disposable {
  private readonly slots: Slot[];
  private readonly statusEmitter = new Emitter<ReceiverStatus>();
  /** Fires whenever one receiver's status changes. */
  readonly onDidChangeStatus = this.statusEmitter.event;
  /** Spans written since construction, both protocols. */
  spanCount = 0;
  /** One budget for both receivers: a flood on one protocol cannot add to a flood on the other. */
  readonly budget: InFlightBudget;

  constructor(private readonly options: OtlpReceiversOptions) {
    this.budget = new InFlightBudget(options.maxInFlightBytes ?? defaultInFlightBytes(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
    const slot = (protocol: ReceiverProtocol, port: number | false): Slot => ({
      protocol,
      port,
      receiver: undefined,
      status: { protocol, state: port === false ? 'disabled' : 'stopped', port: port === false ? undefined : port, address: undefined, error: undefined },
    });
    this.slots = [slot('http', options.httpPort ?? DEFAULT_HTTP_PORT), slot('grpc', options.grpcPort ?? DEFAULT_GRPC_PORT)];
  }

  /** Starts both; never rejects: each outcome is in its status. Resolves with [http, grpc]. */
  async start(): Promise<ReceiverStatus[]> {
    await Promise.all(this.slots.map((s) => this.startSlot(s)));
    return this.statuses();
  }

  statuses(): ReceiverStatus[] {
    return this.slots.map((s) => s.status);
  }

  status(protocol: ReceiverProtocol): ReceiverStatus {
    return this.slots.find((s) => s.protocol === protocol)!.status;
  }

  /** Stops both. */
  async close(): Promise<void> {
    await Promise.all(
      this.slots.map(async (s) => {
        const receiver = s.receiver;
        s.receiver = undefined;
        if (!receiver) return;
        await receiver.close();
        if (s.port !== false) this.setStatus(s, { state: 'stopped', port: s.port, address: undefined, error: undefined });
      }),
    );
  }

  dispose(): void {
    void this.close().finally(() => this.statusEmitter.dispose());
  }

  private async startSlot(s: Slot): Promise<void> {
    if (s.port === false || s.receiver) return;
    const { sink, maxBodyBytes, bodyIdleTimeoutMs, maxConnectionsPerClient, onLog } = this.options;
    const onSpans = (count: number) => {
      this.spanCount += count;
      this.options.onSpans?.(count, s.protocol);
    };
    const options = { sink, port: s.port, maxBodyBytes, budget: this.budget, bodyIdleTimeoutMs, maxConnectionsPerClient, onSpans, onLog };
    const receiver = s.protocol === 'http' ? new OtlpHttpReceiver(options) : new OtlpGrpcReceiver(options);
    s.receiver = receiver;
    this.setStatus(s, { state: 'starting', port: s.port, address: undefined, error: undefined });
    try {
      const address = await receiver.start();
      this.setStatus(s, { state: 'listening', port: address.port, address, error: undefined });
      onLog?.('info', `${PROTOCOL_LABELS[s.protocol]} receiver listening on ${address.endpoint}`);
    } catch (err) {
      s.receiver = undefined;
      const inUse = err instanceof PortInUseError;
      const message = inUse ? errorMessage(err) : `${PROTOCOL_LABELS[s.protocol]} receiver could not start: ${errorMessage(err)}`;
      this.setStatus(s, { state: inUse ? 'port-in-use' : 'failed', port: s.port, address: undefined, error: message });
      onLog?.(inUse ? 'warn' : 'error', message);
    }
  }

  private setStatus(s: Slot, change: Omit<ReceiverStatus, 'protocol'>): void {
    s.status = { protocol: s.protocol, ...change };
    this.statusEmitter.fire(s.status);
  }
}
