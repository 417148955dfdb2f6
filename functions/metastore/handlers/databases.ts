import { namespaceStore } from '../../../shared/domains/catalog/index.js';
import { CatalogEvents } from '../../../shared/domains/contracts/index.js';
import { databaseOf, namespacePropertiesOf } from '../domain/database-properties.js';
import { namePattern } from '../domain/name-patterns.js';
import { isExternal, tableFromDocument } from '../domain/table-document.js';
import type { Database } from '../hms/structs.js';
import { alreadyExists, invalidObject, invalidOperation, noSuchObject } from '../metastore-errors.js';
import { ownerOf, type MetastoreSession } from '../metastore-session.js';
import { hiveObjects } from '../store/hive-objects.js';
import { partitionStore } from '../store/partitions.js';
import { type CallContext, findDatabase, inWarehouse, normalizeName, requireDatabase } from './call-context.js';
import { publishDatabaseChange, publishTableChange } from './change-events.js';
import { checkedPath, childOf, deleteFiles, ensureFolder, warehouseRootOf } from './table-files.js';
import { validName } from './names.js';
import { authorize, visibleOf } from './access.js';
import type { StoragePath } from '../../../shared/storage/index.js';

/** A database's location when it names none: the namespace's folder, where the Iceberg catalog puts it too. */
export function defaultDatabaseLocation(c: CallContext, name: string): string {
  return childOf(c.warehouse.storage_location, name);
}

export async function getDatabase(s: MetastoreSession, name: string | undefined): Promise<Database> {
  await authorize(s, 'catalog:namespace:read', normalizeName(name));
  return inWarehouse(s, async (c) => {
    const namespace = await requireDatabase(c, name);
    return databaseOf(namespace, defaultDatabaseLocation(c, namespace.leaf));
  });
}

/** The one-level namespaces of the warehouse whose names Hive can spell (Hive's names: letters, digits, '_'). */
export async function listDatabases(s: MetastoreSession, pattern: string | undefined): Promise<string[]> {
  const matches = namePattern(pattern);
  const names = await inWarehouse(s, async (c) => {
    const all = await namespaceStore(c.tx).children(c.warehouse.id, [], undefined, undefined);
    return all.map((n) => n.leaf).filter((n) => validName(n) && n === n.toLowerCase() && matches(n));
  });
  const visible = await visibleOf(
    s,
    names.map((db) => ({ db })),
  );
  return names.filter((_, i) => visible[i]);
}

export async function createDatabase(s: MetastoreSession, db: Database | undefined): Promise<void> {
  const name = normalizeName(db?.name);
  if (!db || !validName(name)) throw invalidObject(`${db?.name ?? ''} is not a valid database name`);
  await authorize(s, 'catalog:namespace:create', name);
  await inWarehouse(s, async (c) => {
    const location = db.locationUri && db.locationUri !== '' ? db.locationUri : defaultDatabaseLocation(c, name);
    const path = checkedPath(c.warehouse, location, 'database location');
    const row = await namespaceStore(c.tx).insert(c.warehouse.id, [name], namespacePropertiesOf({ ...db, ownerName: ownerOf(s, db.ownerName) }, location));
    if (!row) throw alreadyExists(`Database ${name} already exists`);
    await publishDatabaseChange(c, CatalogEvents.namespaceCreated, name);
    c.afterCommit(() => ensureFolder(path));
  });
}

export async function alterDatabase(s: MetastoreSession, name: string | undefined, db: Database | undefined): Promise<void> {
  await authorize(s, 'catalog:namespace:update', normalizeName(name));
  await inWarehouse(s, async (c) => {
    const namespace = await requireDatabase(c, name, true);
    if (!db) throw invalidObject('the new database is missing');
    const current = databaseOf(namespace, defaultDatabaseLocation(c, namespace.leaf));
    const location = db.locationUri && db.locationUri !== '' ? db.locationUri : current.locationUri!;
    checkedPath(c.warehouse, location, 'database location');
    await namespaceStore(c.tx).setProperties(
      namespace.id,
      namespacePropertiesOf({ ...db, name: namespace.leaf, ownerName: ownerOf(s, db.ownerName) }, location),
    );
    await publishDatabaseChange(c, CatalogEvents.namespaceUpdated, namespace.leaf);
  });
}

