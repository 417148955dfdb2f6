import { Type } from '@sinclair/typebox';
import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { createServiceAccount } from '../handlers/service-accounts/create.js';
import { deleteServiceAccount } from '../handlers/service-accounts/delete.js';
import { listServiceAccounts } from '../handlers/service-accounts/list.js';
import { readServiceAccount } from '../handlers/service-accounts/read.js';
import { revokeSecret } from '../handlers/service-accounts/revoke-secret.js';
import { rotateSecret } from '../handlers/service-accounts/rotate-secret.js';
import { updateServiceAccount } from '../handlers/service-accounts/update.js';
import {
  ClientCredentials,
  CreateServiceAccountBody,
  IdParams,
  ListServiceAccountsQuery,
  Page,
  RotateSecretBody,
  SecretParams,
  ServiceAccount,
  UpdateServiceAccountBody,
} from '../schemas.js';

const base = '/api/v1/service-accounts';
const accounts = () => platformObject('iam', 'service-accounts');
const account = ({ params }: { params: { id: string } }) => platformObject('iam', 'service-accounts', params.id);

export const serviceAccountRoutes = [
  operation({
    method: 'GET',
    path: base,
    operationId: 'iam.listServiceAccounts',
    tags: ['service-accounts'],
    summary: 'List service accounts.',
    query: ListServiceAccountsQuery,
    responses: { 200: { description: 'A page of service accounts', schema: Page(ServiceAccount) } },
    authorization: { action: 'iam:service-accounts:list', resource: accounts },
    handler: listServiceAccounts,
  }),
  operation({
    method: 'POST',
    path: base,
    operationId: 'iam.createServiceAccount',
    tags: ['service-accounts'],
    summary: 'Create a service account with a first client secret (shown once).',
    body: CreateServiceAccountBody,
    responses: { 201: { description: 'Created', schema: Type.Object({ serviceAccount: ServiceAccount, credentials: ClientCredentials }) } },
    authorization: { action: 'iam:service-accounts:create', resource: accounts },
    auditResource: ({ body }) => `iam/service-accounts/${body.name}`,
    handler: createServiceAccount,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id`,
    operationId: 'iam.getServiceAccount',
    tags: ['service-accounts'],
    summary: 'Read a service account.',
    params: IdParams,
    responses: { 200: { description: 'The service account', schema: ServiceAccount } },
    authorization: { action: 'iam:service-accounts:read', resource: account },
    handler: readServiceAccount,
  }),
  operation({
    method: 'PATCH',
    path: `${base}/:id`,
    operationId: 'iam.updateServiceAccount',
    tags: ['service-accounts'],
    summary: 'Change or deactivate a service account.',
    params: IdParams,
    body: UpdateServiceAccountBody,
    responses: { 200: { description: 'The changed service account', schema: ServiceAccount } },
    authorization: { action: 'iam:service-accounts:update', resource: account },
    handler: updateServiceAccount,
  }),
  operation({
    method: 'DELETE',
    path: `${base}/:id`,
    operationId: 'iam.deleteServiceAccount',
    tags: ['service-accounts'],
    summary: 'Delete a service account and its secrets.',
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    authorization: { action: 'iam:service-accounts:delete', resource: account },
    handler: deleteServiceAccount,
  }),
  operation({
    method: 'POST',
    path: `${base}/:id/secrets`,
    operationId: 'iam.rotateServiceAccountSecret',
    tags: ['service-accounts'],
    summary: 'Add a new client secret (shown once); optionally revoke the others.',
    params: IdParams,
    body: RotateSecretBody,
    responses: { 201: { description: 'The new credentials', schema: ClientCredentials } },
    authorization: { action: 'iam:service-accounts:update', resource: ({ params }) => platformObject('iam', 'service-accounts', params.id, 'secrets') },
    handler: rotateSecret,
  }),
  operation({
    method: 'DELETE',
    path: `${base}/:id/secrets/:secretId`,
    operationId: 'iam.revokeServiceAccountSecret',
    tags: ['service-accounts'],
    summary: 'Revoke one client secret.',
    params: SecretParams,
    responses: { 204: { description: 'Revoked' } },
    authorization: {
      action: 'iam:service-accounts:update',
      resource: ({ params }) => platformObject('iam', 'service-accounts', params.id, 'secrets', params.secretId),
    },
    handler: revokeSecret,
  }),
];
