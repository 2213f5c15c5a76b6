import * as vscode from 'vscode';
import type { Attributes } from '../core/model/span';
import { loadSpanDetails } from '../core/ingest/spanDetails';
import { StackPlaces } from '../core/source/failedSpanStacks';
import { SpanLocationsMerge, type ResolvedPlaces, type SpanLocations } from '../core/source/functionSpans';
import { mappedSourceCandidates } from '../core/source/pathMapping';
import { resolveSpanSource } from '../core/source/resolveSpanSource';
import { keepNewestRefs, runDigests, type RunDigest } from '../core/source/runDigest';
import { runStepsSliced, SharedRun, STEP_ITEMS } from '../core/util/steps';
import { DisposableStore } from './disposable';
import type { SpanSourceServices } from './symbolSource';
import type { TraceRunService } from './traceRunService';

/** New spans re-index at most this often: each build walks the changed runs' spans and every run's places. */
const REINDEX_DELAY_MS = 1500;
/** How long a path's or a name's resolution is trusted before it is looked up again (files come and go). */
const RESOLUTION_TTL_MS = 30_000;
/** Distinct recorded paths and span names resolved per build, at most. */
const MAX_PATHS = 2000;
const MAX_NAMES = 200;
/** A name no symbol answered is asked again this many times, this far apart: the language server may be starting. */
const NAME_RETRIES = 6;
const NAME_RETRY_MS = 10_000;

type Place = { readonly file: string; readonly line: number | undefined } | null;

/**
 * Where every loaded span's code is, for the lenses, hovers and "Show Spans for Function":
 * by `code.*` attributes (paths mapped into the workspace) or, for spans without them, by
 * the workspace symbol their name points at (when only one fits, or the user chose one before).
 * A failed span without `code.*` goes where its stack trace says it failed (as Go to Source
 * finds it): its error text first, else its details read back, a few spans per build and each
 * once (`StackPlaces`); failed tool spans are often tied to their code by nothing else.
 * Each run is summed up by raw place once per revision (`runDigest`: kept while the run is,
 * so evicted runs are not read back and unchanged ones not walked again); the distinct paths
 * and names are resolved (few, and cached), then the changed runs' digests are merged by file
 * and line into the index kept from the last build, in time slices. Rebuilt after the traces
 * change, debounced for live runs.
 */
export class SpanLocationIndex extends DisposableStore {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  /** The index is stale: lenses and hovers ask again. */
  readonly onDidChange = this.changeEmitter.event;
  private index: SpanLocations | undefined;
  private stale = true;
  private readonly building = new SharedRun<SpanLocations>();
  /** The index between builds: only runs whose digest changed are placed again. */
  private readonly merge = new SpanLocationsMerge();
  private lastBuildMs = 0;
  private reindexTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly paths = new Map<string, Place>();
  private readonly names = new Map<string, Place>();
  private readonly stacks = new StackPlaces();
  private forgetStacks = false;
  private resolvedAt = 0;
  private nameRetries = 0;
  private notifyWhenBuilt = false;