/**
 * drop_database. Without cascade only an empty database goes; with cascade its Hive tables go first (the data of
 * managed ones with deleteData). A database holding Iceberg tables or views is refused either way: those are
 * dropped through the Iceberg catalog, which owns their files.
 */
export async function dropDatabase(s: MetastoreSession, name: string | undefined, deleteData: boolean, cascade: boolean): Promise<void> {
  const dbName = normalizeName(name);
  await authorize(s, 'catalog:namespace:drop', dbName);
  // The tables a cascade drops, each allowed before the transaction; one made meanwhile fails the drop.
  const allowed = new Set<string>();
  if (cascade) {
    const names = await inWarehouse(s, async (c) => {
      const namespace = await findDatabase(c, dbName);
      return namespace ? (await hiveObjects(c.tx).all(namespace.id)).map((o) => o.name) : [];
    });
    for (const t of names) {
      await authorize(s, deleteData ? 'catalog:table:purge' : 'catalog:table:drop', dbName, t);
      allowed.add(t);
    }
  }
  await inWarehouse(s, async (c) => {
    const namespace = await findDatabase(c, name, true);
    if (!namespace) throw noSuchObject(`There is no database named ${dbName}`);
    const db = namespace.leaf;
    const objects = await hiveObjects(c.tx).all(namespace.id);
    const iceberg = objects.find((o) => o.kind !== 'hive');
    if (iceberg)
      throw invalidOperation(`Database ${db} is not empty: it holds Iceberg ${iceberg.kind} ${iceberg.name}, which only the Iceberg REST catalog drops`);
    if (objects.length > 0 && !cascade) throw invalidOperation(`Database ${db} is not empty. One or more tables exist.`);
    const unchecked = objects.find((o) => !allowed.has(o.name));
    if (unchecked) throw invalidOperation(`Database ${db} changed while it was being dropped (table ${unchecked.name} appeared): drop it again`);
    const child = await namespaceStore(c.tx).anyChild(c.warehouse.id, [db]);
    if (child) throw invalidOperation(`Database ${db} is not empty: it holds namespace ${child.levels.join('.')}`);
    const doomed: StoragePath[] = [];
    for (const o of objects) {
      const table = tableFromDocument(o.metadata, db, o.name);
      if (deleteData && !isExternal(table) && o.metadata_location !== '') {
        doomed.push(checkedPath(c.warehouse, o.metadata_location, 'table location'));
        for (const l of await partitionStore(c.tx).locations(o.id)) doomed.push(checkedPath(c.warehouse, l, 'partition location'));
      }
      await hiveObjects(c.tx).delete(o.id);
      await publishTableChange(c, {
        type: CatalogEvents.tableDropped,
        db,
        name: o.name,
        id: o.id,
        location: o.metadata_location,
        purged: deleteData && !isExternal(table),
      });
    }
    await namespaceStore(c.tx).delete(namespace.id);
    await publishDatabaseChange(c, CatalogEvents.namespaceDropped, db);
    if (deleteData) {
      const location = databaseOf(namespace, defaultDatabaseLocation(c, db)).locationUri!;
      const root = warehouseRootOf(c.warehouse);
      const path = checkedPath(c.warehouse, location, 'database location');
      // Never the warehouse's own folder (a database located at the root, as Spark's default one can be).
      if (!path.contains(root.resolve(c.warehouse.storage_location))) doomed.push(path);
    }
    c.afterCommit(() => deleteFiles(c.warehouse, doomed));
  });
}
