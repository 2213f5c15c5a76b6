import type { SpanNode, TraceTree } from '../model/trace';
import { runSteps, STEP_ITEMS, type Steps } from '../util/steps';

/** One row of a comparison: a span of run A and its counterpart in run B; either may be missing. */
export interface AlignedPair {
  readonly a: SpanNode | undefined;
  readonly b: SpanNode | undefined;
  /** Depth in the merged tree. */
  readonly depth: number;
  /** Index of the pair this one sits under; -1 at the top. */
  readonly parent: number;
}

/**
 * Pairs the children of two matched spans: the k-th sibling named X in A with the k-th named
 * X in B. That is "name and position among siblings": a retry that ran 3 times in A and 5 in B
 * pairs 3 and leaves B's last 2 alone; a span inserted or removed shifts nothing else; siblings
 * that swapped places still pair by name. Linear, so a 50,000-sibling fan-out stays cheap
 * (an LCS over it would not).
 *
 * Returns the merged sibling list: A's siblings in A's order, B-only siblings among them.
 */
export function alignSiblings(a: readonly SpanNode[], b: readonly SpanNode[]): [SpanNode | undefined, SpanNode | undefined][] {
  // Most spans are leaves, and a span on one side only has its subtree on that side only.
  if (b.length === 0) return a.map((node) => [node, undefined]);
  if (a.length === 0) return b.map((node) => [undefined, node]);
  const byName = new Map<string, number[]>();
  for (let i = 0; i < a.length; i++) {
    const name = a[i].span.name;
    const list = byName.get(name);
    if (list) list.push(i);
    else byName.set(name, [i]);
  }
  const taken = new Map<string, number>();
  const partnerOfA = new Int32Array(a.length).fill(-1);
  /** For each B sibling, the A index it pairs with, or -1. */
  const partnerOfB = new Int32Array(b.length).fill(-1);
  for (let j = 0; j < b.length; j++) {
    const name = b[j].span.name;
    const list = byName.get(name);
    if (!list) continue;
    const k = taken.get(name) ?? 0;
    if (k >= list.length) continue;
    taken.set(name, k + 1);
    partnerOfB[j] = list[k];
    partnerOfA[list[k]] = j;
  }
  // B-only siblings go just before the A position of the next paired B sibling, so a span
  // replaced by another reads as removed, then added; those after the last pair go at the end.
  const before = new Map<number, SpanNode[]>();
  let pending: SpanNode[] = [];
  for (let j = 0; j < b.length; j++) {
    if (partnerOfB[j] < 0) {
      pending.push(b[j]);
    } else if (pending.length > 0) {
      const at = before.get(partnerOfB[j]);
      if (at) at.push(...pending);
      else before.set(partnerOfB[j], pending);
      pending = [];
    }
  }
  const out: [SpanNode | undefined, SpanNode | undefined][] = [];
  for (let i = 0; i < a.length; i++) {
    for (const node of before.get(i) ?? []) out.push([undefined, node]);
    out.push([a[i], partnerOfA[i] >= 0 ? b[partnerOfA[i]] : undefined]);
  }
  for (const node of pending) out.push([undefined, node]);
  return out;
}

const NONE: readonly SpanNode[] = [];

/**
 * The two span trees aligned, depth first: pairs in the execution order of run A (children in
 * sibling order), spans only in B where they fall. A span on one side only brings its whole
 * subtree along as one-sided rows.
 */
export function alignTrees(a: TraceTree, b: TraceTree): AlignedPair[] {
  return runSteps(alignTreesSteps(a, b));
}

/** `alignTrees` as steps, for time slices on the extension host (see `runStepsSliced`). */
export function* alignTreesSteps(a: TraceTree, b: TraceTree): Steps<AlignedPair[]> {
  const out: AlignedPair[] = [];
  // Explicit stack: a trace may nest deeper than the call stack allows.
  const stack: AlignedPair[] = [];
  const pushChildren = (aKids: readonly SpanNode[], bKids: readonly SpanNode[], depth: number, parent: number) => {
    const merged = alignSiblings(aKids, bKids);
    for (let i = merged.length - 1; i >= 0; i--) stack.push({ a: merged[i][0], b: merged[i][1], depth, parent });
  };
  pushChildren(a.roots, b.roots, 0, -1);
  while (stack.length > 0) {
    const item = stack.pop()!;
    const index = out.length;
    out.push(item);
    pushChildren(item.a?.children ?? NONE, item.b?.children ?? NONE, item.depth + 1, index);
    if (index % STEP_ITEMS === STEP_ITEMS - 1) yield;
  }
  return out;
}
