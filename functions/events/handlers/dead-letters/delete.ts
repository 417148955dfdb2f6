import { NotFoundError } from '../../../../shared/errors/index.js';
import { noContent, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { deliveryStore } from '../../store/delivery-store.js';

/** One statement: it commits on its own, no transaction around it. */
export const deleteDeadLetter: Handler<{ params: typeof IdParams }> = async (ctx) =>
  ctx.transact.oneStatement(async (db) => {
    if (!(await deliveryStore(db).delete(ctx.params.id))) throw new NotFoundError(`dead letter ${ctx.params.id} does not exist`);
    return noContent();
  });
