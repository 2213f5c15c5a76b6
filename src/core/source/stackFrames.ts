/** The runtime whose frame format a line was read as: it says which end of the stack is innermost. */
export type FrameFormat = 'python' | 'node' | 'jvm' | 'go' | 'dotnet';

/** One line of a stack trace, with the file and line it points at when it names one. */
export interface StackFrame {
  readonly text: string;
  readonly path?: string;
  readonly line?: number;
  /** The function the frame is in, when the line (or, for Go, the line before) names it. */
  readonly function?: string;
  readonly format?: FrameFormat;
}

/**
 * Only this much of a line is looked at for a frame. Real frames are a few hundred characters;
 * the rest of a long line (a base64 image in an error message) can't hold one worth linking.
 */
export const MAX_FRAME_CHARS = 2048;

interface Location {
  readonly path: string;
  readonly line: number;
  readonly format: FrameFormat;
  /** The function named on the line, as written (`Agent.run`, `com.acme.Agent.run`). */
  readonly function?: string;
}

/**
 * The frame readers, most specific first. Each is a scan with indexOf and single passes, not
 * a regular expression: a backtracking pattern took seconds on one long line without a colon.
 */
const READERS: ((text: string) => Location | undefined)[] = [pythonFrame, dotnetFrame, trailingLocation, jvmFrame, goFrame];

/** Splits a stack trace into frames, picking out file paths, line numbers and functions. */
export function parseStackTrace(stack: string): StackFrame[] {
  let previous = '';
  return stack.split(/\r?\n/).map((text) => {
    const head = text.length > MAX_FRAME_CHARS ? text.slice(0, MAX_FRAME_CHARS) : text;
    const before = previous;
    previous = head;
    for (const read of READERS) {
      let at = read(head);
      // `at com.acme.Agent.run(Agent.java:42)` ends as a Node frame does: read it as the JVM's.
      if (at?.format === 'node' && JVM_EXTENSIONS.some((ext) => at!.path.endsWith(ext))) {
        const jvm = jvmFrame(head);
        if (jvm && jvm.path === at.path && jvm.line === at.line) at = jvm;
      }
      // A Go frame inlined into its caller has no `+0x…` after its line (`\t/app/main.go:4`),
      // so it ends as a Node frame does: read it as Go's, whose function is on the line above.
      if (at?.format === 'node' && at.path.endsWith('.go')) {
        const go = goFrame(head);
        if (go && go.path === at.path && go.line === at.line) at = go;
      }
      if (!at || at.path.startsWith('node:') || at.path.startsWith('<')) continue;
      const path = at.path.startsWith('file://') ? at.path.slice(7) : at.path;
      if (path === '') continue;
      // Go names the function on the line above the file: `main.lookupOrder(0x1, …)`.
      const fn = at.format === 'go' ? goFunction(before) : at.function;
      return fn ? { text, path, line: at.line, function: fn, format: at.format } : { text, path, line: at.line, format: at.format };
    }
    return { text };
  });
}

/**
 * The frames of a stack with the innermost (where it was thrown) first: Python prints its
 * traceback outermost first, the others innermost first. Frames without a file are left out.
 */
