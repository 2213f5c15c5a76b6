// The context keys Trace Run sets, which `when` clauses and the walkthrough's
// `onContext:` completion events read. No `vscode` import: a unit test checks package.json
// names only these, and that the extension sets each of them.
export const ContextKeys = {
  /** The receiver accepted a span, or a watched trace file gave one: traces reach this window. */
  SpanReceived: 'tracerun.spanReceived',
  /** The store holds a run from the workspace's trace files or the receiver (not the sample). */
  HasRuns: 'tracerun.hasRuns',
  /** A waterfall panel was opened in this window. */
  WaterfallOpened: 'tracerun.waterfallOpened',
  /**
   * Go to Source opened a span's file, from any of its places (the Runs view, the waterfall's
   * details or a stack frame in them, the compare panel): the walkthrough's last step.
   */
  SourceOpened: 'tracerun.sourceOpened',
  /** `tracerun.backends` lists a backend: the remote commands apply. */
  HasBackends: 'tracerun.hasBackends',
} as const;

export type ContextKey = (typeof ContextKeys)[keyof typeof ContextKeys];
