import { sql } from 'kysely';
import type { Db, Executor, SqlStatementRow, SqlStatementState } from '../../../shared/db/index.js';
import { NotFoundError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { SqlEvents } from '../sql-events.js';

export const ACTIVE: readonly SqlStatementState[] = ['PENDING', 'RUNNING'];
export const isActive = (s: SqlStatementState) => ACTIVE.includes(s);

/** The statement, or 404; one whose result expired is a 404 saying when (its history entry stays). */
export async function requireStatement(db: Executor, id: string): Promise<SqlStatementRow> {
  const row = await db.selectFrom('sql_statements').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`statement ${id} does not exist`);
  if (row.state === 'CLOSED' || (row.expires_at && row.expires_at.getTime() <= Date.now())) {
    throw new NotFoundError(`the result of statement ${id} expired at ${row.expires_at?.toISOString() ?? 'an earlier time'}: results are kept for LAKEPLANE_SQL_RESULT_TTL_SECONDS after a statement ends; run it again`);
  }
  return row;
}

export interface Ending {
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELED';
  error?: { message: string; errorCode?: string | undefined; sqlState?: string | undefined };
  result?: { columns: unknown[]; rows: number; chunks: number; bytes: number; truncated: boolean };
}

/**
 * Ends a statement that is still PENDING or RUNNING, with its finished event, in one transaction; the first ending
 * wins (a cancel racing the last fetch, the sweeper racing a slow process). Answers the ended row, or undefined when
 * it had ended already.
 */
export async function endStatement(platform: Platform, id: string, ending: Ending): Promise<SqlStatementRow | undefined> {
  return platform.store.db.transaction().execute(async (tx) => {
    const now = new Date();
    const ended = await tx
      .updateTable('sql_statements')
      .set({
        state: ending.state,
        finished_at: now,
        expires_at: new Date(now.getTime() + platform.config.LAKEPLANE_SQL_RESULT_TTL_SECONDS * 1000),
        error_message: ending.error?.message ?? null,
        error_code: ending.error?.errorCode ?? (ending.error ? 'INTERNAL_ERROR' : null),
        sql_state: ending.error?.sqlState ?? null,
        ...(ending.result
          ? { columns: JSON.stringify(ending.result.columns), total_row_count: ending.result.rows, total_chunk_count: ending.result.chunks, total_byte_count: ending.result.bytes, truncated: ending.result.truncated }
          : {}),
      })
      .where('id', '=', id)
      .where('state', 'in', ACTIVE)
      .returningAll()
      .executeTakeFirst();
    if (!ended) return undefined;
    await platform.outbox.publish(tx, {
      type: SqlEvents.statementFinished,
      subject: `sql/statements/${id}`,
      data: {
        statementId: id,
        lakehouseId: ended.lakehouse_id,
        lakehouseName: ended.lakehouse_name,
        owner: ended.owner,
        state: ending.state,
        errorCode: ended.error_code,
        rowCount: ending.result ? ending.result.rows : null,
        durationMs: now.getTime() - ended.submitted_at.getTime(),
      },
    });
    return ended;
  });
}

/** A result's chunks go when its statement did not succeed after all (canceled while its rows were stored). */
export async function dropChunks(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sql_statement_chunks').where('statement_id', '=', id).execute();
}

export async function readChunk(db: Db, id: string, index: number) {
  return db.selectFrom('sql_statement_chunks').selectAll().where('statement_id', '=', id).where('chunk_index', '=', index).executeTakeFirst();
}

export async function chunkInfos(db: Db, id: string) {
  return db.selectFrom('sql_statement_chunks').select(['chunk_index', 'row_offset', 'row_count', 'byte_count']).where('statement_id', '=', id).orderBy('chunk_index').execute();
}

/** Results past their time: chunks deleted, the statement CLOSED (its history entry stays). */
export async function expireResults(db: Db, limit = 200): Promise<number> {
  const due = await db.selectFrom('sql_statements').select('id').where('state', '<>', 'CLOSED').where('expires_at', '<=', new Date()).limit(limit).execute();
  for (const { id } of due) {
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('sql_statement_chunks').where('statement_id', '=', id).execute();
      await tx.updateTable('sql_statements').set({ state: 'CLOSED' }).where('id', '=', id).execute();
    });
  }
  return due.length;
}

/** Statements whose process stopped beating: nothing runs them any more. */
export async function orphanedStatements(db: Db, staleMs: number) {
  return db
    .selectFrom('sql_statements')
    .select(['id', 'heartbeat_at', 'executor'])
    .where('state', 'in', ACTIVE)
    .where('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${staleMs / 1000})`)
    .limit(200)
    .execute();
}
