import { json, type Handler } from '../../../../shared/http/index.js';
import type { ListGroupsQuery } from '../../schemas.js';
import { groupStore } from '../../store/group-store.js';

export const listGroups: Handler<{ query: typeof ListGroupsQuery }> = async (ctx) => json(200, await groupStore(ctx.db).list(ctx.query));
