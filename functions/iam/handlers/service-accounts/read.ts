import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { serviceAccountStore } from '../../store/service-account-store.js';

export const readServiceAccount: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const account = await serviceAccountStore(ctx.db).find(ctx.params.id);
  if (!account) throw new NotFoundError(`service account ${ctx.params.id} does not exist`);
  return json(200, account);
};
