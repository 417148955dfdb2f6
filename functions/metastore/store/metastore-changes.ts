import { sql } from 'kysely';
import type { Executor } from '../../../shared/db/index.js';

/** The number of every change the metastore commits (migrations/0025), for get_current_notificationEventId. */
export async function countChange(db: Executor): Promise<void> {
  await sql`select nextval('metastore_changes')`.execute(db);
}

export async function lastChange(db: Executor): Promise<bigint> {
  const r = await sql<{ last_value: string; is_called: boolean }>`select last_value::text, is_called from metastore_changes`.execute(db);
  const row = r.rows[0];
  return row && row.is_called ? BigInt(row.last_value) : 0n;
}
