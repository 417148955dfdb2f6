import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { textArray, type Executor, type NamespaceRow } from '../../db/index.js';
import type { StoredObjectKind } from './object-kinds.js';

/** The namespaces of the catalog, as the Iceberg routes and the Hive metastore change them; a namespace is unique by its levels in its warehouse. */
export interface NamespaceStore {
  /** The namespaces right below `parent` ([] for the top level) in order of their last level, after `after`, at most `limit` (all without one). */
  children(
    warehouseId: string,
    parent: readonly string[],
    after: string | undefined,
    limit: number | undefined,
  ): Promise<Array<{ levels: string[]; leaf: string }>>;
  /** The namespace of these levels in a warehouse; with `lock`, locked for the rest of the transaction. */
  find(warehouseId: string, levels: readonly string[], lock?: boolean): Promise<NamespaceRow | undefined>;
  /** Creates those of `namespaces` that do not exist yet, with no properties, in one statement; answers the ones it created. */
  insertMissing(warehouseId: string, namespaces: ReadonlyArray<readonly string[]>): Promise<string[][]>;
  /** The new namespace, or undefined when it exists already. */
  insert(warehouseId: string, levels: readonly string[], properties: Record<string, string>): Promise<NamespaceRow | undefined>;
  /** A table or view it holds, if any. */
  anyObject(namespaceId: string): Promise<{ kind: StoredObjectKind; name: string } | undefined>;
  /** A namespace right below it, if any. */
  anyChild(warehouseId: string, levels: readonly string[]): Promise<{ levels: string[] } | undefined>;
  delete(id: string): Promise<void>;
  setProperties(id: string, properties: Record<string, string>): Promise<void>;
}

const newRow = (warehouseId: string, levels: readonly string[], properties: Record<string, string>) => ({
  id: randomUUID(),
  warehouse_id: warehouseId,
  levels: textArray(levels),
  parent: textArray(levels.slice(0, -1)),
  leaf: levels[levels.length - 1]!,
  properties: JSON.stringify(properties),
  updated_at: new Date(),
});

/** The PostgreSQL store (PGlite runs the same SQL). */
export function namespaceStore(db: Executor): NamespaceStore {
  return {
    async children(warehouseId, parent, after, limit) {
      let q = db
        .selectFrom('namespaces')
        .select(['levels', 'leaf'])
        .where('warehouse_id', '=', warehouseId)
        .where('parent', '=', textArray(parent))
        .orderBy('leaf');
      if (after !== undefined) q = q.where('leaf', '>', after);
      if (limit !== undefined) q = q.limit(limit);
      return q.execute();
    },
    async find(warehouseId, levels, lock = false) {
      let q = db.selectFrom('namespaces').selectAll().where('warehouse_id', '=', warehouseId).where('levels', '=', textArray(levels));
      if (lock) q = q.forUpdate();
      return q.executeTakeFirst();
    },
    async insertMissing(warehouseId, namespaces) {
      const created = await db
        .insertInto('namespaces')
        .values(namespaces.map((levels) => newRow(warehouseId, levels, {})))
        .onConflict((oc) => oc.columns(['warehouse_id', 'levels']).doNothing())
        .returning('levels')
        .execute();
      return created.map((r) => r.levels);
    },
    async insert(warehouseId, levels, properties) {
      return db
        .insertInto('namespaces')
        .values(newRow(warehouseId, levels, properties))
        .onConflict((oc) => oc.columns(['warehouse_id', 'levels']).doNothing())
        .returningAll()
        .executeTakeFirst();
    },
    async anyObject(namespaceId) {
      return db.selectFrom('catalog_objects').select(['kind', 'name']).where('namespace_id', '=', namespaceId).limit(1).executeTakeFirst();
    },
    async anyChild(warehouseId, levels) {
      return db
        .selectFrom('namespaces')
        .select('levels')
        .where('warehouse_id', '=', warehouseId)
        .where('parent', '=', textArray(levels))
        .limit(1)
        .executeTakeFirst();
    },
    async delete(id) {
      await db.deleteFrom('namespaces').where('id', '=', id).execute();
    },
    async setProperties(id, properties) {
      await db
        .updateTable('namespaces')
        .set({ properties: JSON.stringify(properties), updated_at: new Date(), version: sql`version + 1` })
        .where('id', '=', id)
        .execute();
    },
  };
}
