// The official OpenTelemetry JS SDK, exporting OTLP/HTTP protobuf to Trace Run's receiver.
import { context, trace, SpanStatusCode, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { codeAttributes } from './codeLocation';

export const endpoint = (process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318').replace(/\/$/, '');

export const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'support-agent', 'service.version': '0.4.0', 'deployment.environment.name': 'dev' }),
  spanProcessors: [
    // A short delay so each run shows up at once instead of in 5-second batches.
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }), { scheduledDelayMillis: 200 }),
  ],
});
provider.register();

export const tracer: Tracer = trace.getTracer('support-agent', '0.4.0');

/**
 * Runs `fn` in a new active span that records where it was started (`code.*`), its error
 * (status and an exception event) and its end, as an instrumentation library would.
 */
export async function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  const span = tracer.startSpan(name, { attributes: { ...codeAttributes(1), ...attributes } });
  try {
    return await context.with(trace.setSpan(context.active(), span), () => fn(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}
