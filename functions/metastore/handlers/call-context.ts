import { inTransaction, type NamespaceRow, type Tx, type WarehouseRow } from '../../../shared/db/index.js';
import { namespaceStore } from '../../../shared/domains/catalog/index.js';
import { metaError, noSuchObject } from '../metastore-errors.js';
import { warehouseNameOf } from './access.js';
import type { MetastoreSession } from '../metastore-session.js';
import { hiveObjects, type StoredObject } from '../store/hive-objects.js';

/** What one call works with: its transaction, the connection's warehouse, and work to do once it committed. */
export interface CallContext {
  readonly session: MetastoreSession;
  readonly tx: Tx;
  readonly warehouse: WarehouseRow;
  /** Runs after the transaction committed (deleting or moving files): never for a call that failed. */
  afterCommit(work: () => Promise<void>): void;
}

/**
 * Runs a call in one transaction on the connection's warehouse. Files are touched only after the commit, so a
 * failed call never deleted anything; a failure of that later work is the call's error (the metadata is already
 * right, and a retry finds nothing left to do).
 */
export async function inWarehouse<T>(session: MetastoreSession, work: (c: CallContext) => Promise<T>): Promise<T> {
  const after: Array<() => Promise<void>> = [];
  const name = await warehouseNameOf(session);
  const result = await inTransaction(session.platform.store.db, async (tx) => {
    const warehouse = await tx.selectFrom('warehouses').selectAll().where('name', '=', name).executeTakeFirst();
    if (!warehouse) throw metaError(`warehouse ${name} does not exist`);
    return work({ session, tx, warehouse, afterCommit: (w) => after.push(w) });
  });
  for (const w of after) await w();
  return result;
}

/** Hive's names are case-insensitive and kept in lower case. */
export function normalizeName(name: string | undefined): string {
  return (name ?? '').trim().toLowerCase();
}

/** A metastore database is a one-level namespace of the warehouse. */
export async function findDatabase(c: CallContext, name: string | undefined, lock = false): Promise<NamespaceRow | undefined> {
  const db = normalizeName(name);
  if (db === '') return undefined;
  return namespaceStore(c.tx).find(c.warehouse.id, [db], lock);
}

export async function requireDatabase(c: CallContext, name: string | undefined, lock = false): Promise<NamespaceRow> {
  const namespace = await findDatabase(c, name, lock);
  if (!namespace) throw noSuchObject(`There is no database named ${normalizeName(name)}`);
  return namespace;
}

export interface FoundTable {
  namespace: NamespaceRow;
  object: StoredObject;
}

/** A table of a database, of any kind (Hive's or Iceberg's); undefined when either is missing. */
export async function findTable(c: CallContext, dbName: string | undefined, tableName: string | undefined, lock = false): Promise<FoundTable | undefined> {
  const namespace = await findDatabase(c, dbName);
  if (!namespace) return undefined;
  const object = await hiveObjects(c.tx).find(namespace.id, normalizeName(tableName), lock);
  if (!object || object.kind === 'view') return undefined;
  return { namespace, object };
}

export async function requireTable(c: CallContext, dbName: string | undefined, tableName: string | undefined, lock = false): Promise<FoundTable> {
  const found = await findTable(c, dbName, tableName, lock);
  if (!found) throw noSuchObject(`${normalizeName(dbName)}.${normalizeName(tableName)} table not found`);
  return found;
}
