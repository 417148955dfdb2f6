import { json, type Handler } from '../../../../shared/http/index.js';
import type { StatementParams } from '../../schemas.js';
import { statementNamed } from './access.js';
import { statementResponse } from './views.js';

/** Its status, manifest and first chunk. */
export const readStatement: Handler<{ params: typeof StatementParams }> = async (ctx) =>
  json(200, await statementResponse(ctx.db, await statementNamed(ctx, ctx.db)));
