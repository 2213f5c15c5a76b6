// OTLP/gRPC trace receiver: opentelemetry.proto.collector.trace.v1.TraceService/Export on
// 127.0.0.1, served by @grpc/grpc-js with a hand-made service definition whose
// (de)serializers are the protobuf decoder and encoder of otlpProto (no proto-loader).
import * as grpc from '@grpc/grpc-js';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ClientConnections } from './clientConnections';
import type { AcceptedTraces } from './otlpJsonRequest';
import { LOGS_EXPORT_PATH, TRACE_EXPORT_PATH, decodeTraceRequestProto, encodeTraceResponseProto } from './otlpProto';
import { decodeLogsRequestProto, encodeLogsResponseProto } from './otlpLogsRequest';
import {
  DEFAULT_GRPC_PORT,
  resolveReceiverOptions,
  storeAcceptedSpans,
  PortInUseError,
  RECEIVER_HOST,
  clip,
  errorMessage,
  isLoopbackHost,
  type ReceiverAddress,
  type ReceiverOptions,
  type ResolvedReceiverOptions,
} from './receiverCommon';

/** What the request deserializer hands the handler: decoding never throws inside grpc-js. */
type DecodedExport = { readonly traces: AcceptedTraces; readonly logs?: true } | { readonly error: string };

type ExportResponse = { rejectedSpans: number; errorMessage: string } | undefined;

/** How long `close()` lets calls in flight finish before cutting them. */
const CLOSE_GRACE_MS = 2000;
/**
 * What one message may make grpc-js and the decoder hold, in multiples of the body limit:
 * its decompressed parts and their join, then its line's bytes (big string fields go into the
 * line as bytes, never as strings: see otlpProto's `jsonLineBytes`), measured with
 * `npm run bench`'s gRPC flood. Its size is unknown until it is read.
 */
const GRPC_MESSAGE_COST = 3;
/** How long a call waits for room in the in-flight budget before it is answered UNAVAILABLE. */
const ADMIT_WAIT_MS = 2000;

/**
 * The TraceService definition. grpc-js answers INTERNAL when a deserializer throws, but an
 * undecodable message is the client's fault (INVALID_ARGUMENT), so the deserializer returns
 * the failure and the handler answers it.
 */
export const TRACE_SERVICE_DEFINITION: grpc.ServiceDefinition<grpc.UntypedServiceImplementation> = {
  Export: {
    path: TRACE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    originalName: 'export',
    requestSerialize: () => {
      throw new Error('the trace service serializes no requests');
    },
    requestDeserialize: (bytes: Buffer): DecodedExport => {
      try {
        return { traces: decodeTraceRequestProto(bytes) };
      } catch (err) {
        return { error: errorMessage(err) };
      }
    },
    responseSerialize: (value: ExportResponse): Buffer => Buffer.from(encodeTraceResponseProto(value)),
    responseDeserialize: () => {
      throw new Error('the trace service deserializes no responses');
    },
  },
};

/**
 * The LogsService definition, for the log records GenAI instrumentations put content in;
 * decoded the same way (failures handed to the handler), written to the same file.
 */
export const LOGS_SERVICE_DEFINITION: grpc.ServiceDefinition<grpc.UntypedServiceImplementation> = {
  Export: {
    ...TRACE_SERVICE_DEFINITION.Export,
    path: LOGS_EXPORT_PATH,
    requestDeserialize: (bytes: Buffer): DecodedExport => {
      try {
        return { traces: decodeLogsRequestProto(bytes), logs: true };
      } catch (err) {
        return { error: errorMessage(err) };
      }
    },
    responseSerialize: (value: ExportResponse): Buffer => Buffer.from(encodeLogsResponseProto(value)),
  },
};

/**
 * Receives OTLP/gRPC trace exports on `127.0.0.1:<port>`; gzip- and deflate-compressed
 * messages are accepted (grpc-js decompresses them, within `maxBodyBytes`). Each request's
 * spans go to the sink as one OTLP JSON line before the call succeeds. An undecodable message
 * gets INVALID_ARGUMENT, one over the limit RESOURCE_EXHAUSTED, a failed write UNAVAILABLE
 * (which exporters retry).
 */
