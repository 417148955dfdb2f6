/**
 * Storage paths as Ranger's hive service names them: the `url` resource, matched as RangerURLResourceMatcher matches it
 * there (wildcards on, case-sensitive, `/` between levels). A value matches the whole URL: `*` any run of characters
 * (slashes included), `?` one character, no wildcard the exact URL. A recursive value also matches everything below
 * it: without wildcards, the URL itself and what starts with it and a `/`; with wildcards, a URL one of whose leading
 * paths (scheme://bucket, scheme://bucket/dir, ...) the value matches; a value ending in `/` is read as that `/*`.
 *
 * Requests are normalized before they are matched, so that no spelling of a path reaches around a policy: the scheme
 * is lower-cased, each path segment percent-decoded, `.` and `..` resolved, empty segments dropped (a trailing `/`,
 * which means a directory to Ranger, is kept).
 */

export interface UrlResource {
  /** An absolute URL, scheme://authority/path. */
  readonly url: string;
}

export type UrlCheck = { readonly url: string } | { readonly problem: string };

const ABSOLUTE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?$/;

/** The request's URL in the one spelling policies are matched against, or why it has none. */
export function normalizeUrl(text: string): UrlCheck {
  if (/[\s\x00-\x1f\x7f]/.test(text)) return { problem: 'must not contain blanks or control characters (percent-encode them)' };
  const m = ABSOLUTE.exec(text);
  if (!m) return { problem: 'must be an absolute URL, scheme://authority/path (such as s3://bucket/dir/file), with no query or fragment' };
  const [, scheme, authority, rawPath = ''] = m as unknown as [string, string, string, string | undefined];
  if (rawPath === '') return { url: `${scheme.toLowerCase()}://${authority}` };
  const segments: string[] = [];
  const raw = rawPath.split('/').slice(1);
  let directory = false;
  for (const [i, part] of raw.entries()) {
    let seg: string;
    try {
      seg = decodeURIComponent(part);
    } catch {
      return { problem: `"${part}" is not valid percent-encoding` };
    }
    if (seg.includes('/')) return { problem: `"${part}" encodes a "/": an encoded separator is ambiguous` };
    if (/[\x00-\x1f\x7f]/.test(seg)) return { problem: `"${part}" encodes a control character` };
    const last = i === raw.length - 1;
    if (seg === '' || seg === '.') {
      if (last) directory = true;
      continue;
    }
    if (seg === '..') {
      if (segments.length === 0) return { problem: 'climbs above the root with ".."' };
      segments.pop();
      if (last) directory = true;
      continue;
    }
    segments.push(seg);
  }
  const path = segments.length === 0 ? '/' : `/${segments.join('/')}${directory ? '/' : ''}`;
  return { url: `${scheme.toLowerCase()}://${authority}${path}` };
}

/** Why a policy's url value cannot be matched as written, if it cannot. */
export function urlValueProblem(value: string): string | undefined {
  if (value === '*') return undefined;
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(\/.*)?$/.exec(value);
  if (!m) return `"${value}" must be * or an absolute URL with a lower-case scheme (scheme://bucket/path; wildcards * and ? allowed after the scheme)`;
  if (/[?#]/.test(m[2]!) || /#/.test(value)) return `"${value}" has a query or fragment; ? is a wildcard only in the path`;
  if (/[{}]/.test(value)) return `"${value}": tokens such as {USER} are not evaluated by Lakeplane`;
  const path = m[3] ?? '';
  if (/\/\/|\/\.\.?(\/|$)/.test(path)) return `"${value}" is not a normalized path (no empty, "." or ".." segments): requests are normalized before matching`;
  return undefined;
}

function glob(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

const hasWildcard = (v: string) => /[*?]/.test(v);

/** Scheme with its slashes ("file:///"), as Ranger splits a URL before walking its levels. */
function schemeEnd(url: string): number {
  const colon = url.indexOf(':');
  let i = colon + 1;
  while (i < url.length && url[i] === '/') i++;
  return colon >= 0 && i - (colon + 1) >= 2 ? i : -1;
}

/** Whether the pattern matches the URL or one of its leading paths (Ranger's recursive wildcard match). */
function recursiveWildcardMatch(url: string, pattern: RegExp): boolean {
  const end = schemeEnd(url);
  if (end < 0) return false;
  const elements = url
    .slice(end)
    .split('/')
    .filter((e) => e !== '');
  if (elements.length === 0) return pattern.test(url);
  let prefix = url.slice(0, end);
  for (const e of elements) {
    prefix += e;
    if (pattern.test(prefix)) return true;
    prefix += '/';
  }
  return url.endsWith('/') && pattern.test(prefix);
}

export type UrlMatcher = (url: string) => boolean;

export function compileUrlValues(values: readonly string[], recursive: boolean): UrlMatcher {
  if (values.includes('*')) return () => true;
  const tests: UrlMatcher[] = values.map((raw) => {
    const value = recursive && raw.endsWith('/') ? `${raw}*` : raw;
    if (hasWildcard(value)) {
      const re = glob(value);
      return recursive ? (url) => recursiveWildcardMatch(url, re) : (url) => re.test(url);
    }
    if (!recursive) return (url) => url === value;
    const base = value.endsWith('/') ? value.slice(0, -1) : value;
    return (url) => url === base || url.startsWith(`${base}/`);
  });
  return (url) => tests.some((t) => t(url));
}
