import { IamEvents } from '../../../../shared/auth/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, noContent, type Handler } from '../../../../shared/http/index.js';
import type { MemberParams } from '../../schemas.js';
import { groupStore } from '../../store/group-store.js';

/** Adding twice is not an error (PUT is idempotent): 201 when the user joined, 204 when they were a member already. */
export const addMember: Handler<{ params: typeof MemberParams }> = async (ctx) => {
  const { id: groupId, userId } = ctx.params;
  const store = groupStore(ctx.db);
  if (!(await store.exists('groups', groupId))) throw new NotFoundError(`group ${groupId} does not exist`);
  if (!(await store.exists('users', userId))) throw new NotFoundError(`user ${userId} does not exist`);
  const added = await store.addMember(groupId, userId);
  if (added)
    await ctx.platform.outbox.publish(ctx.tx, {
      type: IamEvents.membershipChanged,
      subject: `groups/${groupId}`,
      data: { groupId, userId, change: 'added', source: 'local' },
    });
  ctx.afterCommit(() => ctx.platform.authenticator.invalidate());
  return added ? json(201, { groupId, userId }) : noContent();
};
