import * as path from 'node:path';
import { describeSpan, type TokenCounts } from '../core/genai/conventions';
import { traceTokens } from '../core/genai/traceTokens';
import { spanErrorText } from '../core/genai/spanError';
import { readTraceFiles } from '../core/ingest/readTraceFiles';
import { withLogRecords } from '../core/ingest/logRecordDetails';
import { loadSpanDetails } from '../core/ingest/spanDetails';
import { spanDetailsExtras } from '../core/waterfall/spanDetailsExtras';
import { foldedLlmCalls, itemNodeOf, shownChildren } from '../core/runs/nestedLlmCalls';
import type { ConversationMessageView } from '../protocol/waterfall';
import { isInProgress, spanDurationMs, StatusCode, type SpanRecord } from '../core/model/span';
import { lastEndBelow, settledStandIn } from '../core/model/standIns';
import type { SpanNode, Trace, TraceTree } from '../core/model/trace';
import type { TraceStore } from '../core/model/traceStore';
import { msBetween, nsToIso } from '../core/model/time';
import { formatDuration, tokensText } from '../protocol/format';
import { firstLine, terminalSafe } from './terminalText';
import { TreeSources, type TreeSource } from './treeSources';

export interface TreeOptions {
  readonly json: boolean;
  /** With `json`: each span's conversation and time to first token, read back from the files. */
  readonly messages?: boolean;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Where span sources are looked for (`--workspace`, default the current folder). */
  readonly workspace?: string;
}

interface JsonSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: string;
  /** 0 while `inProgress`. */
  durationMs: number;
  /** Exported before it ended. */
  inProgress?: true;
  /** A stand-in for a parent span that has not arrived, holding the spans that name it. */
  notReceived?: true;
  /**
   * One model call recorded twice (nested, or side by side): the span whose line in the text
   * tree (and item in the Runs view) stands for the call, this one folded into it.
   */
  foldedInto?: string;
  status: 'ok' | 'error';
  error?: string;
  model?: string;
  tokens?: TokenCounts;
  source?: TreeSource;
  /** With --messages: milliseconds to the first token, where recorded. */
  ttftMs?: number;
  /** With --messages: the conversation as the details pane shows it. */
  messages?: JsonMessage[];
}

interface JsonMessage {
  role: string;
  direction: 'input' | 'output';
  content?: string;
  toolCalls?: { id?: string; name: string; arguments?: string }[];
  toolCallId?: string;
}


/** The children of `node`'s parent; none for a root (roots are runs, never folded side by side). */
function siblingsOf(node: SpanNode, tree: TraceTree): readonly SpanNode[] {
  return (node.span.parentSpanId ? tree.nodes.get(node.span.parentSpanId)?.children : undefined) ?? [];
}

/**
 * Depth-first, children in sibling order (see `TraceTree`): the order the Runs view and
 * waterfall show. `childrenOf` picks what a line lists under it: every child (`--json`), or,
 * as the Runs view does, what a call folded into it holds (`shownChildren`).
 */
function walk(trace: Trace, visit: (node: SpanNode, prefix: string, last: boolean) => void, childrenOf: (node: SpanNode, tree: TraceTree) => readonly SpanNode[] = (node) => node.children): void {
  const tree = trace.tree();
  const roots = tree.roots;
  const stack: { node: SpanNode; prefix: string; last: boolean }[] = roots.map((node, i) => ({ node, prefix: '', last: i === roots.length - 1 })).reverse();
  while (stack.length > 0) {
    const { node, prefix, last } = stack.pop()!;
    visit(node, prefix, last);
    const childPrefix = node.depth === 0 ? '' : prefix + (last ? '   ' : '│  ');
    const children = childrenOf(node, tree);
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], prefix: childPrefix, last: i === children.length - 1 });
  }
}

/** The span a node shows: a finished run's stand-in will not arrive, so it is not said to be running (`settledStandIn`). */
function shownSpan(trace: Trace, node: SpanNode, nowMs: number): SpanRecord {
  return node.notReceived && trace.state(nowMs) !== 'running' ? settledStandIn(node.span, lastEndBelow(node)) : node.span;
}

