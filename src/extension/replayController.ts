import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SETTING_RANGES } from '../core/config/defaults';
import { describeSpan } from '../core/genai/conventions';
import type { SpanRecord } from '../core/model/span';
import type { Redactor } from '../core/privacy/redact';
import { buildReplayDocument } from '../core/replay/buildReplay';
import { isCancellation } from '../core/replay/providerErrors';
import type { ReplayAnswer } from '../core/replay/replayAnswer';
import { answersSummary, answersText } from '../core/replay/replayAnswers';
import { answerFacts, answerText } from '../core/replay/replayDiff';
import { documentEndpoint, noEndpointMessage, withBaseUrl } from '../core/replay/replayEndpoint';
import { parseReplayDocument, REPLAY_FILE_SUFFIX, replayFileName, type ReplayDocument } from '../core/replay/replayDocument';
import { appendReplayRun, replayRunLine } from '../core/replay/replayRun';
import { loadReplaySpan } from '../core/replay/replaySpan';
import { sendReplay } from '../core/replay/sendReplay';
import { openDiff } from './commands';
import { ReplaySecrets } from './replaySecrets';
import { readReceiverSettings, readReplaySettings } from './settings';
import type { TraceRunService } from './traceRunService';

export const REPLAY_ANSWER_SCHEME = 'tracerun-replay';
const RULE = '─'.repeat(60);

/** The two sides of a replay's diff, as read-only virtual documents that update as text streams. */
class AnswerDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  set(uri: vscode.Uri, text: string): void {
    this.contents.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
    this.contents.clear();
  }
}

/** The number Run Replay N Times… takes (the setting's range), or undefined when it is not a whole number in it. */
function parseTimes(text: string): number | undefined {
  const n = Number(text.trim());
  return Number.isInteger(n) && n >= SETTING_RANGES['replay.times'].min && n <= SETTING_RANGES['replay.times'].max ? n : undefined;
}

/** Replay…: opens an LLM span's request as an editable document; Run: sends it and shows the diff. */
export class ReplayController implements vscode.Disposable {
  private readonly documents = new AnswerDocuments();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(REPLAY_ANSWER_SCHEME, this.documents);
  private runCount = 0;
  /** What Run Replay N Times… offers first: the last number given. */
  private lastTimes = 5;

  constructor(
    private readonly service: TraceRunService,
    private readonly secrets: ReplaySecrets,
    /** Where replay documents are kept (the workspace's extension storage). */
    private readonly storageDir: string,
    /** Where replay runs go when no folder is open. */
    private readonly fallbackDir: string,
    /** The window's `tracerun.redact` rules, for the span's name where it shows. */
    private readonly redactor: () => Redactor,
  ) {}

