"""The support agent written with LangChain (ChatOpenAI with a bound tool), under OpenInference's
LangChain instrumentation: its LLM, TOOL and chain spans come from LangChain's callbacks."""

import contextlib

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from openinference.instrumentation.langchain import LangChainInstrumentor

import support_agent
import telemetry
from support_agent import otel_span as span

provider, _ = telemetry.setup("py-langchain")
LangChainInstrumentor().instrument(tracer_provider=provider)


@tool("lookup_order")
def lookup_order(order_id: str) -> str:
    """Looks up an order's status by its id."""
    return support_agent.lookup_order(order_id)


def answer_question(question: str) -> str:
    with span("support_agent.run", **{"gen_ai.operation.name": "invoke_agent", "input.value": question}) as root:
        classifier = ChatOpenAI(model="fake-gpt-4o-mini", temperature=0)
        topic = classifier.invoke(
            [SystemMessage("Classify the support question as orders, refunds or policy."), HumanMessage(question)]
        ).content
        policies = support_agent.retrieve_policies(span, topic)
        with span("draft_answer", **{"openinference.span.kind": "CHAIN"}):
            model = ChatOpenAI(model="fake-gpt-4o", temperature=0).bind_tools([lookup_order])
            messages = [SystemMessage("You are a careful support assistant. Policies:\n" + "\n".join(policies)), HumanMessage(question)]
            reply = model.invoke(messages)
            while reply.tool_calls:
                messages.append(reply)
                messages.extend(lookup_order.invoke(call) for call in reply.tool_calls)
                reply = model.invoke(messages)
        support_agent.check_safety(span, reply.content)
        root.set_attribute("output.value", reply.content)
        return reply.content


for q in support_agent.QUESTIONS:
    with contextlib.suppress(support_agent.OrdersAPIError, support_agent.SafetyViolation):
        print(answer_question(q))
provider.shutdown()
