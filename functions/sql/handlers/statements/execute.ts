import { randomUUID } from 'node:crypto';
import { json, type Handler } from '../../../../shared/http/index.js';
import { ensureServing } from '../../../../shared/domains/lakehouses/index.js';
import { runInBackground } from '../../execution/executor.js';
import { sqlRuntime } from '../../execution/sql-runtime.js';
import { cancelStatement, requireStatement } from '../../execution/statement-end.js';
import type { ExecuteStatementBody } from '../../schemas.js';
import { statementStore } from '../../store/statement-store.js';
import { callerOf, submissionOf } from './access.js';
import { statementResponse } from './views.js';

/**
 * In steps: the lakehouse serving (or auto-started), then the statement stored PENDING (one statement) and run in
 * this process; the answer waits up to wait_timeout for its end.
 */
export const executeStatement: Handler<{ body: typeof ExecuteStatementBody }> = async (ctx) => {
  const { platform, body } = ctx;
  const { wait, sql, lakehouse } = await submissionOf(ctx, ctx.db);
  const principal = ctx.requirePrincipal();
  const serving = await ensureServing(platform, lakehouse, { actor: `${principal.kind}:${principal.name}`, waitMs: 0 });
  const row = await statementStore(ctx.db).insert({
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
  });
  ctx.auditResource = `sql/statements/${row.id}`;
  const caller = callerOf(principal, ctx.headers);
  const done = runInBackground(platform, { row, sql, caller, endpoints: serving?.endpoints, generation: serving?.row.generation ?? lakehouse.generation });
  if (wait > 0) {
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([done.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), wait * 1000)))]);
    clearTimeout(timer);
    if (!finished && (body.on_wait_timeout ?? 'CONTINUE') === 'CANCEL') await cancelStatement(platform, row, caller);
  }
  return json(200, await statementResponse(ctx.db, await requireStatement(ctx.db, row.id)));
};
