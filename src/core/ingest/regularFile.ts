// Opening trace files, and only regular ones. A trace file can be swapped for a FIFO (or
// socket, or device) after it was read, and a plain open of a FIFO blocks until a writer comes:
// in one of libuv's four threads that all file I/O of the process shares, or, opened
// synchronously, on the extension host's main thread. Everything that opens a trace file,
// first read or read back later, opens it here.
import { closeSync, constants as fsConstants, fstatSync, openSync, promises as fs } from 'node:fs';

/** Regular files ignore O_NONBLOCK; a FIFO opened with it returns at once. (Not defined on Windows.) */
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

/** The error for a path that names something other than a regular file. */
export class NotRegularFileError extends Error {
  override readonly name = 'NotRegularFileError';
  constructor(readonly file: string) {
    super('not a regular file (a FIFO, socket, device or folder); not read');
  }
}

/** Opens `file` for reading only when it is a regular file; undefined when it is something else. */
export async function openRegularFile(file: string): Promise<fs.FileHandle | undefined> {
  const handle = await fs.open(file, OPEN_FLAGS);
  try {
    if ((await handle.stat()).isFile()) return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
  await handle.close();
  return undefined;
}

/** `openRegularFile`, throwing `NotRegularFileError` for anything else. */
export async function openRegularFileOrThrow(file: string): Promise<fs.FileHandle> {
  const handle = await openRegularFile(file);
  if (!handle) throw new NotRegularFileError(file);
  return handle;
}

/** `openRegularFile` for the few synchronous readers: a descriptor, or undefined for anything but a regular file. */
export function openRegularFileSync(file: string): number | undefined {
  const fd = openSync(file, OPEN_FLAGS);
  try {
    if (fstatSync(fd).isFile()) return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  closeSync(fd);
  return undefined;
}
