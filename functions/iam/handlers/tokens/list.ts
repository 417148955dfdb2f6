import { json, type Handler } from '../../../../shared/http/index.js';
import type { ListTokensQuery } from '../../schemas.js';
import { tokenStore } from '../../store/token-store.js';

/** A user's tokens: the caller's own unless the query names another user (the authorization decides whether it may). */
export const listTokens: Handler<{ query: typeof ListTokensQuery }> = async (ctx) => {
  const { userId, includeRevoked, pageSize, pageToken } = ctx.query;
  return json(
    200,
    await tokenStore(ctx.db).list(userId ?? ctx.requirePrincipal().id, { includeRevoked: includeRevoked ?? false, pageSize: pageSize ?? 50, pageToken }),
  );
};
