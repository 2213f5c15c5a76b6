import * as path from 'node:path';
import { OtlpReceivers } from '../core/receiver/otlpReceivers';
import { TraceFileWriter } from '../core/receiver/traceFileWriter';

export interface ReceiveOptions {
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly outDir: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** `tracerun receive`: the OTLP receivers without VS Code, until Ctrl+C. Returns the exit code. */
export async function receiveCommand(options: ReceiveOptions): Promise<number> {
  const dir = path.resolve(options.outDir);
  const writer = new TraceFileWriter({ dir });
  const receivers = new OtlpReceivers({
    sink: writer,
    httpPort: options.httpPort,
    grpcPort: options.grpcPort,
    onLog: (level, message) => (level === 'info' ? undefined : options.err(`${level}: ${message}`)),
  });
  const [http, grpc] = await receivers.start();
  if (http.state === 'listening' && http.address) options.out(`listening on http://${http.address.host}:${http.address.port} (OTLP/HTTP, POST /v1/traces and /v1/logs)`);
  else options.err(`tracerun: ${http.error ?? 'OTLP/HTTP receiver not started'}`);
  if (grpc.state === 'listening' && grpc.address) options.out(`listening on grpc://${grpc.address.host}:${grpc.address.port} (OTLP/gRPC)`);
  else options.err(`tracerun: ${grpc.error ?? 'OTLP/gRPC receiver not started'}`);
  if (http.state !== 'listening' && grpc.state !== 'listening') {
    receivers.dispose();
    return 1;
  }
  options.out(`writing traces to ${dir}${path.sep}otlp-YYYY-MM-DD.jsonl (Ctrl+C to stop)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await receivers.close();
  options.out(`stopped; ${receivers.spanCount} span(s) received`);
  return 0;
}
