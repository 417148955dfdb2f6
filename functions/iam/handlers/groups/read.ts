import { NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams } from '../../schemas.js';
import { groupStore, type Group } from '../../store/group-store.js';

export async function requireGroup(store: ReturnType<typeof groupStore>, id: string): Promise<Group> {
  const group = await store.find(id);
  if (!group) throw new NotFoundError(`group ${id} does not exist`);
  return group;
}

export const readGroup: Handler<{ params: typeof IdParams }> = async (ctx) => json(200, await requireGroup(groupStore(ctx.db), ctx.params.id));