  /** Replay is off in untrusted workspaces: a planted setting or document could send elsewhere. */
  private trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage('Trace Run: Replay is disabled in untrusted workspaces. Trust this workspace to replay model calls.');
    return false;
  }

  async open(span: SpanRecord | undefined): Promise<void> {
    if (!this.trusted()) return;
    if (!span || describeSpan(span).kind !== 'llm') {
      void vscode.window.showInformationMessage('Trace Run: select an LLM span in the Runs view to replay it.');
      return;
    }
    const file = path.join(this.storageDir, 'replays', replayFileName(span, (text) => this.redactor().text(text)));
    try {
      await fs.access(file);
    } catch {
      // First replay of this span: rebuild its request. Later ones reopen the edited document.
      let doc: ReplayDocument;
      try {
        doc = buildReplayDocument(await loadReplaySpan(span, this.service.store.logRecords));
      } catch (err) {
        void vscode.window.showErrorMessage(`Trace Run: ${(err as Error).message}`);
        return;
      }
      const settings = readReplaySettings();
      const withUrl: ReplayDocument = { ...doc, baseUrl: doc.provider === 'anthropic' ? settings.anthropicBaseUrl : settings.openaiBaseUrl };
      // `baseUrl` right after the provider, where it is seen: it is where Run sends the request.
      const { notes, source, provider, baseUrl, ...rest } = withUrl;
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, JSON.stringify({ notes, provider, baseUrl, ...rest, source }, null, 2) + '\n', 'utf8');
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
  }

  /** Run Replay N Times…: asks how many times, then runs; the number given is offered next time. */
  async runTimes(uri: vscode.Uri | undefined): Promise<void> {
    if (!this.trusted()) return;
    const document = await this.replayDocument(uri);
    if (!document) return;
    const { min, max } = SETTING_RANGES['replay.times'];
    const answer = await vscode.window.showInputBox({
      title: 'Run Replay N Times',
      prompt: `How many times to send the request (${min}–${max}), to see how stable the answer is`,
      value: String(this.lastTimes),
      validateInput: (v) => (parseTimes(v) === undefined ? `A whole number from ${min} to ${max}` : undefined),
    });
    const times = answer === undefined ? undefined : parseTimes(answer);
    if (times === undefined) return;
    this.lastTimes = times;
    await this.send(document, times);
  }

  /** Run: sends the replay document `tracerun.replay.times` times. */
  async run(uri: vscode.Uri | undefined): Promise<void> {
    if (!this.trusted()) return;
    const document = await this.replayDocument(uri);
    if (document) await this.send(document, readReplaySettings().times);
  }

  /** The replay document meant: the one given, the active one, or (from the diff or the palette) one beside it. */
  private async replayDocument(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
    const isReplay = (d: vscode.TextDocument | undefined) => d?.fileName.endsWith(REPLAY_FILE_SUFFIX) === true;
    const active = vscode.window.activeTextEditor?.document;
    const document = uri
      ? await vscode.workspace.openTextDocument(uri)
      : isReplay(active)
        ? active
        : vscode.window.visibleTextEditors.map((e) => e.document).find(isReplay);
    if (!document || !document.fileName.endsWith(REPLAY_FILE_SUFFIX)) {
      void vscode.window.showInformationMessage(`Trace Run: open a replay document (*${REPLAY_FILE_SUFFIX}) to run it; Replay… on an LLM span makes one.`);
      return undefined;
    }
    return document;
  }

  /** Sends the document's request `times` times and shows the answers beside the recorded one. */
  private async send(document: vscode.TextDocument, times: number): Promise<void> {
    let doc: ReplayDocument;
    try {
      doc = parseReplayDocument(document.getText(), path.basename(document.fileName));
    } catch (err) {
      void vscode.window.showErrorMessage(`Trace Run: ${(err as Error).message}`);
      return;
    }
    const baseUrl = documentEndpoint(doc);
    if (baseUrl === undefined) {
      this.offerEndpoint(document, doc);
      return;
    }
    let apiKey = await this.secrets.get(doc.provider, baseUrl);
    if (apiKey === undefined) {
      if (!(await this.secrets.prompt(doc.provider))) return;
      apiKey = await this.secrets.get(doc.provider, baseUrl);
      if (apiKey === undefined) return;
    }

    const id = ++this.runCount;
    // Shown in the diff's tab and the progress, masked as the views mask it.
    const spanName = this.redactor().text(doc.source?.spanName ?? doc.model);
    const recordedUri = vscode.Uri.from({ scheme: REPLAY_ANSWER_SCHEME, path: `/${id}/recorded answer` });
    const replayUri = vscode.Uri.from({ scheme: REPLAY_ANSWER_SCHEME, path: `/${id}/replay` });
    const recorded = doc.recorded;
    this.documents.set(
      recordedUri,
      `Recorded · ${recorded?.model ?? doc.model} · ${recorded ? answerFacts(recorded) : 'no answer was recorded'}\n${RULE}\n${recorded ? answerText(recorded) : ''}`,
    );
    // With N answers, how many agree gets a line of its own, seen first even in a narrow diff.
    const header = (facts: string) =>
      times === 1 ? `Replay · ${doc.model} at ${baseUrl} · ${facts}\n${RULE}\n` : `Replay · ${doc.model} at ${baseUrl} · ${times} answers\n${facts}\n${RULE}\n`;
    this.documents.set(replayUri, header('sending…'));
    // Beside the replay document, not beside whatever is active: run from a diff or the palette,
    // `Beside` would open one more group each time and squeeze the document off the screen.
    const documentColumn = vscode.window.visibleTextEditors.find((e) => e.document === document)?.viewColumn;
    const viewColumn = documentColumn !== undefined ? documentColumn + 1 : vscode.ViewColumn.Beside;
    await openDiff(recordedUri, replayUri, `Recorded ↔ Replay: ${spanName}`, { preview: false, viewColumn });

    const answers: ReplayAnswer[] = [];
    const errors: string[] = [];
    const startedAtMs = Date.now();
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Replaying ${spanName}: ${doc.model} at ${baseUrl}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        try {
          for (let i = 0; i < times && !controller.signal.aborted; i++) {
            if (times > 1) progress.report({ message: `answer ${i + 1} of ${times}` });
            // With N answers, the one streaming in under its own rule after those done.
            const done = answersText(answers, errors, times) + (times > 1 ? `${i === 0 ? '' : '\n'}━━ answer ${i + 1} of ${times} · streaming…\n` : '');
            let streamed = '';
            try {
              const answer = await sendReplay(doc, {
                baseUrl,
                apiKey: apiKey!,
                signal: controller.signal,
                keyHint: ReplaySecrets.hint(doc.provider),
                onText: (delta) => {
                  streamed += delta;
                  this.documents.set(replayUri, header('streaming…') + done + streamed);
                },
              });
              answers.push(answer);
            } catch (err) {
              // Stopping is no failure: the header says after how many answers (`answersSummary`).
              if (isCancellation(err)) break;
              errors.push((err as Error).message);
            }
            this.documents.set(replayUri, header(answersSummary(answers, errors, times)) + answersText(answers, errors, times));
          }
          // Cancelled during an answer, or between two: either way what was not sent is not to come.
          if (controller.signal.aborted) this.documents.set(replayUri, header(answersSummary(answers, errors, times, true)) + answersText(answers, errors, times));
        } finally {
          cancel.dispose();
        }
      },
    );
    const failure = errors[0];
    if (failure) void vscode.window.showErrorMessage(`Trace Run: ${failure}`);
    if (answers.length > 0 || failure) await this.record(doc, answers, errors, baseUrl, startedAtMs);
  }

  /**
   * A document without "baseUrl" is not sent (the editor would not show where it goes): says
   * so, and offers to write the setting's endpoint into the document, to be seen before Run.
   */
  private offerEndpoint(document: vscode.TextDocument, doc: ReplayDocument): void {
    const settings = readReplaySettings();
    const url = doc.provider === 'anthropic' ? settings.anthropicBaseUrl : settings.openaiBaseUrl;
    const add = 'Add It to the Document';
    void vscode.window.showErrorMessage(`Trace Run: ${noEndpointMessage(doc.provider, url)}`, add).then(async (chosen) => {
      if (chosen !== add) return;
      const text = withBaseUrl(document.getText(), url);
      if (text === undefined) return;
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
      await vscode.workspace.applyEdit(edit);
      await vscode.window.showTextDocument(document, { preview: false });
    }).then(undefined, (err: unknown) => {
      // The document may have been closed meanwhile: said in the log, never an unhandled rejection.
      this.service.log.warn(`replay: the endpoint could not be written into ${document.uri.toString()}: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** The replay as a run in the workspace's `.tracerun/`, so the Runs view lists it. */
  private async record(doc: ReplayDocument, answers: ReplayAnswer[], errors: string[], baseUrl: string, startedAtMs: number): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const dir = folder ? path.resolve(folder.uri.fsPath, readReceiverSettings().folder) : this.fallbackDir;
    try {
      const { line } = replayRunLine({ doc, answers, errors, baseUrl, startedAtMs });
      const file = await appendReplayRun(dir, line);
      // Without a folder nothing watches the fallback folder: read the file in.
      if (!folder) await this.service.addFile(file);
      else void this.service.ensureStarted();
    } catch (err) {
      this.service.log.warn(`could not record the replay run in ${dir}: ${(err as Error).message}`);
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.documents.dispose();
  }
}
