import { IamEvents } from '../../../../shared/auth/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import { noContent, type Handler } from '../../../../shared/http/index.js';
import type { MemberParams } from '../../schemas.js';
import { groupStore } from '../../store/group-store.js';

export const removeMember: Handler<{ params: typeof MemberParams }> = async (ctx) => {
  const { id: groupId, userId } = ctx.params;
  const source = await groupStore(ctx.db).removeMember(groupId, userId);
  if (source === undefined) throw new NotFoundError(`user ${userId} is not a member of group ${groupId}`);
  await ctx.platform.outbox.publish(ctx.tx, {
    type: IamEvents.membershipChanged,
    subject: `groups/${groupId}`,
    data: { groupId, userId, change: 'removed', source },
  });
  ctx.afterCommit(() => ctx.platform.authenticator.invalidate());
  return noContent();
};
