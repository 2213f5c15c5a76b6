/** Folders never searched for trace files: huge, and never where an app writes traces. */
export const SKIPPED_FOLDER_NAMES: readonly string[] = ['node_modules', '.git'];

/** A directory entry's own type (`Dirent`, or `lstat`'s `Stats`): links are not followed. */
export interface EntryType {
  isDirectory(): boolean;
}

/**
 * What the trace finders (the watcher, and `tracerun tree <folder>`) do with a directory
 * entry, one rule for both: a real folder is searched, unless skipped by name; a link to a
 * folder is not followed (it can loop, or lead out of the workspace); anything else whose
 * name matches is tried: a regular file or a link to one is read, and a FIFO, socket, device
 * or link to a folder is refused with a message when opened (`openRegularFile`), never
 * skipped silently, never opened for a blocking read.
 */
export function entryRole(name: string, type: EntryType): 'search' | 'skip' | 'try' {
  if (type.isDirectory()) return SKIPPED_FOLDER_NAMES.includes(name) ? 'skip' : 'search';
  return 'try';
}
