"""The seed's support assistant in Python (demo/supportAgent.ts is the TypeScript one):
classify the question, retrieve policy docs, draft an answer with a model call that may call
the `lookup_order` tool, then check the draft. Model calls go through the OpenAI client to
whatever OPENAI_BASE_URL says (the tests' loopback fake); each agent_*.py instruments them
its own way and passes the span factory its library uses for the agent's own steps."""

import contextlib
import json
from typing import Any, Callable, ContextManager

from opentelemetry import trace

SpanFactory = Callable[..., ContextManager[Any]]

POLICIES = {
    "orders": ["Orders ship within 2 business days.", "Tracking links are emailed when an order ships."],
    "refunds": ["Refunds are issued within 14 days of delivery for damaged goods.", "Refunds go back to the original payment method."],
    "policy": ["We ship to the EU, the UK and Norway.", "Discount codes cannot be combined."],
}

ORDERS = {"A1042": {"status": "out for delivery"}, "B2210": {"status": "being packed"}}

LOOKUP_ORDER_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup_order",
        "description": "Looks up an order's status by its id.",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
    },
}


class OrdersAPIError(Exception):
    pass


class SafetyViolation(Exception):
    pass


def otel_span(name: str, **attributes: Any) -> ContextManager[Any]:
    """The plain OpenTelemetry way: a current span that records an escaping exception."""
    return trace.get_tracer("support_agent").start_as_current_span(name, attributes=attributes)


def lookup_order(order_id: str) -> str:
    order = ORDERS.get(order_id)
    if order is None:
        raise OrdersAPIError(f"order {order_id} not found (404)")
    return json.dumps(order)


def classify_question(client: Any, question: str) -> str:
    response = client.chat.completions.create(
        model="fake-gpt-4o-mini",
        temperature=0,
        messages=[
            {"role": "system", "content": "Classify the support question as orders, refunds or policy."},
            {"role": "user", "content": question},
        ],
    )
    return response.choices[0].message.content


def retrieve_policies(span: SpanFactory, topic: str) -> list[str]:
    with span("retrieve_policies", **{"openinference.span.kind": "RETRIEVER", "input.value": topic}) as s:
        docs = POLICIES.get(topic, POLICIES["policy"])
        for i, doc in enumerate(docs):
            s.set_attribute(f"retrieval.documents.{i}.document.content", doc)
        return docs


def draft_answer(client: Any, span: SpanFactory, question: str, policies: list[str]) -> str:
    with span("draft_answer", **{"openinference.span.kind": "CHAIN"}):
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": "You are a careful support assistant. Policies:\n" + "\n".join(policies)},
            {"role": "user", "content": question},
        ]
        response = client.chat.completions.create(model="fake-gpt-4o", temperature=0, messages=messages, tools=[LOOKUP_ORDER_TOOL])
        message = response.choices[0].message
        while message.tool_calls:
            messages.append(message.model_dump(exclude_none=True))
            for call in message.tool_calls:
                arguments = json.loads(call.function.arguments)
                with span(
                    "execute_tool lookup_order",
                    **{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup_order", "gen_ai.tool.call.id": call.id, "gen_ai.tool.call.arguments": call.function.arguments},
                ) as s:
                    result = lookup_order(arguments["order_id"])
                    s.set_attribute("gen_ai.tool.call.result", result)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
            response = client.chat.completions.create(model="fake-gpt-4o", temperature=0, messages=messages, tools=[LOOKUP_ORDER_TOOL])
            message = response.choices[0].message
        return message.content


def check_safety(span: SpanFactory, draft: str) -> None:
    with span("check_safety", **{"openinference.span.kind": "GUARDRAIL", "input.value": draft}):
        if "refund" in draft.lower() and ("immediately" in draft or "guarantee" in draft):
            raise SafetyViolation("draft promises a refund outside policy")


def answer_question(client: Any, question: str, span: SpanFactory = otel_span) -> str:
    """One run: the root span every other span of the run hangs under."""
    with span(
        "support_agent.run",
        **{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "support-assistant", "input.value": question},
    ) as root:
        topic = classify_question(client, question)
        policies = retrieve_policies(span, topic)
        draft = draft_answer(client, span, question, policies)
        check_safety(span, draft)
        root.set_attribute("output.value", draft)
        return draft


def answer_all(client: Any, questions: list[str], span: SpanFactory = otel_span) -> None:
    """Runs each question; a failing run is reported (its spans say why) and the next one runs."""
    for question in questions:
        with contextlib.suppress(OrdersAPIError, SafetyViolation):
            print(answer_question(client, question, span))


QUESTIONS = ["Where is my order #A1042?", "Where is my order #Z9999?"]
