import { CatalogEvents } from '../../../shared/domains/contracts/index.js';
import type { StoragePath } from '../../../shared/storage/index.js';
import { databaseOf } from '../domain/database-properties.js';
import { isExternal, isView, tableDocument, tableFromDocument } from '../domain/table-document.js';
import type { FieldSchema, Table } from '../hms/structs.js';
import { alreadyExists, invalidObject, invalidOperation, noSuchObject } from '../metastore-errors.js';
import { ownerOf, type MetastoreSession } from '../metastore-session.js';
import { columnStatisticsStore } from '../store/column-statistics.js';
import { hiveObjects, type StoredObject } from '../store/hive-objects.js';
import { partitionStore } from '../store/partitions.js';
import { type CallContext, inWarehouse, normalizeName, requireDatabase } from './call-context.js';
import { publishRename, publishTableChange } from './change-events.js';
import { defaultDatabaseLocation } from './databases.js';
import { validName } from './names.js';
import { authorize } from './access.js';
import { checkedPath, checkFolderMove, childOf, deleteFiles, ensureFolder, moveFolder } from './table-files.js';

/** Hive's parameter of a table's last DDL time, in seconds. */
const DDL_TIME = 'transient_lastDdlTime';

const nowSeconds = () => Math.floor(Date.now() / 1000);

function checkColumns(t: Table): void {
  const seen = new Set<string>();
  for (const c of [...(t.sd?.cols ?? []), ...(t.partitionKeys ?? [])]) {
    const name = (c.name ?? '').toLowerCase();
    if (name === '' || c.type === undefined || c.type === '')
      throw invalidObject(`Invalid column ${JSON.stringify(c.name ?? '')} of type ${JSON.stringify(c.type ?? '')}`);
    if (seen.has(name)) throw invalidObject(`Duplicate column name ${name} in table ${t.tableName ?? ''}`);
    seen.add(name);
  }
}

/** Iceberg tables are made and committed through the Iceberg REST catalog, which owns their metadata files. */
function refuseIcebergParameters(t: Table): void {
  if (t.parameters?.get('table_type')?.toUpperCase() === 'ICEBERG' || t.parameters?.has('metadata_location'))
    throw invalidOperation(
      'Iceberg tables are created and committed through the Iceberg REST catalog (/iceberg/v1), not the metastore: table_type=ICEBERG and metadata_location cannot be set here',
    );
}

function refuseIceberg(db: string, o: StoredObject): void {
  if (o.kind !== 'hive') throw invalidOperation(`${db}.${o.name} is an Iceberg table: change or drop it through the Iceberg REST catalog (/iceberg/v1)`);
}

async function databaseLocation(c: CallContext, db: string): Promise<string> {
  const namespace = await requireDatabase(c, db);
  return databaseOf(namespace, defaultDatabaseLocation(c, namespace.leaf)).locationUri!;
}

export async function createTable(s: MetastoreSession, tbl: Table | undefined): Promise<void> {
  if (!tbl) throw invalidObject('the table is missing');
  const name = normalizeName(tbl.tableName);
  const db = normalizeName(tbl.dbName);
  if (!validName(name)) throw invalidObject(`${tbl.tableName ?? ''} is not a valid object name`);
  checkColumns(tbl);
  refuseIcebergParameters(tbl);
  await authorize(s, 'catalog:table:create', db, name);
  await inWarehouse(s, async (c) => {
    const namespace = await requireDatabase(c, db);
    if (await hiveObjects(c.tx).find(namespace.id, name)) throw alreadyExists(`Table ${name} already exists`);
    const now = nowSeconds();
    const table: Table = { ...tbl, dbName: db, tableName: name, createTime: now, parameters: new Map(tbl.parameters ?? []), owner: ownerOf(s, tbl.owner) };
    if (!table.parameters!.get(DDL_TIME)) table.parameters!.set(DDL_TIME, String(now));
    if (table.owner === undefined && s.principal) table.owner = s.principal.name;
    let path: StoragePath | undefined;
    if (!isView(table)) {
      const sd = { ...(table.sd ?? {}) };
      if (!sd.location) sd.location = childOf(await databaseLocation(c, db), name);
      path = checkedPath(c.warehouse, sd.location, 'table location');
      table.sd = sd;
    }
    const id = await hiveObjects(c.tx).insert({
      warehouseId: c.warehouse.id,
      namespaceId: namespace.id,
      name,
      location: table.sd?.location ?? '',
      metadata: tableDocument(table),
      owner: table.owner ?? null,
    });
    await publishTableChange(c, { type: CatalogEvents.tableCreated, db, name, id, location: table.sd?.location ?? '' });
    if (path) c.afterCommit(() => ensureFolder(path));
  });
}

