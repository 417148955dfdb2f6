import { Type } from '@sinclair/typebox';
import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { createIdentityProvider } from '../handlers/identity-providers/create.js';
import { deleteIdentityProvider } from '../handlers/identity-providers/delete.js';
import { listIdentityProviders } from '../handlers/identity-providers/list.js';
import { readIdentityProvider } from '../handlers/identity-providers/read.js';
import { updateIdentityProvider } from '../handlers/identity-providers/update.js';
import { CreateIdentityProviderBody, IdentityProvider, IdParams, UpdateIdentityProviderBody } from '../schemas.js';

const base = '/api/v1/identity-providers';
const providers = () => platformObject('iam', 'identity-providers');
const provider = ({ params }: { params: { id: string } }) => platformObject('iam', 'identity-providers', params.id);

export const identityProviderRoutes = [
  operation({
    method: 'GET',
    path: base,
    operationId: 'iam.listIdentityProviders',
    tags: ['identity-providers'],
    summary: 'List external OIDC identity providers.',
    responses: { 200: { description: 'Providers', schema: Type.Object({ items: Type.Array(IdentityProvider) }) } },
    authorization: { action: 'iam:identity-providers:list', resource: providers },
    handler: listIdentityProviders,
  }),
  operation({
    method: 'POST',
    path: base,
    operationId: 'iam.createIdentityProvider',
    tags: ['identity-providers'],
    summary: 'Trust an OIDC issuer: its tokens are then accepted on every route, verified against its discovered JWKS.',
    body: CreateIdentityProviderBody,
    responses: { 201: { description: 'Created', schema: IdentityProvider } },
    authorization: { action: 'iam:identity-providers:create', resource: providers },
    auditResource: ({ body }) => `iam/identity-providers/${body.name}`,
    handler: createIdentityProvider,
  }),
  operation({
    method: 'GET',
    path: `${base}/:id`,
    operationId: 'iam.getIdentityProvider',
    tags: ['identity-providers'],
    summary: 'Read an identity provider.',
    params: IdParams,
    responses: { 200: { description: 'The provider', schema: IdentityProvider } },
    authorization: { action: 'iam:identity-providers:read', resource: provider },
    handler: readIdentityProvider,
  }),
  operation({
    method: 'PATCH',
    path: `${base}/:id`,
    operationId: 'iam.updateIdentityProvider',
    tags: ['identity-providers'],
    summary: "Change an identity provider's audience, claim mapping or enabled flag.",
    params: IdParams,
    body: UpdateIdentityProviderBody,
    responses: { 200: { description: 'The changed provider', schema: IdentityProvider } },
    authorization: { action: 'iam:identity-providers:update', resource: provider },
    handler: updateIdentityProvider,
  }),
  operation({
    method: 'DELETE',
    path: `${base}/:id`,
    operationId: 'iam.deleteIdentityProvider',
    tags: ['identity-providers'],
    summary: 'Stop trusting an identity provider.',
    params: IdParams,
    responses: { 204: { description: 'Deleted' } },
    authorization: { action: 'iam:identity-providers:delete', resource: provider },
    handler: deleteIdentityProvider,
  }),
];
