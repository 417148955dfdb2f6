import { IamEvents } from '../../../../shared/auth/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams, UpdateIdentityProviderBody } from '../../schemas.js';
import { identityProviderStore } from '../../store/identity-provider-store.js';

export const updateIdentityProvider: Handler<{ params: typeof IdParams; body: typeof UpdateIdentityProviderBody }> = async (ctx) => {
  const { id } = ctx.params;
  const store = identityProviderStore(ctx.tx);
  const current = await store.lock(id);
  if (!current) throw new NotFoundError(`identity provider ${id} does not exist`);
  const provider = await store.update(id, { ...ctx.body, version: current.version + 1 });
  await ctx.platform.outbox.publish(ctx.tx, {
    type: IamEvents.identityProviderChanged,
    subject: `identity-providers/${id}`,
    data: { identityProviderId: id, name: provider.name, issuer: provider.issuer },
  });
  ctx.afterCommit(() => ctx.platform.authenticator.invalidate());
  return json(200, provider);
};