function sameColumns(a: readonly FieldSchema[] | undefined, b: readonly FieldSchema[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((f, i) => f.name?.toLowerCase() === y[i]!.name?.toLowerCase() && f.type === y[i]!.type);
}

/**
 * alter_table(_with_environment_context), as Hive's HiveAlterHandler does it: the new table replaces the old one
 * (partition keys cannot change); a new name or database renames it, and a managed table that kept its location
 * has its folder moved to the new name's, its partitions' locations with it.
 */
export async function alterTable(s: MetastoreSession, dbName: string | undefined, name: string | undefined, newTbl: Table | undefined): Promise<void> {
  if (!newTbl) throw invalidOperation('the new table is missing');
  const newName = normalizeName(newTbl.tableName);
  const newDb = normalizeName(newTbl.dbName ?? dbName);
  if (!validName(newName)) throw invalidOperation(`${newTbl.tableName ?? ''} is not a valid object name`);
  checkColumns(newTbl);
  const db = normalizeName(dbName);
  const tableName = normalizeName(name);
  if (newName !== tableName || newDb !== db) {
    await authorize(s, 'catalog:table:rename', db, tableName);
    await authorize(s, 'catalog:table:create', newDb, newName);
  } else await authorize(s, 'catalog:table:alter', db, tableName);
  await inWarehouse(s, async (c) => {
    const namespace = await requireDatabase(c, db).catch(() => {
      throw invalidOperation(`table ${db}.${tableName} doesn't exist`);
    });
    const object = await hiveObjects(c.tx).find(namespace.id, tableName, true);
    if (!object || object.kind === 'view') throw invalidOperation(`table ${db}.${tableName} doesn't exist`);
    refuseIceberg(db, object);
    const old = tableFromDocument(object.metadata, db, tableName);
    refuseIcebergParameters(newTbl);
    if (!sameColumns(old.partitionKeys, newTbl.partitionKeys)) throw invalidOperation('partition keys can not be changed.');
    const renamed = newName !== tableName || newDb !== db;
    const target = renamed
      ? await requireDatabase(c, newDb).catch(() => {
          throw invalidOperation(`Unable to change partition or table. Database ${newDb} does not exist`);
        })
      : namespace;
    if (renamed && (await hiveObjects(c.tx).find(target.id, newName))) throw invalidOperation(`new table ${newDb}.${newName} already exists`);
    const table: Table = {
      ...newTbl,
      dbName: newDb,
      tableName: newName,
      createTime: old.createTime,
      parameters: new Map(newTbl.parameters ?? []),
      owner: ownerOf(s, newTbl.owner),
    };
    const ddl = table.parameters!.get(DDL_TIME);
    if (!ddl || ddl === '0') table.parameters!.set(DDL_TIME, String(nowSeconds()));
    const oldLocation = old.sd?.location ?? '';
    let location = isView(table) ? '' : (table.sd?.location ?? '');
    let move: { from: StoragePath; to: StoragePath } | undefined;
    if (renamed && !isView(old) && !isExternal(old) && oldLocation !== '' && (location === '' || location === oldLocation)) {
      location = childOf(await databaseLocation(c, newDb), newName);
      move = { from: checkedPath(c.warehouse, oldLocation, 'table location'), to: checkedPath(c.warehouse, location, 'table location') };
      await checkFolderMove(move.from, move.to);
      await partitionStore(c.tx).moveLocations(object.id, oldLocation, location);
    } else if (location !== '') checkedPath(c.warehouse, location, 'table location');
    if (table.sd) table.sd = { ...table.sd, location };
    await hiveObjects(c.tx).update(object.id, { namespaceId: target.id, name: newName, location, metadata: tableDocument(table) });
    await columnStatisticsStore(c.tx).keepColumns(
      object.id,
      (table.sd?.cols ?? []).map((f) => (f.name ?? '').toLowerCase()).concat((table.partitionKeys ?? []).map((f) => (f.name ?? '').toLowerCase())),
    );
    if (renamed) await publishRename(c, object.id, { db, name: tableName }, { db: newDb, name: newName });
    else await publishTableChange(c, { type: CatalogEvents.tableCommitted, db, name: tableName, id: object.id, location, updates: ['alter-table'] });
    // The last step: a failed move fails the call, and the transaction with it.
    if (move) await moveFolder(move.from, move.to);
  });
}

/** drop_table(_with_environment_context): a managed table's files go with it when deleteData; an external table's stay. */
export async function dropTable(s: MetastoreSession, dbName: string | undefined, name: string | undefined, deleteData: boolean): Promise<void> {
  const db = normalizeName(dbName);
  const tableName = normalizeName(name);
  await authorize(s, deleteData ? 'catalog:table:purge' : 'catalog:table:drop', db, tableName);
  await inWarehouse(s, async (c) => {
    const namespace = await requireDatabase(c, db).catch(() => {
      throw noSuchObject(`${db}.${tableName} table not found`);
    });
    const object = await hiveObjects(c.tx).find(namespace.id, tableName, true);
    if (!object || object.kind === 'view') throw noSuchObject(`${db}.${tableName} table not found`);
    refuseIceberg(db, object);
    const table = tableFromDocument(object.metadata, db, tableName);
    const purge = deleteData && !isExternal(table) && !isView(table);
    const doomed: StoragePath[] = [];
    if (purge) {
      const own = checkedPath(c.warehouse, object.metadata_location, 'table location');
      doomed.push(own);
      for (const l of await partitionStore(c.tx).locations(object.id)) {
        const p = checkedPath(c.warehouse, l, 'partition location');
        if (!own.contains(p)) doomed.push(p);
      }
    }
    await hiveObjects(c.tx).delete(object.id);
    await publishTableChange(c, { type: CatalogEvents.tableDropped, db, name: tableName, id: object.id, location: object.metadata_location, purged: purge });
    c.afterCommit(() => deleteFiles(c.warehouse, doomed));
  });
}
