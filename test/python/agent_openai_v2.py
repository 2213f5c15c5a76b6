"""The support agent under the official `opentelemetry-instrumentation-openai-v2` on the latest
GenAI conventions: spans with the GenAI attributes and, by default, message content as a
`gen_ai.client.inference.operation.details` log record (EVENT_ONLY; SPAN_ONLY puts it on the
span). Its legacy path (capture content `true`) emitted no log record with these versions."""

import os

os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "gen_ai_latest_experimental")
os.environ.setdefault("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "EVENT_ONLY")

from openai import OpenAI  # noqa: E402
from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor  # noqa: E402

import support_agent  # noqa: E402
import telemetry  # noqa: E402

provider, logger_provider = telemetry.setup("py-openai-v2", logs=True)
OpenAIInstrumentor().instrument(tracer_provider=provider, logger_provider=logger_provider)
support_agent.answer_all(OpenAI(), support_agent.QUESTIONS)
provider.shutdown()
logger_provider.shutdown()
