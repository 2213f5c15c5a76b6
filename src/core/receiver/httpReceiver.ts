// OTLP/HTTP trace receiver: POST /v1/traces (and /v1/logs, for GenAI content) on 127.0.0.1, protobuf or JSON, gzip or deflate.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as zlib from 'node:zlib';
import { ClientConnections } from './clientConnections';
import type { Reservation } from './inFlightBudget';
import { OtlpJsonError, readTraceRequestJson, type AcceptedTraces } from './otlpJsonRequest';
import { decodeLogsRequestProto, encodeLogsResponseProto, readLogsRequestJson } from './otlpLogsRequest';
import { OtlpDecodeError, RpcCode, decodeTraceRequestProto, encodeRpcStatusProto, encodeTraceResponseProto } from './otlpProto';
import {
  DEFAULT_HTTP_PORT,
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

export const TRACES_PATH = '/v1/traces';
/** Log records: GenAI instrumentations send prompts and completions this way, tied to their span. */
export const LOGS_PATH = '/v1/logs';

type BodyKind = 'json' | 'proto';

const CONTENT_TYPES: Record<string, BodyKind> = {
  'application/json': 'json',
  'application/x-protobuf': 'proto',
  'application/protobuf': 'proto',
};

/**
 * What decoding a body makes beside its bytes, in multiples of them, reserved before decoding
 * (measured with `npm run bench`'s floods): JSON becomes a string of the same length, the
 * parsed strings, and the reader's strings when it reads the line back; protobuf becomes
 * the line's bytes (and, for fields under 64 KiB, strings and the JSON text around them).
 */
const DECODE_COST: Record<BodyKind, number> = { json: 3, proto: 3 };

/** How long a connection whose body was refused may still drain before it is cut. */
const LINGER_MS = 1000;
/** How long `close()` lets requests in flight finish before cutting their connections. */
const CLOSE_GRACE_MS = 2000;

/** A response decided before the body is handled; carries the HTTP status. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Other requests hold too many bytes: 503, which exporters retry (after `Retry-After`). */
class Busy extends HttpFailure {
  constructor(othersBytes: number, limit: number) {
    super(503, RpcCode.Unavailable, `busy reading ${othersBytes} bytes of other requests (limit ${limit}): retry shortly`);
  }
}

/** The body stopped arriving. */
class BodyStalled extends HttpFailure {
  constructor(ms: number) {
    super(408, RpcCode.Unavailable, `no part of the request body arrived for ${ms} ms`);
  }
}

class BodyTooLarge extends HttpFailure {
  constructor(limit: number, what: string) {
    super(413, RpcCode.ResourceExhausted, `${what} is larger than the limit of ${limit} bytes`);
  }
}

/**
 * Receives OTLP/HTTP trace exports on `127.0.0.1:<port>/v1/traces` and hands each request's
 * spans, as one OTLP JSON line, to the sink; answers 200 only once the sink has written it.
 * Answers per the OTLP/HTTP spec: the `ExportTraceServiceResponse` (with `partialSuccess` when
 * spans were rejected) in the request's encoding; 400 with a `google.rpc.Status` for a body
 * that does not decode; 413 past `maxBodyBytes` (checked while reading, and again after
 * decompression, as it is produced); 503 with Retry-After when the in-flight budget (shared with
 * the gRPC receiver) is spent; 408 for a body that stops arriving; 415 for other content types
 * or encodings; 404 and 405 elsewhere. Only loopback host names are answered (421 otherwise),
 * and browsers may send only from pages served by this machine (CORS for loopback origins,
 * 403 for others).
 */
export class OtlpHttpReceiver {
  private readonly options: ResolvedReceiverOptions;
  private server: http.Server | undefined;
  private bound: ReceiverAddress | undefined;
  private closing: Promise<void> | undefined;
  /** Connections whose body was refused, draining until they are cut. */
  private readonly lingering = new Set<Socket>();

  constructor(options: ReceiverOptions) {
    this.options = resolveReceiverOptions(options, DEFAULT_HTTP_PORT);
  }

  /** The bound address once started. */
  get address(): ReceiverAddress | undefined {
    return this.bound;
  }

  /** Listens; rejects with `PortInUseError` when the port is taken. */
  start(): Promise<ReceiverAddress> {
    if (this.server) return Promise.reject(new Error('the OTLP/HTTP receiver is already started'));
    const server = http.createServer((req, res) => this.handle(req, res));
    // `Expect: 100-continue` (curl, for bodies over 1 MB): invite only a body that will be read.
    server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!(Number(req.headers['content-length']) > this.options.maxBodyBytes)) res.writeContinue();
      this.handle(req, res);
    });
    // Exporters keep connections open between batches; outlive their idle time a little.
    server.keepAliveTimeout = 65_000;
    // Node's defaults (60 s for headers, 300 s for a request) let slow clients hold sockets
    // long; bodies that stall are cut sooner still (see `receiveBody`).
    server.headersTimeout = 10_000;
    server.requestTimeout = 120_000;
    const connections = new ClientConnections(this.options.maxConnectionsPerClient, (client, cap) =>
      this.options.onLog?.('warn', `OTLP/HTTP receiver: ${client} already holds ${cap} connections: closing a new one`),
    );
    server.on('connection', (socket: Socket) => connections.admit(socket));
    this.server = server;
    return new Promise<ReceiverAddress>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.server = undefined;
        reject(err.code === 'EADDRINUSE' ? new PortInUseError('http', this.options.port) : err);
      };
      server.once('error', onError);
      server.listen({ host: RECEIVER_HOST, port: this.options.port, exclusive: true }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.options.onLog?.('error', `OTLP/HTTP receiver: ${err.message}`));
        const { address, port } = server.address() as AddressInfo;
        this.bound = { protocol: 'http', host: address, port, endpoint: `http://${address}:${port}${TRACES_PATH}` };
        resolve(this.bound);
      });
    });
  }

  /** Stops listening; requests in flight get a moment to finish. */
  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.closing ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      server.close(() => {
        clearTimeout(force);
        if (this.server === server) {
          this.server = undefined;
          this.bound = undefined;
          this.closing = undefined;
        }
        resolve();
      });
      server.closeIdleConnections();
      for (const socket of this.lingering) socket.destroy();
    });
    return this.closing;
  }

  dispose(): void {
    void this.close();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.serve(req, res).catch((err) => {
      // Nothing above should throw; if it does, answer rather than leave the client hanging.
      this.options.onLog?.('error', `OTLP/HTTP receiver: ${errorMessage(err)}`);
      if (!res.headersSent) this.sendStatus(req, res, 'json', new HttpFailure(500, RpcCode.Internal, 'internal error'));
    });
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== TRACES_PATH && path !== LOGS_PATH) {
      return this.refuse(req, res, 'json', new HttpFailure(404, RpcCode.NotFound, `not found: ${clip(path, 100)} (this receiver serves POST ${TRACES_PATH} and ${LOGS_PATH})`));
    }
    const logs = path === LOGS_PATH;
    // A browser reaching us through DNS rebinding names its own host: only loopback names pass.
    // (HTTP/1.0 clients may send no Host; a browser always does.)
    const host = req.headers.host;
    if (host !== undefined && !isLoopbackHost(host)) {
      return this.refuse(req, res, 'json', new HttpFailure(421, RpcCode.PermissionDenied, `this receiver answers only to 127.0.0.1, localhost or [::1], not to host ${clip(host, 100)}`));
    }
    // Web pages: only those served from this machine (a local web app's browser exporter,
    // with CORS); any other origin, such as a page using DNS rebinding to reach us, is refused.
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!isLoopbackOrigin(origin)) {
        return this.refuse(req, res, 'json', new HttpFailure(403, RpcCode.PermissionDenied, `requests from web pages are accepted only from this machine, not from ${clip(origin, 100)}`));
      }
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'POST');
        res.setHeader('Access-Control-Allow-Headers', clip(req.headers['access-control-request-headers'] ?? 'content-type', 500));
        res.setHeader('Access-Control-Max-Age', '600');
        res.statusCode = 204;
        res.end();
        return;
      }
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return this.refuse(req, res, 'json', new HttpFailure(405, RpcCode.Unimplemented, `method ${req.method} not allowed on ${path}: use POST`));
    }
    const mediaType = (req.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
    const kind = CONTENT_TYPES[mediaType];
    if (!kind) {
      return this.refuse(
        req,
        res,
        'json',
        new HttpFailure(415, RpcCode.InvalidArgument, `unsupported Content-Type "${clip(mediaType, 100)}": send application/x-protobuf or application/json`),
      );
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
      return this.refuse(req, res, kind, new HttpFailure(415, RpcCode.InvalidArgument, `unsupported Content-Encoding "${clip(encoding, 100)}": send gzip, deflate or none`));
    }
    const declared = Number(req.headers['content-length']);
    if (declared > this.options.maxBodyBytes) return this.refuse(req, res, kind, new BodyTooLarge(this.options.maxBodyBytes, 'the request body'));

    // Bytes held for this request, counted in the shared budget until it is answered (a line
    // waiting on a slow disk counts too): taken as they arrive or are decompressed, never
    // the declared length up front, so a stalled upload holds only what it sent.
    const budget = this.options.budget;
    const reservation = budget.open();
    const busy = () => new Busy(budget.bytes - reservation.held, budget.limit);
    try {
      let traces: AcceptedTraces;
      try {
        const body = await receiveBody(req, encoding, reservation, busy, this.options.maxBodyBytes, this.options.bodyIdleTimeoutMs);
        if (!reservation.take(body.length * DECODE_COST[kind])) throw busy();
        if (logs) traces = kind === 'json' ? readLogsRequestJson(body) : decodeLogsRequestProto(body);
        else traces = kind === 'json' ? readTraceRequestJson(body) : decodeTraceRequestProto(body);
      } catch (err) {
        if (err instanceof ClientGone) return;
        if (err instanceof Busy) res.setHeader('Retry-After', '1');
        if (err instanceof HttpFailure) return this.refuse(req, res, kind, err);
        if (err instanceof OtlpJsonError || err instanceof OtlpDecodeError) return this.refuse(req, res, kind, new HttpFailure(400, RpcCode.InvalidArgument, err.message));
        throw err;
      }
      // What decoding made is garbage now; the line is about the size of the body.
      reservation.shrinkTo(traces.line === undefined ? 0 : traces.line.length);

      try {
        await storeAcceptedSpans(this.options, 'http', traces, logs ? 'log records' : 'spans');
      } catch (err) {
        // 503 is retryable: the exporter sends the batch again later.
        return this.sendStatus(req, res, kind, new HttpFailure(503, RpcCode.Unavailable, `could not store the ${logs ? 'log records' : 'spans'}: ${errorMessage(err)}`));
      }
      const partial = traces.rejectedSpans > 0 ? { rejectedSpans: traces.rejectedSpans, errorMessage: traces.rejectionMessage ?? '' } : undefined;
      if (kind === 'proto') {
        send(res, 200, 'application/x-protobuf', logs ? encodeLogsResponseProto(partial) : encodeTraceResponseProto(partial));
      } else {
        const rejected = String(partial?.rejectedSpans);
        const body = partial ? { partialSuccess: { [logs ? 'rejectedLogRecords' : 'rejectedSpans']: rejected, errorMessage: partial.errorMessage } } : {};
        send(res, 200, 'application/json', JSON.stringify(body));
      }
    } finally {
      reservation.release();
    }
  }

  /**
   * Answers an error, possibly before the body was read. A body within the limit is then
   * drained by Node (the connection stays usable); a larger or unknown-length one is not read
   * any further and the connection ends.
   */
  private refuse(req: http.IncomingMessage, res: http.ServerResponse, kind: BodyKind, failure: HttpFailure): void {
    if (!req.complete) {
      const declared = Number(req.headers['content-length']);
      const drainable = failure.status !== 413 && failure.status !== 408 && !req.readableFlowing && Number.isFinite(declared) && declared <= this.options.maxBodyBytes;
      if (!drainable) {
        res.setHeader('Connection', 'close');
        lingerThenClose(req.socket, this.lingering);
      }
    }
    this.sendStatus(req, res, kind, failure);
  }

  private sendStatus(req: http.IncomingMessage, res: http.ServerResponse, kind: BodyKind, failure: HttpFailure): void {
    if (failure.status !== 404 && failure.status !== 405) {
      this.options.onLog?.(failure.status >= 500 ? 'error' : 'warn', `OTLP/HTTP receiver: ${failure.status} for ${req.method} ${clip(req.url ?? '', 100)}: ${failure.message}`);
    }
    if (kind === 'proto') send(res, failure.status, 'application/x-protobuf', encodeRpcStatusProto(failure.rpcCode, failure.message));
    else send(res, failure.status, 'application/json', JSON.stringify({ code: failure.rpcCode, message: failure.message }));
  }
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    const { hostname } = new URL(origin);
    return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and garbage
  }
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string | Uint8Array): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  res.end(body);
}

