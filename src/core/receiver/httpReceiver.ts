// OTLP/HTTP trace receiver: POST /v1/traces on 127.0.0.1, protobuf or JSON, gzip or deflate.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { OtlpJsonError, readTraceRequestJson, type AcceptedTraces } from './otlpJsonRequest';
import { OtlpDecodeError, RpcCode, decodeTraceRequestProto, encodeRpcStatusProto, encodeTraceResponseProto } from './otlpProto';
import {
  DEFAULT_HTTP_PORT,
  resolveReceiverOptions,
  storeAcceptedSpans,
  PortInUseError,
  RECEIVER_HOST,
  clip,
  errorMessage,
  type ReceiverAddress,
  type ReceiverOptions,
  type ResolvedReceiverOptions,
} from './receiverCommon';

export const TRACES_PATH = '/v1/traces';

type BodyKind = 'json' | 'proto';

const CONTENT_TYPES: Record<string, BodyKind> = {
  'application/json': 'json',
  'application/x-protobuf': 'proto',
  'application/protobuf': 'proto',
};

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

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
 * decompression); 415 for other content types or encodings; 404 and 405 elsewhere. Browsers
 * may send only from pages served by this machine (CORS for loopback origins, 403 for others).
 */
export class OtlpHttpReceiver {
  private readonly options: ResolvedReceiverOptions;
  private inFlightBytes = 0;
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
    if (path !== TRACES_PATH) {
      return this.refuse(req, res, 'json', new HttpFailure(404, RpcCode.NotFound, `not found: ${clip(path, 100)} (this receiver serves POST ${TRACES_PATH})`));
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
      return this.refuse(req, res, 'json', new HttpFailure(405, RpcCode.Unimplemented, `method ${req.method} not allowed on ${TRACES_PATH}: use POST`));
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

    // Bytes held for this request, counted in `inFlightBytes` until it is answered: its declared
    // length up front, else what arrives; then its decompressed body.
    let held = 0;
    const hold = (bytes: number): boolean => {
      held += bytes;
      this.inFlightBytes += bytes;
      return this.inFlightBytes <= this.options.maxInFlightBytes || this.inFlightBytes === held;
    };
    const known = Number.isFinite(declared) && declared >= 0;
    // Held until answered: a line waiting on a slow disk counts too.
    try {
      let traces: AcceptedTraces;
      try {
        if (known && !hold(declared)) throw new Busy(this.inFlightBytes - held, this.options.maxInFlightBytes);
        const raw = await readBody(req, this.options.maxBodyBytes, known ? undefined : (bytes) => hold(bytes) || new Busy(this.inFlightBytes - held, this.options.maxInFlightBytes));
        const body = await this.decompress(raw, encoding);
        if (body !== raw) hold(body.length);
        traces = kind === 'json' ? readTraceRequestJson(body) : decodeTraceRequestProto(body);
      } catch (err) {
        if (err instanceof ClientGone) return;
        if (err instanceof Busy) res.setHeader('Retry-After', '1');
        if (err instanceof HttpFailure) return this.refuse(req, res, kind, err);
        if (err instanceof OtlpJsonError || err instanceof OtlpDecodeError) return this.refuse(req, res, kind, new HttpFailure(400, RpcCode.InvalidArgument, err.message));
        throw err;
      }

      try {
        await storeAcceptedSpans(this.options, 'http', traces);
      } catch (err) {
        // 503 is retryable: the exporter sends the batch again later.
        return this.sendStatus(req, res, kind, new HttpFailure(503, RpcCode.Unavailable, `could not store the spans: ${errorMessage(err)}`));
      }
      const partial = traces.rejectedSpans > 0 ? { rejectedSpans: traces.rejectedSpans, errorMessage: traces.rejectionMessage ?? '' } : undefined;
      if (kind === 'proto') {
        send(res, 200, 'application/x-protobuf', encodeTraceResponseProto(partial));
      } else {
        const body = partial ? { partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage } } : {};
        send(res, 200, 'application/json', JSON.stringify(body));
      }
    } finally {
      this.inFlightBytes -= held;
    }
  }

  private async decompress(raw: Buffer, encoding: string): Promise<Buffer> {
    if (encoding === 'identity') return raw;
    const gzip = encoding !== 'deflate';
    try {
      return await (gzip ? gunzip : inflate)(raw, { maxOutputLength: this.options.maxBodyBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyTooLarge(this.options.maxBodyBytes, 'the decompressed request body');
      throw new HttpFailure(400, RpcCode.InvalidArgument, `the body is not valid ${gzip ? 'gzip' : 'deflate'} data (Content-Encoding: ${encoding}): ${errorMessage(err)}`);
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
      const drainable = failure.status !== 413 && !req.readableFlowing && Number.isFinite(declared) && declared <= this.options.maxBodyBytes;
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

/** Reads the body, failing with `BodyTooLarge` as soon as it passes `limit` (nothing more is read). */
/** `onBytes` answers each chunk with true to go on, or the failure to stop with. */
function readBody(req: http.IncomingMessage, limit: number, onBytes?: (bytes: number) => true | HttpFailure): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      const failure = size > limit ? new BodyTooLarge(limit, 'the request body') : onBytes?.(chunk.length);
      if (failure instanceof HttpFailure) {
        cleanup();
        req.pause();
        reject(failure);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onGone = () => {
      cleanup();
      reject(new ClientGone('the client went away before sending the whole body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}
