import type { CliIo } from './cli';

/**
 * The process's stdout and stderr as a `CliIo`. When the reader of stdout goes away
 * (`tracerun tree … | head`), the command ends quietly with exit code 0, as a Unix tool
 * stopped by SIGPIPE does, instead of dying on an unhandled EPIPE with a stack trace.
 */
export function processIo(): CliIo {
  const quit = (): never => process.exit(0);
  const closed = (e: NodeJS.ErrnoException): boolean => e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED';
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (closed(e)) quit();
    throw e;
  });
  // Nowhere left to report a closed stderr: stop writing to it, keep going.
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (!closed(e)) throw e;
  });
  return {
    // A write that fails on a pipe destroys the stream at once, the 'error' event comes a tick
    // later: stop at the next line rather than render the rest of a big trace for no one.
    out: (text) => (process.stdout.destroyed ? quit() : void process.stdout.write(text + '\n')),
    err: (text) => void (process.stderr.destroyed || process.stderr.write(text + '\n')),
  };
}
