import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { identityProviderStore } from '../../store/identity-provider-store.js';

export const readIdentityProvider: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const provider = await identityProviderStore(ctx.db).find(ctx.params.id);
  if (!provider) throw new NotFoundError(`identity provider ${ctx.params.id} does not exist`);
  return json(200, provider);
};
