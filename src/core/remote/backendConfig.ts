/**
 * `tracerun.backends`: the trace backends the user added, validated once. A header's value is
 * never in settings (a shared settings.json would leak it): the setting names the header,
 * its value is kept in VS Code's secret storage under `backendSecretKey(name)`.
 */
export interface BackendSetting {
  readonly name: string;
  readonly type: 'jaeger';
  /** The query service's base URL, as written (only this URL is ever contacted). */
  readonly url: string;
  /** Name of the header sent with every request (e.g. `Authorization`); its value is a secret. */
  readonly header?: string;
}

const HEADER_NAME_RE = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** Valid backends; what is wrong with the others goes into `problems` (they are left out). */
export function readBackends(value: unknown, problems: string[], settingId = 'tracerun.backends'): BackendSetting[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(`${settingId} must be a list of { "name", "type": "jaeger", "url", "header"? }; ignored`);
    return [];
  }
  const out: BackendSetting[] = [];
  const names = new Set<string>();
  value.forEach((raw: unknown, i) => {
    const at = `${settingId}[${i}]`;
    const b = (raw ?? {}) as Partial<Record<keyof BackendSetting, unknown>>;
    if (typeof raw !== 'object' || raw === null) return void problems.push(`${at} must be an object; ignored`);
    const name = typeof b.name === 'string' ? b.name.trim() : '';
    if (!name) return void problems.push(`${at} needs a "name"; ignored`);
    if (names.has(name)) return void problems.push(`${at}: a second backend named "${name}"; ignored`);
    if (b.type !== 'jaeger') return void problems.push(`${at} ("${name}"): "type" must be "jaeger"; ignored`);
    const url = typeof b.url === 'string' ? b.url.trim() : '';
    if (!/^https?:\/\/[^\s/]+/i.test(url)) return void problems.push(`${at} ("${name}"): "url" must be the http(s) URL of Jaeger's query service, e.g. http://jaeger.internal:16686; ignored`);
    let header: string | undefined;
    if (b.header !== undefined && b.header !== '') {
      if (typeof b.header !== 'string' || !HEADER_NAME_RE.test(b.header.trim())) return void problems.push(`${at} ("${name}"): "header" must be a header name such as "Authorization" (its value goes in secret storage); ignored`);
      header = b.header.trim();
    }
    names.add(name);
    out.push({ name, type: 'jaeger', url, ...(header && { header }) });
  });
  return out;
}

/**
 * Where a backend's header value is kept in VS Code's secret storage: by name *and* URL, so
 * a secret set for one URL is never sent to another, even if a workspace's settings reuse
 * the backend's name with a URL of their own.
 */
export function backendSecretKey(backend: Pick<BackendSetting, 'name' | 'url'>): string {
  return `tracerun.backends.header.${backend.name}@${backend.url}`;
}
