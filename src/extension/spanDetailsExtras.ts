import type { SpanDetails } from '../core/spanDetails';
import type { SpanRecord } from '../core/span';
import { parseStackTrace } from '../core/stackFrames';
import type { StackFrameView } from '../protocol/waterfall';
import { frameExists } from './goToSource';
import type { DetailsExtras } from './spanDetailsView';

const MAX_LINKED_FRAMES = 64;

/** The exception's stack trace, its frames linked where they point at files that exist here. */
async function stackOf(span: SpanRecord, details: SpanDetails): Promise<StackFrameView[] | undefined> {
  const exception = details.events.find((e) => e.name === 'exception' && typeof e.attributes['exception.stacktrace'] === 'string');
  if (!exception) return undefined;
  const frames = parseStackTrace(exception.attributes['exception.stacktrace'] as string);
  let checked = 0;
  const out: StackFrameView[] = [];
  for (const f of frames) {
    if (f.path && checked++ < MAX_LINKED_FRAMES && (await frameExists(f.path, span.origin.file))) out.push(f);
    else out.push({ text: f.text });
  }
  return out;
}

/** What the details pane shows beyond the attributes: the stack trace, and more to come. */
export async function spanDetailsExtras(span: SpanRecord, details: SpanDetails): Promise<DetailsExtras> {
  return { stack: await stackOf(span, details) };
}
