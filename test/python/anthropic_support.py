"""The support agent on the Anthropic client (Messages API, tool_use / tool_result blocks); the
agent_*anthropic*.py scripts instrument the client their own way, then run it."""

import contextlib
import json
from typing import Any

import support_agent
from support_agent import otel_span as span

LOOKUP_ORDER_TOOL = {
    "name": "lookup_order",
    "description": "Looks up an order's status by its id.",
    "input_schema": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]},
}


def answer_question(client: Any, question: str) -> str:
    with span("support_agent.run", **{"gen_ai.operation.name": "invoke_agent", "input.value": question}) as root:
        topic = client.messages.create(
            model="fake-claude-haiku",
            max_tokens=16,
            system="Classify the support question as orders, refunds or policy.",
            messages=[{"role": "user", "content": question}],
        ).content[0].text
        policies = support_agent.retrieve_policies(span, topic)
        with span("draft_answer", **{"openinference.span.kind": "CHAIN"}):
            system = "You are a careful support assistant. Policies:\n" + "\n".join(policies)
            messages = [{"role": "user", "content": question}]
            reply = client.messages.create(model="fake-claude-sonnet", max_tokens=256, system=system, messages=messages, tools=[LOOKUP_ORDER_TOOL])
            while reply.stop_reason == "tool_use":
                messages.append({"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in reply.content]})
                results = []
                for block in reply.content:
                    if block.type != "tool_use":
                        continue
                    with span(
                        "execute_tool lookup_order",
                        **{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": block.name, "gen_ai.tool.call.id": block.id, "gen_ai.tool.call.arguments": json.dumps(block.input)},
                    ):
                        results.append({"type": "tool_result", "tool_use_id": block.id, "content": support_agent.lookup_order(block.input["order_id"])})
                messages.append({"role": "user", "content": results})
                reply = client.messages.create(model="fake-claude-sonnet", max_tokens=256, system=system, messages=messages, tools=[LOOKUP_ORDER_TOOL])
        answer = "".join(b.text for b in reply.content if b.type == "text")
        support_agent.check_safety(span, answer)
        root.set_attribute("output.value", answer)
        return answer


def answer_all(client: Any) -> None:
    for q in support_agent.QUESTIONS:
        with contextlib.suppress(support_agent.OrdersAPIError, support_agent.SafetyViolation):
            print(answer_question(client, q))
