// One model call recorded twice (an instrumentation's LLM span around an SDK's own client span,
// the Vercel AI SDK's `ai.generateText` around its `ai.generateText.doGenerate`) reads as one
// item in the Runs tree: the outer span's, naming the inner one, listing what the innermost
// span holds. The waterfall keeps every span as its own row.
import { describeSpan, isNestedLlmCall } from '../genai/conventions';
import type { SpanRecord } from '../model/span';
import type { SpanNode } from '../model/trace';

/** The Vercel AI SDK's calls that wrap one provider call per step: `ai.generateText` → `ai.generateText.doGenerate`. */
const AI_SDK_PROVIDER_CALLS: ReadonlyMap<string, string> = new Map([
  ['ai.generateText', 'ai.generateText.doGenerate'],
  ['ai.streamText', 'ai.streamText.doStream'],
  ['ai.generateObject', 'ai.generateObject.doGenerate'],
  ['ai.streamObject', 'ai.streamObject.doStream'],
]);

function operationId(span: SpanRecord): string {
  const id = span.attributes?.['ai.operationId'];
  return typeof id === 'string' ? id : span.name;
}

/**
 * Whether two spans are one model call: an LLM span under an LLM span (`isNestedLlmCall`), or
 * the AI SDK's provider call under its own `generateText`/`streamText`/… span, which reads as
 * an agent because it may loop over several steps, but with one step is that one call.
 */
export function isSameLlmCall(child: SpanRecord, parent: SpanRecord): boolean {
  if (isNestedLlmCall(child, parent)) return true;
  const call = AI_SDK_PROVIDER_CALLS.get(operationId(parent));
  return call !== undefined && operationId(child) === call && describeSpan(child).kind === 'llm';
}

/**
 * Whether `child`'s item is folded into `parent`'s: it is the parent's only child and the two
 * are one model call (`isSameLlmCall`; a parent with more children, such as several model steps
 * and tool calls, is an agent loop and stays unfolded). Stand-ins for spans not received yet
 * are never folded: what they are is not known.
 */
export function foldsInto(child: SpanNode, parent: SpanNode): boolean {
  return parent.children.length === 1 && parent.children[0] === child && !parent.notReceived && !child.notReceived && isSameLlmCall(child.span, parent.span);
}

/** The spans folded into `node`'s item, outermost first: its only child, that one's, and so on. */
export function foldedLlmCalls(node: SpanNode): SpanNode[] {
  const out: SpanNode[] = [];
  // Bounded by the tree's depth, as every step goes one level down.
  for (let n = node; n.children.length === 1 && foldsInto(n.children[0], n); n = n.children[0]) out.push(n.children[0]);
  return out;
}

/** What expanding `node`'s item lists: its children, or, when calls are folded into it, the innermost one's. */
export function shownChildren(node: SpanNode): readonly SpanNode[] {
  const folded = foldedLlmCalls(node);
  return folded.length > 0 ? folded[folded.length - 1].children : node.children;
}

/** The node whose item shows `node`: itself, or the outer span it is folded into. */
export function itemNodeOf(node: SpanNode, parentOf: (node: SpanNode) => SpanNode | undefined): SpanNode {
  let n = node;
  for (let p = parentOf(n); p !== undefined && foldsInto(n, p); p = parentOf(n)) n = p;
  return n;
}
