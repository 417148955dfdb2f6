import { CatalogEvents } from '../../../shared/domains/contracts/index.js';
import type { StoragePath } from '../../../shared/storage/index.js';
import { partitionDocument, partitionFromDocument } from '../domain/partition-document.js';
import { matchesPartitionFilter, parsePartitionFilter, PartitionFilterError } from '../domain/partition-filter.js';
import { partitionName, partitionValuesOf } from '../domain/partition-names.js';
import { isExternal, partitionKeyNames } from '../domain/table-document.js';
import type { Partition, Table } from '../hms/structs.js';
import { alreadyExists, invalidObject, invalidOperation, metaError, noSuchObject } from '../metastore-errors.js';
import type { MetastoreSession } from '../metastore-session.js';
import { partitionStore, type StoredPartition } from '../store/partitions.js';
import { type CallContext, type FoundTable, inWarehouse, normalizeName, requireTable } from './call-context.js';
import { publishTableChange } from './change-events.js';
import { checkedPath, childOf, deleteFiles, ensureFolder } from './table-files.js';
import { tableOf } from './table-reads.js';
import { authorize } from './access.js';

const DDL_TIME = 'transient_lastDdlTime';
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface PartitionedTable extends FoundTable {
  db: string;
  table: Table;
  keys: string[];
}

async function partitionedTable(c: CallContext, dbName: string | undefined, tableName: string | undefined, lock = false): Promise<PartitionedTable> {
  const found = await requireTable(c, dbName, tableName, lock);
  const table = tableOf(found.namespace.leaf, found.object);
  return { ...found, db: found.namespace.leaf, table, keys: partitionKeyNames(table) };
}

function toPartition(t: PartitionedTable, row: StoredPartition): Partition {
  return partitionFromDocument(row.partition, t.db, t.object.name, row.values);
}

/** Hive's check of values against keys (Warehouse.makePartName), and its message. */
function nameOf(t: PartitionedTable, values: readonly string[] | undefined): string {
  const v = values ?? [];
  if (v.length !== t.keys.length || t.keys.length === 0)
    throw metaError(`Invalid partition key & values; keys [${t.keys.map((k) => `${k}, `).join('')}], values [${v.map((x) => `${x}, `).join('')}]`);
  return partitionName(t.keys, v);
}

/** max_parts: a negative number means all. */
const limitOf = (max: number | undefined) => (max === undefined || max < 0 ? undefined : max);

// Reads.

export async function getPartition(s: MetastoreSession, db: string | undefined, tbl: string | undefined, values: string[] | undefined): Promise<Partition> {
  await authorize(s, 'catalog:table:read', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await partitionedTable(c, db, tbl);
    const [row] = t.keys.length === (values ?? []).length ? await partitionStore(c.tx).byNames(t.object.id, [partitionName(t.keys, values ?? [])]) : [];
    if (!row) throw noSuchObject(`partition values=[${(values ?? []).join(', ')}]`);
    return toPartition(t, row);
  });
}

export async function getPartitionByName(s: MetastoreSession, db: string | undefined, tbl: string | undefined, name: string | undefined): Promise<Partition> {
  await authorize(s, 'catalog:table:read', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await partitionedTable(c, db, tbl);
    const values = partitionValuesOf(t.keys, name ?? '');
    const [row] = values ? await partitionStore(c.tx).byNames(t.object.id, [partitionName(t.keys, values)]) : [];
    if (!row) throw noSuchObject(`partition ${name ?? ''} of ${t.db}.${t.object.name} does not exist`);
    return toPartition(t, row);
  });
}

export async function getPartitions(s: MetastoreSession, db: string | undefined, tbl: string | undefined, max: number | undefined): Promise<Partition[]> {
  await authorize(s, 'catalog:table:read', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await partitionedTable(c, db, tbl);
    return (await partitionStore(c.tx).list(t.object.id, limitOf(max))).map((r) => toPartition(t, r));
  });
}

export async function getPartitionNames(s: MetastoreSession, db: string | undefined, tbl: string | undefined, max: number | undefined): Promise<string[]> {
  await authorize(s, 'catalog:table:read', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await partitionedTable(c, db, tbl);
    const names = (await partitionStore(c.tx).keys(t.object.id)).map((r) => r.name);
    const limit = limitOf(max);
    return limit === undefined ? names : names.slice(0, limit);
  });
}

/** Partitions matching a partial specification: values in key order, '' (or fewer values than keys) for any. */
async function namesBySpec(c: CallContext, t: PartitionedTable, spec: readonly string[] | undefined, max: number | undefined): Promise<string[]> {
  const v = spec ?? [];
  if (v.length > t.keys.length) throw metaError(`Incorrect number of partition values. numPartKeys=${t.keys.length}, part_val=[${v.join(', ')}]`);
  const names = (await partitionStore(c.tx).keys(t.object.id)).filter((r) => v.every((want, i) => want === '' || r.values[i] === want)).map((r) => r.name);
  const limit = limitOf(max);
  return limit === undefined ? names : names.slice(0, limit);
}

