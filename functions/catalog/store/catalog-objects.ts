import { textArray, type CatalogObjectRow, type Executor, type NamespaceRow, type WarehouseRow } from '../../../shared/db/index.js';
import { NoSuchNamespaceError, NoSuchTableError, NoSuchViewError } from '../../../shared/errors/index.js';
import { displayNamespace } from '../domain/identifiers.js';
import { requireWarehouse } from './warehouses.js';

export type ObjectKind = 'table' | 'view';
export { objectNoun, type StoredObjectKind } from '../../../shared/domains/catalog/index.js';

/**
 * The columns the Iceberg routes read. Not selectAll(): the stored search document (discovery) is large text that
 * no commit or load needs.
 */
export const OBJECT_COLUMNS = [
  'id',
  'warehouse_id',
  'namespace_id',
  'name',
  'kind',
  'metadata_location',
  'metadata',
  'description',
  'owner',
  'tags',
  'version',
  'created_at',
  'updated_at',
] as const;
export type CatalogObject = Pick<CatalogObjectRow, (typeof OBJECT_COLUMNS)[number]>;

export interface NamespaceInWarehouse {
  warehouse: WarehouseRow;
  namespace: NamespaceRow;
}

export async function findNamespace(db: Executor, warehouseId: string, levels: readonly string[]): Promise<NamespaceRow | undefined> {
  return db.selectFrom('namespaces').selectAll().where('warehouse_id', '=', warehouseId).where('levels', '=', textArray(levels)).executeTakeFirst();
}

/** The warehouse named by the prefix and a namespace in it, or the 404 that says which is missing. */
export async function requireNamespace(db: Executor, prefix: string, levels: readonly string[], lock = false): Promise<NamespaceInWarehouse> {
  const warehouse = await requireWarehouse(db, prefix);
  let q = db.selectFrom('namespaces').selectAll().where('warehouse_id', '=', warehouse.id).where('levels', '=', textArray(levels));
  if (lock) q = q.forUpdate();
  const namespace = await q.executeTakeFirst();
  if (!namespace) throw new NoSuchNamespaceError(`Namespace does not exist: ${displayNamespace(levels)}`);
  return { warehouse, namespace };
}

export interface LoadedObject extends NamespaceInWarehouse {
  object: CatalogObject;
}

export function missing(kind: ObjectKind, levels: readonly string[], name: string): Error {
  const what = `${displayNamespace(levels)}.${name}`;
  return kind === 'table' ? new NoSuchTableError(`Table does not exist: ${what}`) : new NoSuchViewError(`View does not exist: ${what}`);
}

/**
 * A table or view with its namespace and warehouse. `lock` takes the row lock a commit holds until it writes the
 * new metadata pointer: concurrent commits to one table queue here and each sees the one before it.
 */
export async function requireObject(
  db: Executor,
  kind: ObjectKind,
  prefix: string,
  levels: readonly string[],
  name: string,
  lock = false,
): Promise<LoadedObject> {
  const warehouse = await requireWarehouse(db, prefix);
  const namespace = await findNamespace(db, warehouse.id, levels);
  // A table in a namespace that does not exist is a table that does not exist: Java clients rely on it (they retry
  // ns.tbl.files as the metadata table "files" of ns.tbl only after a NoSuchTable).
  if (!namespace) throw missing(kind, levels, name);
  let q = db.selectFrom('catalog_objects').select(OBJECT_COLUMNS).where('namespace_id', '=', namespace.id).where('name', '=', name);
  if (lock) q = q.forUpdate();
  const object = await q.executeTakeFirst();
  if (!object || object.kind !== kind) throw missing(kind, levels, name);
  return { warehouse, namespace, object };
}
