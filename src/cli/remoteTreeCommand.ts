import { DEFAULT_REMOTE_PAGE_SIZE } from '../core/config/defaults';
import { JaegerClient, type JaegerBackend } from '../core/remote/jaegerClient';
import { addRemoteSpans } from '../core/remote/remoteRuns';
import { RemoteError } from '../core/remote/remoteError';
import { TraceStore } from '../core/model/traceStore';
import { printTree, type TreeOptions } from './treeCommand';
import { terminalSafe } from './terminalText';

export interface RemoteTreeOptions extends TreeOptions {
  readonly jaeger: string;
  /** One trace by id… */
  readonly traceId?: string;
  /** …or the recent traces of a service. */
  readonly service?: string;
  readonly operation?: string;
  readonly sinceMs?: number;
  readonly limit?: number;
  /** `Name: value` from TRACERUN_JAEGER_HEADER (not a flag: flags show in `ps`). */
  readonly header?: string;
  readonly timeoutMs?: number;
}

/** Splits `Name: value`; undefined when there is no name before a colon. */
export function parseHeader(text: string | undefined): JaegerBackend['header'] {
  const i = text?.indexOf(':') ?? -1;
  if (!text || i <= 0) return undefined;
  return { name: text.slice(0, i).trim(), value: text.slice(i + 1).trim() };
}

/** `tracerun tree --jaeger URL (--trace ID | --service NAME [--since 1h])`: the same tree, from a Jaeger. */
export async function remoteTreeCommand(options: RemoteTreeOptions): Promise<number> {
  const client = new JaegerClient({ name: options.jaeger, url: options.jaeger, header: parseHeader(options.header) }, { timeoutMs: options.timeoutMs });
  const store = new TraceStore();
  try {
    const fetched = options.traceId
      ? await client.trace(options.traceId)
      : await client.search({
          service: options.service!,
          operation: options.operation,
          startMax: new Date(),
          startMin: new Date(Date.now() - (options.sinceMs ?? 3_600_000)),
          limit: options.limit ?? DEFAULT_REMOTE_PAGE_SIZE,
        });
    for (const p of fetched.problems) options.err(terminalSafe(`tracerun: ${p}`));
    addRemoteSpans(store, fetched);
  } catch (err) {
    if (!(err instanceof RemoteError)) throw err;
    options.err(terminalSafe(`tracerun: ${err.message}`));
    return 1;
  }
  if (store.runs().length === 0) {
    options.err(`tracerun: no traces of service "${options.service}" in ${options.jaeger} in that time`);
    return 1;
  }
  return printTree(store, options);
}
