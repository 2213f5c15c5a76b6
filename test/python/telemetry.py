"""Where the agents send their telemetry, from TRACERUN_EXPORT: a comma-separated list of
`http=<base url>` (OTLP/HTTP protobuf), `grpc=<url>` (OTLP/gRPC), `file=<path>` (OTLP JSON
lines, the contrib file exporter) and `console=<path>` (ConsoleSpanExporter's output). Logs
(content as log records) go to the same places when an instrumentation writes them."""

import os
from typing import Iterator

from opentelemetry import _logs, trace
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter


def _targets() -> Iterator[tuple[str, str]]:
    for target in filter(None, os.environ.get("TRACERUN_EXPORT", "").split(",")):
        kind, _, where = target.partition("=")
        yield kind, where


def span_exporters() -> list[SpanExporter]:
    exporters: list[SpanExporter] = []
    for kind, where in _targets():
        if kind == "http":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporters.append(OTLPSpanExporter(endpoint=where.rstrip("/") + "/v1/traces"))
        elif kind == "grpc":
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter

            exporters.append(GrpcSpanExporter(endpoint=where, insecure=True))
        elif kind == "file":
            from opentelemetry.exporter.otlp.json.file import FileSpanExporter

            exporters.append(FileSpanExporter(where))
        elif kind == "console":
            exporters.append(ConsoleSpanExporter(out=open(where, "a", encoding="utf-8")))
        else:
            raise SystemExit(f"TRACERUN_EXPORT: unknown target {kind!r}")
    return exporters


def log_exporters() -> list[LogRecordExporter]:
    exporters: list[LogRecordExporter] = []
    for kind, where in _targets():
        if kind == "http":
            from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter

            exporters.append(OTLPLogExporter(endpoint=where.rstrip("/") + "/v1/logs"))
        elif kind == "grpc":
            from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as GrpcLogExporter

            exporters.append(GrpcLogExporter(endpoint=where, insecure=True))
        elif kind == "file":
            from opentelemetry.exporter.otlp.json.file._log_exporter import FileLogExporter

            exporters.append(FileLogExporter(where))
    return exporters


def setup(service_name: str, logs: bool = False) -> tuple[TracerProvider, LoggerProvider | None]:
    """Registers a tracer provider (and a logger provider when `logs`) exporting to every target."""
    resource = Resource.create({"service.name": service_name})
    provider = TracerProvider(resource=resource)
    for exporter in span_exporters():
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    logger_provider = None
    if logs:
        logger_provider = LoggerProvider(resource=resource)
        for exporter in log_exporters():
            logger_provider.add_log_record_processor(BatchLogRecordProcessor(exporter))
        _logs.set_logger_provider(logger_provider)
    return provider, logger_provider
