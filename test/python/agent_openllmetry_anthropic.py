"""The support agent on the Anthropic client under OpenLLMetry's Anthropic instrumentation
(Traceloop's `opentelemetry-instrumentation-anthropic`), prompts and completions on the spans."""

import os

os.environ.setdefault("TRACELOOP_TRACE_CONTENT", "true")

from anthropic import Anthropic  # noqa: E402
from opentelemetry.instrumentation.anthropic import AnthropicInstrumentor  # noqa: E402

import anthropic_support  # noqa: E402
import telemetry  # noqa: E402

provider, _ = telemetry.setup("py-openllmetry-anthropic")
AnthropicInstrumentor().instrument(tracer_provider=provider)
anthropic_support.answer_all(Anthropic())
provider.shutdown()
