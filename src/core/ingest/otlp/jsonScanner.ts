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

/**
 * Deepest nesting of objects and arrays accepted, by the reader (within any value it passes
 * over) and by the receivers (in a whole request), so a line a receiver writes is always
 * read back. OTLP needs about 10 levels plus 4 per level of nested attribute values.
 */
export const MAX_JSON_DEPTH = 512;

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
  /** Objects and arrays entered (`beginObject`, `beginArray`) and not yet closed. */
  private open = 0;

  /**
   * With `depthFromStart`, nesting is measured from `start` (entered objects and arrays plus
   * those a skipped value holds), and passing `MAX_JSON_DEPTH` fails as `findTooDeep` would
   * find it; otherwise a skipped value's own nesting is limited.
   */
  constructor(
    readonly buf: Buffer,
    private readonly start: number,
    readonly end: number,
    private readonly depthFromStart = false,
  ) {
    this.pos = start;
  }

  private enter(at: number): void {
    if (++this.open > MAX_JSON_DEPTH && this.depthFromStart) this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels at column ${this.column(at)}`, at);
  }

  /** 1-based column of a position, for messages a user can find in the line. */
  column(at = this.pos): number {
    return at - this.start + 1;
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
    if (this.peek() !== byte) this.fail(`expected ${what} at column ${this.column()}`);
    this.pos++;
  }

  atEnd(): boolean {
    return this.peek() === -1;
  }

  /** Enters an object; returns false for `null` (read as absent). */
  beginObject(): boolean {
    const c = this.peek();
    if (c === LBRACE) {
      this.enter(this.pos++);
      return true;
    }
    if (this.tryNull()) return false;
    return this.fail(`expected an object at column ${this.column()}`, this.literalCutAt(this.pos));
  }

  /** Reads the next key of an object, or returns undefined at its closing brace. */
  nextKey(first: boolean): string | undefined {
    let c = this.peek();
    if (c === RBRACE) {
      this.pos++;
      this.open--;
      return undefined;
    }
    if (!first) {
      if (c !== COMMA) this.fail(`expected ',' or '}' at column ${this.column()}`);
      this.pos++;
      c = this.peek();
    }
    if (c !== QUOTE) this.fail(`expected a key at column ${this.column()}`);
    const key = this.readKey();
    this.expect(COLON, "':'");
    return key;
  }

  beginArray(): boolean {
    const c = this.peek();
    if (c === LBRACKET) {
      this.enter(this.pos++);
      return true;
    }
    if (this.tryNull()) return false;
    return this.fail(`expected an array at column ${this.column()}`, this.literalCutAt(this.pos));
  }

  /** True when another element follows; consumes the separator or the closing bracket. */
  nextElement(first: boolean): boolean {
    const c = this.peek();
    if (c === RBRACKET) {
      this.pos++;
      this.open--;
      return false;
    }
    if (!first) {
      if (c !== COMMA) this.fail(`expected ',' or ']' at column ${this.column()}`);
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

  /** Reads a string value; `null` reads as '' (the protobuf JSON mapping's default). */
  readString(): string {
    if (this.peek() !== QUOTE) {
      if (this.tryNull()) return '';
      this.fail(`expected a string at column ${this.column()}`, this.literalCutAt(this.pos));
    }
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
      return this.fail(`invalid escape in string at column ${this.column(start)}`, start);
    }
  }

  /**
   * Passes over a string value (or `null`) as `readString` would accept it, without decoding
   * it; returns the range of its contents (empty for `null`).
   */
  passString(): [number, number] {
    if (this.peek() !== QUOTE) {
      if (this.tryNull()) return [this.pos, this.pos];
      this.fail(`expected a string at column ${this.column()}`, this.literalCutAt(this.pos));
    }
    const start = this.pos;
    this.pos = this.stringEnd(start);
    return [start + 1, this.pos - 1];
  }

  /**
   * Reads a string that repeats across spans (object keys, attribute keys) through a small
   * cache, so the common case allocates nothing: OTLP has a few dozen distinct keys.
   */
  readKey(): string {
    if (this.peek() !== QUOTE) this.fail(`expected a string at column ${this.column()}`);
    const buf = this.buf;
    const start = this.pos + 1;
    const end = this.stringEnd(this.pos) - 1;
    const length = end - start;
    if (length > MAX_CACHED_KEY) return this.readString();
    let hash = length;
    for (let p = start; p < end; p++) {
      const c = buf[p];
      // Escapes and non-ASCII take the general path, so the cache compares bytes to chars.
      if (c === BACKSLASH || c >= 0x80) return this.readString();
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    const slot = hash & (KEY_CACHE_SIZE - 1);
    const cached = keyCache[slot];
    this.pos = end + 1;
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (cached.charCodeAt(i) !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const key = buf.toString('latin1', start, end);
    keyCache[slot] = key;
    return key;
  }

  /** Raw text of a number, or of a string's contents: int64 fields are written either way. */
  readScalarText(): string {
    const c = this.peek();
    if (c === QUOTE) return this.readString();
    const start = this.pos;
    this.skipValue();
    const text = this.buf.toString('latin1', start, this.pos);
    return text === 'null' ? '' : text;
  }

  /** Where the last value passed over by `skipValue` began; it ends at `pos`. */
  skippedStart = 0;

  /** Skips one value of any type; `skippedStart`..`pos` is its byte range. */
  skipValue(): void {
    const c = this.peek();
    const start = this.pos;
    this.skippedStart = start;
    const buf = this.buf;
    if (c === QUOTE) {
      this.pos = this.stringEnd(start);
    } else if (c === LBRACE || c === LBRACKET) {
      const base = this.depthFromStart ? this.open : 0;
      let depth = base;
      let p = start;
      const end = this.end;
      while (p < end) {
        const b = buf[p];
        if (b === QUOTE) {
          p = this.stringEnd(p);
          continue;
        }
        if (b === LBRACE || b === LBRACKET) {
          if (++depth > MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels at column ${this.column(p)}`, p);
        } else if (b === RBRACE || b === RBRACKET) {
          depth--;
          if (depth === base) {
            this.pos = p + 1;
            return;
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
      if (p === start) this.fail(`unexpected character at column ${this.column(start)}`);
      const text = buf.toString('latin1', start, p);
      if (!LITERAL_RE.test(text)) this.fail(`unexpected '${text.slice(0, 20)}' at column ${this.column(start)}`, this.literalCutAt(start));
      this.pos = p;
    }
  }
}

