import { json, noContent, route } from '../../../shared/http/index.js';
import { ForbiddenError } from '../../../shared/errors/index.js';
import { createToken, findTokenOwner, listTokens, revokeToken, tokenScope } from '../handlers/tokens.js';
import { CreatedToken, CreateTokenBody, IdParams, ListTokensQuery, Page, PersonalAccessToken } from '../schemas.js';

export const tokenRoutes = [
  route({
    method: 'POST', path: '/api/v1/tokens', operationId: 'iam.createToken', tags: ['tokens'], auth: 'required',
    summary: 'Mint a personal access token. The secret is in this answer only.', body: CreateTokenBody,
    responses: { 201: { description: 'Created; `token` is the secret', schema: CreatedToken } },
    handler: async (ctx) => {
      const principal = ctx.requirePrincipal();
      if (principal.kind !== 'user' && !ctx.body.userId) throw new ForbiddenError('service accounts use client credentials, not personal access tokens');
      const userId = ctx.body.userId ?? principal.id;
      const scope = tokenScope(ctx.body.scope, principal.scopes);
      ctx.auditResource = `iam/users/${userId}/tokens`;
      await ctx.platform.authorizer.authorize(principal, 'iam:tokens:create', ctx.auditResource, { expiresInDays: ctx.body.expiresInDays });
      const created = await createToken(ctx.platform, userId, ctx.body.name, ctx.body.expiresInDays, scope);
      ctx.auditResource = `iam/users/${userId}/tokens/${created.id}`;
      return json(201, created, { 'cache-control': 'no-store' });
    },
  }),
  route({
    method: 'GET', path: '/api/v1/tokens', operationId: 'iam.listTokens', tags: ['tokens'], auth: 'required',
    summary: 'List personal access tokens (never their secrets): your own, or a user\'s for admins.', query: ListTokensQuery,
    responses: { 200: { description: 'A page of tokens', schema: Page(PersonalAccessToken) } },
    handler: async (ctx) => {
      const principal = ctx.requirePrincipal();
      const userId = ctx.query.userId ?? principal.id;
      await ctx.platform.authorizer.authorize(principal, 'iam:tokens:list', `iam/users/${userId}/tokens`);
      return json(200, await listTokens(ctx.platform.store.db, userId, ctx.query.includeRevoked ?? false, ctx.query.pageSize ?? 50, ctx.query.pageToken));
    },
  }),
  route({
    method: 'DELETE', path: '/api/v1/tokens/:id', operationId: 'iam.revokeToken', tags: ['tokens'], auth: 'required',
    summary: 'Revoke a personal access token; it stops working at once.', params: IdParams,
    responses: { 204: { description: 'Revoked' } },
    handler: async (ctx) => {
      const principal = ctx.requirePrincipal();
      const owner = await findTokenOwner(ctx.platform.store.db, ctx.params.id).catch(async (err: unknown) => {
        // Non-admins learn nothing about other users' token ids: unknown and foreign look the same.
        if (!principal.isAdmin) await ctx.platform.authorizer.authorize(principal, 'iam:tokens:revoke', `iam/tokens/${ctx.params.id}`);
        throw err;
      });
      ctx.auditResource = `iam/users/${owner}/tokens/${ctx.params.id}`;
      await ctx.platform.authorizer.authorize(principal, 'iam:tokens:revoke', ctx.auditResource);
      await revokeToken(ctx.platform, ctx.params.id);
      return noContent();
    },
  }),
];
