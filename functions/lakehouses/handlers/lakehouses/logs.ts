import { NotFoundError } from '../../../../shared/errors/index.js';
import type { Handler } from '../../../../shared/http/index.js';
import type { LakehouseParams, LogsQuery } from '../../schemas.js';
import { lakehouseNamed } from './access.js';

/** The end of the current (or last) driver log, as text. */
export const lakehouseLogs: Handler<{ params: typeof LakehouseParams; query: typeof LogsQuery }> = async (ctx) => {
  const row = await lakehouseNamed(ctx, ctx.db);
  if (!row.workload_name) throw new NotFoundError(`lakehouse ${row.name} has not been started: it has no driver log`);
  const text = await ctx.platform.runtime.logs(row.workload_name, { tailLines: ctx.query.tail ?? 200 });
  if (text === undefined) throw new NotFoundError(`no driver log of lakehouse ${row.name} (${row.workload_name}) is there any more`);
  return { status: 200, body: text.endsWith('\n') || text === '' ? text : `${text}\n`, contentType: 'text/plain; charset=utf-8' };
};
