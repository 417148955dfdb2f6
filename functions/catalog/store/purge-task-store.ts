import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { textArray, type CatalogPurgeTasksTable, type Executor } from '../../../shared/db/index.js';
import { toWarehouseSummary, type WarehouseSummary } from './warehouses.js';

/** A purge owed: the files of a dropped table, at these locations of its warehouse. */
export interface PurgeTask {
  id: string;
  warehouseId: string;
  /** namespace.name of the dropped table, for logs. */
  objectName: string;
  locations: string[];
  /** Failed attempts so far. */
  attempts: number;
}

/**
 * The purges owed after drops (catalog_purge_tasks). A task is worked on under its row lock, so of the replicas that
 * sweep, and the drop that runs its own purge at once, one works on it at a time; the others pass it by.
 */
export interface PurgeTaskStore {
  /** Records a purge; in the drop's own transaction, so it exists exactly when the drop committed. Returns its id. */
  schedule(task: Omit<PurgeTask, 'id' | 'attempts'>): Promise<string>;
  /** The task, locked for the rest of the transaction; undefined if it is gone or another transaction holds it. */
  lockIfFree(id: string): Promise<PurgeTask | undefined>;
  /** Up to `limit` tasks due by `now`, the longest due first, locked; those another transaction holds are passed by. */
  lockDue(now: Date, limit: number): Promise<PurgeTask[]>;
  /** The warehouse a task purges in (it throws if the warehouse is gone: the task fails and is tried again). */
  warehouseOf(task: PurgeTask): Promise<WarehouseSummary>;
  /** The purge is done. */
  complete(id: string): Promise<void>;
  /** The attempt failed with `error`: counted, kept, and tried again at `nextAttemptAt`. */
  reschedule(id: string, error: string, nextAttemptAt: Date): Promise<void>;
}

/** A failure's message is kept this long at most. */
const ERROR_MAX_CHARS = 2000;

const toPurgeTask = (row: Selectable<CatalogPurgeTasksTable>): PurgeTask => ({
  id: row.id,
  warehouseId: row.warehouse_id,
  objectName: row.object_name,
  locations: row.locations,
  attempts: row.attempts,
});

/** The PostgreSQL store (PGlite runs the same SQL). */
export function purgeTaskStore(db: Executor): PurgeTaskStore {
  return {
    async schedule({ warehouseId, objectName, locations }) {
      const id = randomUUID();
      await db
        .insertInto('catalog_purge_tasks')
        .values({ id, warehouse_id: warehouseId, object_name: objectName, locations: textArray(locations), next_attempt_at: new Date() })
        .execute();
      return id;
    },

    async lockIfFree(id) {
      const row = await db.selectFrom('catalog_purge_tasks').selectAll().where('id', '=', id).forUpdate().skipLocked().executeTakeFirst();
      return row && toPurgeTask(row);
    },

    async lockDue(now, limit) {
      const rows = await db
        .selectFrom('catalog_purge_tasks')
        .selectAll()
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      return rows.map(toPurgeTask);
    },

    async warehouseOf(task) {
      return toWarehouseSummary(await db.selectFrom('warehouses').selectAll().where('id', '=', task.warehouseId).executeTakeFirstOrThrow());
    },

    async complete(id) {
      await db.deleteFrom('catalog_purge_tasks').where('id', '=', id).execute();
    },

    async reschedule(id, error, nextAttemptAt) {
      await db
        .updateTable('catalog_purge_tasks')
        .set({ attempts: sql`attempts + 1`, last_error: error.slice(0, ERROR_MAX_CHARS), next_attempt_at: nextAttemptAt })
        .where('id', '=', id)
        .execute();
    },
  };
}
