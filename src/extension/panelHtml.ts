import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { Channel } from '../protocol/channel';

/**
 * The page of a Trace Run panel: one bundle from `dist/` (`<bundle>.js` and `<bundle>.css`), the
 * codicons, a CSP with a fresh nonce and nothing remote, and the panel's initial state in
 * `#app[data-state]` (read back by the webview and by the serializer after a reload).
 */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: { readonly bundle: string; readonly title: string; readonly state: unknown }): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, `${page.bundle}.js`));
  const styles = webview.asWebviewUri(vscode.Uri.joinPath(dist, `${page.bundle}.css`));
  const codicons = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css'));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource} data:; style-src ${webview.cspSource} 'nonce-${nonce}'; font-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${codicons}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${styles}">
<title>${page.title}</title>
</head>
<body>
<div id="app" data-state="${escapeAttr(JSON.stringify(page.state))}"></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

function escapeAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** The panel's side of the typed channel: messages out to its webview, messages in from it; errors of handlers logged under `label`. */
export function panelChannel(panel: vscode.WebviewPanel, log: vscode.LogOutputChannel, label: string): { readonly channel: Channel; readonly disposable: vscode.Disposable } {
  const channel = new Channel(
    (message) => void panel.webview.postMessage(message),
    (method, err) => log.error(`${label} ${method}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  );
  const listener = panel.webview.onDidReceiveMessage((m: unknown) => channel.receive(m));
  return { channel, disposable: vscode.Disposable.from(listener, channel) };
}
