"""The support agent under OpenLLMetry's OpenAI instrumentation (Traceloop's
`opentelemetry-instrumentation-openai`), prompts and completions on the spans."""

import os

os.environ.setdefault("TRACELOOP_TRACE_CONTENT", "true")

from openai import OpenAI  # noqa: E402
from opentelemetry.instrumentation.openai import OpenAIInstrumentor  # noqa: E402

import support_agent  # noqa: E402
import telemetry  # noqa: E402

provider, _ = telemetry.setup("py-openllmetry")
OpenAIInstrumentor().instrument(tracer_provider=provider)
support_agent.answer_all(OpenAI(), support_agent.QUESTIONS)
provider.shutdown()