export class OtlpGrpcReceiver {
  private readonly options: ResolvedReceiverOptions;
  private server: grpc.Server | undefined;
  private listener: net.Server | undefined;
  private bound: ReceiverAddress | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: ReceiverOptions) {
    this.options = resolveReceiverOptions(options, DEFAULT_GRPC_PORT);
  }

  get address(): ReceiverAddress | undefined {
    return this.bound;
  }

  /**
   * Listens; rejects with `PortInUseError` when the port is taken. The socket is ours, not
   * grpc-js's (`bindAsync` has no hook on connections): each accepted connection is counted
   * against its client's cap, as the HTTP receiver's are, then handed to grpc-js.
   */
  start(): Promise<ReceiverAddress> {
    if (this.server) return Promise.reject(new Error('the OTLP/gRPC receiver is already started'));
    const server = new grpc.Server({
      'grpc.max_receive_message_length': this.options.maxBodyBytes,
      'grpc.max_send_message_length': 1024 * 1024,
      // Calls in flight per connection: exporters send one or a few at a time; this bounds
      // the messages one client can make us hold at once.
      'grpc.max_concurrent_streams': 32,
      interceptors: [(_method, call) => this.admit(call)],
    });
    const implementation: grpc.UntypedServiceImplementation = {
      Export: (call: grpc.ServerUnaryCall<DecodedExport, ExportResponse>, callback: grpc.sendUnaryData<ExportResponse>) => this.export(call, callback),
    };
    server.addService(TRACE_SERVICE_DEFINITION, implementation);
    server.addService(LOGS_SERVICE_DEFINITION, implementation);
    const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    const connections = new ClientConnections(this.options.maxConnectionsPerClient, (client, cap) =>
      this.options.onLog?.('warn', `OTLP/gRPC receiver: ${client} already holds ${cap} connections: closing a new one`),
    );
    const listener = net.createServer((socket) => {
      if (connections.admit(socket)) injector.injectConnection(socket);
    });
    this.server = server;
    this.listener = listener;
    return new Promise<ReceiverAddress>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.server = undefined;
        this.listener = undefined;
        server.forceShutdown();
        reject(err.code === 'EADDRINUSE' ? new PortInUseError('grpc', this.options.port) : err);
      };
      listener.once('error', onError);
      listener.listen({ host: RECEIVER_HOST, port: this.options.port, exclusive: true }, () => {
        listener.off('error', onError);
        listener.on('error', (err) => this.options.onLog?.('error', `OTLP/gRPC receiver: ${err.message}`));
        const { port } = listener.address() as AddressInfo;
        this.bound = { protocol: 'grpc', host: RECEIVER_HOST, port, endpoint: `http://${RECEIVER_HOST}:${port}` };
        resolve(this.bound);
      });
    });
  }

  /** Stops listening; calls in flight get a moment to finish. */
  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    // No new connections; those open finish their calls (grpc-js closes their sessions).
    this.listener?.close();
    this.closing ??= new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(force);
        if (this.server === server) {
          this.server = undefined;
          this.listener = undefined;
          this.bound = undefined;
          this.closing = undefined;
        }
        resolve();
      };
      const force = setTimeout(() => {
        server.forceShutdown();
        finish();
      }, CLOSE_GRACE_MS);
      server.tryShutdown(finish);
    });
    return this.closing;
  }

  dispose(): void {
    void this.close();
  }

  /**
   * grpc-js reads, decompresses and decodes a message before the handler sees it, with no
   * hook in between; what it reads is held in memory (up to `maxBodyBytes` decompressed). So
   * a call is admitted before its message is read: its metadata is held back (grpc-js starts
   * reading only once it is passed on) until the shared budget has room for the worst a message can cost,
   * waiting a moment for it, else UNAVAILABLE (retried by exporters). Once decoded, the call
   * keeps only its line's size. A message that does not arrive in time is cut, so stalled
   * calls cannot keep the budget. Calls naming a host other than loopback are refused.
   */
  private admit(call: grpc.ServerInterceptingCallInterface): grpc.ServerInterceptingCall {
    const { budget, maxBodyBytes, bodyIdleTimeoutMs, onLog } = this.options;
    const reservation = budget.open();
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const end = () => {
      ended = true;
      clearTimeout(timer);
      reservation.release();
    };
    const refuse = (code: grpc.status, details: string) => {
      onLog?.('warn', `OTLP/gRPC receiver: ${grpc.status[code]}: ${details}`);
      end();
      call.sendStatus({ code, details, metadata: null });
    };
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const host = call.getHost();
        if (host && !isLoopbackHost(host)) {
          refuse(grpc.status.PERMISSION_DENIED, `this receiver answers only to 127.0.0.1, localhost or [::1], not to host ${clip(host, 100)}`);
          return;
        }
        void reservation.takeWhenFree(GRPC_MESSAGE_COST * maxBodyBytes, ADMIT_WAIT_MS).then((admitted) => {
          if (ended) return;
          if (!admitted) {
            refuse(grpc.status.UNAVAILABLE, `busy reading ${budget.bytes} bytes of other requests (limit ${budget.limit}): retry shortly`);
            return;
          }
          const allowedMs = 2 * bodyIdleTimeoutMs;
          timer = setTimeout(() => refuse(grpc.status.DEADLINE_EXCEEDED, `the message did not arrive within ${allowedMs} ms`), allowedMs);
          next(metadata);
        });
      })
      .withOnReceiveMessage((message: DecodedExport, next) => {
        if (ended) return;
        clearTimeout(timer);
        const line = 'traces' in message ? message.traces.line : undefined;
        reservation.shrinkTo(line === undefined ? 0 : line.length);
        next(message);
      })
      .withOnCancel(end)
      .build();
    const responder = new grpc.ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendStatus((status, next) => {
        end();
        next(status);
      })
      .build();
    return new grpc.ServerInterceptingCall(call, responder);
  }

  private export(call: grpc.ServerUnaryCall<DecodedExport, ExportResponse>, callback: grpc.sendUnaryData<ExportResponse>): void {
    const decoded = call.request;
    if ('error' in decoded) {
      this.options.onLog?.('warn', `OTLP/gRPC receiver: INVALID_ARGUMENT: ${clip(decoded.error, 500)}`);
      callback({ code: grpc.status.INVALID_ARGUMENT, details: decoded.error });
      return;
    }
    const traces = decoded.traces;
    const signal = decoded.logs ? 'log records' : 'spans';
    storeAcceptedSpans(this.options, 'grpc', traces, signal).then(
      () => callback(null, traces.rejectedSpans > 0 ? { rejectedSpans: traces.rejectedSpans, errorMessage: traces.rejectionMessage ?? '' } : undefined),
      (err: unknown) => callback({ code: grpc.status.UNAVAILABLE, details: `could not store the ${signal}: ${errorMessage(err)}` }),
    );
  }
}
