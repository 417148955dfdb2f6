import { json, type Handler } from '../../../../shared/http/index.js';
import { cancelStatement } from '../../execution/statement-end.js';
import type { StatementParams } from '../../schemas.js';
import { callerOf, statementNamed } from './access.js';
import { statementResponse } from './views.js';

/**
 * In steps: a statement this process runs is asked to stop (up to 10 s), then it is ended CANCELED in its own short
 * transaction and its operation cancelled on the lakehouse. One that ended already is left as it is.
 */
export const cancelStatementRequest: Handler<{ params: typeof StatementParams }> = async (ctx) => {
  const row = await statementNamed(ctx, ctx.db);
  const after = await cancelStatement(ctx.platform, row, callerOf(ctx.requirePrincipal(), ctx.headers));
  return json(200, await statementResponse(ctx.db, after));
};
