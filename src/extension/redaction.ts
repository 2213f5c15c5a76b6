import * as vscode from 'vscode';
import { Redactor } from '../core/privacy/redact';
import { DisposableStore } from './disposable';
import { readRedactSetting, settingId } from './settings';

/** The window's `Redactor`, rebuilt when `tracerun.redact` changes; bad rules are logged. */
export class RedactionService extends DisposableStore {
  redactor: Redactor;
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
    this.redactor = this.build();
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(settingId('redact'))) return;
        this.redactor = this.build();
        this.changed.fire();
      }),
    );
  }

  private build(): Redactor {
    const problems: string[] = [];
    const redactor = new Redactor(readRedactSetting(problems));
    for (const p of [...problems, ...redactor.problems]) this.log.warn(p);
    return redactor;
  }
}
