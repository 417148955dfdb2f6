import { CompiledQuery, sql } from 'kysely';
import { prepareStatement, textArray, type CatalogObjectRow, type Executor, type NamespaceRow, type WarehouseRow } from '../../../shared/db/index.js';
import { NoSuchNamespaceError, NoSuchTableError, NoSuchViewError } from '../../../shared/errors/index.js';
import { displayNamespace } from '../domain/identifiers.js';
import { requireWarehouse } from './warehouses.js';

export type ObjectKind = 'table' | 'view';

/**
 * The columns the Iceberg routes read. Not selectAll(): the stored search document (discovery) is large text that
 * no commit or load needs.
 */
export const OBJECT_COLUMNS = ['id', 'warehouse_id', 'namespace_id', 'name', 'kind', 'metadata_location', 'metadata', 'description', 'owner', 'tags', 'version', 'created_at', 'updated_at'] as const;
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
export async function requireObject(db: Executor, kind: ObjectKind, prefix: string, levels: readonly string[], name: string, lock = false): Promise<LoadedObject> {
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

/** What the caller already holds of a table's metadata: its row id, version and metadata location. */
export interface KnownMetadata {
  id: string;
  version: number;
  location: string;
}

function tableForReadQuery(db: Executor, prefix: string, levels: readonly string[], name: string, knownId: string | null, knownVersion: number | string | null, knownLocation: string | null) {
  return db
    .selectFrom('catalog_objects as o')
    .innerJoin('namespaces as n', 'n.id', 'o.namespace_id')
    .innerJoin('warehouses as w', 'w.id', 'o.warehouse_id')
    .select(['o.id', 'o.kind', 'o.metadata_location', 'o.version', 'w.id as warehouse_id', 'w.name as warehouse_name', 'w.storage_location', 'w.storage', 'w.credentials_ref', 'w.credential_vending', 'w.properties as warehouse_properties'])
    // The metadata text only when it is not the one the caller holds: PostgreSQL then neither detoasts nor sends it.
    // Null parameters (nothing held) compare as unknown, so the text comes back.
    .select(sql<string | null>`case when o.id = ${knownId}::uuid and o.version = ${knownVersion}::integer and o.metadata_location = ${knownLocation}::text then null else o.metadata end`.as('metadata'))
    .where('w.name', '=', prefix)
    .where('n.levels', '=', textArray(levels))
    .where('o.name', '=', name);
}

export type TableForRead = NonNullable<Awaited<ReturnType<ReturnType<typeof tableForReadQuery>['executeTakeFirst']>>>;

/**
 * The query above compiled once per namespace depth (its SQL depends on nothing else): building and compiling it
 * with kysely on every loadTable was about a tenth of the request's CPU. Where each value goes among the parameters
 * is read from the same compile, made with placeholder values. On PostgreSQL it runs as a prepared statement.
 */
const compiledTableForRead = new Map<number, { sql: string; slots: number[] }>();

function compiledForDepth(db: Executor, depth: number): { sql: string; slots: number[] } {
  let compiled = compiledTableForRead.get(depth);
  if (!compiled) {
    const placeholders = Array.from({ length: depth + 5 }, (_, i) => `\u0000placeholder ${i}`);
    const [prefix, ...rest] = placeholders;
    const levels = rest.slice(0, depth);
    const [name, knownId, knownVersion, knownLocation] = rest.slice(depth);
    const q = tableForReadQuery(db, prefix!, levels, name!, knownId!, knownVersion!, knownLocation!).compile();
    const slots = q.parameters.map((p) => placeholders.indexOf(p as string));
    if (slots.some((i) => i === -1)) throw new Error(`loadTable query: unexpected parameters ${JSON.stringify(q.parameters)}`);
    compiled = { sql: q.sql, slots };
    prepareStatement(q.sql);
    compiledTableForRead.set(depth, compiled);
  }
  return compiled;
}

/**
 * The fast path of loadTable: one round trip for the warehouse, namespace and table together. `metadata` is null
 * when the row still is `known` (same id, version and metadata location): the caller has that text already.
 */
export async function findTableForRead(db: Executor, prefix: string, levels: readonly string[], name: string, known?: KnownMetadata): Promise<TableForRead | undefined> {
  const { sql: text, slots } = compiledForDepth(db, levels.length);
  const values = [prefix, ...levels, name, known?.id ?? null, known?.version ?? null, known?.location ?? null];
  const result = await db.executeQuery<TableForRead>(CompiledQuery.raw(text, slots.map((i) => values[i])));
  return result.rows[0];
}
