// Trace text (span names, errors, paths) comes from whatever wrote the trace. Printed raw, an
// escape sequence in it could recolour, retitle or clear the user's terminal, or hide lines.

const ESC = 0x1b;
const BEL = 0x07;
/** C1 string terminator, and the C1 forms of CSI and the string-introducing controls. */
const ST = 0x9c;
const CSI_C1 = 0x9b;
const STRING_C1 = new Set([0x90, 0x98, 0x9d, 0x9e, 0x9f]); // DCS, SOS, OSC, PM, APC
/** The characters after ESC that open a string ended by BEL or ST: DCS, SOS, OSC, PM, APC. */
const STRING_AFTER_ESC = new Set(['P', 'X', ']', '^', '_'].map((c) => c.charCodeAt(0)));

/**
 * `text` made safe for a terminal, on one line: escape sequences (CSI, OSC and the other
 * strings, two-character escapes) are dropped whole, tabs and line breaks become spaces, and
 * every other control character (C0, DEL, C1) is dropped. One pass, no backtracking: the
 * text may be as long and as hostile as a trace file allows.
 */
export function terminalSafe(text: string): string {
  let out = '';
  let kept = 0; // start of the run of plain characters not yet copied
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c !== 0x7f && (c < 0x80 || c > 0x9f)) {
      i++;
      continue;
    }
    out += text.slice(kept, i);
    if (c === 0x09 || c === 0x0a || c === 0x0d) {
      out += ' ';
      i++;
    } else if (c === ESC && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      if (next === 0x5b /* [ */) i = skipCsi(text, i + 2);
      else if (STRING_AFTER_ESC.has(next)) i = skipString(text, i + 2);
      else i += next >= 0x20 && next <= 0x7e ? 2 : 1;
    } else if (c === CSI_C1) {
      i = skipCsi(text, i + 1);
    } else if (STRING_C1.has(c)) {
      i = skipString(text, i + 1);
    } else {
      i++;
    }
    kept = i;
  }
  return kept === 0 ? text : out + text.slice(kept);
}

/** Past a CSI's parameter and intermediate bytes (0x20–0x3f) and its final byte (0x40–0x7e). */
function skipCsi(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c >= 0x40 && c <= 0x7e) return i + 1;
    if (c < 0x20 || c > 0x3f) return i; // malformed: stop, and let the caller look at it
    i++;
  }
  return i;
}

/** Past a control string, up to and including its BEL, ST or ESC \ (or to the end). */
function skipString(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BEL || c === ST) return i + 1;
    if (c === ESC) return text.charCodeAt(i + 1) === 0x5c /* \ */ ? i + 2 : i;
    i++;
  }
  return i;
}

/**
 * The first line of a message that holds more (a stack inside a status message), marked with
 * "…" when lines were left out; the first line with text when the message starts with blank ones.
 */
export function firstLine(text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  const first = lines.findIndex((line) => line.trim() !== '');
  if (first < 0) return '';
  const rest = lines.slice(first + 1).some((line) => line.trim() !== '');
  return rest ? `${lines[first].trimEnd()} …` : lines[first].trimEnd();
}
