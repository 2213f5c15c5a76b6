// What the fuzz tests share: a small seeded generator (mulberry32, so a failure reproduces) and
// the mutations that apply to any JSON text.

export type Rand = () => number;

export function rng(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)];
export const hex = (r: Rand, n: number): string => Array.from({ length: n }, () => pick(r, [...'0123456789abcdef'])).join('');

/** One byte somewhere replaced by a JSON delimiter, a control character, a multi-byte one, or nothing. */
export function spliceByte(t: string, r: Rand): string {
  const at = Math.floor(r() * t.length);
  return t.slice(0, at) + pick(r, ['"', '\\', '{', '}', '[', ']', ',', ':', '\u0001', 'é', '']) + t.slice(at + 1);
}

/** The text cut short anywhere. */
export function truncate(t: string, r: Rand): string {
  return t.slice(0, Math.floor(r() * t.length));
}
