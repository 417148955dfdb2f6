import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { deliveryStore } from '../../store/delivery-store.js';

/** Back in the outbox with the same event id (consumers still deduplicate), in the request's transaction. */
export const redriveDeadLetter: Handler<{ params: typeof IdParams }> = async (ctx) => {
  if (!(await deliveryStore(ctx.tx).redrive(ctx.params.id))) throw new NotFoundError(`dead letter ${ctx.params.id} does not exist`);
  ctx.markEventsPublished();
  return json(202, { id: ctx.params.id, status: 'queued' });
};
