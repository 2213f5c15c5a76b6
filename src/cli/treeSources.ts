import { closeSync, promises as fs, readSync } from 'node:fs';
import * as path from 'node:path';
import { decodeKeyValues } from '../core/ingest/otlp/anyValue';
import { openRegularFileSync } from '../core/ingest/regularFile';
import { memorySourceBytes } from '../core/ingest/spanSource';
import type { SpanRecord } from '../core/model/span';
import { resolveSpanSource, type SourceVia, type SpanSourceInput } from '../core/source/resolveSpanSource';
import { mappedSourceCandidates } from '../core/source/pathMapping';
import { sourceLocationOf } from '../core/source/source';
import { sourceAccess } from '../core/source/sourceAccess';

/** A span's source as `tracerun tree` prints it: relative to the workspace when found in it. */
export interface TreeSource {
  readonly path: string;
  readonly line?: number;
  readonly function?: string;
  readonly via: SourceVia;
}

/**
 * The CLI's side of the source chain (steps 1 and 2: `code.*` attributes and stack traces,
 * paths mapped into `workspace`). A span's events are read back from its file only when its
 * bytes mention a stack; the files stay open, one handle each, until `close`.
 */
export class TreeSources {
  private readonly handles = new Map<string, number | undefined>();
  private readonly existing = new Map<string, Promise<boolean>>();
  private readonly places = new Map<string, Promise<string | undefined>>();
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(private readonly workspace: string) {}

  async sourceOf(span: SpanRecord): Promise<TreeSource | undefined> {
    const recorded = sourceLocationOf(span.attributes);
    // Step 1 from memory, each recorded path looked up once: most spans of a big file end here.
    const file = recorded && (await this.placeOf(recorded.path));
    if (recorded && file) return this.shown({ path: file, line: recorded.line, function: recorded.function, via: 'attributes' });
    // Step 2 only for a span whose bytes or status message can hold a stack.
    const full = this.inputOf(span);
    if (full || span.errorMessage?.includes('\n')) {
      const input = full ?? { name: span.name, attributes: span.attributes, statusMessage: span.errorMessage, traceFile: span.origin.file };
      const resolution = await resolveSpanSource(input, { folders: [this.workspace], exists: (f) => this.exists(f) });
      if (resolution.found) return this.shown(resolution.found);
    }
    // Not here: what the attributes say, as they say it.
    return recorded && { path: recorded.path, line: recorded.line, function: recorded.function, via: 'attributes' };
  }

  private shown(found: { path: string; line: number | undefined; function: string | undefined; via: SourceVia }): TreeSource {
    const { path: file, line, function: fn, via } = found;
    return { path: sourceAccess(file, [this.workspace]) === 'inside' ? path.relative(this.workspace, file) : file, line, function: fn, via };
  }

  /** Where a recorded path is in the workspace (mapped by its suffix), once per path. */
  private placeOf(recorded: string): Promise<string | undefined> {
    let known = this.places.get(recorded);
    if (!known) {
      known = (async () => {
        for (const candidate of mappedSourceCandidates(recorded, [this.workspace])) if (await this.exists(candidate)) return candidate;
        return undefined;
      })();
      this.places.set(recorded, known);
    }
    return known;
  }

  close(): void {
    for (const fd of this.handles.values()) if (fd !== undefined) closeSync(fd);
    this.handles.clear();
  }

  private exists(file: string): Promise<boolean> {
    let known = this.existing.get(file);
    if (!known) this.existing.set(file, (known = fs.stat(file).then((s) => s.isFile(), () => false)));
    return known;
  }

  /** The span with its attributes and events from its file, when its bytes mention a stack. */
  private inputOf(span: SpanRecord): SpanSourceInput | undefined {
    const bytes = this.spanBytes(span);
    if (bytes === undefined || (bytes.indexOf('stacktrace') < 0 && bytes.indexOf('"exception') < 0)) return undefined;
    try {
      const raw = JSON.parse(bytes.toString('utf8')) as { attributes?: unknown; events?: { name?: unknown; attributes?: unknown }[] };
      return {
        name: span.name,
        attributes: decodeKeyValues(raw.attributes),
        events: (Array.isArray(raw.events) ? raw.events : []).map((e) => ({ name: String(e.name ?? ''), attributes: decodeKeyValues(e.attributes) })),
        statusMessage: span.errorMessage,
        traceFile: span.origin.file,
      };
    } catch {
      return undefined;
    }
  }

  /**
   * The span's JSON bytes from its file, in a buffer reused from span to span (valid until the
   * next call); undefined when the file can't be read again (standard input).
   */
  private spanBytes(span: SpanRecord): Buffer | undefined {
    const file = span.origin.file;
    // A trace fetched from a backend is held in memory, not in a file.
    const held = memorySourceBytes(file);
    if (held) return span.byteEnd > span.byteStart ? held.subarray(span.byteStart, span.byteEnd) : undefined;
    if (!this.handles.has(file)) {
      let fd: number | undefined;
      try {
        fd = openRegularFileSync(file);
      } catch {
        fd = undefined;
      }
      this.handles.set(file, fd);
    }
    const fd = this.handles.get(file);
    const length = span.byteEnd - span.byteStart;
    if (fd === undefined || length <= 0) return undefined;
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(Math.max(length, 2 * this.scratch.length));
    try {
      return this.scratch.subarray(0, readSync(fd, this.scratch, 0, length, span.byteStart));
    } catch {
      return undefined;
    }
  }
}
