// N answers to one replayed request, laid out so a reader sees at a glance how stable the
// answer is: which answers say the same (a letter per distinct answer, A the most common)
// and how many agree, each answer under its own rule.
import type { ReplayAnswer } from './replayAnswer';
import { agreement, answerFacts, answerText } from './replayDiff';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A letter per answer: answers that say the same (text and tool calls) share one; A is the most common. */
export function answerVariants(answers: readonly Pick<ReplayAnswer, 'text' | 'toolCalls'>[]): { labels: string[]; counts: { label: string; count: number }[] } {
  const keys = answers.map((a) => answerText({ text: a.text, toolCalls: a.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments })) }));
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  // Most common first; a tie goes to the one that came first (Map keeps first-seen order, sort is stable).
  const ordered = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const letter = new Map(ordered.map(([k], i) => [k, LETTERS[i] ?? `#${i + 1}`]));
  return { labels: keys.map((k) => letter.get(k)!), counts: ordered.map(([k, count]) => ({ label: letter.get(k)!, count })) };
}

/**
 * The result pane's header facts: one answer's tokens and timing, or for N how many agree.
 * `cancelled`: the user stopped the replay; that is no failure, and what was asked for but
 * not sent is not to come.
 */
export function answersSummary(answers: readonly ReplayAnswer[], errors: readonly string[], times: number, cancelled = false): string {
  const failed = errors.length > 0 ? `${errors.length} failed` : undefined;
  const stopped = cancelled ? (times === 1 ? 'cancelled' : `cancelled after ${answers.length} of ${times} answers`) : undefined;
  if (answers.length === 0 && !cancelled) return failed ? 'failed' : 'no answer';
  if (answers.length === 0) return failed ? `${failed}, ${stopped}` : stopped!;
  if (times === 1) return answerFacts(answers[0]);
  const { agree, of } = agreement(answers);
  const { counts } = answerVariants(answers);
  const variants = counts.length > 1 ? ` (${counts.map((c) => `${c.label} ×${c.count}`).join(', ')})` : '';
  const pending = of < times && errors.length === 0 && !cancelled ? `, ${times - of} to come` : '';
  return `${agree} of ${of} answers agree${variants}${failed ? `, ${failed}` : ''}${stopped ? `, ${stopped}` : ''}${pending}`;
}

/**
 * The answers as the result pane shows them. One answer alone is its bare text, so the diff
 * against the recorded one is line for line; N answers each get a rule with their number,
 * their letter and their facts.
 */
export function answersText(answers: readonly ReplayAnswer[], errors: readonly string[], times: number): string {
  const parts: string[] = [];
  const { labels, counts } = answerVariants(answers);
  const said = new Map(counts.map((c) => [c.label, c.count]));
  answers.forEach((a, i) => {
    if (i === 0 && times === 1) {
      parts.push(answerText(a));
      return;
    }
    const same = said.get(labels[i])! > 1 ? `${labels[i]}, as ${said.get(labels[i])} of ${answers.length} said` : `${labels[i]}, said once`;
    parts.push(`${i === 0 ? '' : '\n'}━━ answer ${i + 1} of ${times} · ${same} · ${answerFacts(a)}\n${answerText(a)}`);
  });
  for (const e of errors) parts.push(`\n⚠ ${e}\n`);
  return parts.join('');
}
