import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { OtlpJsonRequest } from './otlpJsonRequest';

/** Where receivers put what they accept: one OTLP JSON request per line. */
export interface TraceLineSink {
  /** Appends one request given as single-line JSON (text or UTF-8 bytes, no line break); resolves once it is written. */
  appendLine(line: string | Uint8Array): Promise<void>;
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
  readonly data: Buffer;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** Lines queued while a write runs go out together, up to this much. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** Batches of more buffers than this are joined before writing (see `appendTo`). */
const MAX_WRITEV_BUFFERS = 64;
const NEWLINE = Buffer.from('\n');

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

  appendLine(line: string | Uint8Array): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('the trace file writer is closed'));
    const data = typeof line === 'string' ? Buffer.from(line) : Buffer.from(line.buffer, line.byteOffset, line.byteLength);
    if (data.indexOf(0x0a) >= 0 || data.indexOf(0x0d) >= 0) return Promise.reject(new Error('a trace line must not contain line breaks'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ data, resolve, reject });
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
        let bytes = 0;
        while (n < this.queue.length && (n === 0 || bytes + this.queue[n].data.length <= MAX_BATCH_BYTES)) bytes += this.queue[n++].data.length + 1;
        const batch = this.queue.splice(0, n);
        const buffers: Buffer[] = [];
        for (const p of batch) buffers.push(p.data, NEWLINE);
        try {
          await this.write(this.fileFor(this.now()), buffers);
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

  private async write(file: string, buffers: Buffer[]): Promise<void> {
    if (!this.dirReady) {
      await fs.mkdir(this.dir, { recursive: true });
      this.dirReady = true;
    }
    try {
      await this.appendTo(file, buffers);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // The folder was removed since: make it again, once.
      await fs.mkdir(this.dir, { recursive: true });
      await this.appendTo(file, buffers);
    }
    this.lastFile = file;
  }

  /**
   * One `writev` of the whole batch (its lines and line breaks, never joined into a copy: a
   * 32 MiB line would be held twice), so a crash leaves at most one torn line at the end; and a
   * torn line left by a crash (ours or another receiver's) is ended first, so the lines we
   * append stay readable instead of being glued to it.
   */
  private async appendTo(file: string, buffers: readonly Buffer[]): Promise<void> {
    const handle = await fs.open(file, 'a+');
    try {
      const { size } = await handle.stat();
      let out = buffers;
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) out = [NEWLINE, ...buffers];
      }
      const length = out.reduce((sum, b) => sum + b.length, 0);
      // Many small lines are joined (one buffer, one write call, whatever IOV_MAX is); the
      // few lines of a large batch go out as they are.
      const { bytesWritten } = out.length <= MAX_WRITEV_BUFFERS ? await handle.writev(out as Buffer[]) : await handle.write(Buffer.concat(out, length));
      if (bytesWritten !== length) throw new Error(`short write to ${file}: ${bytesWritten} of ${length} bytes`);
      if (this.fsync) await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}
