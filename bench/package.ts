// The packaged extension's size (`package.vsixBytes`), so the .vsix never grows unnoticed.
// It is built the way it is published: `npm run package` (production bundles, then vsce
// with the .vscodeignore allow-list).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The size of the previous release's .vsix. None is published yet: this is the package built
 * by `npm run package` from commit 5ce5387 (the last commit before the marketplace work:
 * icon, walkthrough, sample trace), measured once on 2026-12-01. Replace it with the
 * published size at each release.
 */
export const PREVIOUS_RELEASE = { label: '5ce5387 (no release published yet)', bytes: 299_147 };

export interface PackageResult {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  note?: string;
}

export function benchPackage(root: string, log: (message: string) => void): PackageResult[] {
  const vsix = path.join(root, 'dist', 'tracerun.vsix');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const output = execFileSync(npm, ['run', '--silent', 'package'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const packaged = /Packaged: .*\((\d+) files?, ([^)]+)\)/.exec(output);
  const bytes = fs.statSync(vsix).size;
  log(`  ${path.relative(root, vsix)}: ${bytes.toLocaleString('en-US')} bytes${packaged ? ` (${packaged[1]} files)` : ''}; previous release ${PREVIOUS_RELEASE.label}: ${PREVIOUS_RELEASE.bytes.toLocaleString('en-US')} bytes`);
  return [{ name: 'package.vsixBytes', value: bytes, unit: 'B', baseline: PREVIOUS_RELEASE.bytes, note: `baseline: the package built from ${PREVIOUS_RELEASE.label}` }];
}
