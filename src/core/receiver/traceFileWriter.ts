import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { OtlpJsonRequest } from './otlpJsonRequest';

/** Where receivers put what they accept: one OTLP JSON request per line. */
export interface TraceLineSink {
  /** Appends one request given as single-line JSON (no newline); resolves once it is written. */
  appendLine(line: string): Promise<void>;
}

export interface TraceFileWriterOptions {
  /** The folder of the daily files; created when missing. */
  readonly dir: string;
  /** fsync each write before resolving (survives a machine crash, not just a process crash). */
  readonly fsync?: boolean;
  /** The clock that picks the day's file (tests). */
  readonly now?: () => Date;
}

interface Pending {
  readonly text: string;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** Lines queued while a write runs go out together, up to this much. */
const MAX_BATCH_CHARS = 8 * 1024 * 1024;

/**
 * Appends requests to `<dir>/otlp-YYYY-MM-DD.jsonl` (local date), one line each, in the order
 * they were given, one write at a time. A returned promise resolves only once its line is in
 * the file (handed to the OS: a crash of this process loses nothing acknowledged), so a
 * receiver answers after it. Lines that queue up during a write share the next write. Each
 * write opens the file by name, so a file deleted or rotated meanwhile is simply recreated.
 */
export class TraceFileWriter implements TraceLineSink {
  readonly dir: string;
  private readonly now: () => Date;
  private readonly fsync: boolean;
  private queue: Pending[] = [];
  private writing = false;
  private dirReady = false;
  /** The last write failed and may have left a partial line: start the next one on a new line. */
  private broken = false;
  private disposed = false;
  private idleWaiters: (() => void)[] = [];
  /** The file of the last successful write. */
  lastFile: string | undefined;

  constructor(options: TraceFileWriterOptions) {
    this.dir = options.dir;
    this.now = options.now ?? (() => new Date());
    this.fsync = options.fsync ?? false;
  }

  /** The file for the day of `date`, in local time. */
  fileFor(date: Date): string {
    const y = date.getFullYear();
    const m = String(date.getMonth() + 1).padStart(2, '0');
    const d = String(date.getDate()).padStart(2, '0');
    return path.join(this.dir, `otlp-${y}-${m}-${d}.jsonl`);
  }

  /** Appends a request object as one line (`JSON.stringify`). */
  append(request: OtlpJsonRequest): Promise<void> {
    return this.appendLine(JSON.stringify(request));
  }

  appendLine(line: string): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('the trace file writer is closed'));
    if (line.includes('\n') || line.includes('\r')) return Promise.reject(new Error('a trace line must not contain line breaks'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ text: line + '\n', resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /** Resolves once everything queued so far is written (or failed). */
  flush(): Promise<void> {
    if (!this.writing && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses new lines; what is queued is still written (await `flush()` for it). */
  dispose(): void {
    this.disposed = true;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        let n = 0;
        let chars = 0;
        while (n < this.queue.length && (n === 0 || chars + this.queue[n].text.length <= MAX_BATCH_CHARS)) chars += this.queue[n++].text.length;
        const batch = this.queue.splice(0, n);
        const text = batch.length === 1 ? batch[0].text : batch.map((p) => p.text).join('');
        try {
          await this.write(this.fileFor(this.now()), text);
          for (const p of batch) p.resolve();
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      this.writing = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async write(file: string, text: string): Promise<void> {
    const data = this.broken ? '\n' + text : text;
    try {
      if (!this.dirReady) {
        await fs.mkdir(this.dir, { recursive: true });
        this.dirReady = true;
      }
      try {
        await this.appendTo(file, data);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        // The folder was removed since: make it again, once.
        await fs.mkdir(this.dir, { recursive: true });
        await this.appendTo(file, data);
      }
      this.broken = false;
      this.lastFile = file;
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }

  private async appendTo(file: string, data: string): Promise<void> {
    if (!this.fsync) return fs.appendFile(file, data);
    const handle = await fs.open(file, 'a');
    try {
      await handle.writeFile(data);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}
