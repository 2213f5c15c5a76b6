/**
 * A replay recorded as a small trace run: a root `replay of <span name>` linked to the span
 * it replays, and one GenAI chat span per answer, as one OTLP JSON line. Appended to the
 * workspace's `.tracerun/` folder, it shows in the Runs view like any run and can be compared.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { ReplayAnswer } from './replayAnswer';
import type { ReplayDocument } from './replayDocument';

export const REPLAY_SERVICE_NAME = 'tracerun-replay';
export const REPLAY_RUNS_FILE = 'replays.jsonl';

type OtlpValue = { stringValue: string } | { intValue: string } | { doubleValue: number };

function value(v: string | number): OtlpValue {
  if (typeof v === 'string') return { stringValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

function attributes(a: Record<string, string | number | undefined>): { key: string; value: OtlpValue }[] {
  return Object.entries(a)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([key, v]) => ({ key, value: value(v) }));
}

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** The request's messages as GenAI `gen_ai.input.messages` parts. */
function inputMessages(doc: ReplayDocument): unknown[] {
  return doc.messages
    .filter((m) => m.role !== 'system')
    .map((m) => ({
      role: m.role,
      parts: [
        ...(m.role === 'tool' ? [{ type: 'tool_call_response', id: m.toolCallId, response: m.content }] : m.content !== '' ? [{ type: 'text', content: m.content }] : []),
        ...(m.toolCalls ?? []).map((c) => ({ type: 'tool_call', id: c.id, name: c.name, arguments: c.arguments })),
      ],
    }));
}

function outputMessages(a: ReplayAnswer): unknown[] {
  return [
    {
      role: 'assistant',
      parts: [...(a.text !== '' ? [{ type: 'text', content: a.text }] : []), ...a.toolCalls.map((c) => ({ type: 'tool_call', id: c.id, name: c.name, arguments: c.arguments }))],
      ...(a.finishReason !== undefined && { finish_reason: a.finishReason }),
    },
  ];
}

export interface ReplayRunInput {
  readonly doc: ReplayDocument;
  readonly answers: readonly ReplayAnswer[];
  /** Messages of the attempts that failed; the root's status says the first. */
  readonly errors?: readonly string[];
  readonly baseUrl: string;
  /** When the replay began (epoch ms); defaults to the first answer's start. */
  readonly startedAtMs?: number;
}

/** The replay as one OTLP JSON request line (no trailing newline), and its trace id. */
export function replayRunLine(input: ReplayRunInput): { line: string; traceId: string } {
  const { doc, answers } = input;
  const traceId = randomBytes(16).toString('hex');
  const rootId = randomBytes(8).toString('hex');
  const start = input.startedAtMs ?? Math.min(Date.now(), ...answers.map((a) => a.startedAtMs));
  const end = Math.max(start, Date.now(), ...answers.map((a) => a.startedAtMs + a.latencyMs));
  const system = doc.messages.filter((m) => m.role === 'system').map((m) => ({ type: 'text', content: m.content }));
  const children = answers.map((a, i) => ({
    traceId,
    spanId: randomBytes(8).toString('hex'),
    parentSpanId: rootId,
    name: `chat ${doc.model}`,
    kind: 3,
    startTimeUnixNano: nanos(a.startedAtMs),
    endTimeUnixNano: nanos(a.startedAtMs + a.latencyMs),
    attributes: attributes({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': doc.provider,
      'gen_ai.request.model': doc.model,
      'gen_ai.response.model': a.model,
      'gen_ai.request.temperature': doc.parameters.temperature,
      'gen_ai.request.max_tokens': doc.parameters.maxTokens,
      'gen_ai.usage.input_tokens': a.tokens?.input,
      'gen_ai.usage.output_tokens': a.tokens?.output,
      'gen_ai.response.finish_reasons': a.finishReason !== undefined ? JSON.stringify([a.finishReason]) : undefined,
      'gen_ai.response.time_to_first_chunk': a.ttftMs !== undefined ? a.ttftMs / 1000 : undefined,
      'gen_ai.system_instructions': system.length > 0 ? JSON.stringify(system) : undefined,
      'gen_ai.input.messages': JSON.stringify(inputMessages(doc)),
      'gen_ai.output.messages': JSON.stringify(outputMessages(a)),
      'tracerun.replay.attempt': i + 1,
    }),
    status: {},
  }));
  const error = input.errors?.[0];
  const root = {
    traceId,
    spanId: rootId,
    parentSpanId: '',
    name: `replay of ${doc.source?.spanName ?? doc.model}`,
    kind: 1,
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(end),
    attributes: attributes({
      'tracerun.replay.source.trace_id': doc.source?.traceId,
      'tracerun.replay.source.span_id': doc.source?.spanId,
      'tracerun.replay.endpoint': input.baseUrl,
      'tracerun.replay.times': answers.length + (input.errors?.length ?? 0),
    }),
    links: doc.source ? [{ traceId: doc.source.traceId, spanId: doc.source.spanId, attributes: attributes({ 'tracerun.link': 'replay of' }) }] : [],
    status: error !== undefined ? { code: 2, message: error } : {},
  };
  const request = {
    resourceSpans: [
      {
        resource: { attributes: attributes({ 'service.name': REPLAY_SERVICE_NAME }) },
        scopeSpans: [{ scope: { name: 'tracerun.replay' }, spans: [root, ...children] }],
      },
    ],
  };
  return { line: JSON.stringify(request), traceId };
}

/** Appends the replay run to `<folder>/replays.jsonl`, creating the folder; returns the file. */
export async function appendReplayRun(folder: string, line: string): Promise<string> {
  await fs.mkdir(folder, { recursive: true });
  const file = join(folder, REPLAY_RUNS_FILE);
  await fs.appendFile(file, line + '\n', 'utf8');
  return file;
}
