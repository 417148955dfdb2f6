import { IamEvents } from '../../../../shared/auth/index.js';
import { ConflictError, NotFoundError } from '../../../../shared/errors/index.js';
import { noContent, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { userStore } from '../../store/user-store.js';
import { keepAnAdmin } from './update.js';

export const deleteUser: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const { id } = ctx.params;
  const actor = ctx.requirePrincipal();
  if (actor.kind === 'user' && actor.id === id) throw new ConflictError('you cannot delete yourself; ask another admin');
  const store = userStore(ctx.tx);
  const current = await store.lock(id);
  if (!current) throw new NotFoundError(`user ${id} does not exist`);
  await keepAnAdmin(store, id, current);
  await store.delete(id);
  await ctx.platform.outbox.publish(ctx.tx, {
    type: IamEvents.userDeleted,
    subject: `users/${id}`,
    data: { userId: id, username: current.username, source: current.source },
  });
  ctx.afterCommit(() => ctx.platform.authenticator.invalidate());
  return noContent();
};
