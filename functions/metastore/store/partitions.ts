import { sql } from 'kysely';
import { textArray, type Executor } from '../../../shared/db/index.js';

/** A stored partition: its name and values, its location, and the rest of the Partition as JSON. */
export interface StoredPartition {
  name: string;
  values: string[];
  location: string | null;
  partition: string;
  created_at: Date;
}

const COLUMNS = ['name', 'values', 'location', 'partition', 'created_at'] as const;

/** The partitions of metastore tables (migrations/0025), in Hive's order: by name. */
export function partitionStore(db: Executor) {
  return {
    async byNames(objectId: string, names: readonly string[], lock = false): Promise<StoredPartition[]> {
      if (names.length === 0) return [];
      let q = db
        .selectFrom('metastore_partitions')
        .select(COLUMNS)
        .where('object_id', '=', objectId)
        .where('name', 'in', [...names])
        .orderBy('name');
      if (lock) q = q.forUpdate();
      return q.execute();
    },

    /** Partitions in name order, at most `limit` (all when undefined). */
    async list(objectId: string, limit: number | undefined): Promise<StoredPartition[]> {
      let q = db.selectFrom('metastore_partitions').select(COLUMNS).where('object_id', '=', objectId).orderBy('name');
      if (limit !== undefined) q = q.limit(limit);
      return q.execute();
    },

    /** Names and values of every partition, for matching against a filter or a partial specification. */
    async keys(objectId: string): Promise<Array<{ name: string; values: string[] }>> {
      return db.selectFrom('metastore_partitions').select(['name', 'values']).where('object_id', '=', objectId).orderBy('name').execute();
    },

    async count(objectId: string): Promise<number> {
      const r = await db
        .selectFrom('metastore_partitions')
        .select(sql<string>`count(*)`.as('n'))
        .where('object_id', '=', objectId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** Inserts partitions; answers the names that were taken already (nothing is inserted for those). */
    async insert(objectId: string, rows: ReadonlyArray<Omit<StoredPartition, 'created_at'>>): Promise<Set<string>> {
      if (rows.length === 0) return new Set();
      const now = new Date();
      const inserted = await db
        .insertInto('metastore_partitions')
        .values(
          rows.map((r) => ({ object_id: objectId, name: r.name, values: textArray(r.values), location: r.location, partition: r.partition, updated_at: now })),
        )
        .onConflict((oc) => oc.columns(['object_id', 'name']).doNothing())
        .returning('name')
        .execute();
      const done = new Set(inserted.map((r) => r.name));
      return new Set(rows.map((r) => r.name).filter((n) => !done.has(n)));
    },

    async update(objectId: string, name: string, change: { location: string | null; partition: string }): Promise<void> {
      await db
        .updateTable('metastore_partitions')
        .set({ location: change.location, partition: change.partition, updated_at: new Date() })
        .where('object_id', '=', objectId)
        .where('name', '=', name)
        .execute();
    },

    async delete(objectId: string, names: readonly string[]): Promise<void> {
      if (names.length === 0) return;
      await db
        .deleteFrom('metastore_partitions')
        .where('object_id', '=', objectId)
        .where('name', 'in', [...names])
        .execute();
    },

    /** Every partition location of a table, for deleting a managed table's data. */
    async locations(objectId: string): Promise<string[]> {
      const rows = await db.selectFrom('metastore_partitions').select('location').where('object_id', '=', objectId).where('location', 'is not', null).execute();
      return rows.map((r) => r.location!);
    },

    /** Rewrites the partition locations under `from` to be under `to` (a managed table's files moved on rename). */
    async moveLocations(objectId: string, from: string, to: string): Promise<void> {
      await sql`
        update metastore_partitions
           set location = ${to} || substr(location, ${from.length + 1}),
               partition = jsonb_set(partition::jsonb, '{sd,location}', to_jsonb(${to} || substr(location, ${from.length + 1})))::text
         where object_id = ${objectId} and (location = ${from} or starts_with(location, ${`${from}/`}))`.execute(db);
    },
  };
}

export type PartitionStore = ReturnType<typeof partitionStore>;
