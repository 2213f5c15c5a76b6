"""The support agent on the Anthropic client under OpenInference's Anthropic instrumentation."""

from anthropic import Anthropic
from openinference.instrumentation.anthropic import AnthropicInstrumentor

import anthropic_support
import telemetry

provider, _ = telemetry.setup("py-anthropic")
AnthropicInstrumentor().instrument(tracer_provider=provider)
anthropic_support.answer_all(Anthropic())
provider.shutdown()
