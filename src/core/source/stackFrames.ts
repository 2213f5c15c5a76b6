/** One line of a stack trace, with the file and line it points at when it names one. */
export interface StackFrame {
  readonly text: string;
  readonly path?: string;
  readonly line?: number;
}

const PATTERNS: RegExp[] = [
  // Python: File "/app/agent.py", line 29, in lookup_order
  /File "([^"]+)", line (\d+)/,
  // Node/V8: at fn (/app/agent.ts:67:23) · at /app/agent.ts:67:23 · at async file:///app/a.js:1:2
  /\(?((?:file:\/\/)?(?:[A-Za-z]:)?[^\s():]+\.[A-Za-z0-9]+):(\d+)(?::\d+)?\)?\s*$/,
  // Java/Kotlin: at com.acme.Agent.run(Agent.java:42)
  /\(([^():\s]+\.(?:java|kt|scala)):(\d+)\)/,
  // Go: /app/agent.go:42 +0x1d
  /^\s*((?:[A-Za-z]:)?\/[^\s:]+\.go):(\d+)/,
];

/** Splits a stack trace into frames, picking out file paths and line numbers. */
export function parseStackTrace(stack: string): StackFrame[] {
  return stack.split(/\r?\n/).map((text) => {
    for (const re of PATTERNS) {
      const m = re.exec(text);
      if (m && !m[1].startsWith('node:') && !m[1].startsWith('<')) {
        return { text, path: m[1].replace(/^file:\/\//, ''), line: Number(m[2]) };
      }
    }
    return { text };
  });
}
