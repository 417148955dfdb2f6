import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { isUniqueViolation, type Executor, type NamespaceRow, type Tx, type WarehouseRow } from '../../../shared/db/index.js';
import { AlreadyExistsError, BadRequestError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import type { RawJson } from '../../../shared/json/index.js';
import { UnsafeLocationError, type StoragePath } from '../../../shared/storage/index.js';
import { CatalogEvents } from '../../../shared/domains/contracts/index.js';
import { displayNamespace } from '../domain/identifiers.js';
import { createTableUpdates } from '../domain/new-table.js';
import { decodePageToken, encodePageToken, pageSizeOf } from '../domain/page-token.js';
import { TableMetadataBuilder } from '../domain/table-metadata-builder.js';
import { parseTableMetadata } from '../domain/table-metadata-parser.js';
import type { CreateTableRequestValue } from '../schemas/iceberg-requests.js';
import { OBJECT_COLUMNS, requireNamespace, requireObject, type ObjectKind } from '../store/catalog-objects.js';
import { schedulePurge } from './purge-tasks.js';
import { pathIfInside, warehouseRoot } from '../storage/warehouse-paths.js';
import { toWarehouseSummary } from '../store/warehouses.js';
import { PATH_PROPERTIES, checkLocationInWarehouse, checkObjectLocations, defaultObjectLocation, loadTableResult, metadataText, readMetadataFile, readStoredMetadata, writeTableMetadata } from './table-files.js';
import { clientEndpointConfig } from '../storage/warehouse-storage.js';

export interface Actor {
  name: string;
}

export async function listObjects(db: Executor, kind: ObjectKind, prefix: string, levels: string[], pageToken: string | undefined, pageSize: number | undefined) {
  const { namespace } = await requireNamespace(db, prefix, levels);
  const page = decodePageToken(pageToken);
  const size = pageSizeOf(pageSize);
  let q = db.selectFrom('catalog_objects').select('name').where('namespace_id', '=', namespace.id).where('kind', '=', kind).orderBy('name');
  if (page.after !== undefined) q = q.where('name', '>', page.after);
  if (page.paged) q = q.limit(size + 1);
  const rows = await q.execute();
  const more = page.paged && rows.length > size;
  const items = more ? rows.slice(0, size) : rows;
  const body: { identifiers: Array<{ namespace: string[]; name: string }>; 'next-page-token'?: string | null } = {
    identifiers: items.map((r) => ({ namespace: namespace.levels, name: r.name })),
  };
  if (page.paged) body['next-page-token'] = more ? encodePageToken(items[items.length - 1]!.name) : null;
  return body;
}

/** A table or view of that name already holds the identifier: 409, naming which. */
export async function ensureNameFree(db: Executor, namespace: Pick<NamespaceRow, 'id' | 'levels'>, name: string, wanted: ObjectKind): Promise<void> {
  const existing = await db.selectFrom('catalog_objects').select('kind').where('namespace_id', '=', namespace.id).where('name', '=', name).executeTakeFirst();
  if (!existing) return;
  const what = `${displayNamespace(namespace.levels)}.${name}`;
  if (existing.kind === wanted) throw new AlreadyExistsError(`${wanted === 'table' ? 'Table' : 'View'} already exists: ${what}`);
  throw new AlreadyExistsError(`${existing.kind === 'table' ? 'Table' : 'View'} with same name already exists: ${what}`);
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

/** createTable: a new table at version 0, or with stage-create the metadata a create transaction starts from. */
export async function createTable(tx: Tx, platform: Platform, prefix: string, levels: string[], req: CreateTableRequestValue, actor: Actor): Promise<RawJson> {
  const { warehouse, namespace } = await requireNamespace(tx, prefix, levels, true);
  await ensureNameFree(tx, namespace, req.name, 'table');
  const uuid = randomUUID();
  const location = objectLocation(warehouse, namespace, req.name, uuid, req.location);
  const metadata = new TableMetadataBuilder(null, Date.now()).applyAll(createTableUpdates(req, uuid, location)).build(null);
  checkObjectLocations(warehouse, metadata, null);
  // Only where the files are: the route adds this request's credentials after the transaction (withClientStorage).
  const storage = { config: clientEndpointConfig(toWarehouseSummary(warehouse)), credentials: [] };
  if (req['stage-create']) return loadTableResult({ metadataLocation: null, metadataText: metadataText(metadata), storage });
  const written = await writeTableMetadata(warehouse, metadata, null);
  await insertObject(tx, platform, 'table', warehouse, namespace, req.name, uuid, written, actor, metadata);
  return loadTableResult({ metadataLocation: written.location, metadataText: written.text, storage });
}

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
  await tx
    .insertInto('catalog_objects')
    .values({ id: uuid, warehouse_id: warehouse.id, namespace_id: namespace.id, name, kind, metadata_location: written.location, metadata: written.text, updated_at: new Date() })
    .execute()
    .catch((err: unknown) => {
      // The object id is the table-uuid: a registered copy of a table this catalog already tracks would share it.
      if (isUniqueViolation(err)) throw new AlreadyExistsError(`${displayNamespace(namespace.levels)}.${name} already exists, or a table with uuid ${uuid} is already registered`);
      throw err;
    });
  const type = kind === 'table' ? CatalogEvents.tableCreated : CatalogEvents.viewCreated;
  await platform.outbox.publish(tx, {
    type,
    subject: `catalog/${warehouse.name}/${kind}s/${uuid}`,
    data: { warehouse: warehouse.name, namespace: namespace.levels, name, uuid, metadataLocation: written.location, currentSnapshotId: snapshotIdString(table?.['current-snapshot-id']), actor: actor.name },
  });
}

export function snapshotIdString(id: unknown): string | null {
  if (id === undefined || id === null || String(id) === '-1') return null;
  return String(id);
}

/**
 * Drops a table or view. With purge, the files a purge may delete are recorded in the same transaction; the caller
 * runs the purge once the drop committed (the id returned), and the sweeper retries it until it succeeds.
 */
export async function dropObject(tx: Tx, platform: Platform, kind: ObjectKind, prefix: string, levels: string[], name: string, purge: boolean, actor: Actor): Promise<string | undefined> {
  const { warehouse, namespace, object } = await requireObject(tx, kind, prefix, levels, name, true);
  await tx.deleteFrom('catalog_objects').where('id', '=', object.id).execute();
  await platform.outbox.publish(tx, {
    type: kind === 'table' ? CatalogEvents.tableDropped : CatalogEvents.viewDropped,
    subject: `catalog/${warehouse.name}/${kind}s/${object.id}`,
    data: { warehouse: warehouse.name, namespace: namespace.levels, name, uuid: object.id, metadataLocation: object.metadata_location, purged: purge, actor: actor.name },
  });
  if (!purge || kind !== 'table') return undefined;
  const safe = await purgeableLocations(tx, warehouse, object.id, readStoredMetadata(object.metadata));
  return schedulePurge(tx, warehouse.id, `${displayNamespace(levels)}.${name}`, safe);
}

/**
 * What a purge may delete: the table's folder and its write.data.path / write.metadata.path folders, each only if
 * it resolves inside the warehouse (and is not the warehouse itself) and no other table or view of the warehouse
 * keeps anything at, under or above it. Data shared between tables (two tables writing to one write.data.path)
 * must outlive the purge of one of them. Locations are compared as resolved, so no spelling hides an overlap.
 */
async function purgeableLocations(tx: Tx, warehouse: WarehouseRow, objectId: string, metadata: { location: string; properties: Record<string, string> }): Promise<string[]> {
  const wh = { name: warehouse.name, storageLocation: warehouse.storage_location };
  const root = pathIfInside(wh, warehouse.storage_location);
  const candidates = [metadata.location, metadata.properties['write.data.path'], metadata.properties['write.metadata.path']]
    .filter((l): l is string => !!l)
    .map((location) => ({ location, path: pathIfInside(wh, location) }))
    .filter((c): c is { location: string; path: StoragePath } => c.path !== undefined && !(root && c.path.contains(root)));
  if (candidates.length === 0) return [];
  const others = await tx
    .selectFrom('catalog_objects')
    .select([
      'metadata_location',
      sql<string | null>`metadata::jsonb->>'location'`.as('location'),
      ...PATH_PROPERTIES.map((key) => sql<string | null>`metadata::jsonb->'properties'->>${key}`.as(key)),
    ])
    .where('warehouse_id', '=', warehouse.id)
    .where('id', '!=', objectId)
    .execute();
  const taken: StoragePath[] = [];
  for (const location of others.flatMap((o) => [o.metadata_location, o.location, ...PATH_PROPERTIES.map((key) => o[key])])) {
    if (!location) continue;
    try {
      taken.push(warehouseRoot(wh).resolve(location));
    } catch (err) {
      // One elsewhere shares nothing with a folder inside; a malformed one (stored before the checks) might mean
      // any folder, so nothing is purged rather than something it still uses.
      if (err instanceof UnsafeLocationError) return [];
    }
  }
  return candidates.filter((c) => !taken.some((t) => c.path.contains(t) || t.contains(c.path))).map((c) => c.location);
}

export async function renameObject(tx: Tx, platform: Platform, kind: ObjectKind, prefix: string, source: { namespace: string[]; name: string }, destination: { namespace: string[]; name: string }, actor: Actor): Promise<void> {
  const { warehouse, object } = await requireObject(tx, kind, prefix, source.namespace, source.name, true);
  const target = await requireNamespace(tx, prefix, destination.namespace);
  if (target.namespace.id === object.namespace_id && destination.name === object.name) return;
  const taken = await tx.selectFrom('catalog_objects').select('kind').where('namespace_id', '=', target.namespace.id).where('name', '=', destination.name).executeTakeFirst();
  if (taken) {
    const to = `${displayNamespace(destination.namespace)}.${destination.name}`;
    if (taken.kind === 'table' && kind === 'table') throw new AlreadyExistsError(`Table already exists: ${to}`);
    throw new AlreadyExistsError(`Cannot rename ${displayNamespace(source.namespace)}.${source.name} to ${to}. ${taken.kind === 'table' ? 'Table' : 'View'} already exists`);
  }
  await tx.updateTable('catalog_objects').set({ namespace_id: target.namespace.id, name: destination.name, updated_at: new Date(), version: sql`version + 1` }).where('id', '=', object.id).execute();
  await platform.outbox.publish(tx, {
    type: kind === 'table' ? CatalogEvents.tableRenamed : CatalogEvents.viewRenamed,
    subject: `catalog/${warehouse.name}/${kind}s/${object.id}`,
    data: { warehouse: warehouse.name, uuid: object.id, from: source, to: destination, actor: actor.name },
  });
}

/** registerTable: adopts an existing metadata file (written by this or another catalog) as the table's current one. */
export async function registerTable(tx: Tx, platform: Platform, prefix: string, levels: string[], name: string, metadataLocation: string, overwrite: boolean, actor: Actor): Promise<RawJson> {
  const { warehouse, namespace } = await requireNamespace(tx, prefix, levels, true);
  const metadata = parseTableMetadata(await readMetadataFile(warehouse, metadataLocation));
  // A registered table's files must lie in the warehouse as a created one's do: its commits write there, its purge deletes there.
  checkObjectLocations(warehouse, metadata, null, { in: 'body', field: 'metadata-location', label: 'the location its metadata names,' });
  const text = metadataText(metadata);
  const existing = await tx.selectFrom('catalog_objects').select(OBJECT_COLUMNS).where('namespace_id', '=', namespace.id).where('name', '=', name).forUpdate().executeTakeFirst();
  if (existing && !(overwrite && existing.kind === 'table')) await ensureNameFree(tx, namespace, name, 'table');
  if (existing) {
    if (existing.id !== metadata['table-uuid']) throw new BadRequestError(`Cannot overwrite table ${displayNamespace(levels)}.${name} (uuid ${existing.id}) with metadata of another table (uuid ${metadata['table-uuid']})`);
    await tx.updateTable('catalog_objects').set({ metadata_location: metadataLocation, metadata: text, updated_at: new Date(), version: sql`version + 1` }).where('id', '=', existing.id).execute();
    await platform.outbox.publish(tx, {
      type: CatalogEvents.tableCommitted,
      subject: `catalog/${warehouse.name}/tables/${existing.id}`,
      data: { warehouse: warehouse.name, namespace: levels, name, uuid: existing.id, metadataLocation, previousMetadataLocation: existing.metadata_location, currentSnapshotId: snapshotIdString(metadata['current-snapshot-id']), updates: ['register'], actor: actor.name },
    });
  } else {
    await insertObject(tx, platform, 'table', warehouse, namespace, name, metadata['table-uuid'], { location: metadataLocation, text }, actor, metadata);
  }
  return loadTableResult({ metadataLocation, metadataText: text, storage: { config: clientEndpointConfig(toWarehouseSummary(warehouse)), credentials: [] } });
}

/** unregisterTable: the catalog forgets the table; its files stay for another catalog to register. */
export async function unregisterTable(tx: Tx, platform: Platform, prefix: string, levels: string[], name: string, actor: Actor) {
  const { warehouse, namespace, object } = await requireObject(tx, 'table', prefix, levels, name, true);
  await tx.deleteFrom('catalog_objects').where('id', '=', object.id).execute();
  await platform.outbox.publish(tx, {
    type: CatalogEvents.tableDropped,
    subject: `catalog/${warehouse.name}/tables/${object.id}`,
    data: { warehouse: warehouse.name, namespace: namespace.levels, name, uuid: object.id, metadataLocation: object.metadata_location, purged: false, actor: actor.name },
  });
  return { location: object.metadata_location, text: object.metadata };
}

export async function requireTableExists(db: Executor, prefix: string, levels: string[], name: string): Promise<void> {
  await requireObject(db, 'table', prefix, levels, name);
}

