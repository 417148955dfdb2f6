import { BadRequestError } from '../../../shared/errors/index.js';

/** The unit separator: Iceberg's default namespace separator, and the one we advertise (url-encoded) in /v1/config. */
export const NAMESPACE_SEPARATOR = '\x1F';
export const ADVERTISED_SEPARATOR = '%1F';

/**
 * A namespace path parameter into its levels. The router has url-decoded it once, so %1F arrived as 0x1F; a client
 * that encoded the advertised separator twice sends a literal "%1F", which is accepted too, as the spec asks.
 */
export function parseNamespace(param: string, field = 'namespace'): string[] {
  const levels = param.split(NAMESPACE_SEPARATOR).flatMap((part) => part.split(ADVERTISED_SEPARATOR));
  if (levels.some((l) => l.length === 0)) throw new BadRequestError(`${field} ${JSON.stringify(param)} has an empty level`);
  return levels;
}

export function validateLevels(levels: readonly string[], field: string): void {
  if (levels.length === 0) throw new BadRequestError(`${field} must have at least one level`);
  for (const l of levels) {
    if (l.length === 0) throw new BadRequestError(`${field} has an empty level`);
    if (l.includes(NAMESPACE_SEPARATOR)) throw new BadRequestError(`${field} level ${JSON.stringify(l)} contains the namespace separator 0x1F`);
  }
}

export function validateName(name: string, field: string): void {
  if (name.length === 0 || name.length > 512) throw new BadRequestError(`${field} must be 1 to 512 characters`);
  if (/[\x00-\x1F]/.test(name)) throw new BadRequestError(`${field} ${JSON.stringify(name)} contains a control character`);
}

/** How users read a namespace: levels joined with dots. */
export function displayNamespace(levels: readonly string[]): string {
  return levels.join('.');
}

/**
 * The resource the authorizer sees: catalog/<warehouse>/<namespace>/<table>. Each level is percent-encoded and
 * levels are joined with '.', so neither a '/' nor a '.' inside a name can make one resource look like another.
 */
export function catalogResource(warehouse: string, namespace?: readonly string[], name?: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/\./g, '%2E');
  let r = `catalog/${enc(warehouse)}`;
  if (namespace) r += `/${namespace.map(enc).join('.')}`;
  if (name !== undefined) r += `/${enc(name)}`;
  return r;
}

// A lone surrogate has no UTF-8 form (encodeURIComponent throws): it is written as U+FFFD.
const percentEncode = (c: string) => encodeURIComponent(/^[\uD800-\uDFFF]$/.test(c) ? '\uFFFD' : c).replace(/[!'()*]/g, (x) => `%${x.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * A path segment for a name: safe characters kept, the rest percent-encoded. What would mean something once a
 * reader decodes the segment is encoded twice, so one decoding leaves text, never a separator or a dot segment:
 * '/' and '\' become %252F and %255C, and a name of dots only (".", "..") %252E each.
 */
export function pathSegment(name: string): string {
  if (/^\.+$/.test(name)) return name.replace(/\./g, '%252E');
  return name.replace(/[^A-Za-z0-9_\-=.]/gu, (c) => (c === '/' || c === '\\' ? percentEncode(percentEncode(c)) : percentEncode(c)));
}