  constructor(
    private readonly service: TraceRunService,
    private readonly sources: SpanSourceServices,
  ) {
    super();
    this.register({ dispose: () => (clearTimeout(this.reindexTimer), clearTimeout(this.retryTimer)) });
    this.register(service.store.onDidChange(() => ((this.nameRetries = 0), this.scheduleReindex())));
    this.register(service.onDidReadFiles(() => this.reindexNow()));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('tracerun.pathMappings') && this.reindexNow(true)));
    this.register(vscode.workspace.onDidCreateFiles(() => this.reindexNow(true)));
    if (service.ready) this.reindexNow();
  }

  /** The file a recorded `code.*` path (with a line) is, once a build has looked it up: the first build is waited for. */
  async resolvedPath(recorded: string): Promise<string | undefined> {
    await this.current();
    return this.paths.get(recorded)?.file;
  }

  get ready(): boolean {
    return this.service.ready;
  }

  /**
   * The index as the traces are now. One build at a time; while one runs, callers get the
   * previous index at once (a lens or hover never waits on the symbol provider) and
   * `onDidChange` fires when the new one is there. Only the first build is waited for.
   */
  current(): Promise<SpanLocations> {
    if (this.index && !this.stale) return Promise.resolve(this.index);
    const build = this.building.run(async () => {
      this.stale = false;
      const started = Date.now();
      const digests = await runStepsSliced(runDigests(this.service.workspace.store.runs()));
      // Across files, as each file's index did within it: references no lens lists are let go.
      keepNewestRefs(digests);
      await this.resolvePlaces(digests);
      const index = await runStepsSliced(this.merge.update(digests, this.resolved));
      this.index = index;
      this.lastBuildMs = Date.now() - started;
      if (this.notifyWhenBuilt) {
        this.notifyWhenBuilt = false;
        this.changeEmitter.fire();
      }
      return index;
    });
    if (!this.index) return build;
    // Its failure reaches whoever waits on a first build; here the old index stands.
    build.catch(() => undefined);
    this.notifyWhenBuilt = true;
    return Promise.resolve(this.index);
  }

  private readonly resolved: ResolvedPlaces = {
    path: (recorded) => this.paths.get(recorded)?.file,
    name: (key) => {
      const place = this.names.get(key);
      return place && place.line !== undefined ? { file: place.file, line: place.line } : undefined;
    },
    stack: (spanKey) => this.stacks.get(spanKey) ?? undefined,
  };

  /** Resolves the distinct recorded paths and span names not resolved lately. */
  private async resolvePlaces(digests: readonly RunDigest[]): Promise<void> {
    if (Date.now() - this.resolvedAt > RESOLUTION_TTL_MS) {
      this.paths.clear();
      this.names.clear();
      this.resolvedAt = Date.now();
    }
    const context = this.sources.quiet();
    const newPaths = new Set<string>();
    const newNames = new Map<string, { readonly name: string; readonly attributes: Attributes | undefined }>();
    let work = 0;
    // The digests' places, not the spans: a name that names no code (`chat gpt-4o`) is not in them.
    for (const digest of digests) {
      if (++work % STEP_ITEMS === 0) await new Promise((r) => setImmediate(r));
      for (const { path: recorded } of digest.paths) {
        if (!this.paths.has(recorded) && newPaths.size < MAX_PATHS) newPaths.add(recorded);
      }
      for (const named of digest.names) {
        if (!this.names.has(named.key) && !newNames.has(named.key) && newNames.size < MAX_NAMES) newNames.set(named.key, named);
      }
      // A failed span whose stack finds nothing goes where its name points.
      for (const f of digest.failed) {
        if (f.key !== undefined && !this.names.has(f.key) && !newNames.has(f.key) && newNames.size < MAX_NAMES) newNames.set(f.key, f);
      }
    }
    for (const recorded of newPaths) {
      let found: Place = null;
      for (const candidate of mappedSourceCandidates(recorded, context.folders, context.pathMappings)) {
        if (await context.exists(candidate)) {
          found = { file: candidate, line: undefined };
          break;
        }
      }
      this.paths.set(recorded, found);
    }
    let unanswered = 0;
    for (const [key, named] of newNames) {
      const r = await resolveSpanSource({ name: named.name, attributes: named.attributes }, context);
      this.names.set(key, r.found ? { file: r.found.path, line: r.found.line } : null);
      if (!r.found) unanswered++;
    }
    if (this.forgetStacks) {
      // A file created or a mapping changed: a stack that named nothing may name a file now.
      this.forgetStacks = false;
      this.stacks.forgetUnfound();
    }
    const { more } = await this.stacks.resolve(
      digests.flatMap((d) => d.failed),
      context,
      (span) => loadSpanDetails(span),
    );
    // Spans left for later are read in the next build, soon after this one.
    if (more) this.scheduleReindex(REINDEX_DELAY_MS);
    if (unanswered > 0 && this.nameRetries < NAME_RETRIES) {
      this.nameRetries++;
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.reindexNow(true), NAME_RETRY_MS);
    }
  }

  private reindexNow(forget = false): void {
    if (forget) {
      this.resolvedAt = 0;
      this.forgetStacks = true;
    }
    clearTimeout(this.reindexTimer);
    this.reindexTimer = undefined;
    this.scheduleReindex(0);
  }

  /** The pause grows with the time a build takes: a big trace streaming in is indexed now and then. */
  private scheduleReindex(delay = Math.max(REINDEX_DELAY_MS, 4 * this.lastBuildMs)): void {
    this.reindexTimer ??= setTimeout(() => {
      this.reindexTimer = undefined;
      this.stale = true;
      this.changeEmitter.fire();
    }, delay);
  }
}