/**
 * After refusing a body mid-upload: Node destroys a `Connection: close` socket as soon as the
 * response is written, and closing a socket with unread input makes the kernel send a reset
 * that can beat the response to the client. Instead half-close (the response, then FIN), drop
 * whatever still arrives without keeping it, and cut the connection after a moment.
 */
function lingerThenClose(socket: Socket, lingering: Set<Socket>): void {
  const s = socket as Socket & { destroySoon?: () => void };
  s.destroySoon = () => {
    lingering.add(socket);
    socket.once('close', () => lingering.delete(socket));
    socket.once('end', () => socket.destroy());
    socket.end();
    socket.on('data', () => {});
    socket.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

class ClientGone extends Error {}

/**
 * Reads the body, decompressing as it arrives (gzip, deflate), and takes each decoded chunk
 * from the reservation as it is produced: a small compressed body that decodes to a lot is
 * stopped with `Busy` once the budget is spent, or with `BodyTooLarge` past `limit` (nothing
 * more is read either way), instead of being inflated whole first. A body that stops arriving
 * for `idleMs` fails with `BodyStalled`.
 */
function receiveBody(req: http.IncomingMessage, encoding: string, reservation: Reservation, busy: () => HttpFailure, limit: number, idleMs: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let rawSize = 0;
    let settled = false;
    const decoder = encoding === 'identity' ? undefined : encoding === 'deflate' ? zlib.createInflate() : zlib.createGunzip();
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => fail(new BodyStalled(idleMs)), idleMs);
    };
    const finish = () => {
      settled = true;
      clearTimeout(idle);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      if (decoder) {
        decoder.off('data', onDecoded);
        decoder.off('end', onDecodedEnd);
        decoder.off('drain', onDrain);
        decoder.on('error', () => {}); // whatever it still says, the request is answered
        decoder.destroy();
      }
    };
    const fail = (err: Error) => {
      if (settled) return;
      finish();
      req.pause();
      reject(err);
    };
    const keep = (chunk: Buffer, what: string): boolean => {
      size += chunk.length;
      if (size > limit) fail(new BodyTooLarge(limit, what));
      else if (!reservation.take(chunk.length)) fail(busy());
      else chunks.push(chunk);
      return !settled;
    };
    const onData = (chunk: Buffer) => {
      armIdle();
      if (!decoder) {
        keep(chunk, 'the request body');
        return;
      }
      rawSize += chunk.length;
      if (rawSize > limit) return fail(new BodyTooLarge(limit, 'the request body'));
      // Backpressure: the compressed bytes wait in the socket, not in the decoder's queue.
      if (!decoder.write(chunk)) req.pause();
    };
    const onDrain = () => {
      if (!settled) req.resume();
    };
    const onDecoded = (chunk: Buffer) => {
      keep(chunk, 'the decompressed request body');
    };
    const done = () => {
      if (settled) return;
      finish();
      if (chunks.length === 1) return resolve(chunks[0]);
      // Joining holds the chunks and their copy at once: count the copy too, then let go.
      if (!reservation.take(size)) return reject(busy());
      const body = Buffer.concat(chunks, size);
      chunks.length = 0;
      reservation.shrinkTo(reservation.held - size);
      resolve(body);
    };
    const onDecodedEnd = () => done();
    const onEnd = () => {
      if (!decoder) return done();
      clearTimeout(idle);
      decoder.end();
    };
    const onGone = () => {
      if (!req.complete) fail(new ClientGone('the client went away before sending the whole body'));
    };
    if (decoder) {
      decoder.on('data', onDecoded);
      decoder.on('end', onDecodedEnd);
      decoder.on('drain', onDrain);
      decoder.once('error', (err) =>
        fail(new HttpFailure(400, RpcCode.InvalidArgument, `the body is not valid ${encoding === 'deflate' ? 'deflate' : 'gzip'} data (Content-Encoding: ${encoding}): ${errorMessage(err)}`)),
      );
    }
    armIdle();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}
