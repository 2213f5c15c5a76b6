"""The support agent set up by the README's own Python ("Pointing an app at it"): the test
writes the README's snippets, in order, to TRACERUN_README_SETUP (its endpoints moved to the
test's receivers), and this runs them as a user's app would, then the agent. The snippets
instrument the client with opentelemetry-instrumentation-openai-v2, content as log records."""

import os
import runpy

os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "gen_ai_latest_experimental")
os.environ.setdefault("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "EVENT_ONLY")

readme = runpy.run_path(os.environ["TRACERUN_README_SETUP"])

from openai import OpenAI  # noqa: E402

import support_agent  # noqa: E402

support_agent.answer_all(OpenAI(), support_agent.QUESTIONS)
readme["provider"].shutdown()
readme["logger_provider"].shutdown()
