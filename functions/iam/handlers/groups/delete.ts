import { IamEvents } from '../../../../shared/auth/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import { noContent, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { groupStore } from '../../store/group-store.js';

export const deleteGroup: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const { id } = ctx.params;
  const removed = await groupStore(ctx.db).delete(id);
  if (!removed) throw new NotFoundError(`group ${id} does not exist`);
  await ctx.platform.outbox.publish(ctx.tx, { type: IamEvents.groupDeleted, subject: `groups/${id}`, data: { groupId: id, name: removed.name } });
  ctx.afterCommit(() => ctx.platform.authenticator.invalidate());
  return noContent();
};
