import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../../../shared/db/index.js';

/** A catalog object of a metastore database (namespace) as the metastore reads it: its own tables, and Iceberg's. */
export interface StoredObject {
  id: string;
  namespace_id: string;
  name: string;
  kind: 'table' | 'view' | 'hive';
  metadata_location: string;
  metadata: string;
  owner: string | null;
  version: number;
  created_at: Date;
}

const COLUMNS = ['id', 'namespace_id', 'name', 'kind', 'metadata_location', 'metadata', 'owner', 'version', 'created_at'] as const;

/**
 * The metastore's tables and views: catalog objects of kind 'hive' (migrations/0025). Names are unique in a
 * namespace across every kind, so a Hive table can never shadow an Iceberg table or be shadowed by one.
 */
export function hiveObjects(db: Executor) {
  return {
    /** The object holding a name (any kind); with `lock`, locked for the rest of the transaction. */
    async find(namespaceId: string, name: string, lock = false): Promise<StoredObject | undefined> {
      let q = db.selectFrom('catalog_objects').select(COLUMNS).where('namespace_id', '=', namespaceId).where('name', '=', name);
      if (lock) q = q.forUpdate();
      return q.executeTakeFirst();
    },

    /** Several names' objects at once (get_table_objects_by_name), Hive's and Iceberg tables. */
    async findMany(namespaceId: string, names: readonly string[]): Promise<StoredObject[]> {
      if (names.length === 0) return [];
      return db
        .selectFrom('catalog_objects')
        .select(COLUMNS)
        .where('namespace_id', '=', namespaceId)
        .where('name', 'in', [...names])
        .where('kind', 'in', ['hive', 'table'])
        .orderBy('name')
        .execute();
    },

    /** The names of a namespace's tables as the metastore lists them: its own, and the Iceberg tables. */
    async names(namespaceId: string): Promise<Array<{ name: string; kind: StoredObject['kind']; metadata: string | null }>> {
      return db
        .selectFrom('catalog_objects')
        .select(['name', 'kind', sql<string | null>`case when kind = 'hive' then metadata end`.as('metadata')])
        .where('namespace_id', '=', namespaceId)
        .where('kind', 'in', ['hive', 'table'])
        .orderBy('name')
        .execute();
    },

    /** Every table of a namespace, for a cascading drop. */
    async all(namespaceId: string): Promise<StoredObject[]> {
      return db.selectFrom('catalog_objects').select(COLUMNS).where('namespace_id', '=', namespaceId).orderBy('name').forUpdate().execute();
    },

    async insert(o: { warehouseId: string; namespaceId: string; name: string; location: string; metadata: string; owner: string | null }): Promise<string> {
      const id = randomUUID();
      await db
        .insertInto('catalog_objects')
        .values({
          id,
          warehouse_id: o.warehouseId,
          namespace_id: o.namespaceId,
          name: o.name,
          kind: 'hive',
          metadata_location: o.location,
          metadata: o.metadata,
          owner: o.owner,
          updated_at: new Date(),
        })
        .execute();
      return id;
    },

    async update(id: string, change: { namespaceId: string; name: string; location: string; metadata: string }): Promise<void> {
      await db
        .updateTable('catalog_objects')
        .set({
          namespace_id: change.namespaceId,
          name: change.name,
          metadata_location: change.location,
          metadata: change.metadata,
          version: sql`version + 1`,
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .execute();
    },

    async delete(id: string): Promise<void> {
      await db.deleteFrom('catalog_objects').where('id', '=', id).execute();
    },
  };
}

export type HiveObjects = ReturnType<typeof hiveObjects>;
