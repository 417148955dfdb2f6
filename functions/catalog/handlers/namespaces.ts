import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { textArray, type Executor, type NamespaceRow, type Tx, type WarehouseRow } from '../../../shared/db/index.js';
import { AlreadyExistsError, NamespaceNotEmptyError, NoSuchNamespaceError, UnprocessableEntityError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { CatalogEvents } from '../../../shared/domains/contracts/index.js';
import { displayNamespace } from '../domain/identifiers.js';
import { decodePageToken, encodePageToken, pageSizeOf } from '../domain/page-token.js';
import { findNamespace, requireNamespace } from '../store/catalog-objects.js';
import { requireWarehouse } from '../store/warehouses.js';
import { NAMESPACE_LOCATION, checkLocationInWarehouse, namespaceLocation } from './table-files.js';

/** Properties a namespace always shows, whether or not a client set them: its location. */
function namespaceProperties(warehouse: WarehouseRow, row: NamespaceRow): Record<string, string> {
  return { ...row.properties, [NAMESPACE_LOCATION]: namespaceLocation(warehouse, row) };
}

/** A location a client sets must lie inside the warehouse, as a table's must. */
function checkProperties(warehouse: WarehouseRow, properties: Record<string, string>, field: string): void {
  const location = properties[NAMESPACE_LOCATION];
  if (location !== undefined) checkLocationInWarehouse(warehouse, location.replace(/\/+$/, ''), { in: 'body', field: `${field}.${NAMESPACE_LOCATION}`, label: `property ${NAMESPACE_LOCATION}` });
}

export async function listNamespaces(db: Executor, prefix: string, parent: string[] | undefined, pageToken: string | undefined, pageSize: number | undefined) {
  const warehouse = await requireWarehouse(db, prefix);
  const levels = parent ?? [];
  if (levels.length > 0 && !(await findNamespace(db, warehouse.id, levels))) throw new NoSuchNamespaceError(`Namespace does not exist: ${displayNamespace(levels)}`);
  const page = decodePageToken(pageToken);
  const size = pageSizeOf(pageSize);
  let q = db.selectFrom('namespaces').select(['levels', 'leaf']).where('warehouse_id', '=', warehouse.id).where('parent', '=', textArray(levels)).orderBy('leaf');
  if (page.after !== undefined) q = q.where('leaf', '>', page.after);
  if (page.paged) q = q.limit(size + 1);
  const rows = await q.execute();
  const more = page.paged && rows.length > size;
  const items = more ? rows.slice(0, size) : rows;
  const body: { namespaces: string[][]; 'next-page-token'?: string | null } = { namespaces: items.map((r) => r.levels) };
  if (page.paged) body['next-page-token'] = more ? encodePageToken(items[items.length - 1]!.leaf) : null;
  return body;
}

async function insertNamespace(tx: Tx, platform: Platform, warehouseId: string, warehouseName: string, levels: string[], properties: Record<string, string>, actor: string): Promise<NamespaceRow> {
  const row = await tx
    .insertInto('namespaces')
    .values({ id: randomUUID(), warehouse_id: warehouseId, levels: textArray(levels), parent: textArray(levels.slice(0, -1)), leaf: levels[levels.length - 1]!, properties: JSON.stringify(properties), updated_at: new Date() })
    .onConflict((oc) => oc.columns(['warehouse_id', 'levels']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new AlreadyExistsError(`Namespace already exists: ${displayNamespace(levels)}`);
  await platform.outbox.publish(tx, namespaceCreated(warehouseName, levels, actor));
  return row;
}

function namespaceCreated(warehouseName: string, levels: string[], actor: string) {
  return { type: CatalogEvents.namespaceCreated, subject: `catalog/${warehouseName}/namespaces/${displayNamespace(levels)}`, data: { warehouse: warehouseName, namespace: levels, actor } };
}

/**
 * Creates a namespace. Missing ancestors are created too (a.b.c makes a and a.b), so every level a client can list
 * exists and can be dropped; the spec gives createNamespace no 404 to refuse a missing parent with. The ancestors
 * go in one statement, their events in one more: a lookup and an insert per level made depth cost a round trip per
 * level, each carrying the whole prefix (1,000 levels took 10 s, 3,000 took 79 s). Levels are bounded at validation.
 */
export async function createNamespace(tx: Tx, platform: Platform, prefix: string, levels: string[], properties: Record<string, string>, actor: string) {
  const warehouse = await requireWarehouse(tx, prefix);
  checkProperties(warehouse, properties, 'properties');
  const ancestors = levels.slice(0, -1).map((_, i) => levels.slice(0, i + 1));
  if (ancestors.length > 0) {
    const created = await tx
      .insertInto('namespaces')
      .values(ancestors.map((a) => ({ id: randomUUID(), warehouse_id: warehouse.id, levels: textArray(a), parent: textArray(a.slice(0, -1)), leaf: a[a.length - 1]!, properties: '{}', updated_at: new Date() })))
      .onConflict((oc) => oc.columns(['warehouse_id', 'levels']).doNothing())
      .returning('levels')
      .execute();
    await platform.outbox.publishMany(tx, created.map((r) => namespaceCreated(warehouse.name, r.levels, actor)));
  }
  const row = await insertNamespace(tx, platform, warehouse.id, warehouse.name, levels, properties, actor);
  return { namespace: row.levels, properties: namespaceProperties(warehouse, row) };
}

export async function loadNamespace(db: Executor, prefix: string, levels: string[]) {
  const { warehouse, namespace } = await requireNamespace(db, prefix, levels);
  return { namespace: namespace.levels, properties: namespaceProperties(warehouse, namespace) };
}

/** Only an empty namespace is dropped: no tables, no views, no child namespaces. */
export async function dropNamespace(tx: Tx, platform: Platform, prefix: string, levels: string[], actor: string): Promise<void> {
  const { warehouse, namespace } = await requireNamespace(tx, prefix, levels, true);
  const objects = await tx.selectFrom('catalog_objects').select(['kind', 'name']).where('namespace_id', '=', namespace.id).limit(1).executeTakeFirst();
  if (objects) throw new NamespaceNotEmptyError(`Namespace ${displayNamespace(levels)} is not empty: it still holds ${objects.kind} ${objects.name}`);
  const child = await tx.selectFrom('namespaces').select('levels').where('warehouse_id', '=', warehouse.id).where('parent', '=', textArray(namespace.levels)).limit(1).executeTakeFirst();
  if (child) throw new NamespaceNotEmptyError(`Namespace ${displayNamespace(levels)} is not empty: it still holds namespace ${displayNamespace(child.levels)}`);
  await tx.deleteFrom('namespaces').where('id', '=', namespace.id).execute();
  await platform.outbox.publish(tx, { type: CatalogEvents.namespaceDropped, subject: `catalog/${warehouse.name}/namespaces/${displayNamespace(levels)}`, data: { warehouse: warehouse.name, namespace: levels, actor } });
}

export async function updateNamespaceProperties(tx: Tx, platform: Platform, prefix: string, levels: string[], updates: Record<string, string>, removals: string[], actor: string) {
  const both = removals.filter((k) => k in updates);
  if (both.length > 0) throw new UnprocessableEntityError(`Properties cannot be both updated and removed: ${both.join(', ')}`);
  const { warehouse, namespace } = await requireNamespace(tx, prefix, levels, true);
  checkProperties(warehouse, updates, 'updates');
  const properties = { ...namespace.properties };
  const removed: string[] = [];
  const missing: string[] = [];
  for (const key of removals) {
    if (key in properties) {
      delete properties[key];
      removed.push(key);
    } else {
      missing.push(key);
    }
  }
  Object.assign(properties, updates);
  await tx
    .updateTable('namespaces')
    .set({ properties: JSON.stringify(properties), updated_at: new Date(), version: sql`version + 1` })
    .where('id', '=', namespace.id)
    .execute();
  await platform.outbox.publish(tx, { type: CatalogEvents.namespaceUpdated, subject: `catalog/${warehouse.name}/namespaces/${displayNamespace(levels)}`, data: { warehouse: warehouse.name, namespace: levels, actor } });
  return { updated: Object.keys(updates), removed, missing: missing.length > 0 ? missing : null };
}
