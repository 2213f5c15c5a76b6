/**
 * A forward-only JSON scanner over UTF-8 bytes. It lets the OTLP reader pick out the few
 * fields the index needs and jump over everything else (prompts, outputs, events) without
 * decoding or allocating it: skipping a string is one native `indexOf` per quote.
 */
export class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

export class JsonScanner {
  pos: number;

  constructor(readonly buf: Buffer, start: number, readonly end: number) {
    this.pos = start;
  }

  fail(message: string, at = this.pos): never {
    throw new JsonSyntaxError(at >= this.end ? `unexpected end of JSON (${message})` : message, at);
  }

  skipWhitespace(): void {
    const buf = this.buf;
    let p = this.pos;
    while (p < this.end) {
      const c = buf[p];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  /** Next non-whitespace byte without consuming it; -1 at the end. */
  peek(): number {
    this.skipWhitespace();
    return this.pos < this.end ? this.buf[this.pos] : -1;
  }

  expect(byte: number, what: string): void {
    if (this.peek() !== byte) this.fail(`expected ${what} at byte ${this.pos}`);
    this.pos++;
  }

  atEnd(): boolean {
    return this.peek() === -1;
  }

  /** Enters an object; returns false for `null` (read as absent). */
  beginObject(): boolean {
    const c = this.peek();
    if (c === LBRACE) {
      this.pos++;
      return true;
    }
    if (this.tryNull()) return false;
    return this.fail(`expected an object at byte ${this.pos}`, this.literalCutAt(this.pos));
  }

  /** Reads the next key of an object, or returns undefined at its closing brace. */
  nextKey(first: boolean): string | undefined {
    let c = this.peek();
    if (c === RBRACE) {
      this.pos++;
      return undefined;
    }
    if (!first) {
      if (c !== COMMA) this.fail(`expected ',' or '}' at byte ${this.pos}`);
      this.pos++;
      c = this.peek();
    }
    if (c !== QUOTE) this.fail(`expected a key at byte ${this.pos}`);
    const key = this.readString();
    this.expect(COLON, "':'");
    return key;
  }

  beginArray(): boolean {
    const c = this.peek();
    if (c === LBRACKET) {
      this.pos++;
      return true;
    }
    if (this.tryNull()) return false;
    return this.fail(`expected an array at byte ${this.pos}`, this.literalCutAt(this.pos));
  }

  /** True when another element follows; consumes the separator or the closing bracket. */
  nextElement(first: boolean): boolean {
    const c = this.peek();
    if (c === RBRACKET) {
      this.pos++;
      return false;
    }
    if (!first) {
      if (c !== COMMA) this.fail(`expected ',' or ']' at byte ${this.pos}`);
      this.pos++;
    }
    return true;
  }

  private tryNull(): boolean {
    const b = this.buf;
    const p = this.pos;
    if (b[p] === 0x6e && b[p + 1] === 0x75 && b[p + 2] === 0x6c && b[p + 3] === 0x6c && p + 4 <= this.end) {
      this.pos = p + 4;
      return true;
    }
    return false;
  }

  /**
   * Where to report a bad literal at `p`: the end of the input when the input ends inside
   * what could still become a valid literal (`tru`, `nul`, `-1.`), so a document still being
   * written reads as incomplete rather than malformed; else `p`.
   */
  private literalCutAt(p: number): number {
    if (this.end - p > 32) return p;
    return LITERAL_PREFIX_RE.test(this.buf.toString('latin1', p, this.end)) ? this.end : p;
  }

  /** Position just past the closing quote of the string starting at `p` (an opening quote). */
  private stringEnd(p: number): number {
    const buf = this.buf;
    let q = p + 1;
    for (;;) {
      q = buf.indexOf(QUOTE, q);
      if (q < 0 || q >= this.end) this.fail('unterminated string', this.end);
      // An escaped quote has an odd run of backslashes before it.
      let bs = 0;
      while (buf[q - 1 - bs] === BACKSLASH) bs++;
      if ((bs & 1) === 0) return q + 1;
      q++;
    }
  }

  readString(): string {
    if (this.peek() !== QUOTE) this.fail(`expected a string at byte ${this.pos}`);
    const start = this.pos;
    const end = this.stringEnd(start);
    this.pos = end;
    const buf = this.buf;
    let escaped = false;
    for (let p = start + 1; p < end - 1; p++) {
      if (buf[p] === BACKSLASH) {
        escaped = true;
        break;
      }
    }
    if (!escaped) return buf.toString('utf8', start + 1, end - 1);
    try {
      return JSON.parse(buf.toString('utf8', start, end)) as string;
    } catch {
      return this.fail(`invalid escape in string at byte ${start}`, start);
    }
  }

  /** Raw text of a number, or of a string's contents: int64 fields are written either way. */
  readScalarText(): string {
    const c = this.peek();
    if (c === QUOTE) return this.readString();
    const start = this.pos;
    this.skipValue();
    return this.buf.toString('latin1', start, this.pos);
  }

  /** Skips one value of any type, returning its byte range. */
  skipValue(): [number, number] {
    const c = this.peek();
    const start = this.pos;
    const buf = this.buf;
    if (c === QUOTE) {
      this.pos = this.stringEnd(start);
    } else if (c === LBRACE || c === LBRACKET) {
      let depth = 0;
      let p = start;
      const end = this.end;
      while (p < end) {
        const b = buf[p];
        if (b === QUOTE) {
          p = this.stringEnd(p);
          continue;
        }
        if (b === LBRACE || b === LBRACKET) depth++;
        else if (b === RBRACE || b === RBRACKET) {
          depth--;
          if (depth === 0) {
            this.pos = p + 1;
            return [start, this.pos];
          }
        }
        p++;
      }
      this.fail('unclosed object or array', end);
    } else if (c === -1) {
      this.fail('expected a value', this.end);
    } else {
      // Literal: number, true, false, null.
      let p = start;
      while (p < this.end) {
        const b = buf[p];
        if (b === COMMA || b === RBRACE || b === RBRACKET || b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) break;
        p++;
      }
      if (p === start) this.fail(`unexpected character at byte ${start}`);
      const text = buf.toString('latin1', start, p);
      if (!LITERAL_RE.test(text)) this.fail(`unexpected '${text.slice(0, 20)}' at byte ${start}`, this.literalCutAt(start));
      this.pos = p;
    }
    return [start, this.pos];
  }
}

const LITERAL_RE = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;
/** A non-empty start of a literal, cut short by the end of the input. */
const LITERAL_PREFIX_RE = /^(?:t(?:r(?:u(?:e)?)?)?|f(?:a(?:l(?:s(?:e)?)?)?)?|n(?:u(?:l(?:l)?)?)?|-|-?(?:0|[1-9]\d*)(?:\.\d*)?(?:[eE][+-]?\d*)?)$/;
