import { Type } from '@sinclair/typebox';
import { json, noContent, route } from '../../../shared/http/index.js';
import { createProvider, deleteProvider, getProvider, listProviders, updateProvider } from '../handlers/identity-providers.js';
import { CreateIdentityProviderBody, IdentityProvider, IdParams, UpdateIdentityProviderBody } from '../schemas.js';

const base = '/api/v1/identity-providers';
const resource = 'iam/identity-providers';

export const identityProviderRoutes = [
  route({
    method: 'GET', path: base, operationId: 'iam.listIdentityProviders', tags: ['identity-providers'], auth: 'required', summary: 'List external OIDC identity providers.',
    responses: { 200: { description: 'Providers', schema: Type.Object({ items: Type.Array(IdentityProvider) }) } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:identity-providers:list', resource);
      return json(200, await listProviders(ctx.platform.store.db));
    },
  }),
  route({
    method: 'POST', path: base, operationId: 'iam.createIdentityProvider', tags: ['identity-providers'], auth: 'required',
    summary: 'Trust an OIDC issuer: its tokens are then accepted on every route, verified against its discovered JWKS.', body: CreateIdentityProviderBody,
    responses: { 201: { description: 'Created', schema: IdentityProvider } },
    handler: async (ctx) => {
      ctx.auditResource = `${resource}/${ctx.body.name}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:identity-providers:create', resource);
      const created = await createProvider(ctx.platform, ctx.body);
      ctx.auditResource = `${resource}/${created.id}`;
      return json(201, created, { location: `${base}/${created.id}` });
    },
  }),
  route({
    method: 'GET', path: `${base}/:id`, operationId: 'iam.getIdentityProvider', tags: ['identity-providers'], auth: 'required', summary: 'Read an identity provider.', params: IdParams,
    responses: { 200: { description: 'The provider', schema: IdentityProvider } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:identity-providers:read', `${resource}/${ctx.params.id}`);
      return json(200, await getProvider(ctx.platform.store.db, ctx.params.id));
    },
  }),
  route({
    method: 'PATCH', path: `${base}/:id`, operationId: 'iam.updateIdentityProvider', tags: ['identity-providers'], auth: 'required', summary: 'Change an identity provider\'s audience, claim mapping or enabled flag.', params: IdParams, body: UpdateIdentityProviderBody,
    responses: { 200: { description: 'The changed provider', schema: IdentityProvider } },
    handler: async (ctx) => {
      ctx.auditResource = `${resource}/${ctx.params.id}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:identity-providers:update', ctx.auditResource);
      return json(200, await updateProvider(ctx.platform, ctx.params.id, ctx.body));
    },
  }),
  route({
    method: 'DELETE', path: `${base}/:id`, operationId: 'iam.deleteIdentityProvider', tags: ['identity-providers'], auth: 'required', summary: 'Stop trusting an identity provider.', params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async (ctx) => {
      ctx.auditResource = `${resource}/${ctx.params.id}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:identity-providers:delete', ctx.auditResource);
      await deleteProvider(ctx.platform, ctx.params.id);
      return noContent();
    },
  }),
];
