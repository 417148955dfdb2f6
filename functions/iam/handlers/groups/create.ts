import { IamEvents } from '../../../../shared/auth/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { CreateGroupBody } from '../../schemas.js';
import { groupStore } from '../../store/group-store.js';

export const createGroup: Handler<{ body: typeof CreateGroupBody }> = async (ctx) => {
  const group = await groupStore(ctx.db).create(ctx.body);
  await ctx.platform.outbox.publish(ctx.tx, { type: IamEvents.groupCreated, subject: `groups/${group.id}`, data: { groupId: group.id, name: group.name } });
  ctx.auditResource = `iam/groups/${group.id}`;
  return json(201, group, { location: `/api/v1/groups/${group.id}` });
};
