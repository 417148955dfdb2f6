import type { Executor, Tx } from './database.js';

/**
 * Runs `work` in a transaction: a new one on the database, or the caller's own when a store was handed one (a
 * transaction cannot be opened inside another; its work simply joins it).
 */
export function inTransaction<T>(db: Executor, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Tx) : db.transaction().execute(work);
}
