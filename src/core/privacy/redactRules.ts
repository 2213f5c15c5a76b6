/**
 * The rules that find secrets in trace text. Every default pattern is linear: bounded
 * repetitions of character classes that cannot overlap their neighbours, so a hostile or huge
 * value costs at most a constant per character (no nested or adjacent unbounded quantifiers).
 */

export interface PatternRule {
  /** What the mask says: `‹redacted: api key›`. */
  readonly label: string;
  /** A JavaScript regular expression (no flags; `g` is added). */
  readonly regex: string;
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
  { label: 'api key', regex: 'sk-ant-[A-Za-z0-9_-]{20,400}' },
  // OpenAI and others: `sk-…`, `sk-proj-…`.
  { label: 'api key', regex: '\\bsk-[A-Za-z0-9_-]{20,400}' },
  { label: 'aws access key', regex: '\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b' },
  { label: 'github token', regex: '\\bgh[pousr]_[A-Za-z0-9]{30,255}' },
  { label: 'slack token', regex: '\\bxox[abposr]-[A-Za-z0-9-]{10,250}' },
  // The token after "Bearer ", not the word.
  { label: 'bearer token', regex: '(?<=\\b[Bb]earer[ \\t]{1,4})[A-Za-z0-9._~+/-]{12,4096}=*' },
  // A PEM block's body holds no '-': it ends at the END line, or wherever it was cut.
  { label: 'private key', regex: '-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[^-]{0,16384}(?:-----END [A-Z ]{0,40}PRIVATE KEY-----)?' },
  { label: 'e-mail address', regex: '\\b[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\\.){1,8}[A-Za-z]{2,24}\\b' },
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
