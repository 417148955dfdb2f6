import { IamEvents } from '../../../../shared/auth/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams, RotateSecretBody } from '../../schemas.js';
import { serviceAccountStore } from '../../store/service-account-store.js';
import { newClientSecret } from './secret.js';

/** A new secret; the old ones keep working unless revokeExisting, so clients can move over without downtime. */
export const rotateSecret: Handler<{ params: typeof IdParams; body: typeof RotateSecretBody }> = async (ctx) => {
  const { id } = ctx.params;
  const store = serviceAccountStore(ctx.tx);
  const account = await store.lock(id);
  if (!account) throw new NotFoundError(`service account ${id} does not exist`);
  if (ctx.body.revokeExisting) await store.revokeSecrets(id);
  const { secret, stored } = newClientSecret(ctx.body.expiresInDays);
  const secretId = await store.addSecret(id, stored);
  await ctx.platform.outbox.publish(ctx.tx, {
    type: IamEvents.serviceAccountUpdated,
    subject: `service-accounts/${id}`,
    data: { serviceAccountId: id, name: account.name, clientId: account.clientId },
  });
  return json(201, { clientId: account.clientId, clientSecret: secret, secretId }, { 'cache-control': 'no-store' });
};
