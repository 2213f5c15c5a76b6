import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DATASETS_FOLDER } from '../config/defaults';
import { recordKey, type DatasetRecord } from './datasetRecord';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Why a dataset name cannot be used (it becomes a file name), or undefined when it can. */
export function datasetNameProblem(name: string): string | undefined {
  if (NAME_RE.test(name) && !name.endsWith('.jsonl')) return undefined;
  return 'a dataset name is letters, digits, ".", "_" or "-" (at most 100, starting with a letter or digit), without ".jsonl"';
}

/** `<root>/.tracerun/datasets/NAME.jsonl`. */
export function datasetPath(root: string, name: string): string {
  return path.join(root, DATASETS_FOLDER, `${name}.jsonl`);
}

export function datasetsFolder(root: string): string {
  return path.join(root, DATASETS_FOLDER);
}

export interface DatasetLine {
  /** 1-based. */
  readonly line: number;
  readonly record: Partial<DatasetRecord> | undefined;
}

/** The records of a dataset file, one a line; a line that is not JSON is kept as undefined. */
export async function readDatasetLines(file: string): Promise<DatasetLine[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: DatasetLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let record: Partial<DatasetRecord> | undefined;
    try {
      const parsed: unknown = JSON.parse(line);
      record = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Partial<DatasetRecord>) : undefined;
    } catch {
      record = undefined;
    }
    out.push({ line: i + 1, record });
  }
  return out;
}

export interface AppendResult {
  readonly name: string;
  readonly file: string;
  readonly added: number;
  /** Spans already in the dataset (or given twice), not written again. */
  readonly alreadyIn: number;
}

/**
 * Appends the records whose span is not in the dataset yet. The file is created with its
 * folder; what is there is never rewritten.
 */
export async function appendToDataset(root: string, name: string, records: readonly DatasetRecord[]): Promise<AppendResult> {
  const problem = datasetNameProblem(name);
  if (problem) throw new Error(`"${name}": ${problem}`);
  const file = datasetPath(root, name);
  const present = new Set<string>();
  for (const { record } of await readDatasetLines(file)) {
    const m = record?.metadata;
    if (m && typeof m.traceId === 'string' && typeof m.spanId === 'string') present.add(recordKey(m.traceId, m.spanId));
  }
  const lines: string[] = [];
  let alreadyIn = 0;
  for (const record of records) {
    const key = recordKey(record.metadata.traceId, record.metadata.spanId);
    if (present.has(key)) {
      alreadyIn++;
      continue;
    }
    present.add(key);
    lines.push(JSON.stringify(record));
  }
  if (lines.length > 0) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    // A file whose last line has no newline (edited by hand) gets one first.
    const prefix = (await endsWithoutNewline(file)) ? '\n' : '';
    await fs.appendFile(file, prefix + lines.join('\n') + '\n', 'utf8');
  }
  return { name, file, added: lines.length, alreadyIn };
}

async function endsWithoutNewline(file: string): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}

/** "2 already in smoke, 3 added", "3 added to smoke", "all 2 already in smoke". */
export function describeAppend(result: AppendResult): string {
  if (result.added === 0 && result.alreadyIn === 0) return `nothing to add to ${result.name}`;
  if (result.alreadyIn === 0) return `${result.added} added to ${result.name}`;
  if (result.added === 0) return `${result.alreadyIn === 1 ? 'it is' : `all ${result.alreadyIn} are`} already in ${result.name}`;
  return `${result.alreadyIn} already in ${result.name}, ${result.added} added`;
}

export interface DatasetSummary {
  readonly name: string;
  readonly file: string;
  readonly records: number;
}

/** The datasets under a workspace folder, by name, with their record counts. */
export async function listDatasets(root: string): Promise<DatasetSummary[]> {
  const folder = datasetsFolder(root);
  let entries: string[];
  try {
    entries = await fs.readdir(folder);
  } catch {
    return [];
  }
  const out: DatasetSummary[] = [];
  for (const entry of entries.filter((e) => e.endsWith('.jsonl')).sort()) {
    const file = path.join(folder, entry);
    out.push({ name: entry.slice(0, -'.jsonl'.length), file, records: (await readDatasetLines(file)).filter((l) => l.record !== undefined).length });
  }
  return out;
}
