import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { createUser } from '../handlers/users/create.js';
import { deleteUser } from '../handlers/users/delete.js';
import { listUsers } from '../handlers/users/list.js';
import { readUser } from '../handlers/users/read.js';
import { updateUser } from '../handlers/users/update.js';
import { CreateUserBody, IdParams, ListUsersQuery, Page, UpdateUserBody, User } from '../schemas.js';

const users = () => platformObject('iam', 'users');
const user = ({ params }: { params: { id: string } }) => platformObject('iam', 'users', params.id);

export const userRoutes = [
  operation({
    method: 'GET',
    path: '/api/v1/users',
    operationId: 'iam.listUsers',
    tags: ['users'],
    summary: 'List users, filtered and paged.',
    query: ListUsersQuery,
    responses: { 200: { description: 'A page of users', schema: Page(User) } },
    authorization: { action: 'iam:users:list', resource: users },
    handler: listUsers,
  }),
  operation({
    method: 'POST',
    path: '/api/v1/users',
    operationId: 'iam.createUser',
    tags: ['users'],
    summary: 'Create a local user.',
    body: CreateUserBody,
    responses: { 201: { description: 'Created', schema: User } },
    authorization: { action: 'iam:users:create', resource: users },
    auditResource: ({ body }) => `iam/users/${body.username}`,
    // The password is hashed before the user's transaction opens.
    mutates: 'in-steps',
    handler: createUser,
  }),
  operation({
    method: 'GET',
    path: '/api/v1/users/:id',
    operationId: 'iam.getUser',
    tags: ['users'],
    summary: 'Read a user.',
    params: IdParams,
    responses: { 200: { description: 'The user', schema: User } },
    authorization: { action: 'iam:users:read', resource: user },
    handler: readUser,
  }),
  operation({
    method: 'PATCH',
    path: '/api/v1/users/:id',
    operationId: 'iam.updateUser',
    tags: ['users'],
    summary: 'Change a user: email, display name, password, admin flag, or deactivate (active=false).',
    params: IdParams,
    body: UpdateUserBody,
    responses: { 200: { description: 'The changed user', schema: User } },
    authorization: { action: 'iam:users:update', resource: user },
    // Kept on a refused change too: a member who tried to make themselves admin is seen as such.
    auditDetail: ({ body }) => `fields=${Object.keys(body).join(',')}`,
    // A new password is hashed before the user's transaction opens.
    mutates: 'in-steps',
    handler: updateUser,
  }),
  operation({
    method: 'DELETE',
    path: '/api/v1/users/:id',
    operationId: 'iam.deleteUser',
    tags: ['users'],
    summary: 'Delete a user, its tokens and memberships.',
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    authorization: { action: 'iam:users:delete', resource: user },
    handler: deleteUser,
  }),
];
