import type { DataResource } from './data-access/resource-match.js';

/**
 * What an action is done to, typed. A catalog object goes to the data access policies as it is (no string to parse
 * back); a platform object (a user, a job, a policy) is a path the control policies match on, as `input.resource`.
 */
export type Resource = CatalogResource | PlatformResource;

export interface CatalogResource extends Omit<DataResource, 'tags'> {
  readonly kind: 'catalog';
}

export interface PlatformResource {
  readonly kind: 'platform';
  /** `<domain>/<noun>[/<id>...]`: iam/users/1f0c.../tokens, jobs/jobs/<id>. Control policies see exactly this. */
  readonly path: string;
}

/** An action, `<domain>:<noun>:<verb>` (iam:users:create, catalog:table:commit). */
export type Action = `${string}:${string}:${string}`;

/** A catalog object: a warehouse, a namespace in it, a table or view in that, a column of that. */
export function catalogObject(warehouse: string, namespace?: readonly string[], table?: string, column?: string): CatalogResource {
  return {
    kind: 'catalog',
    warehouse,
    ...(namespace ? { namespace } : {}),
    ...(table !== undefined && namespace ? { table } : {}),
    ...(column !== undefined && table !== undefined && namespace ? { column } : {}),
  };
}

/** A platform object by its path segments: platformObject('iam', 'users', id) is iam/users/<id>. */
export function platformObject(...segments: readonly string[]): PlatformResource {
  return { kind: 'platform', path: segments.join('/') };
}

const encodeLevel = (s: string) => encodeURIComponent(s).replace(/\./g, '%2E');

/**
 * A resource as text, for the audit trail, decision logs and the control policies' input: a platform path as it is;
 * a catalog object as "catalog/<warehouse>[/<ns1.ns2>[/<name>[/<column>]]]", each name percent-encoded and dots in
 * names encoded, so "." separates namespace levels.
 */
export function resourceText(r: Resource): string {
  if (r.kind === 'platform') return r.path;
  let text = `catalog/${encodeLevel(r.warehouse)}`;
  if (r.namespace) text += `/${r.namespace.map(encodeLevel).join('.')}`;
  if (r.table !== undefined) text += `/${encodeLevel(r.table)}`;
  if (r.column !== undefined) text += `/${encodeLevel(r.column)}`;
  return text;
}

/** The data access request for a catalog object. */
export function dataResourceOf(r: CatalogResource): DataResource {
  const { kind: _kind, ...rest } = r;
  return rest;
}
