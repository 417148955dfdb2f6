import { Type } from '@sinclair/typebox';
import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { addMember } from '../handlers/groups/add-member.js';
import { createGroup } from '../handlers/groups/create.js';
import { deleteGroup } from '../handlers/groups/delete.js';
import { listGroups } from '../handlers/groups/list.js';
import { listMembers } from '../handlers/groups/list-members.js';
import { readGroup } from '../handlers/groups/read.js';
import { removeMember } from '../handlers/groups/remove-member.js';
import { updateGroup } from '../handlers/groups/update.js';
import { CreateGroupBody, Group, IdParams, ListGroupsQuery, Member, MemberParams, Page, UpdateGroupBody } from '../schemas.js';

const groups = () => platformObject('iam', 'groups');
const group = ({ params }: { params: { id: string } }) => platformObject('iam', 'groups', params.id);
const membership = ({ params }: { params: { id: string; userId: string } }) => platformObject('iam', 'groups', params.id, 'members', params.userId);

export const groupRoutes = [
  operation({
    method: 'GET',
    path: '/api/v1/groups',
    operationId: 'iam.listGroups',
    tags: ['groups'],
    summary: 'List groups.',
    query: ListGroupsQuery,
    responses: { 200: { description: 'A page of groups', schema: Page(Group) } },
    authorization: { action: 'iam:groups:list', resource: groups },
    handler: listGroups,
  }),
  operation({
    method: 'POST',
    path: '/api/v1/groups',
    operationId: 'iam.createGroup',
    tags: ['groups'],
    summary: 'Create a group.',
    body: CreateGroupBody,
    responses: { 201: { description: 'Created', schema: Group } },
    authorization: { action: 'iam:groups:create', resource: groups },
    auditResource: ({ body }) => `iam/groups/${body.name}`,
    handler: createGroup,
  }),
  operation({
    method: 'GET',
    path: '/api/v1/groups/:id',
    operationId: 'iam.getGroup',
    tags: ['groups'],
    summary: 'Read a group.',
    params: IdParams,
    responses: { 200: { description: 'The group', schema: Group } },
    authorization: { action: 'iam:groups:read', resource: group },
    handler: readGroup,
  }),
  operation({
    method: 'PATCH',
    path: '/api/v1/groups/:id',
    operationId: 'iam.updateGroup',
    tags: ['groups'],
    summary: 'Rename a group or change its description.',
    params: IdParams,
    body: UpdateGroupBody,
    responses: { 200: { description: 'The changed group', schema: Group } },
    authorization: { action: 'iam:groups:update', resource: group },
    handler: updateGroup,
  }),
  operation({
    method: 'DELETE',
    path: '/api/v1/groups/:id',
    operationId: 'iam.deleteGroup',
    tags: ['groups'],
    summary: 'Delete a group and its memberships.',
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    authorization: { action: 'iam:groups:delete', resource: group },
    handler: deleteGroup,
  }),
  operation({
    method: 'GET',
    path: '/api/v1/groups/:id/members',
    operationId: 'iam.listMembers',
    tags: ['groups'],
    summary: 'List the members of a group.',
    params: IdParams,
    responses: { 200: { description: 'Members', schema: Type.Object({ items: Type.Array(Member) }) } },
    authorization: { action: 'iam:groups:read', resource: group },
    handler: listMembers,
  }),
  operation({
    method: 'PUT',
    path: '/api/v1/groups/:id/members/:userId',
    operationId: 'iam.addMember',
    tags: ['groups'],
    summary: 'Add a user to a group (idempotent).',
    params: MemberParams,
    responses: { 201: { description: 'Added' }, 204: { description: 'Was a member already' } },
    authorization: { action: 'iam:groups:update', resource: membership },
    handler: addMember,
  }),
  operation({
    method: 'DELETE',
    path: '/api/v1/groups/:id/members/:userId',
    operationId: 'iam.removeMember',
    tags: ['groups'],
    summary: 'Remove a user from a group.',
    params: MemberParams,
    responses: { 204: { description: 'Removed' } },
    authorization: { action: 'iam:groups:update', resource: membership },
    handler: removeMember,
  }),
];
