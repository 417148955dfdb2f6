import { json, noContent, route } from '../../../shared/http/index.js';
import { createUser, deleteUser, getUser, listUsers, updateUser } from '../handlers/users.js';
import { CreateUserBody, IdParams, ListUsersQuery, Page, UpdateUserBody, User } from '../schemas.js';

export const userRoutes = [
  route({
    method: 'GET', path: '/api/v1/users', operationId: 'iam.listUsers', tags: ['users'], auth: 'required',
    summary: 'List users, filtered and paged.', query: ListUsersQuery,
    responses: { 200: { description: 'A page of users', schema: Page(User) } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:users:list', 'iam/users');
      return json(200, await listUsers(ctx.platform.store.db, ctx.query));
    },
  }),
  route({
    method: 'POST', path: '/api/v1/users', operationId: 'iam.createUser', tags: ['users'], auth: 'required',
    summary: 'Create a local user.', body: CreateUserBody,
    responses: { 201: { description: 'Created', schema: User } },
    handler: async (ctx) => {
      ctx.auditResource = `iam/users/${ctx.body.username}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:users:create', 'iam/users');
      const user = await createUser(ctx.platform, ctx.body);
      ctx.auditResource = `iam/users/${user.id}`;
      return json(201, user, { location: `/api/v1/users/${user.id}` });
    },
  }),
  route({
    method: 'GET', path: '/api/v1/users/:id', operationId: 'iam.getUser', tags: ['users'], auth: 'required',
    summary: 'Read a user.', params: IdParams,
    responses: { 200: { description: 'The user', schema: User } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:users:read', `iam/users/${ctx.params.id}`);
      return json(200, await getUser(ctx.platform.store.db, ctx.params.id));
    },
  }),
  route({
    method: 'PATCH', path: '/api/v1/users/:id', operationId: 'iam.updateUser', tags: ['users'], auth: 'required',
    summary: 'Change a user: email, display name, password, admin flag, or deactivate (active=false).', params: IdParams, body: UpdateUserBody,
    responses: { 200: { description: 'The changed user', schema: User } },
    handler: async (ctx) => {
      const principal = ctx.requirePrincipal();
      ctx.auditResource = `iam/users/${ctx.params.id}`;
      ctx.auditDetail = `fields=${Object.keys(ctx.body).join(',')}`;
      await ctx.platform.authorizer.authorize(principal, 'iam:users:update', ctx.auditResource);
      return json(200, await updateUser(ctx.platform, principal, ctx.params.id, ctx.body));
    },
  }),
  route({
    method: 'DELETE', path: '/api/v1/users/:id', operationId: 'iam.deleteUser', tags: ['users'], auth: 'required',
    summary: 'Delete a user, its tokens and memberships.', params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async (ctx) => {
      const principal = ctx.requirePrincipal();
      ctx.auditResource = `iam/users/${ctx.params.id}`;
      await ctx.platform.authorizer.authorize(principal, 'iam:users:delete', ctx.auditResource);
      await deleteUser(ctx.platform, principal, ctx.params.id);
      return noContent();
    },
  }),
];
