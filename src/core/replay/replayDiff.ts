// An answer as text for the diff (its text, then each tool call on its own lines), a line
// diff of two answers for the terminal, and how many of N answers agree.
import type { RecordedAnswer, ReplayToolCall } from './replayDocument';
import type { ReplayAnswer } from './replayAnswer';

export function answerText(a: { readonly text: string; readonly toolCalls: readonly ReplayToolCall[] }): string {
  const calls = a.toolCalls.map((c) => `→ tool call ${c.name}(${prettyArguments(c.arguments)})`);
  return [a.text, ...calls].filter((s) => s !== '').join('\n\n') + '\n';
}

function prettyArguments(args: string | undefined): string {
  if (args === undefined || args.trim() === '') return '';
  try {
    return JSON.stringify(JSON.parse(args));
  } catch {
    return args;
  }
}

/** "12 in / 5 out tokens · 340 ms · first token 120 ms", from what is known. */
export function answerFacts(a: Pick<RecordedAnswer, 'tokens' | 'latencyMs' | 'ttftMs'> | Pick<ReplayAnswer, 'tokens' | 'latencyMs' | 'ttftMs'>): string {
  const facts: string[] = [];
  if (a.tokens?.input !== undefined || a.tokens?.output !== undefined) facts.push(`${a.tokens.input ?? '?'} in / ${a.tokens.output ?? '?'} out tokens`);
  if (a.latencyMs !== undefined) facts.push(`${Math.round(a.latencyMs)} ms`);
  if (a.ttftMs !== undefined) facts.push(`first token ${Math.round(a.ttftMs)} ms`);
  return facts.length > 0 ? facts.join(' · ') : 'no timing or tokens';
}

/**
 * A line diff (longest common subsequence): each line prefixed by ' ', '-' (only in `before`)
 * or '+' (only in `after`). Answers are short, so the quadratic table is fine.
 */
export function lineDiff(before: string, after: string): string[] {
  const a = before.replace(/\n$/, '').split('\n');
  const b = after.replace(/\n$/, '').split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(` ${a[i++]}`);
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) out.push(`-${a[i++]}`);
    else out.push(`+${b[j++]}`);
  }
  return out;
}

/** How many answers say the same as the most common one (text and tool calls, exactly). */
export function agreement(answers: readonly { readonly text: string; readonly toolCalls: readonly ReplayToolCall[] }[]): { agree: number; of: number } {
  const counts = new Map<string, number>();
  for (const a of answers) {
    const key = answerText({ text: a.text, toolCalls: a.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments })) });
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { agree: Math.max(0, ...counts.values()), of: answers.length };
}