export async function getPartitionNamesBySpec(
  s: MetastoreSession,
  db: string | undefined,
  tbl: string | undefined,
  spec: string[] | undefined,
  max: number | undefined,
): Promise<string[]> {
  await authorize(s, 'catalog:table:read', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => namesBySpec(c, await partitionedTable(c, db, tbl), spec, max));
}

export async function getPartitionsBySpec(
  s: MetastoreSession,
  db: string | undefined,
  tbl: string | undefined,
  spec: string[] | undefined,
  max: number | undefined,
): Promise<Partition[]> {
  await authorize(s, 'catalog:table:read', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await partitionedTable(c, db, tbl);
    return (await partitionStore(c.tx).byNames(t.object.id, await namesBySpec(c, t, spec, max))).map((r) => toPartition(t, r));
  });
}

export async function getPartitionsByNames(
  s: MetastoreSession,
  db: string | undefined,
  tbl: string | undefined,
  names: string[] | undefined,
): Promise<Partition[]> {
  await authorize(s, 'catalog:table:read', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await partitionedTable(c, db, tbl);
    const canonical = (names ?? []).flatMap((n) => {
      const values = partitionValuesOf(t.keys, n);
      return values ? [partitionName(t.keys, values)] : [];
    });
    return (await partitionStore(c.tx).byNames(t.object.id, [...new Set(canonical)])).map((r) => toPartition(t, r));
  });
}

/** get_partitions_by_filter: Hive's filter language (domain/partition-filter.ts) over the partition keys. */
export async function getPartitionsByFilter(
  s: MetastoreSession,
  db: string | undefined,
  tbl: string | undefined,
  filter: string | undefined,
  max: number | undefined,
): Promise<Partition[]> {
  await authorize(s, 'catalog:table:read', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await partitionedTable(c, db, tbl);
    const keys = (t.table.partitionKeys ?? []).map((k) => ({ name: k.name ?? '', type: k.type ?? 'string' }));
    let names = await partitionStore(c.tx).keys(t.object.id);
    if ((filter ?? '').trim() !== '') {
      let node;
      try {
        node = parsePartitionFilter(filter!, keys);
      } catch (err) {
        if (err instanceof PartitionFilterError) throw metaError(`Error parsing partition filter; lexer error: null; exception ${err.message}`);
        throw err;
      }
      names = names.filter((r) => matchesPartitionFilter(node, keys, r.values));
    }
    const limit = limitOf(max);
    const wanted = names.map((r) => r.name);
    return (await partitionStore(c.tx).byNames(t.object.id, limit === undefined ? wanted : wanted.slice(0, limit))).map((r) => toPartition(t, r));
  });
}

// Changes.

/** A partition as it is stored: its location defaulted under the table's and checked, its times set. */
function preparedPartition(
  c: CallContext,
  t: PartitionedTable,
  p: Partition,
  name: string,
  createTime: number,
): { stored: Omit<StoredPartition, 'created_at'>; path: StoragePath | undefined } {
  if ((p.dbName !== undefined && normalizeName(p.dbName) !== t.db) || (p.tableName !== undefined && normalizeName(p.tableName) !== t.object.name))
    throw metaError(`Partition does not belong to target table ${t.db}.${t.object.name}: ${p.dbName ?? ''}.${p.tableName ?? ''}`);
  // No storage descriptor of its own: the table's, with the partition's own folder.
  const sd = p.sd ? { ...p.sd } : { ...(t.table.sd ?? {}), location: undefined };
  if (!sd.location) sd.location = t.object.metadata_location === '' ? undefined : childOf(t.object.metadata_location, name);
  const path = sd.location ? checkedPath(c.warehouse, sd.location, 'partition location') : undefined;
  const parameters = new Map(p.parameters ?? []);
  if (!parameters.get(DDL_TIME) || parameters.get(DDL_TIME) === '0') parameters.set(DDL_TIME, String(nowSeconds()));
  const partition: Partition = { ...p, sd, parameters, createTime, lastAccessTime: p.lastAccessTime ?? 0 };
  return { stored: { name, values: [...(p.values ?? [])], location: sd.location ?? null, partition: partitionDocument(partition) }, path };
}

/**
 * add_partition(s)(_req): all or nothing, in one transaction. A partition that exists already fails the call
 * (AlreadyExistsException), or is skipped with ifNotExists; the answer lists those added.
 */
