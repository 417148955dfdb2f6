import { Type } from '@sinclair/typebox';
import { json, noContent, route } from '../../../shared/http/index.js';
import { addMember, createGroup, deleteGroup, getGroup, listGroups, listMembers, removeMember, updateGroup } from '../handlers/groups.js';
import { CreateGroupBody, Group, IdParams, ListGroupsQuery, Member, MemberParams, Page, UpdateGroupBody } from '../schemas.js';

export const groupRoutes = [
  route({
    method: 'GET', path: '/api/v1/groups', operationId: 'iam.listGroups', tags: ['groups'], auth: 'required', summary: 'List groups.', query: ListGroupsQuery,
    responses: { 200: { description: 'A page of groups', schema: Page(Group) } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:groups:list', 'iam/groups');
      return json(200, await listGroups(ctx.platform.store.db, ctx.query));
    },
  }),
  route({
    method: 'POST', path: '/api/v1/groups', operationId: 'iam.createGroup', tags: ['groups'], auth: 'required', summary: 'Create a group.', body: CreateGroupBody,
    responses: { 201: { description: 'Created', schema: Group } },
    handler: async (ctx) => {
      ctx.auditResource = `iam/groups/${ctx.body.name}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:groups:create', 'iam/groups');
      const group = await createGroup(ctx.platform, ctx.body);
      ctx.auditResource = `iam/groups/${group.id}`;
      return json(201, group, { location: `/api/v1/groups/${group.id}` });
    },
  }),
  route({
    method: 'GET', path: '/api/v1/groups/:id', operationId: 'iam.getGroup', tags: ['groups'], auth: 'required', summary: 'Read a group.', params: IdParams,
    responses: { 200: { description: 'The group', schema: Group } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:groups:read', `iam/groups/${ctx.params.id}`);
      return json(200, await getGroup(ctx.platform.store.db, ctx.params.id));
    },
  }),
  route({
    method: 'PATCH', path: '/api/v1/groups/:id', operationId: 'iam.updateGroup', tags: ['groups'], auth: 'required', summary: 'Rename a group or change its description.', params: IdParams, body: UpdateGroupBody,
    responses: { 200: { description: 'The changed group', schema: Group } },
    handler: async (ctx) => {
      ctx.auditResource = `iam/groups/${ctx.params.id}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:groups:update', ctx.auditResource);
      return json(200, await updateGroup(ctx.platform, ctx.params.id, ctx.body));
    },
  }),
  route({
    method: 'DELETE', path: '/api/v1/groups/:id', operationId: 'iam.deleteGroup', tags: ['groups'], auth: 'required', summary: 'Delete a group and its memberships.', params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async (ctx) => {
      ctx.auditResource = `iam/groups/${ctx.params.id}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:groups:delete', ctx.auditResource);
      await deleteGroup(ctx.platform, ctx.params.id);
      return noContent();
    },
  }),
  route({
    method: 'GET', path: '/api/v1/groups/:id/members', operationId: 'iam.listMembers', tags: ['groups'], auth: 'required', summary: 'List the members of a group.', params: IdParams,
    responses: { 200: { description: 'Members', schema: Type.Object({ items: Type.Array(Member) }) } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:groups:read', `iam/groups/${ctx.params.id}`);
      return json(200, await listMembers(ctx.platform.store.db, ctx.params.id));
    },
  }),
  route({
    method: 'PUT', path: '/api/v1/groups/:id/members/:userId', operationId: 'iam.addMember', tags: ['groups'], auth: 'required', summary: 'Add a user to a group (idempotent).', params: MemberParams,
    responses: { 201: { description: 'Added' }, 204: { description: 'Was a member already' } },
    handler: async (ctx) => {
      ctx.auditResource = `iam/groups/${ctx.params.id}/members/${ctx.params.userId}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:groups:update', ctx.auditResource);
      return (await addMember(ctx.platform, ctx.params.id, ctx.params.userId)) ? json(201, { groupId: ctx.params.id, userId: ctx.params.userId }) : noContent();
    },
  }),
  route({
    method: 'DELETE', path: '/api/v1/groups/:id/members/:userId', operationId: 'iam.removeMember', tags: ['groups'], auth: 'required', summary: 'Remove a user from a group.', params: MemberParams,
    responses: { 204: { description: 'Removed' } },
    handler: async (ctx) => {
      ctx.auditResource = `iam/groups/${ctx.params.id}/members/${ctx.params.userId}`;
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:groups:update', ctx.auditResource);
      await removeMember(ctx.platform, ctx.params.id, ctx.params.userId);
      return noContent();
    },
  }),
];
