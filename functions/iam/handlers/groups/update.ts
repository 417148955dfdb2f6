import { IamEvents } from '../../../../shared/auth/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams, UpdateGroupBody } from '../../schemas.js';
import { groupStore } from '../../store/group-store.js';
import { requireGroup } from './read.js';

export const updateGroup: Handler<{ params: typeof IdParams; body: typeof UpdateGroupBody }> = async (ctx) => {
  const store = groupStore(ctx.tx);
  const { id } = ctx.params;
  const current = await store.lock(id);
  if (!current) throw new NotFoundError(`group ${id} does not exist`);
  await store.update(id, { ...ctx.body, version: current.version + 1 });
  await ctx.platform.outbox.publish(ctx.tx, {
    type: IamEvents.groupUpdated,
    subject: `groups/${id}`,
    data: { groupId: id, name: ctx.body.name ?? current.name },
  });
  // Tokens carry group names: cached principals are read again.
  ctx.afterCommit(() => ctx.platform.authenticator.invalidate());
  return json(200, await requireGroup(store, id));
};
