import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_RECEIVER_FOLDER } from '../core/config/defaults';
import { readTraceFiles } from '../core/ingest/readTraceFiles';
import { normalizeId } from '../core/model/ids';
import type { SpanRecord } from '../core/model/span';
import { buildReplayDocument } from '../core/replay/buildReplay';
import type { ReplayAnswer } from '../core/replay/replayAnswer';
import { agreement, answerFacts, answerText, lineDiff } from '../core/replay/replayDiff';
import { parseReplayDocument, REPLAY_PROVIDERS, type ReplayDocument, type ReplayProvider } from '../core/replay/replayDocument';
import { appendReplayRun, replayRunLine } from '../core/replay/replayRun';
import { resolveApiKey } from '../core/replay/apiKey';
import { loadReplaySpan } from '../core/replay/replaySpan';
import { API_KEY_VARIABLES, DEFAULT_BASE_URLS, sendReplay } from '../core/replay/sendReplay';
import { terminalSafe } from './terminalText';

export interface ReplayCommandOptions {
  readonly spanId: string;
  readonly edit?: string;
  readonly provider?: string;
  readonly baseUrl?: string;
  readonly model?: string;
  readonly times: number;
  readonly json: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The replay run goes to `<cwd>/.tracerun/`. */
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/**
 * `tracerun replay <file-or-dir>... --span ID`: rebuilds the span's request (or reads the
 * edited document), sends it N times, prints the answers and a diff against the recorded one,
 * and appends the replay run to `.tracerun/`. Returns the exit code: 1 if any attempt failed.
 */
export async function replayCommand(targets: readonly string[], o: ReplayCommandOptions): Promise<number> {
  const { store, files, problems } = await readTraceFiles(targets);
  for (const p of problems) o.err(terminalSafe(`${p.file}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}`));
  const wanted = normalizeId(o.spanId.trim(), 8);
  let span: SpanRecord | undefined;
  for (const trace of store.runs()) if ((span = trace.span(wanted))) break;
  if (!span) {
    o.err(terminalSafe(`tracerun: no span with id ${o.spanId} in ${files.length} file(s)`));
    return 1;
  }
  const rebuilt = buildReplayDocument(await loadReplaySpan(span, store.logRecords));
  let doc: ReplayDocument = rebuilt;
  if (o.edit !== undefined) {
    const edited = parseReplayDocument(await fs.readFile(o.edit, 'utf8'), o.edit);
    doc = { ...edited, source: edited.source ?? rebuilt.source, recorded: edited.recorded ?? rebuilt.recorded };
  }
  if (o.provider !== undefined) {
    if (!REPLAY_PROVIDERS.includes(o.provider as ReplayProvider)) throw new Error(`--provider must be openai or anthropic, not "${o.provider}"`);
    doc = { ...doc, provider: o.provider as ReplayProvider };
  }
  if (o.model !== undefined) doc = { ...doc, model: o.model };
  if (doc.model === '') throw new Error(`the span did not record its model: give --model, or "model" in an --edit document`);
  const baseUrl = o.baseUrl ?? doc.baseUrl ?? DEFAULT_BASE_URLS[doc.provider];
  const variable = API_KEY_VARIABLES[doc.provider];
  const apiKey = resolveApiKey(doc.provider, baseUrl, undefined, o.env);
  if (apiKey === undefined) {
    o.err(`tracerun: set ${variable} to send to ${baseUrl}`);
    return 1;
  }

  if (!o.json) {
    for (const note of doc.notes ?? []) o.err(terminalSafe(`note: ${note}`));
    o.out(terminalSafe(`Replaying "${span.name}" (${span.spanId}): ${doc.provider} ${doc.model} at ${baseUrl}`));
  }
  const answers: ReplayAnswer[] = [];
  const errors: string[] = [];
  const startedAtMs = Date.now();
  for (let i = 0; i < o.times; i++) {
    try {
      const answer = await sendReplay(doc, { baseUrl, apiKey, keyHint: variable });
      answers.push(answer);
      if (!o.json) {
        o.out(`\n── answer ${o.times > 1 ? `${i + 1}/${o.times} ` : ''}(${answerFacts(answer)})`);
        lines(o.out, answerText(answer).trimEnd());
      }
    } catch (err) {
      errors.push((err as Error).message);
      if (!o.json) o.err(terminalSafe(`tracerun: attempt ${i + 1}: ${(err as Error).message}`));
    }
  }
  const recorded = doc.recorded;
  if (!o.json && recorded && answers.length > 0) {
    o.out(`\n── diff: recorded (${answerFacts(recorded)}) → replay`);
    lines(o.out, lineDiff(answerText(recorded), answerText(answers[0])).join('\n'));
  }
  const agree = agreement(answers);
  if (!o.json && o.times > 1) o.out(`\n${agree.agree} of ${o.times} answers agree`);

  const { line, traceId } = replayRunLine({ doc, answers, errors, baseUrl, startedAtMs });
  const file = await appendReplayRun(resolve(o.cwd, DEFAULT_RECEIVER_FOLDER), line);
  o.err(terminalSafe(`replay recorded as run ${traceId} in ${file}`));
  if (o.json) {
    o.out(
      JSON.stringify(
        {
          request: { provider: doc.provider, baseUrl, model: doc.model, parameters: doc.parameters, tools: doc.tools ?? [], messages: doc.messages },
          recorded: recorded ? { text: recorded.text, toolCalls: recorded.toolCalls } : null,
          answers: answers.map((a) => ({ text: a.text, toolCalls: a.toolCalls, latencyMs: a.latencyMs, ttftMs: a.ttftMs ?? null, tokens: a.tokens ?? null, model: a.model ?? null })),
          errors,
          agreement: agree,
          replayTraceId: traceId,
        },
        null,
        2,
      ),
    );
  }
  return errors.length > 0 ? 1 : 0;
}

/** Multi-line text, each line made safe for the terminal on its own (which drops newlines). */
function lines(out: (text: string) => void, text: string): void {
  for (const line of text.split('\n')) out(terminalSafe(line));
}