export function innermostFirst(frames: readonly StackFrame[]): StackFrame[] {
  const located = frames.filter((f) => f.path !== undefined);
  const python = located.filter((f) => f.format === 'python').reverse();
  // A stack is one runtime's; should a message hold two (a Node error wrapping a Python
  // traceback), the Python frames, innermost first, come first: they are the deeper cause.
  return python.length === 0 ? located : [...python, ...located.filter((f) => f.format !== 'python')];
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isAlnum = (c: number): boolean => isDigit(c) || isLetter(c);
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c || c === 0xa0;
/** Characters a path in a Node or JVM frame never holds: whitespace, `(`, `)` and `:`. */
const endsPath = (c: number): boolean => isSpace(c) || c === 0x28 || c === 0x29 || c === 0x3a;

/** The end of the run of digits starting at `i`. */
function digitsFrom(s: string, i: number): number {
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  return i;
}

/** Python: `File "/app/agent.py", line 29, in lookup_order`. */
function pythonFrame(s: string): Location | undefined {
  for (let at = s.indexOf('File "'); at >= 0; at = s.indexOf('File "', at + 1)) {
    const start = at + 6;
    const close = s.indexOf('"', start);
    if (close < 0) return undefined;
    if (close > start && s.startsWith(', line ', close + 1)) {
      const digits = close + 8;
      const end = digitsFrom(s, digits);
      if (end > digits) {
        const fn = s.startsWith(', in ', end) ? s.slice(end + 5).trim() : '';
        return { path: s.slice(start, close), line: Number(s.slice(digits, end)), format: 'python', ...(fn && !fn.startsWith('<') ? { function: fn } : {}) };
      }
    }
  }
  return undefined;
}

/**
 * Node/V8 and anything else ending in `path:line[:column]`, optionally in parentheses:
 * `at fn (/app/agent.ts:67:23)`, `at /app/agent.ts:67:23`, `at async file:///app/a.js:1:2`,
 * `at C:\app\a.js:1:2`. Read backwards from the end of the line; the file needs an extension.
 */
function trailingLocation(s: string): Location | undefined {
  let end = s.length;
  while (end > 0 && isSpace(s.charCodeAt(end - 1))) end--;
  if (end > 0 && s.charCodeAt(end - 1) === 0x29 /* ) */) end--;
  let p = end;
  while (p > 0 && isDigit(s.charCodeAt(p - 1))) p--;
  if (p === end || p === 0 || s.charCodeAt(p - 1) !== 0x3a /* : */) return undefined;
  let lineStart = p;
  let lineEnd = end;
  let pathEnd = p - 1;
  // `:line:column`: the line is the earlier number.
  let q = pathEnd;
  while (q > 0 && isDigit(s.charCodeAt(q - 1))) q--;
  if (q < pathEnd && q > 0 && s.charCodeAt(q - 1) === 0x3a) {
    lineStart = q;
    lineEnd = pathEnd;
    pathEnd = q - 1;
  }
  let start = pathEnd;
  while (start > 0 && !endsPath(s.charCodeAt(start - 1))) start--;
  if (start > 0 && s.charCodeAt(start - 1) === 0x3a) {
    // `file:///app/a.js`, or a drive letter (`C:\app`, `file:///C:/app`); a scheme's last
    // letter is no drive: `node:internal/…` or `http://…` are not files.
    if (s.startsWith('file://', start - 5)) start += 2;
    else if (s.startsWith('webpack://', start - 8)) {
      // A source-mapped bundle: `webpack://my-app/./src/agent.ts`; the first name is the bundle's.
      const slash = s.indexOf('/', start + 2);
      if (slash < 0 || slash >= pathEnd) return undefined;
      start = slash + 1;
    } else if (start >= 2 && isLetter(s.charCodeAt(start - 2))) {
      const before = start > 2 ? s.charCodeAt(start - 3) : 0x20;
      if (!endsPath(before) && before !== 0x2f) return undefined;
      start -= 2;
    }
  }
  // A name before an extension of letters and digits.
  const dot = s.lastIndexOf('.', pathEnd - 1);
  if (dot <= start || dot === pathEnd - 1 || s.charCodeAt(dot - 1) === 0x3a) return undefined;
  for (let i = dot + 1; i < pathEnd; i++) if (!isAlnum(s.charCodeAt(i))) return undefined;
  const path = s.slice(start, pathEnd);
  const fn = nodeFunction(s, start);
  return { path, line: Number(s.slice(lineStart, lineEnd)), format: 'node', ...(fn ? { function: fn } : {}) };
}

/** `at async Agent.lookupOrder (/app/a.ts:1:2)` → `Agent.lookupOrder`, read before the path's `(`. */
function nodeFunction(s: string, pathStart: number): string | undefined {
  const open = s.lastIndexOf('(', pathStart - 1);
  if (open < 1) return undefined;
  // Between the `(` and the path only a scheme: `file://`, `webpack://my-app/`.
  for (let i = open + 1; i < pathStart; i++) if (isSpace(s.charCodeAt(i)) || s.charCodeAt(i) === 0x29) return undefined;
  let end = open;
  while (end > 0 && isSpace(s.charCodeAt(end - 1))) end--;
  const at = s.lastIndexOf('at ', end);
  if (at < 0) return undefined;
  let name = s.slice(at + 3, end).trim();
  for (const prefix of ['async ', 'new ']) if (name.startsWith(prefix)) name = name.slice(prefix.length);
  // `Object.<anonymous>`, `<anonymous>`: no name to look for.
  return name === '' || name.includes('<') ? undefined : name;
}

const JVM_EXTENSIONS = ['.java', '.kt', '.scala'];

/** Java/Kotlin/Scala: `at com.acme.Agent.run(Agent.java:42)`, anywhere in the line. */
function jvmFrame(s: string): Location | undefined {
  for (let open = s.indexOf('('); open >= 0; open = s.indexOf('(', open + 1)) {
    let p = open + 1;
    while (p < s.length && !endsPath(s.charCodeAt(p))) p++;
    if (p === open + 1 || s.charCodeAt(p) !== 0x3a) continue;
    const file = s.slice(open + 1, p);
    if (!JVM_EXTENSIONS.some((ext) => file.length > ext.length && file.endsWith(ext))) continue;
    const end = digitsFrom(s, p + 1);
    if (end > p + 1 && s.charCodeAt(end) === 0x29) {
      let nameStart = open;
      while (nameStart > 0 && !isSpace(s.charCodeAt(nameStart - 1))) nameStart--;
      const qualified = s.slice(nameStart, open);
      return { path: file, line: Number(s.slice(p + 1, end)), format: 'jvm', ...(qualified ? { function: qualified } : {}) };
    }
  }
  return undefined;
}

/** Go: `\t/app/agent.go:42 +0x1d`, an absolute path at the start of the line. */
function goFrame(s: string): Location | undefined {
  let start = 0;
  while (start < s.length && isSpace(s.charCodeAt(start))) start++;
  let p = start;
  if (isLetter(s.charCodeAt(p)) && s.charCodeAt(p + 1) === 0x3a) p += 2;
  if (s.charCodeAt(p) !== 0x2f /* / */) return undefined;
  const slash = p;
  while (p < s.length && !isSpace(s.charCodeAt(p)) && s.charCodeAt(p) !== 0x3a) p++;
  const file = s.slice(start, p);
  // Something between the leading slash and `.go`.
  if (s.charCodeAt(p) !== 0x3a || !file.endsWith('.go') || p - 3 <= slash + 1) return undefined;
  const end = digitsFrom(s, p + 1);
  return end > p + 1 ? { path: file, line: Number(s.slice(p + 1, end)), format: 'go' } : undefined;
}

/** `main.(*Agent).lookupOrder(0xc000…)` or `panic({0x…})` → the name before the arguments. */
function goFunction(line: string): string | undefined {
  let start = 0;
  while (start < line.length && isSpace(line.charCodeAt(start))) start++;
  const open = line.lastIndexOf('(');
  if (open <= start || !line.trimEnd().endsWith(')')) return undefined;
  const name = line.slice(start, open);
  return name.includes(' ') || name.startsWith('/') ? undefined : name;
}

/** .NET: `   at Acme.Agent.Tools.LookupOrder(String id) in C:\src\Tools.cs:line 42`. */
function dotnetFrame(s: string): Location | undefined {
  const marker = s.lastIndexOf(':line ');
  if (marker < 0) return undefined;
  const end = digitsFrom(s, marker + 6);
  if (end === marker + 6) return undefined;
  const inAt = s.lastIndexOf(' in ', marker);
  if (inAt < 0) return undefined;
  const path = s.slice(inAt + 4, marker);
  if (path === '') return undefined;
  const at = s.indexOf('at ');
  const open = s.indexOf('(', at);
  const fn = at >= 0 && open > at + 3 && open < inAt ? s.slice(at + 3, open).trim() : undefined;
  return { path, line: Number(s.slice(marker + 6, end)), format: 'dotnet', ...(fn ? { function: fn } : {}) };
}
