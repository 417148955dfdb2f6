import { Type } from '@sinclair/typebox';
import { json, noContent, route } from '../../../shared/http/index.js';
import { createServiceAccount, deleteServiceAccount, getServiceAccount, listServiceAccounts, revokeSecret, rotateSecret, updateServiceAccount } from '../handlers/service-accounts.js';
import { ClientCredentials, CreateServiceAccountBody, IdParams, Page, PageQuery, RotateSecretBody, SecretParams, ServiceAccount, UpdateServiceAccountBody } from '../schemas.js';

const base = '/api/v1/service-accounts';

export const serviceAccountRoutes = [
  route({
    method: 'GET', path: base, operationId: 'iam.listServiceAccounts', tags: ['service-accounts'], auth: 'required', summary: 'List service accounts.',
    query: Type.Object(PageQuery, { additionalProperties: false }),
    responses: { 200: { description: 'A page of service accounts', schema: Page(ServiceAccount) } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:service-accounts:list', 'iam/service-accounts');
      return json(200, await listServiceAccounts(ctx.platform.store.db, ctx.query.pageSize ?? 50, ctx.query.pageToken));
    },
  }),
  route({
    method: 'POST', path: base, operationId: 'iam.createServiceAccount', tags: ['service-accounts'], auth: 'required',
    summary: 'Create a service account with a first client secret (shown once).', body: CreateServiceAccountBody,
    responses: { 201: { description: 'Created', schema: Type.Object({ serviceAccount: ServiceAccount, credentials: ClientCredentials }) } },
    handler: async (ctx) => {
      const principal = ctx.requirePrincipal();
      ctx.auditResource = `iam/service-accounts/${ctx.body.name}`;
      await ctx.platform.authorizer.authorize(principal, 'iam:service-accounts:create', 'iam/service-accounts');
      const created = await createServiceAccount(ctx.platform, principal.kind === 'user' ? principal.id : null, ctx.body);
      ctx.auditResource = `iam/service-accounts/${created.serviceAccount.id}`;
      return json(201, created, { location: `${base}/${created.serviceAccount.id}`, 'cache-control': 'no-store' });
    },
  }),
  route({
    method: 'GET', path: `${base}/:id`, operationId: 'iam.getServiceAccount', tags: ['service-accounts'], auth: 'required', summary: 'Read a service account.', params: IdParams,
    responses: { 200: { description: 'The service account', schema: ServiceAccount } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:service-accounts:read', `iam/service-accounts/${ctx.params.id}`);
      return json(200, await getServiceAccount(ctx.platform.store.db, ctx.params.id));
    },
  }),
  route({
    method: 'PATCH', path: `${base}/:id`, operationId: 'iam.updateServiceAccount', tags: ['service-accounts'], auth: 'required', summary: 'Change or deactivate a service account.', params: IdParams, body: UpdateServiceAccountBody,
    responses: { 200: { description: 'The changed service account', schema: ServiceAccount } },
    handler: async (ctx) => {
      ctx.auditResource = `iam/service-accounts/${ctx.params.id}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:service-accounts:update', ctx.auditResource);
      return json(200, await updateServiceAccount(ctx.platform, ctx.params.id, ctx.body));
    },
  }),
  route({
    method: 'DELETE', path: `${base}/:id`, operationId: 'iam.deleteServiceAccount', tags: ['service-accounts'], auth: 'required', summary: 'Delete a service account and its secrets.', params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async (ctx) => {
      ctx.auditResource = `iam/service-accounts/${ctx.params.id}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:service-accounts:delete', ctx.auditResource);
      await deleteServiceAccount(ctx.platform, ctx.params.id);
      return noContent();
    },
  }),
  route({
    method: 'POST', path: `${base}/:id/secrets`, operationId: 'iam.rotateServiceAccountSecret', tags: ['service-accounts'], auth: 'required',
    summary: 'Add a new client secret (shown once); optionally revoke the others.', params: IdParams, body: RotateSecretBody,
    responses: { 201: { description: 'The new credentials', schema: ClientCredentials } },
    handler: async (ctx) => {
      ctx.auditResource = `iam/service-accounts/${ctx.params.id}/secrets`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:service-accounts:update', ctx.auditResource);
      return json(201, await rotateSecret(ctx.platform, ctx.params.id, ctx.body.revokeExisting ?? false, ctx.body.expiresInDays), { 'cache-control': 'no-store' });
    },
  }),
  route({
    method: 'DELETE', path: `${base}/:id/secrets/:secretId`, operationId: 'iam.revokeServiceAccountSecret', tags: ['service-accounts'], auth: 'required', summary: 'Revoke one client secret.', params: SecretParams,
    responses: { 204: { description: 'Revoked' } },
    handler: async (ctx) => {
      ctx.auditResource = `iam/service-accounts/${ctx.params.id}/secrets/${ctx.params.secretId}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:service-accounts:update', ctx.auditResource);
      await revokeSecret(ctx.platform, ctx.params.id, ctx.params.secretId);
      return noContent();
    },
  }),
];
