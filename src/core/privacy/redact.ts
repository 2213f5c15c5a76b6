import picomatch from 'picomatch';
import type { AttributeValue, Attributes } from '../model/span';
import { DEFAULT_KEY_GLOBS, DEFAULT_PATTERNS, type PatternRule, type RedactSetting } from './redactRules';

export interface SecretMatch {
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

/** Where a secret sits in a span: the attribute (or payload path) and what it is. */
export interface SecretFinding {
  /** `attributes["http.request.header.authorization"]`, `events[0].attributes["…"]`, a JSON path inside a value. */
  readonly where: string;
  readonly label: string;
}

/** How a masked secret reads. The guillemets keep it from looking like the text around it. */
export function mask(label: string): string {
  return `‹redacted: ${label}›`;
}

const KEY_LABEL = 'secret attribute';

interface CompiledPattern {
  readonly label: string;
  readonly re: RegExp;
  readonly hint: string | undefined;
}

/**
 * Masks secrets in text and attributes by the `tracerun.redact` rules. Each string is
 * matched on its own: a secret split across two attribute values (or two messages) is not
 * recognised, and is not claimed to be.
 */
export class Redactor {
  private readonly patterns: CompiledPattern[];
  private readonly keyMatches: (key: string) => boolean;
  readonly problems: string[] = [];

  constructor(setting: RedactSetting = {}) {
    const defaults = setting.defaults !== false;
    const rules: PatternRule[] = [...(defaults ? DEFAULT_PATTERNS : []), ...(setting.patterns ?? [])];
    this.patterns = [];
    for (const rule of rules) {
      try {
        this.patterns.push({ label: String(rule.label || 'secret'), re: new RegExp(rule.regex, 'gd'), hint: rule.hint || undefined });
      } catch (err) {
        this.problems.push(`tracerun.redact: pattern "${rule.regex}" is not a regular expression (${(err as Error).message}); ignored`);
      }
    }
    const globs = [...(defaults ? DEFAULT_KEY_GLOBS : []), ...(setting.keys ?? [])];
    const matcher = globs.length > 0 ? picomatch(globs, { nocase: true, dot: true }) : () => false;
    this.keyMatches = (key) => matcher(key);
  }

  /** Whether values under this attribute key are masked whole. */
  isSecretKey(key: string): boolean {
    return this.keyMatches(key);
  }

  /**
   * The secrets in a text, without overlaps: where matches overlap they merge into one,
   * named by the rule listed first among them.
   */
  matches(text: string): SecretMatch[] {
    const found: { start: number; end: number; rank: number; label: string }[] = [];
    this.patterns.forEach((p, rank) => {
      if (p.hint !== undefined && !text.includes(p.hint)) return;
      p.re.lastIndex = 0;
      for (let m = p.re.exec(text); m !== null; m = p.re.exec(text)) {
        if (m[0].length === 0) {
          p.re.lastIndex++;
          continue;
        }
        const group = m.indices?.[1];
        if (group) found.push({ start: group[0], end: group[1], rank, label: p.label });
        else if (m.length < 2) found.push({ start: m.index, end: m.index + m[0].length, rank, label: p.label });
      }
    });
    if (found.length === 0) return [];
    found.sort((a, b) => a.start - b.start || a.rank - b.rank);
    const out: { start: number; end: number; rank: number; label: string }[] = [];
    for (const f of found) {
      const last = out[out.length - 1];
      if (last && f.start < last.end) {
        last.end = Math.max(last.end, f.end);
        if (f.rank < last.rank) {
          last.rank = f.rank;
          last.label = f.label;
        }
      } else out.push({ ...f });
    }
    return out.map(({ start, end, label }) => ({ start, end, label }));
  }

  text(text: string): string {
    const found = this.matches(text);
    if (found.length === 0) return text;
    let out = '';
    let at = 0;
    for (const m of found) {
      out += text.slice(at, m.start) + mask(m.label);
      at = m.end;
    }
    return out + text.slice(at);
  }

  /** Any JSON value: strings masked, object members under secret keys masked whole. */
  value<T>(value: T): T {
    return this.walk(value) as T;
  }

  attributes(attributes: Attributes): Attributes {
    const out: Attributes = {};
    for (const [key, v] of Object.entries(attributes)) out[key] = this.isSecretKey(key) && v !== null && v !== '' ? mask(KEY_LABEL) : (this.walk(v) as AttributeValue);
    return out;
  }

  /** Where in a value secrets are, for Check for Secrets; `where` starts at `path`. */
  find(value: unknown, path: string, out: SecretFinding[] = []): SecretFinding[] {
    if (typeof value === 'string') {
      for (const m of this.matches(value)) out.push({ where: path, label: m.label });
    } else if (Array.isArray(value)) value.forEach((v, i) => this.find(v, `${path}[${i}]`, out));
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const at = `${path}[${JSON.stringify(k)}]`;
        if (this.isSecretKey(k) && v !== null && v !== '') out.push({ where: at, label: KEY_LABEL });
        else this.find(v, at, out);
      }
    }
    return out;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.isSecretKey(k) && v !== null && v !== '' ? mask(KEY_LABEL) : this.walk(v);
      return out;
    }
    return value;
  }
}