/**
 * Where the nesting of `buf[start, end)` first passes `limit` (a byte offset), or -1; strings
 * are passed over. Iterative, so any depth is safe to measure.
 */
export function findTooDeep(buf: Buffer, start: number, end: number, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  for (let p = start; p < end; p++) {
    const b = buf[p];
    if (b === QUOTE) {
      // To the closing quote: one not preceded by an odd run of backslashes.
      for (p = buf.indexOf(QUOTE, p + 1); p >= 0 && p < end; p = buf.indexOf(QUOTE, p + 1)) {
        let bs = 0;
        while (buf[p - 1 - bs] === BACKSLASH) bs++;
        if ((bs & 1) === 0) break;
      }
      if (p < 0 || p >= end) return -1;
    } else if (b === LBRACE || b === LBRACKET) {
      if (++depth > limit) return p;
    } else if (b === RBRACE || b === RBRACKET) depth--;
  }
  return -1;
}

const MAX_CACHED_KEY = 64;
const KEY_CACHE_SIZE = 1024;
const keyCache: (string | undefined)[] = new Array(KEY_CACHE_SIZE);

const LITERAL_RE = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;
/** A non-empty start of a literal, cut short by the end of the input. */
const LITERAL_PREFIX_RE = /^(?:t(?:r(?:u(?:e)?)?)?|f(?:a(?:l(?:s(?:e)?)?)?)?|n(?:u(?:l(?:l)?)?)?|-|-?(?:0|[1-9]\d*)(?:\.\d*)?(?:[eE][+-]?\d*)?)$/;

const IS_HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') IS_HEX[c.charCodeAt(0)] = 1;
const NO_WORDS = new Uint32Array(0);
/** In an array (1) or object (2); see `isStrictJson`. */
const IN_ARRAY = 1;
const IN_OBJECT = 2;

/** Past whitespace from `p`. */
function strictWs(buf: Uint8Array, p: number, n: number): number {
  while (p < n) {
    const c = buf[p];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    p++;
  }
  return p;
}

/**
 * Just past the string at `p` (its opening quote), or -1 when JSON.parse would refuse it.
 * `words` views `buf` from byte `w0` in 4-byte words: the string's plain middle is passed a
 * word at a time (a word with no byte below 0x20, no quote and no backslash is plain).
 */
function strictStringEnd(buf: Uint8Array, words: Uint32Array, w0: number, p: number, n: number): number {
  p++;
  const wordsEnd = w0 + words.length * 4;
  while (p < n) {
    if (((p - w0) & 3) === 0 && p >= w0 && p + 4 <= wordsEnd) {
      const x = words[(p - w0) >> 2];
      const q = x ^ 0x22222222;
      const b = x ^ 0x5c5c5c5c;
      // Any byte below 0x20, equal to 0x22 or to 0x5c sets its high bit here (exact for "any").
      if (((((x - 0x20202020) & ~x) | ((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b)) & 0x80808080) === 0) {
        p += 4;
        continue;
      }
    }
    const c = buf[p];
    if (c > BACKSLASH || (c >= 0x23 && c !== BACKSLASH) || c === 0x20 || c === 0x21) {
      p++;
      continue;
    }
    if (c === QUOTE) return p + 1;
    if (c !== BACKSLASH) return -1; // a control character
    const e = buf[p + 1];
    if (e === 0x75 /* u */) {
      if (p + 5 >= n || !IS_HEX[buf[p + 2]] || !IS_HEX[buf[p + 3]] || !IS_HEX[buf[p + 4]] || !IS_HEX[buf[p + 5]]) return -1;
      p += 6;
    } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) p += 2;
    else return -1;
  }
  return -1;
}

