/**
 * The platform's token scopes: one per route group, each with a read-only twin (`catalog`, `catalog:read`, ...).
 * A token without a scope carries its principal's full rights; a scoped token reaches only the route groups it
 * names, and only their reads where it names `<group>:read`. What the principal itself may do is still decided by
 * authorize(): a scope only ever narrows.
 *
 * Iceberg clients ask for `catalog` (PyIceberg's and Iceberg Java's default), so that is a group of its own.
 */
export const SCOPE_GROUPS = ['catalog', 'iam', 'policies', 'jobs', 'lakehouses', 'sql', 'events', 'webhooks'] as const;
export type ScopeGroup = (typeof SCOPE_GROUPS)[number];

const READ_SUFFIX = ':read';

/** Every scope value a token may carry, in the order the discovery document lists them. */
export const SCOPES: readonly string[] = SCOPE_GROUPS.flatMap((g) => [g, g + READ_SUFFIX]);
const KNOWN = new Set(SCOPES);

export function isScope(value: string): boolean {
  return KNOWN.has(value);
}

export function readScope(group: string): string {
  return group + READ_SUFFIX;
}

/** RFC 6749 3.3: a space-delimited list; duplicates and extra spaces mean nothing. */
export function splitScope(text: string | undefined): string[] {
  if (!text) return [];
  return [...new Set(text.split(' ').filter((s) => s.length > 0))];
}

/** Whether a token holding `granted` may use a route that accepts any of `accepted`: a group's scope covers its reads. */
export function scopeAllows(granted: readonly string[], accepted: readonly string[]): boolean {
  for (const need of accepted) {
    if (granted.includes(need)) return true;
    if (need.endsWith(READ_SUFFIX) && granted.includes(need.slice(0, -READ_SUFFIX.length))) return true;
  }
  return false;
}

/** Whether every scope in `wanted` is covered by `held` (a renewed or exchanged token never widens). */
export function scopeWithin(wanted: readonly string[], held: readonly string[]): boolean {
  return wanted.every((w) => scopeAllows(held, [w]));
}
