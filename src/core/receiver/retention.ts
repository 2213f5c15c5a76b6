import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** The daily files the receivers write (`TraceFileWriter.fileFor`); nothing else is ever deleted. */
const RECEIVER_FILE_RE = /^otlp-(\d{4})-(\d{2})-(\d{2})\.jsonl$/;

/**
 * Deletes the receivers' daily files in `dir` older than `keepDays` days before `now` (local
 * dates, as the files are named), and returns the files deleted. Files of other names (the
 * user's own) stay, as does everything when `keepDays` is 0.
 */
export async function deleteOldReceiverFiles(dir: string, keepDays: number, now: Date): Promise<string[]> {
  if (keepDays <= 0) return [];
  const oldestKept = new Date(now.getFullYear(), now.getMonth(), now.getDate() - keepDays);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const deleted: string[] = [];
  for (const name of names) {
    const m = RECEIVER_FILE_RE.exec(name);
    if (!m) continue;
    const day = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (day >= oldestKept) continue;
    const file = path.join(dir, name);
    try {
      const stat = await fs.lstat(file);
      if (!stat.isFile()) continue;
      await fs.unlink(file);
      deleted.push(file);
    } catch {
      // Gone already, or not ours to delete: nothing to do.
    }
  }
  return deleted.sort();
}
