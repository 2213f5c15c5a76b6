import * as path from 'node:path';
import * as vscode from 'vscode';
import { DATASETS_FOLDER } from '../core/config/defaults';
import { listDatasets, readDatasetLines } from '../core/dataset/datasetFile';
import type { Redactor } from '../core/privacy/redact';
import { Commands } from './commandIds';
import { commandOf } from './commands';
import { DisposableStore } from './disposable';

export type DatasetsTreeElement =
  | { readonly type: 'dataset'; readonly name: string; readonly file: string; readonly records: number; readonly folder: string }
  | { readonly type: 'record'; readonly file: string; readonly line: number; readonly name: string; readonly traceId?: string; readonly spanId?: string; readonly preview: string };

/** Records listed under a dataset, at most: the file itself holds them all. */
const MAX_RECORDS_LISTED = 1000;

/** What a record's input reads like, on one line. */
function preview(input: unknown): string {
  const text = typeof input === 'string' ? input : input === undefined || input === null ? '' : JSON.stringify(input);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}

/**
 * The Datasets view: `.tracerun/datasets/*.jsonl` in each workspace folder with its record
 * count; a record opens the span it came from.
 */
export class DatasetsTreeProvider extends DisposableStore implements vscode.TreeDataProvider<DatasetsTreeElement> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;

  constructor(
    private readonly folders: () => readonly string[],
    private readonly redactor: () => Redactor,
  ) {
    super();
    const watcher = this.register(vscode.workspace.createFileSystemWatcher(`**/${DATASETS_FOLDER}/*.jsonl`));
    this.register(watcher.onDidCreate(() => this.refresh()));
    this.register(watcher.onDidChange(() => this.refresh()));
    this.register(watcher.onDidDelete(() => this.refresh()));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()));
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  async getChildren(element?: DatasetsTreeElement): Promise<DatasetsTreeElement[]> {
    if (!element) {
      const out: DatasetsTreeElement[] = [];
      for (const folder of this.folders()) for (const d of await listDatasets(folder)) out.push({ type: 'dataset', ...d, folder });
      return out;
    }
    if (element.type !== 'dataset') return [];
    const lines = await readDatasetLines(element.file);
    return lines.slice(0, MAX_RECORDS_LISTED).flatMap(({ line, record }) => {
      if (!record) return [];
      const m = record.metadata;
      return [{ type: 'record' as const, file: element.file, line, name: String(m?.name ?? `line ${line}`), traceId: m?.traceId, spanId: m?.spanId, preview: preview(record.input) }];
    });
  }

  getTreeItem(e: DatasetsTreeElement): vscode.TreeItem {
    if (e.type === 'dataset') {
      const item = new vscode.TreeItem(e.name, e.records > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      item.id = `dataset:${e.file}`;
      const many = this.folders().length > 1;
      item.description = `${e.records.toLocaleString()} record${e.records === 1 ? '' : 's'}${many ? ` · ${path.basename(e.folder)}` : ''}`;
      item.tooltip = e.file;
      item.iconPath = new vscode.ThemeIcon('database');
      item.contextValue = 'dataset';
      item.resourceUri = vscode.Uri.file(e.file);
      return item;
    }
    const item = new vscode.TreeItem(this.redactor().text(e.name));
    item.id = `record:${e.file}:${e.line}`;
    // Records were masked when written; masked again in case the rules grew since.
    item.description = this.redactor().text(e.preview);
    item.tooltip = `${path.basename(e.file)}:${e.line}${e.traceId ? `\ntrace ${e.traceId}\nspan ${e.spanId}` : ''}`;
    item.iconPath = new vscode.ThemeIcon('symbol-field');
    item.contextValue = 'datasetRecord';
    item.command = commandOf(Commands.OpenDatasetRecord, 'Open Span', e);
    return item;
  }
}
