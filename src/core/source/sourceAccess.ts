import * as path from 'node:path';

/**
 * Whether a source path named by a trace may be opened: `inside` a workspace folder, open it;
 * `ask` first, naming it (a trace file can name any path, and a link in it is one click);
 * `never`: a network path, which is not even looked at, since on Windows merely touching
 * `\\host\share` makes the OS connect to that host (and hand it the user's credentials).
 */
export type SourceAccess = 'inside' | 'ask' | 'never';

/**
 * UNC and other network or device paths: `\\host\share`, `//host/share`, `\\?\UNC\…`,
 * `\\.\pipe\…`, with either slash, whatever the platform (a trace comes from anywhere).
 */
export function isNetworkPath(p: string): boolean {
  const a = p.charCodeAt(0);
  const b = p.charCodeAt(1);
  return (a === 0x5c || a === 0x2f) && (b === 0x5c || b === 0x2f);
}

/**
 * The decision for an absolute candidate path (after `sourceCandidates`): inside one of the
 * workspace folders, lexically (`..` resolved); links are resolved by the caller, which can
 * touch the file system. `paths` is the platform's path module (tests pass the other one).
 */
export function sourceAccess(file: string, folders: readonly string[], paths: path.PlatformPath = path): SourceAccess {
  const inside = folders.some((folder) => isInside(file, folder, paths));
  if (inside) return 'inside';
  return isNetworkPath(file) || !paths.isAbsolute(file) ? 'never' : 'ask';
}

function isInside(file: string, folder: string, paths: path.PlatformPath): boolean {
  // A network file inside a workspace folder on the network is that folder's own host.
  if (isNetworkPath(file) !== isNetworkPath(folder)) return false;
  const rel = paths.relative(paths.resolve(folder), paths.resolve(file));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${paths.sep}`) && !paths.isAbsolute(rel);
}
