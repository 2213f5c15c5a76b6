// One model call recorded twice (an instrumentation's LLM span around an SDK's own client span,
// the Vercel AI SDK's `ai.generateText` around its `ai.generateText.doGenerate`) reads as one
// item in the Runs tree: the outer span's, naming the inner one, listing what the innermost
// span holds. So does one recorded side by side (OpenLLMetry's `anthropic.chat` beside the
// Anthropic SDK's `anthropic.messages.create`): the span that stands for the call shows its
// twin's name and lists its children too. The waterfall keeps every span as its own row.
import { describeSpan, isNestedLlmCall } from '../genai/conventions';
import { siblingTwinsOf } from '../genai/siblingLlmCalls';
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

/** Per list of siblings (a tree is built anew when spans arrive, so a list never changes): who is folded into whom. */
const twinsCache = new WeakMap<readonly SpanNode[], ReadonlyMap<SpanNode, SpanNode>>();

/**
 * Among `siblings` (one node's children), each LLM span recorded beside another of the same
 * call (`siblingTwinsOf`), mapped to the node whose item shows it. Stand-ins are never twins.
 */
function sideBySideTwins(siblings: readonly SpanNode[]): ReadonlyMap<SpanNode, SpanNode> {
  let twins = twinsCache.get(siblings);
  if (twins) return twins;
  const nodeOf = new Map<SpanRecord, SpanNode>();
  for (const n of siblings) if (!n.notReceived && describeSpan(n.span).kind === 'llm') nodeOf.set(n.span, n);
  const map = new Map<SpanNode, SpanNode>();
  if (nodeOf.size > 1) for (const [twin, call] of siblingTwinsOf(nodeOf.keys())) map.set(nodeOf.get(twin)!, nodeOf.get(call)!);
  twins = map;
  twinsCache.set(siblings, twins);
  return twins;
}

/** The spans folded into `node`'s item through its only child, outermost first: that child, its own, and so on. */
function nestedChain(node: SpanNode): SpanNode[] {
  const out: SpanNode[] = [];
  // Bounded by the tree's depth, as every step goes one level down.
  for (let n = node; n.children.length === 1 && foldsInto(n.children[0], n); n = n.children[0]) out.push(n.children[0]);
  return out;
}

/** `node`'s twins side by side among `siblings` (its parent's children): the spans of its call that it stands for. */
function twinsBeside(node: SpanNode, siblings: readonly SpanNode[]): SpanNode[] {
  const out: SpanNode[] = [];
  for (const [twin, call] of sideBySideTwins(siblings)) if (call === node) out.push(twin);
  return out;
}

/**
 * The spans folded into `node`'s item: those nested in it (its only child, that one's, and so
 * on, outermost first), then its twins side by side among `siblings` (its parent's children;
 * none given, none looked for), each with those nested in it.
 */
export function foldedLlmCalls(node: SpanNode, siblings: readonly SpanNode[] = []): SpanNode[] {
  const out = nestedChain(node);
  for (const twin of twinsBeside(node, siblings)) out.push(twin, ...nestedChain(twin));
  return out;
}

/**
 * What expanding `node`'s item lists: its children, or, when calls are folded into it, the
 * innermost one's; and the children of its twins side by side among `siblings`. A child
 * recorded beside another of its call is not listed: the other's item shows it.
 */
export function shownChildren(node: SpanNode, siblings: readonly SpanNode[] = []): readonly SpanNode[] {
  const innermost = (n: SpanNode) => nestedChain(n).at(-1) ?? n;
  const beside = twinsBeside(node, siblings);
  const children = beside.length === 0 ? innermost(node).children : [innermost(node), ...beside.map(innermost)].flatMap((n) => n.children);
  const twins = sideBySideTwins(innermost(node).children);
  return twins.size === 0 ? children : children.filter((c) => !twins.has(c));
}

/** The node whose item shows `node`: itself, the outer span it is folded into, or the twin beside it that stands for its call. */
export function itemNodeOf(node: SpanNode, parentOf: (node: SpanNode) => SpanNode | undefined): SpanNode {
  let n = node;
  // Bounded by the tree's depth: a twin's call is no twin, so every other step goes one level up.
  for (let p = parentOf(n); p !== undefined; p = parentOf(n)) {
    const call = sideBySideTwins(p.children).get(n);
    if (call !== undefined) n = call;
    else if (foldsInto(n, p)) n = p;
    else break;
  }
  return n;
}
