// The chips naming what changed in a compare pair besides its duration. No DOM, so the words are unit-tested under Node.
import { ContentFlag, type ComparePairView } from '../../src/protocol/compare';
import { signedDuration } from '../../src/protocol/format';

/** The chips naming what changed in a pair: status, model, tokens, time to first token, input, output, messages. */
export function changeChips(p: ComparePairView, flags: number): string[] {
  if (!p.a || !p.b) return [];
  const out: string[] = [];
  if (p.statusChanged) out.push(p.b.error ? 'failed' : 'fixed');
  if (p.modelChanged) out.push('model');
  if (p.tokensDelta) out.push(`tok ${p.tokensDelta > 0 ? '+' : '−'}${Math.abs(p.tokensDelta).toLocaleString('en-US')}`);
  // Under a millisecond is no change worth a chip.
  if (p.ttftDeltaMs !== undefined && Math.abs(p.ttftDeltaMs) >= 1) out.push(`TTFT ${signedDuration(p.ttftDeltaMs)}`);
  if (flags & ContentFlag.Input) out.push('input');
  if (flags & ContentFlag.Output) out.push('output');
  // Each on its own, as the issue lists them: a conversation can differ along with an input
  // or output, and the pair's diff shows it message by message.
  if (flags & ContentFlag.Messages) out.push('messages');
  return out;
}

/** The change column's narrowest width (px): room for a duration change and two chips. */
export const CHANGE_COLUMN_MIN_PX = 290;

/**
 * The px the change column needs to show `delta` and every chip whole, given each text's
 * width in the cell's font (`measure`): the chips' padding and borders (5px a side), the gaps
 * between them (3px) and after the delta (4px), the cell's padding and borders (5px a side).
 */
export function changeCellWidth(delta: string, chips: readonly string[], measure: (text: string) => number): number {
  let px = measure(delta) + 10;
  for (const chip of chips) px += measure(chip) + 10;
  if (chips.length > 0) px += 4 + (chips.length - 1) * 3;
  // Text measured and text laid out may round apart by a pixel or two.
  return Math.ceil(px + 2);
}