function spanJson(span: SpanRecord, source: TreeSource | undefined): JsonSpan {
  const d = describeSpan(span);
  const failed = span.statusCode === StatusCode.Error;
  return omitUndefined({
    spanId: span.spanId,
    parentSpanId: span.parentSpanId || undefined,
    name: span.name,
    kind: d.kind,
    durationMs: spanDurationMs(span),
    inProgress: isInProgress(span) ? (true as const) : undefined,
    status: failed ? 'error' : 'ok',
    error: failed ? (spanErrorText(span.errorMessage, span.attributes) ?? 'error') : undefined,
    model: d.model,
    tokens: d.tokens,
    source: source && omitUndefined({ path: source.path, line: source.line, function: source.function, via: source.via }),
  });
}

function messageJson(m: ConversationMessageView): JsonMessage {
  return omitUndefined({
    role: m.role,
    direction: m.direction,
    content: m.content,
    toolCalls: m.toolCalls?.map((c) => omitUndefined({ id: c.id, name: c.name, arguments: c.arguments })),
    toolCallId: m.toolCallId,
  });
}

/**
 * What `--messages` adds to a span: its conversation (with the content its log records
 * carried) and its time to first token, from its full details in the file. A span whose
 * details cannot be read gets neither; the reason is told once per file.
 */
async function addMessages(span: SpanRecord, json: JsonSpan, store: TraceStore, unreadable: Map<string, string>): Promise<void> {
  if (unreadable.has(span.origin.file)) return;
  try {
    const details = await withLogRecords(span, await loadSpanDetails(span), store.logRecords);
    const extras = await spanDetailsExtras(span, details, {}, async () => false);
    if (extras.ttftMs !== undefined) json.ttftMs = extras.ttftMs;
    if (extras.conversation && extras.conversation.length > 0) json.messages = extras.conversation.map(messageJson);
  } catch (err) {
    unreadable.set(span.origin.file, err instanceof Error ? err.message : String(err));
  }
}

function omitUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function tokensOf(t: TokenCounts | undefined): string | undefined {
  return t?.total === undefined ? undefined : tokensText(t, 'tokens');
}

/**
 * One span's line of the text tree: a status message is cut to its first line (`--json` keeps
 * it whole). A model call recorded twice is one line, as in the Runs view: the outer (or first)
 * span's, naming the other, with the model, tokens, failure and source of whichever states them.
 */
function spanLine(span: SpanRecord, folded: readonly SpanRecord[], sourceOf: (span: SpanRecord) => TreeSource | undefined): string {
  const d = describeSpan(span);
  const described = folded.map((f) => describeSpan(f));
  const kind = folded.length > 0 ? 'llm' : d.kind;
  const model = d.model ?? described.find((f) => f.model)?.model;
  const parts = [span.name, isInProgress(span) ? 'running' : formatDuration(spanDurationMs(span)), model ? `${kind} ${model}` : kind];
  const tokens = tokensOf(d.tokens ?? described.find((f) => f.tokens)?.tokens);
  if (tokens) parts.push(tokens);
  if (folded.length > 0) parts.push(`+ ${folded.length === 1 ? folded[0].name : `${folded.length} nested calls`}`);
  const failed = [span, ...folded].find((s) => s.statusCode === StatusCode.Error);
  if (failed) parts.push(`ERROR ${firstLine(spanErrorText(failed.errorMessage, failed.attributes) ?? '')}`.trim());
  const source = sourceOf(span) ?? folded.map(sourceOf).find((s) => s !== undefined);
  if (source) parts.push(`${source.path}${source.line ? `:${source.line}` : ''}${source.function ? ` (${source.function})` : ''}${source.via === 'stacktrace' ? ' [from its stack trace]' : ''}`);
  return parts.join('  ');
}

