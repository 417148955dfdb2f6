import { IamEvents } from '../../../../shared/auth/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams, UpdateServiceAccountBody } from '../../schemas.js';
import { serviceAccountStore } from '../../store/service-account-store.js';

export const updateServiceAccount: Handler<{ params: typeof IdParams; body: typeof UpdateServiceAccountBody }> = async (ctx) => {
  const { id } = ctx.params;
  const store = serviceAccountStore(ctx.tx);
  const current = await store.lock(id);
  if (!current) throw new NotFoundError(`service account ${id} does not exist`);
  const account = await store.update(id, { ...ctx.body, version: current.version + 1 });
  await ctx.platform.outbox.publish(ctx.tx, {
    type: IamEvents.serviceAccountUpdated,
    subject: `service-accounts/${id}`,
    data: { serviceAccountId: id, name: account.name, clientId: account.clientId },
  });
  // Cached principals carry the admin flag and the active state: they are read again.
  ctx.afterCommit(() => ctx.platform.authenticator.invalidate());
  return json(200, account);
};
