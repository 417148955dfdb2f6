import type { RequestedAccess } from './evaluator.js';

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
