import { IamEvents } from '../../../../shared/auth/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import { noContent, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { serviceAccountStore } from '../../store/service-account-store.js';

export const deleteServiceAccount: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const { id } = ctx.params;
  const removed = await serviceAccountStore(ctx.tx).delete(id);
  if (!removed) throw new NotFoundError(`service account ${id} does not exist`);
  await ctx.platform.outbox.publish(ctx.tx, {
    type: IamEvents.serviceAccountDeleted,
    subject: `service-accounts/${id}`,
    data: { serviceAccountId: id, name: removed.name, clientId: removed.clientId },
  });
  ctx.afterCommit(() => ctx.platform.authenticator.invalidate());
  return noContent();
};
