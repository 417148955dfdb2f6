import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { groupStore } from '../../store/group-store.js';
import { requireGroup } from './read.js';

export const listMembers: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const store = groupStore(ctx.db);
  await requireGroup(store, ctx.params.id);
  return json(200, { items: await store.members(ctx.params.id) });
};
