"""The support agent under OpenInference's OpenAI instrumentation (Arize Phoenix's)."""

from openai import OpenAI
from openinference.instrumentation.openai import OpenAIInstrumentor

import support_agent
import telemetry

provider, _ = telemetry.setup("py-openinference")
OpenAIInstrumentor().instrument(tracer_provider=provider)
support_agent.answer_all(OpenAI(), support_agent.QUESTIONS)
provider.shutdown()
