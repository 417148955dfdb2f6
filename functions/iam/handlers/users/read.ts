import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { userStore } from '../../store/user-store.js';

export const readUser: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const user = await userStore(ctx.db).find(ctx.params.id);
  if (!user) throw new NotFoundError(`user ${ctx.params.id} does not exist`);
  return json(200, user);
};
