// The menu of the receiver's status bar item: what a user wants from the receiver, in one
// click: its endpoint, the setup snippet, the terminal variables, the log, the Runs view.
import * as vscode from 'vscode';
import { Commands } from './commandIds';
import { executeCommand, focusView } from './commands';
import { httpEndpoint, type Endpoints } from './setupSnippet';

interface MenuItem extends vscode.QuickPickItem {
  readonly run: () => unknown;
}

export async function showReceiverMenu(endpoints: Endpoints, terminalsConfigured: boolean): Promise<void> {
  const port = endpoints.httpPort ?? endpoints.grpcPort;
  const items: MenuItem[] = [
    {
      label: '$(copy) Copy OTLP Endpoint',
      description: port !== undefined ? httpEndpoint(port) : 'not receiving',
      run: () => executeCommand(Commands.CopyEndpoint),
    },
    { label: '$(code) Show Setup Snippet', description: 'Python, Node.js and environment variables', run: () => executeCommand(Commands.ShowSetupSnippet) },
    terminalsConfigured
      ? { label: '$(terminal) Turn Off Terminal Variables', description: 'new terminals keep their own OTEL_* settings', run: () => executeCommand(Commands.DisableTerminalVariables) }
      : { label: '$(terminal) Turn On Terminal Variables', description: 'new terminals in this window send traces here', run: () => executeCommand(Commands.EnableTerminalVariables) },
    { label: '$(output) Show Log', run: () => executeCommand(Commands.ShowLog) },
    { label: '$(list-tree) Open the Runs View', run: () => focusView('tracerun.runs') },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Trace Run Receiver', placeHolder: 'What to do with the OTLP receiver' });
  await picked?.run();
}