/** Just past a run of digits at `p` (at least one), or -1. */
function strictDigits(buf: Uint8Array, p: number, n: number): number {
  const from = p;
  while (p < n && buf[p] >= 0x30 && buf[p] <= 0x39) p++;
  return p > from ? p : -1;
}

/** Just past the number, `true`, `false` or `null` at `p`, or -1. */
function strictScalarEnd(buf: Uint8Array, p: number, n: number): number {
  const c = buf[p];
  if (c === 0x74) return p + 4 <= n && buf[p + 1] === 0x72 && buf[p + 2] === 0x75 && buf[p + 3] === 0x65 ? p + 4 : -1;
  if (c === 0x66) return p + 5 <= n && buf[p + 1] === 0x61 && buf[p + 2] === 0x6c && buf[p + 3] === 0x73 && buf[p + 4] === 0x65 ? p + 5 : -1;
  if (c === 0x6e) return p + 4 <= n && buf[p + 1] === 0x75 && buf[p + 2] === 0x6c && buf[p + 3] === 0x6c ? p + 4 : -1;
  if (c === 0x2d) p++;
  if (p >= n) return -1;
  if (buf[p] === 0x30) p++;
  else if ((p = strictDigits(buf, p, n)) < 0) return -1;
  if (p < n && buf[p] === 0x2e) {
    if ((p = strictDigits(buf, p + 1, n)) < 0) return -1;
  }
  if (p < n && (buf[p] === 0x65 || buf[p] === 0x45)) {
    p++;
    if (p < n && (buf[p] === 0x2b || buf[p] === 0x2d)) p++;
    if ((p = strictDigits(buf, p, n)) < 0) return -1;
  }
  return p;
}

/** Just past `"key" :` at `p` (after whitespace), or -1. */
function strictKeyEnd(buf: Uint8Array, words: Uint32Array, w0: number, p: number, n: number): number {
  p = strictWs(buf, p, n);
  if (p >= n || buf[p] !== QUOTE || (p = strictStringEnd(buf, words, w0, p, n)) < 0) return -1;
  p = strictWs(buf, p, n);
  return p < n && buf[p] === COLON ? p + 1 : -1;
}

/**
 * Whether `buf[start, end)`, read one character per byte (latin1, as the receiver reads a
 * body), is one JSON value that `JSON.parse` accepts, nested at most `MAX_JSON_DEPTH` deep.
 * Iterative; false at the first doubt, so a caller can fall back to `JSON.parse` for the why.
 */
export function isStrictJson(whole: Uint8Array, start: number, end: number): boolean {
  // A view of the range: nothing past its end is read.
  const buf = whole.subarray(start, end);
  const n = buf.length;
  // Words from the first 4-byte boundary (typed arrays must start on one).
  const w0 = (4 - (buf.byteOffset & 3)) & 3;
  const words = n >= w0 + 4 ? new Uint32Array(buf.buffer, buf.byteOffset + w0, (n - w0) >> 2) : NO_WORDS;
  const stack = new Uint8Array(MAX_JSON_DEPTH + 1);
  let depth = 0;
  let p = 0;
  for (;;) {
    // A value.
    p = strictWs(buf, p, n);
    if (p >= n) return false;
    const c = buf[p];
    if (c === QUOTE) {
      if ((p = strictStringEnd(buf, words, w0, p, n)) < 0) return false;
    } else if (c === LBRACE || c === LBRACKET) {
      if (++depth > MAX_JSON_DEPTH) return false;
      stack[depth] = c === LBRACE ? IN_OBJECT : IN_ARRAY;
      p = strictWs(buf, p + 1, n);
      if (p < n && buf[p] === (c === LBRACE ? RBRACE : RBRACKET)) {
        p++;
        depth--;
      } else {
        if (c === LBRACE && (p = strictKeyEnd(buf, words, w0, p, n)) < 0) return false;
        continue;
      }
    } else if ((p = strictScalarEnd(buf, p, n)) < 0) return false;
    // After a value: a separator, closing brackets, or the end.
    for (;;) {
      p = strictWs(buf, p, n);
      if (depth === 0) return p === n;
      if (p >= n) return false;
      const b = buf[p];
      if (b === COMMA) {
        p++;
        if (stack[depth] === IN_OBJECT && (p = strictKeyEnd(buf, words, w0, p, n)) < 0) return false;
        break;
      }
      if (b !== (stack[depth] === IN_OBJECT ? RBRACE : RBRACKET)) return false;
      p++;
      depth--;
    }
  }
}
