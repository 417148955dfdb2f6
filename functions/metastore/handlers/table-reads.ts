import { icebergTableAsHive } from '../domain/iceberg-tables.js';
import { namePattern } from '../domain/name-patterns.js';
import { tableFromDocument } from '../domain/table-document.js';
import type { FieldSchema, Table } from '../hms/structs.js';
import { namespaceStore } from '../../../shared/domains/catalog/index.js';
import type { MetastoreSession } from '../metastore-session.js';
import { hiveObjects, type StoredObject } from '../store/hive-objects.js';
import { findDatabase, inWarehouse, normalizeName, requireDatabase, requireTable } from './call-context.js';
import { validName } from './names.js';
import { authorize, visibleOf } from './access.js';
import { ForbiddenError } from '../../../shared/errors/index.js';

/** A stored object as the metastore's Table: a Hive table as stored, an Iceberg table as Iceberg's HiveCatalog shows one. */
export function tableOf(db: string, o: StoredObject): Table {
  return o.kind === 'hive' ? tableFromDocument(o.metadata, db, o.name) : icebergTableAsHive(db, o.name, o.metadata_location, o.metadata, o.owner, o.created_at);
}

export async function getTable(s: MetastoreSession, dbName: string | undefined, name: string | undefined): Promise<Table> {
  await authorize(s, 'catalog:table:read', normalizeName(dbName), normalizeName(name));
  return inWarehouse(s, async (c) => {
    const { namespace, object } = await requireTable(c, dbName, name);
    return tableOf(namespace.leaf, object);
  });
}

/** get_table_objects_by_name: the tables of those names that exist, in name order (Hive skips missing ones). */
export async function getTablesByName(s: MetastoreSession, dbName: string | undefined, names: readonly string[] | undefined): Promise<Table[]> {
  const db = normalizeName(dbName);
  // Those the caller may read; the others are left out, as missing ones are.
  const readable: string[] = [];
  for (const name of new Set((names ?? []).map(normalizeName))) {
    try {
      await authorize(s, 'catalog:table:read', db, name);
      readable.push(name);
    } catch (err) {
      if (!(err instanceof ForbiddenError)) throw err;
    }
  }
  return inWarehouse(s, async (c) => {
    const namespace = await requireDatabase(c, db);
    const objects = await hiveObjects(c.tx).findMany(namespace.id, readable);
    return objects.map((o) => tableOf(namespace.leaf, o));
  });
}

/** Names of a database's tables matching a pattern, of one table type when asked (Hive's and Iceberg's tables). */
export async function listTables(s: MetastoreSession, dbName: string | undefined, pattern: string | undefined, tableType?: string): Promise<string[]> {
  const matches = namePattern(pattern);
  const db = normalizeName(dbName);
  await authorize(s, 'catalog:namespace:read', db);
  const names = await inWarehouse(s, async (c) => {
    const namespace = await findDatabase(c, db);
    // Hive answers an empty list for a database that does not exist.
    if (!namespace) return [];
    const rows = await hiveObjects(c.tx).names(namespace.id);
    return rows.filter((r) => matches(r.name) && (tableType === undefined || typeOfRow(r) === tableType)).map((r) => r.name);
  });
  const visible = await visibleOf(
    s,
    names.map((table) => ({ db, table })),
  );
  return names.filter((_, i) => visible[i]);
}

function typeOfRow(r: { kind: string; metadata: string | null }): string {
  if (r.kind !== 'hive' || r.metadata === null) return 'EXTERNAL_TABLE';
  return (JSON.parse(r.metadata) as { table: { tableType?: string } }).table.tableType ?? '';
}

export interface TableMetaValue {
  dbName: string;
  tableName: string;
  tableType: string;
  comments?: string;
}

/** get_table_meta: every table of the databases matching a pattern whose name matches another, of the types asked. */
export async function getTableMeta(
  s: MetastoreSession,
  dbPatterns: string | undefined,
  tablePatterns: string | undefined,
  types: readonly string[] | undefined,
): Promise<TableMetaValue[]> {
  const dbMatches = namePattern(dbPatterns);
  const tableMatches = namePattern(tablePatterns);
  const wanted = types && types.length > 0 ? new Set(types) : undefined;
  const found = await inWarehouse(s, async (c) => {
    const out: TableMetaValue[] = [];
    for (const ns of await namespaceStore(c.tx).children(c.warehouse.id, [], undefined, undefined)) {
      if (!validName(ns.leaf) || !dbMatches(ns.leaf)) continue;
      const namespace = await findDatabase(c, ns.leaf);
      if (!namespace) continue;
      for (const o of await hiveObjects(c.tx).findMany(namespace.id, (await hiveObjects(c.tx).names(namespace.id)).map((r) => r.name).filter(tableMatches))) {
        const t = tableOf(ns.leaf, o);
        if (wanted && !wanted.has(t.tableType ?? '')) continue;
        const comment = t.parameters?.get('comment');
        out.push({ dbName: ns.leaf, tableName: o.name, tableType: t.tableType ?? '', ...(comment !== undefined ? { comments: comment } : {}) });
      }
    }
    return out;
  });
  const visible = await visibleOf(
    s,
    found.map((m) => ({ db: m.dbName, table: m.tableName })),
  );
  return found.filter((_, i) => visible[i]);
}

/** get_fields (columns) and get_schema (columns, then partition keys). */
export async function getColumns(
  s: MetastoreSession,
  dbName: string | undefined,
  name: string | undefined,
  withPartitionKeys: boolean,
): Promise<FieldSchema[]> {
  const t = await getTable(s, dbName, name);
  return [...(t.sd?.cols ?? []), ...(withPartitionKeys ? (t.partitionKeys ?? []) : [])];
}