/** `tracerun tree <file-or-dir>... [--json [--messages]]`: each run as an indented span tree. Returns the exit code. */
export async function treeCommand(targets: readonly string[], options: TreeOptions): Promise<number> {
  const { store, files, problems } = await readTraceFiles(targets);
  // stderr reaches the terminal whatever the output format.
  for (const p of problems) options.err(terminalSafe(`${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}`));
  if (store.runs().length === 0) {
    options.err(files.length === 0 ? 'tracerun: no trace files found' : `tracerun: no spans could be read from ${files.length} file(s)`);
    return 1;
  }
  return printTree(store, options);
}

/** Prints the store's runs as `tree` does, whether they were read from files or fetched (`remoteTreeCommand`). */
export async function printTree(store: TraceStore, options: TreeOptions): Promise<number> {
  const runs = store.runs();
  const nowMs = Date.now();
  const sources = new Map<SpanRecord, TreeSource | undefined>();
  const finder = new TreeSources(path.resolve(options.workspace ?? process.cwd()));
  try {
    for (const trace of runs) for (const span of trace.allSpans()) sources.set(span, await finder.sourceOf(span));
  } finally {
    finder.close();
  }
  if (options.json) {
    const unreadable = new Map<string, string>();
    const traces = [];
    for (const trace of runs) {
      const s = trace.summary();
      const spans: JsonSpan[] = [];
      const nodes: SpanNode[] = [];
      const tree = trace.tree();
      const parentOf = (n: SpanNode) => (n.span.parentSpanId ? tree.nodes.get(n.span.parentSpanId) : undefined);
      walk(trace, (node) => {
        const json = node.notReceived ? { ...spanJson(shownSpan(trace, node, nowMs), undefined), notReceived: true as const } : spanJson(node.span, sources.get(node.span));
        const item = itemNodeOf(node, parentOf);
        if (item !== node) json.foldedInto = item.span.spanId;
        spans.push(json);
        nodes.push(node);
      });
      if (options.messages) {
        for (let i = 0; i < nodes.length; i++) if (!nodes[i].notReceived) await addMessages(nodes[i].span, spans[i], store, unreadable);
      }
      traces.push({
        traceId: trace.traceId,
        name: s.name,
        startTime: nsToIso(s.startNs),
        durationMs: msBetween(s.startNs, s.endNs),
        spanCount: s.spanCount,
        status: s.errorCount > 0 ? 'error' : 'ok',
        spans,
      });
    }
    for (const [file, message] of unreadable) options.err(terminalSafe(`tracerun: messages of the spans in ${file} not read: ${message}`));
    options.out(JSON.stringify({ traces }, null, 2));
    return 0;
  }
  // Every line of text passes through terminalSafe: trace text must not drive the terminal.
  const out = (line: string) => options.out(terminalSafe(line));
  for (const trace of runs) {
    const s = trace.summary();
    const tokens = tokensOf(traceTokens(trace));
    const head = [`▶ ${s.name}`, formatDuration(msBetween(s.startNs, s.endNs)), `${s.spanCount} span${s.spanCount === 1 ? '' : 's'}`];
    if (tokens) head.push(tokens);
    head.push(s.errorCount > 0 ? `${s.errorCount} failed` : s.hasRoot ? 'ok' : 'no root span');
    out(`${head.join('  ')}  trace ${trace.traceId}  ${nsToIso(s.startNs)}`);
    const sourceOf = (span: SpanRecord) => sources.get(span);
    walk(
      trace,
      (node, prefix, last) => {
        const orphan = node.orphan && !node.notReceived ? '  (parent missing)' : '';
        const connector = node.depth === 0 ? '' : last ? '└─ ' : '├─ ';
        const folded = foldedLlmCalls(node, siblingsOf(node, trace.tree())).map((f) => f.span);
        out(`  ${prefix}${connector}${spanLine(shownSpan(trace, node, nowMs), folded, sourceOf)}${orphan}`);
      },
      (node, tree) => shownChildren(node, siblingsOf(node, tree)),
    );
    out('');
  }
  return 0;
}
