"""The support agent under Pydantic Logfire: its own spans (`logfire.span`, with code.* source
attributes) and `logfire.instrument_openai()`. send_to_logfire=False keeps it away from its
cloud; it exports to the OTLP endpoint in OTEL_EXPORTER_OTLP_ENDPOINT (Logfire reads the
standard variables). With TRACERUN_PENDING_SPANS_URL it also sends pending spans (the
placeholders Logfire emits when a span starts, so running spans show) to that OTLP/HTTP base
URL: Logfire sends them only to exporters wrapped in its RemovePendingSpansExporter, which it
does not export publicly."""

import os
import time

import logfire
from openai import OpenAI

import support_agent

processors = []
pending_url = os.environ.get("TRACERUN_PENDING_SPANS_URL")
if pending_url:
    from logfire._internal.exporters.remove_pending import RemovePendingSpansExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    processors.append(BatchSpanProcessor(RemovePendingSpansExporter(OTLPSpanExporter(endpoint=pending_url + "/v1/traces"))))

logfire.configure(service_name="py-logfire", send_to_logfire=False, console=False, additional_span_processors=processors)
logfire.instrument_openai()

# Long enough for a test to see a run while it is still running.
with logfire.span("warm_up"):
    time.sleep(float(os.environ.get("TRACERUN_SLOW_SECONDS", "0")))
support_agent.answer_all(OpenAI(), support_agent.QUESTIONS, span=logfire.span)
logfire.shutdown()
