import type { Static } from '@sinclair/typebox';
import { hashSecret, IamEvents, newSecret, SECRET_PREFIX, type Principal } from '../../../../shared/auth/index.js';
import { ForbiddenError, NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import { tokenScope } from '../../domain/token-scope.js';
import type { CreateTokenBody } from '../../schemas.js';
import { tokenStore } from '../../store/token-store.js';

const DISPLAY_PREFIX_LENGTH = SECRET_PREFIX.personalAccessToken.length + 6;

/**
 * Whose token a request mints and with which scope. The route's authorization asks this before the policies, so a
 * request that cannot be answered is refused as such whatever they say: a service account is told it mints no
 * personal access tokens (403), an unknown or too wide scope is a 400.
 */
export function mintRequest(body: Static<typeof CreateTokenBody>, principal: Principal): { userId: string; scope: string | null } {
  if (principal.kind !== 'user' && !body.userId) throw new ForbiddenError('service accounts use client credentials, not personal access tokens');
  return { userId: body.userId ?? principal.id, scope: tokenScope(body.scope, principal.scopes) };
}

export const createToken: Handler<{ body: typeof CreateTokenBody }> = async (ctx) => {
  const { name, expiresInDays, maxRequestsPerSecond } = ctx.body;
  const { userId, scope } = mintRequest(ctx.body, ctx.requirePrincipal());
  const secret = newSecret(SECRET_PREFIX.personalAccessToken);
  const store = tokenStore(ctx.tx);
  if (!(await store.userExists(userId))) throw new NotFoundError(`user ${userId} does not exist`);
  const token = await store.create({
    userId,
    name,
    tokenHash: hashSecret(secret),
    displayPrefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
    expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null,
    scope,
    maxRequestsPerSecond: maxRequestsPerSecond ?? null,
  });
  await ctx.platform.outbox.publish(ctx.tx, {
    type: IamEvents.tokenCreated,
    subject: `users/${userId}/tokens/${token.id}`,
    data: { tokenId: token.id, userId, name },
  });
  ctx.auditResource = `iam/users/${userId}/tokens/${token.id}`;
  return json(201, { ...token, token: secret }, { 'cache-control': 'no-store' });
};
