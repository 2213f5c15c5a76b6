// Typed registration and execution of the commands of commandIds.ts: a handler's parameters,
// and the arguments given to a command, are checked against `CommandArgs`.
import * as vscode from 'vscode';
import type { CommandArgs, CommandId } from './commandIds';

export type CommandHandlers = { readonly [K in CommandId]: (...args: CommandArgs[K]) => unknown };

/** Registers every command at once: leaving one out (or adding an unknown one) does not compile. */
export function registerCommands(handlers: CommandHandlers): vscode.Disposable {
  const ids = Object.keys(handlers) as CommandId[];
  return vscode.Disposable.from(...ids.map((id) => vscode.commands.registerCommand(id, handlers[id] as (...args: unknown[]) => unknown)));
}

export function executeCommand<K extends CommandId>(id: K, ...args: CommandArgs[K]): Thenable<unknown> {
  return vscode.commands.executeCommand(id, ...args);
}

/** A command for a tree item, status bar item or lens. */
export function commandOf<K extends CommandId>(id: K, title: string, ...args: CommandArgs[K]): vscode.Command {
  return args.length > 0 ? { command: id, title, arguments: args } : { command: id, title };
}

/** Sets a context key that `when` clauses and walkthrough steps (`onContext:`) read. */
export function setContext(key: string, value: unknown): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}

/** Shows and focuses a view by its id (VS Code's `<view id>.focus` command). */
export function focusView(viewId: string): Thenable<unknown> {
  return vscode.commands.executeCommand(`${viewId}.focus`);
}

/** Opens VS Code's diff editor on two documents (the built-in `vscode.diff` command). */
export function openDiff(left: vscode.Uri, right: vscode.Uri, title: string, options?: vscode.TextDocumentShowOptions): Thenable<unknown> {
  return vscode.commands.executeCommand('vscode.diff', left, right, title, options);
}

/** Opens the Settings editor on one setting (the built-in `workbench.action.openSettings`). */
export function openSettings(settingId: string): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', settingId);
}
