import { json, type Handler } from '../../../../shared/http/index.js';
import type { ListUsersQuery } from '../../schemas.js';
import { userStore } from '../../store/user-store.js';

export const listUsers: Handler<{ query: typeof ListUsersQuery }> = async (ctx) => json(200, await userStore(ctx.db).list(ctx.query));
