/**
 * The rules that find secrets in trace text. Every default pattern is linear: bounded
 * repetitions of character classes that cannot overlap their neighbours, so a hostile or huge
 * value costs at most a constant per character (no nested or adjacent unbounded quantifiers).
 */

export interface PatternRule {
  /** What the mask says: `‹redacted: api key›`. */
  readonly label: string;
  /** A JavaScript regular expression (no flags; `g` is added). With a capture group, only the first group is masked. */
  readonly regex: string;
  /** Text every match contains: where it is absent the pattern is not run (most text has no `@`, no `sk-`). */
  readonly hint?: string;
}

/** How `tracerun.redact` is written in settings. */
export interface RedactSetting {
  /** The built-in patterns and key globs below, on top of the rules given here. */
  readonly defaults?: boolean;
  /** Attribute key globs (`*password*`, `http.request.header.authorization`): the whole value is masked. */
  readonly keys?: readonly string[];
  readonly patterns?: readonly PatternRule[];
}

export const DEFAULT_PATTERNS: readonly PatternRule[] = [
  // Anthropic before the generic `sk-`: where both match, the earlier rule names the match.
  { label: 'api key', regex: 'sk-ant-[A-Za-z0-9_-]{20,400}', hint: 'sk-ant-' },
  // OpenAI and others: `sk-…`, `sk-proj-…`.
  { label: 'api key', regex: '\\bsk-[A-Za-z0-9_-]{20,400}', hint: 'sk-' },
  { label: 'aws access key', regex: '\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b' },
  { label: 'github token', regex: '\\bgh[pousr]_[A-Za-z0-9]{30,255}', hint: '_' },
  { label: 'slack token', regex: '\\bxox[abposr]-[A-Za-z0-9-]{10,250}', hint: 'xox' },
  // The token after "Bearer ", not the word: a first group is what gets masked.
  { label: 'bearer token', regex: '\\b[Bb]earer[ \\t]{1,4}([A-Za-z0-9._~+/-]{12,4096}=*)', hint: 'earer' },
  // A PEM block's body holds no '-': it ends at the END line, or wherever it was cut.
  { label: 'private key', regex: '-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[^-]{0,16384}(?:-----END [A-Z ]{0,40}PRIVATE KEY-----)?', hint: 'PRIVATE KEY' },
  { label: 'e-mail address', regex: '\\b[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\\.){1,8}[A-Za-z]{2,24}\\b', hint: '@' },
];

export const DEFAULT_KEY_GLOBS: readonly string[] = [
  '*password*',
  '*passwd*',
  '*secret*',
  '*api_key*',
  '*apikey*',
  '*api-key*',
  '*access_token*',
  'http.request.header.authorization',
  'http.request.header.cookie',
  'http.response.header.set-cookie',
];

/** The default of `tracerun.redact`. */
export const DEFAULT_REDACT_SETTING: Required<RedactSetting> = { defaults: true, keys: [], patterns: [] };
