import type { Executor, SqlStatementRow } from '../../../shared/db/index.js';
import { NotFoundError } from '../../../shared/errors/index.js';
import { endpointsOf, findLakehouse } from '../../../shared/domains/lakehouses/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { HiveConnection, decodeHandle } from '../engine/hive-connection.js';
import { SqlEvents } from '../sql-events.js';
import { isActive, statementStore, type Ending } from '../store/statement-store.js';
import type { Caller } from './executor.js';
import { sqlRuntime } from './sql-runtime.js';

/** The statement, or 404; one whose result expired is a 404 saying when (its history entry stays). */
export async function requireStatement(db: Executor, id: string): Promise<SqlStatementRow> {
  const row = await statementStore(db).find(id);
  if (!row) throw new NotFoundError(`statement ${id} does not exist`);
  if (row.state === 'CLOSED' || (row.expires_at && row.expires_at.getTime() <= Date.now())) {
    throw new NotFoundError(
      `the result of statement ${id} expired at ${row.expires_at?.toISOString() ?? 'an earlier time'}: results are kept for LAKEPLANE_SQL_RESULT_TTL_SECONDS after a statement ends; run it again`,
    );
  }
  return row;
}

/**
 * Ends a statement that is still PENDING or RUNNING, with its finished event, in one transaction; the first ending
 * wins (a cancel racing the last fetch, the sweeper racing a slow process). Answers the ended row, or undefined when
 * it had ended already.
 */
export async function endStatement(platform: Platform, id: string, ending: Ending): Promise<SqlStatementRow | undefined> {
  return platform.store.db.transaction().execute(async (tx) => {
    const now = new Date();
    const ended = await statementStore(tx).end(id, ending, now, new Date(now.getTime() + platform.config.LAKEPLANE_SQL_RESULT_TTL_SECONDS * 1000));
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

/**
 * Cancels a statement in progress (CANCELED, its operation cancelled on the lakehouse). A statement that ended
 * already is left as it is, as Databricks does: the answer shows its state.
 */
export async function cancelStatement(platform: Platform, row: SqlStatementRow, caller: Caller): Promise<SqlStatementRow> {
  if (!isActive(row.state)) return row;
  const local = sqlRuntime(platform).running.get(row.id);
  if (local) {
    local.requestCancel();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([local.done, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
  }
  // Another process runs it (or this one did not stop it in time): end it here, and cancel its operation by handle.
  const ended = await endStatement(platform, row.id, { state: 'CANCELED' });
  const fresh = await requireStatement(platform.store.db, row.id);
  if (ended && fresh.operation_handle) {
    const lakehouse = await findLakehouse(platform.store.db, row.lakehouse_id).catch(() => undefined);
    const endpoints = lakehouse && endpointsOf(lakehouse);
    if (endpoints) {
      try {
        const connection = await HiveConnection.open({
          host: endpoints.hiveServer2.host,
          port: endpoints.hiveServer2.port,
          username: caller.username,
          password: caller.token,
        });
        await connection.cancel(decodeHandle(fresh.operation_handle)).finally(() => connection.close());
      } catch (err) {
        platform.logger.warn({ err, statementId: row.id }, 'cancelling the operation on the lakehouse failed');
      }
    }
  }
  return fresh;
}
