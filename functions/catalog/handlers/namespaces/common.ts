import type { NamespaceRow, WarehouseRow } from '../../../../shared/db/index.js';
import { CatalogEvents } from '../../../../shared/domains/contracts/index.js';
import { displayNamespace } from '../../domain/identifiers.js';
import { NAMESPACE_LOCATION, checkLocationInWarehouse, namespaceLocation } from '../table-files.js';

/** Properties a namespace always shows, whether or not a client set them: its location. */
export function namespaceProperties(warehouse: WarehouseRow, row: NamespaceRow): Record<string, string> {
  return { ...row.properties, [NAMESPACE_LOCATION]: namespaceLocation(warehouse, row) };
}

/** A location a client sets must lie inside the warehouse, as a table's must. */
export function checkProperties(warehouse: WarehouseRow, properties: Record<string, string>, field: string): void {
  const location = properties[NAMESPACE_LOCATION];
  if (location !== undefined)
    checkLocationInWarehouse(warehouse, location.replace(/\/+$/, ''), {
      in: 'body',
      field: `${field}.${NAMESPACE_LOCATION}`,
      label: `property ${NAMESPACE_LOCATION}`,
    });
}

/** The event of a namespace's creation, a drop's or a change's. */
export function namespaceEvent(
  type: (typeof CatalogEvents)['namespaceCreated' | 'namespaceDropped' | 'namespaceUpdated'],
  warehouseName: string,
  levels: string[],
  actor: string,
) {
  return { type, subject: `catalog/${warehouseName}/namespaces/${displayNamespace(levels)}`, data: { warehouse: warehouseName, namespace: levels, actor } };
}
