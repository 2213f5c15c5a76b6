import * as vscode from 'vscode';
import { loadSpanDetails } from '../core/ingest/spanDetails';
import type { TraceWorkspace } from '../core/ingest/traceWorkspace';
import type { Redactor, SecretFinding } from '../core/privacy/redact';
import { findSpanSecrets } from '../core/privacy/spanSecrets';

/** Spans read at most: their details come from disk, one read each. */
const MAX_SPANS_CHECKED = 50_000;

type FoundItem = vscode.QuickPickItem & { readonly traceId: string; readonly spanId: string };

/**
 * Check for Secrets: which spans of the loaded runs hold text the `tracerun.redact` rules
 * match, and where (attribute, event, payload path). Nothing is shown unmasked.
 */
export async function checkForSecrets(ws: TraceWorkspace, redactor: Redactor, log: vscode.LogOutputChannel, openSpan: (traceId: string, spanId: string) => void): Promise<void> {
  const runs = ws.store.runs();
  const items: FoundItem[] = [];
  let checked = 0;
  let unreadable = 0;
  const completed = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Checking spans for secrets', cancellable: true },
    async (progress, token) => {
      for (const run of runs) {
        const runName = redactor.text(run.summary().name);
        for (const span of run.allSpans()) {
          if (token.isCancellationRequested || checked >= MAX_SPANS_CHECKED) return false;
          checked++;
          if (checked % 500 === 0) progress.report({ message: `${checked.toLocaleString()} spans` });
          let findings: SecretFinding[];
          try {
            findings = findSpanSecrets(span, await loadSpanDetails(span), redactor);
          } catch {
            unreadable++;
            continue;
          }
          for (const f of findings) {
            items.push({ label: `$(shield) ${redactor.text(span.name)}`, description: `${f.label} · ${f.where}`, detail: `run ${runName}`, traceId: span.traceId, spanId: span.spanId });
            log.info(`secret (${f.label}) in span "${redactor.text(span.name)}" ${span.spanId} of trace ${span.traceId}, ${f.where}`);
          }
        }
      }
      return true;
    },
  );
  const scope = `${checked.toLocaleString()} span${checked === 1 ? '' : 's'}${completed ? '' : ' (stopped early)'}${unreadable > 0 ? `, ${unreadable} unreadable` : ''}`;
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`No secrets found in ${scope} of ${runs.length} run${runs.length === 1 ? '' : 's'}.`);
    return;
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: `Secrets in ${new Set(items.map((i) => i.spanId)).size} span(s) (${scope} checked)`,
    placeHolder: 'Open a span; tracerun.redact masks these wherever the extension shows or writes them',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (picked) openSpan(picked.traceId, picked.spanId);
}