export async function addPartitions(
  s: MetastoreSession,
  parts: readonly Partition[],
  options: { ifNotExists: boolean; db?: string | undefined; table?: string | undefined },
): Promise<Partition[]> {
  if (parts.length === 0) return [];
  const db = options.db ?? parts[0]!.dbName;
  const tbl = options.table ?? parts[0]!.tableName;
  await authorize(s, 'catalog:table:insert', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await partitionedTable(c, db, tbl, true).catch((err: unknown) => {
      if (err instanceof Error && /table not found|no database/.test(err.message))
        throw invalidObject(`Unable to add partitions because database or table ${normalizeName(db)}.${normalizeName(tbl)} does not exist`);
      throw err;
    });
    if (t.object.kind !== 'hive') throw invalidOperation(`${t.db}.${t.object.name} is an Iceberg table: its partitions are Iceberg's, not the metastore's`);
    const now = nowSeconds();
    const prepared = new Map<string, ReturnType<typeof preparedPartition>>();
    for (const p of parts) {
      const name = nameOf(t, p.values);
      if (prepared.has(name)) {
        if (options.ifNotExists) continue;
        throw alreadyExists(`Partition already exists: ${t.db}.${t.object.name} ${name}`);
      }
      prepared.set(name, preparedPartition(c, t, p, name, now));
    }
    const taken = await partitionStore(c.tx).insert(
      t.object.id,
      [...prepared.values()].map((p) => p.stored),
    );
    if (taken.size > 0 && !options.ifNotExists) throw alreadyExists(`Partition already exists: ${t.db}.${t.object.name} ${[...taken][0]}`);
    const added = [...prepared.entries()].filter(([n]) => !taken.has(n));
    if (added.length > 0)
      await publishTableChange(c, {
        type: CatalogEvents.tableCommitted,
        db: t.db,
        name: t.object.name,
        id: t.object.id,
        location: t.object.metadata_location,
        updates: ['add-partitions'],
        partitions: { added: added.map(([n]) => n) },
      });
    const folders = added.flatMap(([, p]) => (p.path ? [p.path] : []));
    c.afterCommit(async () => {
      for (const f of folders) await ensureFolder(f);
    });
    return added.map(([, p]) => partitionFromDocument(p.stored.partition, t.db, t.object.name, p.stored.values));
  });
}

/** drop_partition(_by_name)(_with_environment_context): a managed table's partition files go with deleteData. */
export async function dropPartition(
  s: MetastoreSession,
  db: string | undefined,
  tbl: string | undefined,
  by: { values: string[] } | { name: string },
  deleteData: boolean,
): Promise<boolean> {
  await authorize(s, 'catalog:table:delete', normalizeName(db), normalizeName(tbl));
  return inWarehouse(s, async (c) => {
    const t = await partitionedTable(c, db, tbl, true);
    const values = 'values' in by ? by.values : partitionValuesOf(t.keys, by.name);
    const name = values && values.length === t.keys.length ? partitionName(t.keys, values) : undefined;
    const [row] = name ? await partitionStore(c.tx).byNames(t.object.id, [name], true) : [];
    if (!row) throw noSuchObject(`Partition doesn't exist. [${(values ?? []).join(', ')}]`);
    await partitionStore(c.tx).delete(t.object.id, [row.name]);
    await publishTableChange(c, {
      type: CatalogEvents.tableCommitted,
      db: t.db,
      name: t.object.name,
      id: t.object.id,
      location: t.object.metadata_location,
      updates: ['drop-partitions'],
      partitions: { dropped: [row.name] },
    });
    if (deleteData && !isExternal(t.table) && row.location) {
      const path = checkedPath(c.warehouse, row.location, 'partition location');
      c.afterCommit(() => deleteFiles(c.warehouse, [path]));
    }
    return true;
  });
}

/** alter_partition(s): each partition, found by its values, is replaced (its values cannot change). */
export async function alterPartitions(s: MetastoreSession, db: string | undefined, tbl: string | undefined, parts: readonly Partition[]): Promise<void> {
  await authorize(s, 'catalog:table:alter', normalizeName(db), normalizeName(tbl));
  await inWarehouse(s, async (c) => {
    const t = await partitionedTable(c, db, tbl, true).catch((err: unknown) => {
      if (err instanceof Error && /table not found|no database/.test(err.message)) throw invalidOperation(`alter is not possible: ${err.message}`);
      throw err;
    });
    const altered: string[] = [];
    for (const p of parts) {
      const name = nameOf(t, p.values);
      const [row] = await partitionStore(c.tx).byNames(t.object.id, [name], true);
      if (!row) throw invalidOperation('alter is not possible');
      const old = toPartition(t, row);
      const prepared = preparedPartition(c, t, { ...p, sd: p.sd ?? old.sd }, name, old.createTime ?? nowSeconds());
      await partitionStore(c.tx).update(t.object.id, name, { location: prepared.stored.location, partition: prepared.stored.partition });
      altered.push(name);
    }
    if (altered.length > 0)
      await publishTableChange(c, {
        type: CatalogEvents.tableCommitted,
        db: t.db,
        name: t.object.name,
        id: t.object.id,
        location: t.object.metadata_location,
        updates: ['alter-partitions'],
        partitions: { altered },
      });
  });
}
