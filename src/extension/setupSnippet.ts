// The text of "Show Setup Snippet": how to point an app's OpenTelemetry SDK at the
// receivers. Pure text, so it is tested without VS Code.
import { RECEIVER_HOST } from '../core/receiver/receiverCommon';

export interface Endpoints {
  readonly httpPort: number | undefined;
  readonly grpcPort: number | undefined;
}

export function httpEndpoint(port: number): string {
  return `http://${RECEIVER_HOST}:${port}`;
}

/** Whether `tracerun.configureTerminals` is on: then new terminals already have the variables. */
export function setupSnippet({ httpPort, grpcPort }: Endpoints, terminalsConfigured = false): string {
  const http = httpPort !== undefined ? httpEndpoint(httpPort) : undefined;
  const grpc = grpcPort !== undefined ? httpEndpoint(grpcPort) : undefined;
  const lines: string[] = ['# Send traces to Trace Run', ''];
  lines.push(
    '`OTEL_EXPORTER_OTLP_ENDPOINT` takes one address, and exporters differ in their default',
    'protocol, so set the protocol and the port that goes with it. A short',
    '`OTEL_BSP_SCHEDULE_DELAY` makes each run show up at once instead of in 5-second batches.',
    '',
  );
  if (http) {
    lines.push(
      `## OTLP/HTTP (protobuf or JSON) on ${http}`,
      '',
      '```sh',
      `export OTEL_EXPORTER_OTLP_ENDPOINT=${http}`,
      'export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf',
      'export OTEL_BSP_SCHEDULE_DELAY=200',
      '```',
      '',
    );
  }
  if (grpc) {
    lines.push(
      `## OTLP/gRPC on ${grpc}`,
      '',
      '```sh',
      `export OTEL_EXPORTER_OTLP_ENDPOINT=${grpc}`,
      'export OTEL_EXPORTER_OTLP_PROTOCOL=grpc',
      'export OTEL_EXPORTER_OTLP_INSECURE=true',
      'export OTEL_BSP_SCHEDULE_DELAY=200',
      '```',
      '',
    );
  }
  if (!http && !grpc) lines.push('The receivers are not running here. Trace files in the workspace are still watched.', '');
  if (http || grpc) {
    lines.push(
      '## Terminals in this window',
      '',
      terminalsConfigured
        ? '`tracerun.configureTerminals` is on: terminals opened and debug sessions launched in this window already have these variables, for this window\'s receiver.'
        : 'Turn on `tracerun.configureTerminals` (or **Terminal Variables** in the menu of the receiver\'s status bar item) and terminals opened and debug sessions launched in this window get these variables, for this window\'s receiver. It is off by default because your own collector may be set in them.',
      '',
    );
  }
  if (http) {
    lines.push(
      '## Python',
      '',
      '```python',
      '# pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http',
      'from opentelemetry import trace',
      'from opentelemetry.sdk.trace import TracerProvider',
      'from opentelemetry.sdk.trace.export import BatchSpanProcessor',
      'from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter',
      '',
      'provider = TracerProvider()',
      `provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint="${http}/v1/traces"), schedule_delay_millis=200))`,
      'trace.set_tracer_provider(provider)',
      '```',
      '',
      '## Node.js / TypeScript',
      '',
      '```ts',
      '// npm install @opentelemetry/sdk-trace-node @opentelemetry/exporter-trace-otlp-proto',
      "import { NodeTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-node';",
      "import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';",
      '',
      'new NodeTracerProvider({',
      `  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: '${http}/v1/traces' }), { scheduledDelayMillis: 200 })],`,
      '}).register();',
      '```',
      '',
    );
  }
  return lines.join('\n');
}
