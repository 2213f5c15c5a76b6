import { closeSync, openSync, promises as fs, readSync } from 'node:fs';
import * as path from 'node:path';
import { decodeKeyValues } from '../core/ingest/otlp/anyValue';
import type { SpanRecord } from '../core/model/span';
import { resolveSpanSource, type SourceVia, type SpanSourceInput } from '../core/source/resolveSpanSource';
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

  constructor(private readonly workspace: string) {}

  async sourceOf(span: SpanRecord): Promise<TreeSource | undefined> {
    const recorded = sourceLocationOf(span.attributes);
    const input = this.inputOf(span);
    const resolution = await resolveSpanSource(input, {
      folders: [this.workspace],
      exists: (file) => this.exists(file),
    });
    if (resolution.found) {
      const { path: file, line, function: fn, via } = resolution.found;
      const shown = sourceAccess(file, [this.workspace]) === 'inside' ? path.relative(this.workspace, file) : file;
      return { path: shown, line, function: fn, via };
    }
    // Not here: what the attributes say, as they say it.
    return recorded && { path: recorded.path, line: recorded.line, function: recorded.function, via: 'attributes' };
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

  private inputOf(span: SpanRecord): SpanSourceInput {
    const base: SpanSourceInput = { name: span.name, attributes: span.attributes, statusMessage: span.errorMessage, traceFile: span.origin.file };
    const text = this.spanText(span);
    if (text === undefined || !(text.includes('stacktrace') || text.includes('"exception'))) return base;
    try {
      const raw = JSON.parse(text) as { attributes?: unknown; events?: { name?: unknown; attributes?: unknown }[] };
      return {
        ...base,
        attributes: decodeKeyValues(raw.attributes),
        events: (Array.isArray(raw.events) ? raw.events : []).map((e) => ({ name: String(e.name ?? ''), attributes: decodeKeyValues(e.attributes) })),
      };
    } catch {
      return base;
    }
  }

  /** The span's JSON from its file, or undefined when that can't be read again (standard input). */
  private spanText(span: SpanRecord): string | undefined {
    const file = span.origin.file;
    if (!this.handles.has(file)) {
      let fd: number | undefined;
      try {
        fd = openSync(file, 'r');
      } catch {
        fd = undefined;
      }
      this.handles.set(file, fd);
    }
    const fd = this.handles.get(file);
    if (fd === undefined || span.byteEnd <= span.byteStart) return undefined;
    const buf = Buffer.alloc(span.byteEnd - span.byteStart);
    try {
      return buf.subarray(0, readSync(fd, buf, 0, buf.length, span.byteStart)).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
