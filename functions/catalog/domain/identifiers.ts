import { ValidationError, type FieldProblem } from '../../../shared/errors/index.js';

/** The unit separator: Iceberg's default namespace separator, and the one we advertise (url-encoded) in /v1/config. */
export const NAMESPACE_SEPARATOR = '\x1F';
export const ADVERTISED_SEPARATOR = '%1F';

/** Most levels a namespace may have: deeper trees are no catalog's need, and each level is a row and a folder. */
export const MAX_NAMESPACE_LEVELS = 16;
/** Longest name of a table, a view or one namespace level, in UTF-16 code units (as JavaScript and JSON count). */
export const MAX_NAME_LENGTH = 255;
/**
 * Longest namespace, its levels together. The levels array is one key of a btree index, which holds at most 2,704
 * bytes a row: 512 code units are at most 1,536 bytes of UTF-8, so any namespace within the bounds can be stored.
 */
export const MAX_NAMESPACE_LENGTH = 512;

type Part = FieldProblem['in'];

function invalid(part: Part, field: string, message: string): ValidationError {
  return new ValidationError([{ in: part, field, message }]);
}

/** "." and "..", alone or as a step between slashes, would name another folder once the name becomes a path. */
function hasDotStep(name: string): boolean {
  return name.split(/[/\\]/).some((step) => step === '.' || step === '..');
}

/**
 * A namespace path parameter into its levels. The router has url-decoded it once, so %1F arrived as 0x1F; a client
 * that encoded the advertised separator twice sends a literal "%1F", which is accepted too, as the spec asks.
 */
export function parseNamespace(param: string, field = 'namespace', part: Part = field === 'namespace' ? 'path' : 'query'): string[] {
  // Bounded before splitting: a 100,000-level parameter is refused by its length, in constant work.
  if (param.length > MAX_NAMESPACE_LENGTH + 3 * MAX_NAMESPACE_LEVELS) {
    throw invalid(part, field, `must be at most ${MAX_NAMESPACE_LENGTH} characters, its levels together`);
  }
  const levels = param.split(NAMESPACE_SEPARATOR).flatMap((p) => p.split(ADVERTISED_SEPARATOR));
  validateLevels(levels, field, part);
  return levels;
}

// A value cache, not the catalog's state (catalog-context.ts): a request's params never change, and go with the request.
const parsedNamespaces = new WeakMap<object, string[]>();

/**
 * The levels of a route's namespace path parameter, parsed once per request: the operation's authorization, its
 * idempotency key and its handler all read them from the same params object (loadTable is served thousands of
 * times a second). A malformed namespace is refused the first time, before anything is authorized.
 */
export function namespaceOf(params: { readonly namespace: string }): string[] {
  let levels = parsedNamespaces.get(params);
  if (!levels) parsedNamespaces.set(params, (levels = parseNamespace(params.namespace)));
  return levels;
}

/** The rules every namespace meets, whether it arrives in a body, a path or a query. Each failure names its level. */
export function validateLevels(levels: readonly string[], field: string, part: Part = 'body'): void {
  if (levels.length === 0) throw invalid(part, field, 'must have at least one level');
  if (levels.length > MAX_NAMESPACE_LEVELS) throw invalid(part, field, `must have at most ${MAX_NAMESPACE_LEVELS} levels, has ${levels.length}`);
  let total = 0;
  for (const [i, level] of levels.entries()) {
    const at = `${field}.${i}`;
    if (level.length === 0) throw invalid(part, field, `has an empty level (level ${i})`);
    if (level.length > MAX_NAME_LENGTH) throw invalid(part, at, `must be at most ${MAX_NAME_LENGTH} characters`);
    if (level.includes(NAMESPACE_SEPARATOR)) throw invalid(part, at, 'contains the namespace separator 0x1F');
    if (hasDotStep(level)) throw invalid(part, at, 'must not be "." or "..", nor have them as a step between slashes');
    total += level.length;
  }
  if (total > MAX_NAMESPACE_LENGTH) throw invalid(part, field, `must be at most ${MAX_NAMESPACE_LENGTH} characters, its levels together`);
}

/** The rules a table's or a view's name meets. */
export function validateName(name: string, field: string, part: Part = 'body'): void {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) throw invalid(part, field, `must be 1 to ${MAX_NAME_LENGTH} characters`);
  if (/[\x00-\x1F]/.test(name)) throw invalid(part, field, 'contains a control character');
  if (hasDotStep(name)) throw invalid(part, field, 'must not be "." or "..", nor have them as a step between slashes');
}

/** How users read a namespace: levels joined with dots. */
export function displayNamespace(levels: readonly string[]): string {
  return levels.join('.');
}

// A lone surrogate has no UTF-8 form (encodeURIComponent throws): it is written as U+FFFD.
const percentEncode = (c: string) =>
  encodeURIComponent(/^[\uD800-\uDFFF]$/.test(c) ? '\uFFFD' : c).replace(/[!'()*]/g, (x) => `%${x.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * A path segment for a name: safe characters kept, the rest percent-encoded. What would mean something once a
 * reader decodes the segment is encoded twice, so one decoding leaves text, never a separator or a dot segment:
 * '/' and '\' become %252F and %255C, and a name of dots only (".", "..") %252E each.
 */
export function pathSegment(name: string): string {
  if (/^\.+$/.test(name)) return name.replace(/\./g, '%252E');
  return name.replace(/[^A-Za-z0-9_\-=.]/gu, (c) => (c === '/' || c === '\\' ? percentEncode(percentEncode(c)) : percentEncode(c)));
}
