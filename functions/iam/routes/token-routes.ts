import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { createToken, mintRequest } from '../handlers/tokens/create.js';
import { listTokens } from '../handlers/tokens/list.js';
import { revocationChecks, revokeToken } from '../handlers/tokens/revoke.js';
import { CreatedToken, CreateTokenBody, IdParams, ListTokensQuery, Page, PersonalAccessToken } from '../schemas.js';

export const tokenRoutes = [
  operation({
    method: 'POST',
    path: '/api/v1/tokens',
    operationId: 'iam.createToken',
    tags: ['tokens'],
    summary: 'Mint a personal access token. The secret is in this answer only.',
    body: CreateTokenBody,
    responses: { 201: { description: 'Created; `token` is the secret', schema: CreatedToken } },
    authorization: {
      action: 'iam:tokens:create',
      // The request is checked first (mintRequest): who the token is for, and whether its scope is one.
      resource: ({ body, principal }) => platformObject('iam', 'users', mintRequest(body, principal!).userId, 'tokens'),
      // The control policies limit how long a member's token lives.
      request: ({ body }) => ({ expiresInDays: body.expiresInDays }),
    },
    handler: createToken,
  }),
  operation({
    method: 'GET',
    path: '/api/v1/tokens',
    operationId: 'iam.listTokens',
    tags: ['tokens'],
    summary: "List personal access tokens (never their secrets): your own, or a user's for admins.",
    query: ListTokensQuery,
    responses: { 200: { description: 'A page of tokens', schema: Page(PersonalAccessToken) } },
    authorization: { action: 'iam:tokens:list', resource: ({ query, principal }) => platformObject('iam', 'users', query.userId ?? principal!.id, 'tokens') },
    handler: listTokens,
  }),
  operation({
    method: 'DELETE',
    path: '/api/v1/tokens/:id',
    operationId: 'iam.revokeToken',
    tags: ['tokens'],
    summary: 'Revoke a personal access token; it stops working at once.',
    params: IdParams,
    responses: { 204: { description: 'Revoked' } },
    // Asked about the token's owner's tokens, which takes looking the token up.
    authorization: { checks: revocationChecks },
    handler: revokeToken,
  }),
];
