import type { PolicyResources, ResourceValues } from './policy-schema.js';
import type { ResourceTag } from './tag-attributes.js';
import { compileUrlValues, type UrlMatcher, type UrlResource } from './url-match.js';

/** What a request is about: one value per level, from the warehouse down as far as the request goes. */
export interface DataResource {
  readonly warehouse: string;
  /** Namespace levels, outermost first. */
  readonly namespace?: readonly string[];
  readonly table?: string;
  readonly column?: string;
  /** Catalog tags of the object (a column's request carries its table's tags too). Tag-based policies match them. */
  readonly tags?: readonly ResourceTag[];
}

export const LEVELS = ['warehouse', 'namespace', 'table', 'column'] as const;
export type Level = (typeof LEVELS)[number];

/** How a policy's resources cover a request: the request itself, only something below it, or nothing. */
export type MatchScope = 'self' | 'descendant' | 'none';

/** Namespaces are compared in their dotted form, as Ranger's schema values and Trino's schema names read. */
export function namespaceText(levels: readonly string[]): string {
  return levels.join('.');
}

/** A compiled `values` list: wildcards become anchored, case-insensitive patterns once, when the policy set loads. */
export interface CompiledValues {
  readonly literals: ReadonlySet<string>;
  readonly patterns: readonly RegExp[];
  readonly matchesAll: boolean;
  readonly excludes: boolean;
  readonly recursive: boolean;
}

function wildcardToRegExp(value: string): RegExp {
  const body = value
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

export function compileValues(v: ResourceValues | undefined): CompiledValues | undefined {
  if (!v) return undefined;
  const literals = new Set<string>();
  const patterns: RegExp[] = [];
  let matchesAll = false;
  for (const raw of v.values) {
    if (raw === '*') matchesAll = true;
    if (/[*?]/.test(raw)) patterns.push(wildcardToRegExp(raw));
    else literals.add(raw.toLowerCase());
  }
  return { literals, patterns, matchesAll: matchesAll && !v.excludes, excludes: v.excludes, recursive: v.recursive };
}

function valueMatches(c: CompiledValues, value: string): boolean {
  const lower = value.toLowerCase();
  if (c.literals.has(lower)) return true;
  for (const p of c.patterns) if (p.test(value)) return true;
  return false;
}

/** Whether one level's values cover a request value (excludes inverted; recursive namespaces cover their children). */
export function levelMatches(c: CompiledValues, level: Level, value: string, namespaceLevels?: readonly string[]): boolean {
  let hit = valueMatches(c, value);
  if (!hit && c.recursive && level === 'namespace' && namespaceLevels) {
    for (let i = namespaceLevels.length - 1; i >= 1 && !hit; i--) hit = valueMatches(c, namespaceText(namespaceLevels.slice(0, i)));
  }
  return c.excludes ? !hit : hit;
}

export interface CompiledResources {
  readonly warehouse?: CompiledValues | undefined;
  readonly namespace?: CompiledValues | undefined;
  readonly table?: CompiledValues | undefined;
  readonly column?: CompiledValues | undefined;
  /** Lower-cased tag names of a tag-based policy. */
  readonly tags?: ReadonlySet<string> | undefined;
  /** Ranger's meaning of a policy that stops at a level: requests below its deepest level are not covered. */
  readonly deepestLevel?: number | undefined;
  /** A storage-path policy: it covers url requests only. */
  readonly url?: UrlMatcher | undefined;
}

export function compileResources(r: PolicyResources): CompiledResources {
  return {
    warehouse: compileValues(r.warehouse),
    namespace: compileValues(r.namespace),
    table: compileValues(r.table),
    column: compileValues(r.column),
    tags: r.tags ? new Set(r.tags.values.map((t) => t.toLowerCase())) : undefined,
    deepestLevel: r.coversBelow === false ? LEVELS.reduce((deepest, l, i) => (r[l] !== undefined ? i : deepest), -1) : undefined,
    url: r.url ? compileUrlValues(r.url.values, r.url.recursive) : undefined,
  };
}

function requestValue(req: DataResource, level: Level): string | undefined {
  switch (level) {
    case 'warehouse':
      return req.warehouse;
    case 'namespace':
      return req.namespace ? namespaceText(req.namespace) : undefined;
    case 'table':
      return req.table;
    case 'column':
      return req.column;
  }
}

/**
 * Ranger's resource match. Every level the request names must be covered (a level the policy leaves out covers
 * everything, unless the policy says `coversBelow: false`: then nothing below its deepest level is covered). Levels below the request: a policy that leaves them out or says `*` covers the request itself
 * ("self"); one that names particular values there covers only things inside it ("descendant"), which counts for
 * seeing the container but not for acting on it.
 */
export function matchResources(c: CompiledResources, req: DataResource): MatchScope {
  if (c.url) return 'none';
  if (c.tags) return matchedTags(c, req).length > 0 ? 'self' : 'none';
  let scope: MatchScope = 'self';
  for (const [i, level] of LEVELS.entries()) {
    const values = c[level];
    const value = requestValue(req, level);
    // Ranger's ancestor match: the policy covers a container of the request, which resource policies ignore.
    if (c.deepestLevel !== undefined && i > c.deepestLevel && value !== undefined) return 'none';
    if (value === undefined) {
      if (values && !values.matchesAll) scope = 'descendant';
      continue;
    }
    if (values && !levelMatches(values, level, value, level === 'namespace' ? req.namespace : undefined)) return 'none';
  }
  return scope;
}

/**
 * The object's tags a tag-based policy matches. Ranger evaluates a tag policy once per matching tag, that tag being
 * the current one its conditions read (an EXPIRES_ON tag's expiry_date): the evaluator does the same with these.
 */
export function matchedTags(c: CompiledResources, req: DataResource): ResourceTag[] {
  if (!c.tags || !req.tags) return [];
  return req.tags.filter((t) => c.tags!.has(t.name.toLowerCase()));
}

/** A storage-path request against a policy: only url policies cover it, and only the path itself (no containers). */
export function matchUrl(c: CompiledResources, req: UrlResource): MatchScope {
  return c.url && c.url(req.url) ? 'self' : 'none';
}
