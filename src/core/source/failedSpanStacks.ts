import type { SpanDetails, SpanOnDisk } from '../ingest/spanDetails';
import type { Attributes } from '../model/span';
import { resolveSpanSource, type SourceContext } from './resolveSpanSource';
import { failedSpanKey } from './functionSpans';
import type { FailedPlace } from './runDigest';

/** Where a failed span's stack says it failed; null when it says nowhere in the workspace. */
export type StackPlace = { readonly file: string; readonly line: number } | null;

/** Failed spans whose details are read back per build, at most: the rest wait for the next one. */
export const STACK_READS_PER_BUILD = 50;

/**
 * Where a failed span without `code.*` failed, by step 2 of the chain only (a symbol is the
 * name's place, worked out apart): the error text kept in memory first (a stack pasted into
 * the status message costs no read), then the stacks in its details read back from its file.
 */
export async function stackPlaceOf(failed: FailedPlace, ctx: Pick<SourceContext, 'folders' | 'pathMappings' | 'exists'>, load: (span: SpanOnDisk) => Promise<Pick<SpanDetails, 'attributes' | 'events'>>): Promise<{ readonly place: StackPlace; readonly read: boolean }> {
  const files = { folders: ctx.folders, pathMappings: ctx.pathMappings, exists: ctx.exists };
  const at = async (attributes: Attributes | undefined, events?: SpanDetails['events']): Promise<StackPlace> => {
    const r = await resolveSpanSource({ name: failed.name, attributes, events, statusMessage: failed.ref.errorMessage, traceFile: failed.ref.origin.file }, files);
    return r.found?.line !== undefined ? { file: r.found.path, line: r.found.line } : null;
  };
  const inMemory = await at(failed.attributes);
  if (inMemory) return { place: inMemory, read: false };
  let details: Pick<SpanDetails, 'attributes' | 'events'>;
  try {
    details = await load(failed.ref);
  } catch {
    // Its file changed or is gone: no stack to read, the span counts by name.
    return { place: null, read: true };
  }
  return { place: await at(details.attributes, details.events), read: true };
}

/**
 * The stack places of failed spans, cached by span id (a span's stack never changes): each
 * `resolve` reads at most `STACK_READS_PER_BUILD` spans' details, in order, and says whether
 * some were left for later.
 */
export class StackPlaces {
  private readonly places = new Map<string, StackPlace>();

  constructor(private readonly maxKept = 20_000) {}

  get(spanKey: string): StackPlace | undefined {
    return this.places.get(spanKey);
  }

  /** Asks again of the stacks that named no file here: one may have been created since. */
  forgetUnfound(): void {
    for (const [key, place] of this.places) if (place === null) this.places.delete(key);
  }

  async resolve(failed: Iterable<FailedPlace>, ctx: Pick<SourceContext, 'folders' | 'pathMappings' | 'exists'>, load: (span: SpanOnDisk) => Promise<Pick<SpanDetails, 'attributes' | 'events'>>, reads = STACK_READS_PER_BUILD): Promise<{ readonly more: boolean }> {
    const list = [...failed];
    // Answers follow the runs: those of spans no run holds any more are let go.
    const keys = new Set(list.map((f) => failedSpanKey(f.ref)));
    for (const key of this.places.keys()) if (!keys.has(key)) this.places.delete(key);
    let left = reads;
    for (const f of list) {
      const key = failedSpanKey(f.ref);
      if (this.places.has(key)) continue;
      // Past the cap the rest count where their name points, and are not asked for again: an
      // answer dropped to make room would be needed by the next build, which would read it
      // back and drop another, for ever.
      if (this.places.size >= this.maxKept) return { more: false };
      if (left <= 0) return { more: true };
      const { place, read } = await stackPlaceOf(f, ctx, load);
      if (read) left--;
      this.places.set(key, place);
      // Another turn of the event loop between spans: a lens or a keystroke is not held up.
      await new Promise((r) => setImmediate(r));
    }
    return { more: false };
  }
}
