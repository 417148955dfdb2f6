import type { Executor, NamespaceRow, Tx, WarehouseRow } from '../../../../shared/db/index.js';
import { CatalogEvents } from '../../../../shared/domains/contracts/index.js';
import { AlreadyExistsError } from '../../../../shared/errors/index.js';
import type { Platform } from '../../../../shared/platform/index.js';
import { displayNamespace, namespaceOf } from '../../domain/identifiers.js';
import { objectNoun, type ObjectKind } from '../../store/catalog-objects.js';
import { objectStore } from '../../store/object-store.js';
import type { Actor } from '../actor.js';
import { checkLocationInWarehouse, defaultObjectLocation } from '../table-files.js';

/** A table's or a view's path parameters: .../namespaces/:namespace/tables/:table or .../views/:view. */
export type ObjectParams<K extends ObjectKind> = { prefix: string; namespace: string } & Record<K, string>;

/** The table or view a path names: its warehouse (the prefix), its namespace's levels and its name. */
export function objectNamed<K extends ObjectKind>(kind: K, params: ObjectParams<K>): { prefix: string; levels: string[]; name: string } {
  return { prefix: params.prefix, levels: namespaceOf(params), name: params[kind] };
}

/** A table or view of that name already holds the identifier: 409, naming which. */
export async function ensureNameFree(db: Executor, namespace: Pick<NamespaceRow, 'id' | 'levels'>, name: string, wanted: ObjectKind): Promise<void> {
  const existing = await objectStore(db).kindAt(namespace.id, name);
  if (!existing) return;
  const what = `${displayNamespace(namespace.levels)}.${name}`;
  if (existing === wanted) throw new AlreadyExistsError(`${objectNoun(wanted)} already exists: ${what}`);
  throw new AlreadyExistsError(`${objectNoun(existing)} with same name already exists: ${what}`);
}

/**
 * The location a new table or view gets: the one requested, or one derived from its namespace and name. A derived
 * one is checked too: a name or namespace location the name rules let through must still not lead out.
 */
export function objectLocation(warehouse: WarehouseRow, namespace: NamespaceRow, name: string, uuid: string, requested: string | null | undefined): string {
  if (requested == null) {
    const derived = defaultObjectLocation(warehouse, namespace, name, uuid);
    checkLocationInWarehouse(warehouse, derived, { in: 'body', field: 'name', label: 'the location derived from the namespace and name,' });
    return derived;
  }
  const location = requested.replace(/\/+$/, '');
  checkLocationInWarehouse(warehouse, location, 'location');
  return location;
}

/** Records a new table or view and announces it, in the request's transaction. */
export async function insertObject(
  tx: Tx,
  platform: Platform,
  kind: ObjectKind,
  warehouse: Pick<WarehouseRow, 'id' | 'name'>,
  namespace: Pick<NamespaceRow, 'id' | 'levels'>,
  name: string,
  uuid: string,
  written: { location: string; text: string },
  actor: Actor,
  table?: { 'current-snapshot-id': unknown },
): Promise<void> {
  const inserted = await objectStore(tx).insert({
    id: uuid,
    warehouseId: warehouse.id,
    namespaceId: namespace.id,
    name,
    kind,
    metadataLocation: written.location,
    metadata: written.text,
  });
  // The object id is the table-uuid: a registered copy of a table this catalog already tracks would share it.
  if (!inserted)
    throw new AlreadyExistsError(`${displayNamespace(namespace.levels)}.${name} already exists, or a table with uuid ${uuid} is already registered`);
  const type = kind === 'table' ? CatalogEvents.tableCreated : CatalogEvents.viewCreated;
  await platform.outbox.publish(tx, {
    type,
    subject: `catalog/${warehouse.name}/${kind}s/${uuid}`,
    data: {
      warehouse: warehouse.name,
      namespace: namespace.levels,
      name,
      uuid,
      metadataLocation: written.location,
      currentSnapshotId: snapshotIdString(table?.['current-snapshot-id']),
      actor: actor.name,
    },
  });
}

export function snapshotIdString(id: unknown): string | null {
  if (id === undefined || id === null || String(id) === '-1') return null;
  return String(id);
}
