import { sql } from 'kysely';
import { isUniqueViolation, type Executor } from '../../../shared/db/index.js';
import { OBJECT_COLUMNS, type CatalogObject, type ObjectKind, type StoredObjectKind } from './catalog-objects.js';

/** A table or view as it is first recorded: its id is its uuid, its metadata the file just written or registered. */
export interface NewObject {
  id: string;
  warehouseId: string;
  namespaceId: string;
  name: string;
  kind: ObjectKind;
  metadataLocation: string;
  metadata: string;
}

/** Where another object of a warehouse keeps files: its metadata file, its location, its path properties. */
export type ObjectLocations = Array<string | null>;

/**
 * The tables and views of the catalog (catalog_objects), as the Iceberg routes change them. A name is unique in its
 * namespace across tables and views, and an id (the table-uuid) across the catalog.
 */
export interface ObjectStore {
  /** Names of a namespace's tables or views in order, after `after`, at most `limit` (all without one). */
  names(namespaceId: string, kind: ObjectKind, after: string | undefined, limit: number | undefined): Promise<string[]>;
  /** The kind of the object holding a name in a namespace, if one does. */
  kindAt(namespaceId: string, name: string): Promise<StoredObjectKind | undefined>;
  /** The object holding a name in a namespace, locked for the rest of the transaction. */
  lockAt(namespaceId: string, name: string): Promise<CatalogObject | undefined>;
  /** false when its id or its name is taken already. */
  insert(object: NewObject): Promise<boolean>;
  delete(id: string): Promise<void>;
  /** Moves an object to another namespace or name. */
  move(id: string, namespaceId: string, name: string): Promise<void>;
  /** Points an object at another metadata file; with `expected`, only if it still points at that one (false if not). */
  repoint(id: string, metadata: { location: string; text: string }, expected?: string): Promise<boolean>;
  /** Every place another object of the warehouse keeps files at: its metadata file, location and the `keys` properties. */
  locationsOfOthers(warehouseId: string, exceptId: string, keys: readonly string[]): Promise<ObjectLocations[]>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function objectStore(db: Executor): ObjectStore {
  return {
    async names(namespaceId, kind, after, limit) {
      let q = db.selectFrom('catalog_objects').select('name').where('namespace_id', '=', namespaceId).where('kind', '=', kind).orderBy('name');
      if (after !== undefined) q = q.where('name', '>', after);
      if (limit !== undefined) q = q.limit(limit);
      return (await q.execute()).map((r) => r.name);
    },
    async kindAt(namespaceId, name) {
      return (await db.selectFrom('catalog_objects').select('kind').where('namespace_id', '=', namespaceId).where('name', '=', name).executeTakeFirst())?.kind;
    },
    async lockAt(namespaceId, name) {
      return db
        .selectFrom('catalog_objects')
        .select(OBJECT_COLUMNS)
        .where('namespace_id', '=', namespaceId)
        .where('name', '=', name)
        .forUpdate()
        .executeTakeFirst();
    },
    async insert(o) {
      try {
        await db
          .insertInto('catalog_objects')
          .values({
            id: o.id,
            warehouse_id: o.warehouseId,
            namespace_id: o.namespaceId,
            name: o.name,
            kind: o.kind,
            metadata_location: o.metadataLocation,
            metadata: o.metadata,
            updated_at: new Date(),
          })
          .execute();
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },
    async delete(id) {
      await db.deleteFrom('catalog_objects').where('id', '=', id).execute();
    },
    async move(id, namespaceId, name) {
      await db
        .updateTable('catalog_objects')
        .set({ namespace_id: namespaceId, name, updated_at: new Date(), version: sql`version + 1` })
        .where('id', '=', id)
        .execute();
    },
    async repoint(id, metadata, expected) {
      let q = db
        .updateTable('catalog_objects')
        .set({ metadata_location: metadata.location, metadata: metadata.text, updated_at: new Date(), version: sql`version + 1` })
        .where('id', '=', id);
      if (expected !== undefined) q = q.where('metadata_location', '=', expected);
      const result = await q.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async locationsOfOthers(warehouseId, exceptId, keys) {
      const rows = await db
        .selectFrom('catalog_objects')
        .select([
          'metadata_location',
          sql<string | null>`metadata::jsonb->>'location'`.as('location'),
          ...keys.map((key) => sql<string | null>`metadata::jsonb->'properties'->>${key}`.as(key)),
        ])
        .where('warehouse_id', '=', warehouseId)
        .where('id', '!=', exceptId)
        .execute();
      return rows.map((o) => {
        const row = o as unknown as Record<string, string | null | undefined>;
        return [o.metadata_location, row['location'] ?? null, ...keys.map((key) => row[key] ?? null)];
      });
    },
  };
}
