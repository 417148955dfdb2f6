import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { SqlStatementRow } from '../../../shared/db/index.js';
import { ValidationError, type FieldProblem } from '../../../shared/errors/index.js';
import type { RequestContext } from '../../../shared/http/index.js';
import { endpointsOf, ensureServing, findLakehouse } from '../../../shared/domains/lakehouses/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { renderStatement } from '../domain/parameters.js';
import { HiveConnection, decodeHandle } from '../engine/hive-connection.js';
import type { ExecuteStatementBody } from '../schemas.js';
import { runInBackground, type Caller } from './executor.js';
import { sqlRuntime } from './sql-runtime.js';
import { endStatement, isActive, requireStatement } from './statement-store.js';

type Ctx = RequestContext<unknown, unknown, unknown>;
type Body = Static<typeof ExecuteStatementBody>;

/** 0s, or 5s to 50s (Databricks' range). */
export function waitSeconds(text: string | undefined): number | FieldProblem {
  const m = /^(\d{1,3})s$/.exec(text ?? '10s');
  const n = m ? Number(m[1]) : NaN;
  if (!m || (n !== 0 && (n < 5 || n > 50))) return { in: 'body', field: 'wait_timeout', message: `${JSON.stringify(text)} is not 0s or 5s to 50s (seconds, e.g. "10s")` };
  return n;
}

/** The caller's own credential, which the lakehouse's HiveServer2 checks: the session is the caller's. */
export function callerOf(ctx: Ctx): Caller {
  const principal = ctx.requirePrincipal();
  const header = ctx.headers['authorization'] ?? '';
  const token = /^Bearer[ ]+(\S+)$/i.exec(header.trim())?.[1] ?? '';
  return { username: principal.name, token };
}

export async function authorizeStatement(ctx: Ctx, verb: 'read' | 'cancel', row: SqlStatementRow): Promise<void> {
  await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), `sql:statement:${verb}`, `sql/statements/${row.id}`, { owner: row.owner });
}

/**
 * Runs a statement: checked (the wait, the parameters), authorized on the lakehouse, the lakehouse serving (or
 * auto-started), then stored PENDING and run in this process; the answer waits up to wait_timeout for the end.
 */
export async function executeStatement(ctx: Ctx, body: Body): Promise<SqlStatementRow> {
  const platform = ctx.platform;
  const wait = waitSeconds(body.wait_timeout);
  const problems: FieldProblem[] = typeof wait === 'number' ? [] : [wait];
  const rendered = renderStatement(body.statement, body.parameters ?? []);
  if ('problems' in rendered) problems.push(...rendered.problems);
  if (problems.length > 0 || 'problems' in rendered || typeof wait !== 'number') throw new ValidationError(problems);
  const lakehouse = await findLakehouse(platform.store.db, body.lakehouse);
  ctx.auditResource = `lakehouses/${lakehouse.id}`;
  const principal = ctx.requirePrincipal();
  await platform.authorizer.authorize(principal, 'sql:statement:execute', `lakehouses/${lakehouse.id}`, { lakehouse: lakehouse.name });
  const serving = await ensureServing(platform, lakehouse, { actor: `${principal.kind}:${principal.name}`, waitMs: 0 });
  const row = await platform.store.db
    .insertInto('sql_statements')
    .values({
      id: randomUUID(),
      owner: principal.name,
      owner_kind: principal.kind,
      lakehouse_id: lakehouse.id,
      lakehouse_name: lakehouse.name,
      lakehouse_generation: serving?.row.generation ?? null,
      statement: body.statement,
      parameters: JSON.stringify(body.parameters ?? []),
      catalog: body.catalog ?? null,
      schema_name: body.schema ?? null,
      format: body.format ?? 'JSON_ARRAY',
      row_limit: body.row_limit ?? null,
      state: 'PENDING',
      executor: sqlRuntime(platform).processId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  ctx.auditResource = `sql/statements/${row.id}`;
  const done = runInBackground(platform, { row, sql: rendered.sql, caller: callerOf(ctx), endpoints: serving?.endpoints, generation: serving?.row.generation ?? lakehouse.generation });
  if (wait > 0) {
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([done.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), wait * 1000)))]);
    clearTimeout(timer);
    if (!finished && (body.on_wait_timeout ?? 'CONTINUE') === 'CANCEL') await cancelStatement(platform, row, callerOf(ctx));
  }
  return requireStatement(platform.store.db, row.id);
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
        const connection = await HiveConnection.open({ host: endpoints.hiveServer2.host, port: endpoints.hiveServer2.port, username: caller.username, password: caller.token });
        await connection.cancel(decodeHandle(fresh.operation_handle)).finally(() => connection.close());
      } catch (err) {
        platform.logger.warn({ err, statementId: row.id }, 'cancelling the operation on the lakehouse failed');
      }
    }
  }
  return fresh;
}
