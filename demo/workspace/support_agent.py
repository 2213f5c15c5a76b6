"""A customer-support agent, instrumented with OpenTelemetry.

Trace Run's demo writes the spans this agent would produce to .tracerun/demo-agent.jsonl;
each span's code.* attributes point back at the function below that made it.
"""

from dataclasses import dataclass


@dataclass
class Answer:
    text: str
    safe: bool


def classify_question(question: str) -> str:
    """Route the question: orders, refunds, or general policy."""
    prompt = f"Classify this support question: {question}"
    return llm.complete(prompt, model="gpt-4o-mini")


def retrieve_policies(topic: str) -> list[str]:
    """Find the policy documents that apply to the topic."""
    return vector_store.search(topic, k=3)


def lookup_order(order_id: str) -> dict:
    """Tool: fetch an order from the orders service."""
    return orders_api.get(order_id)


def draft_answer(question: str, policies: list[str]) -> str:
    """Ask the model for an answer; it may call the lookup_order tool."""
    messages = [
        {"role": "system", "content": "You are a careful support assistant."},
        {"role": "user", "content": question},
    ]
    return llm.chat(messages, tools=[lookup_order], context=policies)


def check_safety(draft: str) -> bool:
    """Guardrail: reject drafts that promise refunds we can't give."""
    return moderation.check(draft)


def run_support_agent(question: str) -> Answer:
    topic = classify_question(question)
    policies = retrieve_policies(topic)
    draft = draft_answer(question, policies)
    return Answer(text=draft, safe=check_safety(draft))
