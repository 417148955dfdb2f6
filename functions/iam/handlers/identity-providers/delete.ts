import { IamEvents } from '../../../../shared/auth/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import { noContent, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { identityProviderStore } from '../../store/identity-provider-store.js';

/** Users it created stay (their audit history and grants matter) but can no longer sign in through it. */
export const deleteIdentityProvider: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const { id } = ctx.params;
  const removed = await identityProviderStore(ctx.tx).delete(id);
  if (!removed) throw new NotFoundError(`identity provider ${id} does not exist`);
  await ctx.platform.outbox.publish(ctx.tx, {
    type: IamEvents.identityProviderChanged,
    subject: `identity-providers/${id}`,
    data: { identityProviderId: id, name: removed.name, issuer: removed.issuer },
  });
  ctx.afterCommit(() => ctx.platform.authenticator.invalidate());
  return noContent();
};
