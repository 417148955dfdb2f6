import type { RequestedAccess } from './evaluator.js';
import type { DataResource } from './resource-match.js';

/**
 * Which data access a catalog action needs, in Ranger's terms. Actions not listed are platform actions (warehouse
 * administration, annotations of warehouses), decided by the platform's control rules instead.
 */
const ACCESS_BY_ACTION: Record<string, RequestedAccess> = {
  'catalog:warehouse:read': 'any',
  'catalog:warehouse:use': 'any',
  'catalog:namespace:list': 'any',
  'catalog:namespace:read': 'any',
  'catalog:namespace:create': 'create',
  'catalog:namespace:update': 'alter',
  'catalog:namespace:annotate': 'alter',
  'catalog:namespace:drop': 'drop',
  'catalog:table:list': 'any',
  'catalog:view:list': 'any',
  'catalog:table:read': 'select',
  'catalog:view:read': 'select',
  'catalog:column:read': 'select',
  'catalog:table:create': 'create',
  'catalog:view:create': 'create',
  'catalog:table:register': 'create',
  'catalog:view:register': 'create',
  'catalog:table:drop': 'drop',
  'catalog:view:drop': 'drop',
  'catalog:table:purge': 'drop',
  'catalog:table:rename': 'drop',
  'catalog:view:rename': 'drop',
  'catalog:table:commit': 'alter',
  'catalog:table:insert': 'insert',
  'catalog:table:update': 'update',
  'catalog:table:delete': 'delete',
  'catalog:table:alter': 'alter',
  'catalog:view:commit': 'alter',
  'catalog:column:annotate': 'alter',
  'catalog:table:annotate': 'alter',
  'catalog:view:annotate': 'alter',
  'catalog:search:read': 'any',
};

export function dataAccessFor(action: string): RequestedAccess | undefined {
  return ACCESS_BY_ACTION[action];
}

/**
 * The inverse of catalogResource() (functions/catalog/domain/identifiers.ts): "catalog/<warehouse>[/<ns1.ns2>[/<name>
 * [/<column>]]]" with each name percent-encoded and dots inside names encoded, so "." separates namespace levels.
 */
export function parseCatalogResource(resource: string): DataResource | undefined {
  const parts = resource.split('/');
  if (parts[0] !== 'catalog' || parts.length < 2 || parts.length > 5 || !parts[1]) return undefined;
  try {
    const dec = decodeURIComponent;
    const namespace = parts[2] !== undefined && parts[2] !== '' ? parts[2].split('.').map(dec) : undefined;
    return {
      warehouse: dec(parts[1]),
      ...(namespace ? { namespace } : {}),
      ...(parts[3] !== undefined && namespace ? { table: dec(parts[3]) } : {}),
      ...(parts[4] !== undefined && namespace && parts[3] !== undefined ? { column: dec(parts[4]) } : {}),
    };
  } catch {
    return undefined;
  }
}
