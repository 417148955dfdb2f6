import { readScope } from '../auth/index.js';
import type { HttpMethod, RouteDefinition } from './route.js';

/**
 * Which scopes let a scoped token through a route: 'public' (no credential asked, so no scope either), 'any' (every
 * token of the principal), or the scopes of which the token must hold one.
 */
export type RouteScopes = 'public' | 'any' | readonly string[];

/**
 * The scope group of each function whose group is not its own name. A function not listed here (one added later)
 * is its own group: until the vocabulary names it, only unscoped tokens reach it, which fails closed.
 */
const GROUP_OF_FUNCTION: Readonly<Record<string, string>> = {
  // Run history is the jobs' own record; the scheduler starts their runs.
  history: 'jobs',
  scheduler: 'jobs',
};

const READS: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD']);

export function scopeGroupOf(functionName: string): string {
  return GROUP_OF_FUNCTION[functionName] ?? functionName;
}

/** The route's own declaration, else its group's scope: read-only for GET and HEAD, the full one otherwise. */
export function routeScopes(functionName: string, route: RouteDefinition): RouteScopes {
  if (route.auth === 'public') return 'public';
  if (route.scope === 'any') return 'any';
  if (typeof route.scope === 'string') return [route.scope];
  if (route.scope) return route.scope;
  const group = scopeGroupOf(functionName);
  return [READS.has(route.method) ? readScope(group) : group];
}
