import { Type } from '@sinclair/typebox';
import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { discovery } from '../handlers/auth/discovery.js';
import { issueToken } from '../handlers/auth/issue-token.js';
import { jwks } from '../handlers/auth/jwks.js';
import { me } from '../handlers/auth/me.js';
import { rotateSigningKey } from '../handlers/auth/rotate-signing-key.js';
import { Me, RotatedKey, TokenRequest, TokenResponse } from '../schemas.js';

export const authRoutes = [
  operation({
    method: 'POST',
    path: '/api/v1/auth/token',
    operationId: 'iam.token',
    tags: ['auth'],
    summary:
      'OAuth2 token endpoint (RFC 6749): grant_type password, client_credentials, refresh_token (rotating), or RFC 8693 token exchange to renew a token.',
    bodyKind: 'form',
    body: TokenRequest,
    errorShape: 'oauth',
    responses: { 200: { description: 'Tokens', schema: TokenResponse } },
    authorization: {
      public:
        'the token endpoint is where a credential is exchanged for a token: the grant (password, client secret, refresh or subject token) is the credential, and the token issuer verifies it',
    },
    // The token issuer writes in its own transactions (a rotated refresh token, a failed login that must stay counted
    // when the grant is refused), so none is opened around it.
    mutates: 'in-steps',
    auditResource: () => 'iam/auth/token',
    handler: issueToken,
  }),
  operation({
    method: 'GET',
    path: '/.well-known/jwks.json',
    operationId: 'iam.jwks',
    tags: ['auth'],
    summary: 'The public keys access tokens are signed with (current and recently retired).',
    responses: {
      200: { description: 'JSON Web Key Set', schema: Type.Object({ keys: Type.Array(Type.Object({ kid: Type.String() }, { additionalProperties: true })) }) },
    },
    authorization: { public: "public keys, for anyone (engines, other services) to verify the platform's tokens without a credential" },
    handler: jwks,
  }),
  operation({
    method: 'GET',
    path: '/.well-known/openid-configuration',
    operationId: 'iam.discovery',
    tags: ['auth'],
    summary: 'OpenID Connect discovery document (also serves as OAuth 2.0 authorization server metadata).',
    responses: { 200: { description: 'Discovery document' } },
    authorization: { public: 'OpenID Connect discovery: how to get a token is read by clients that have none yet' },
    handler: discovery,
  }),
  operation({
    method: 'POST',
    path: '/api/v1/auth/keys/rotate',
    operationId: 'iam.rotateSigningKey',
    tags: ['auth'],
    summary: 'Start signing with a new key. Tokens signed by the old key stay valid until they expire.',
    responses: { 200: { description: 'The new key id and the retired ones', schema: RotatedKey } },
    authorization: { action: 'iam:signing-keys:rotate', resource: () => platformObject('iam', 'signing-keys') },
    // The key store rotates in its own transaction; the event announcing the new key commits after it.
    mutates: 'in-steps',
    handler: rotateSigningKey,
  }),
  operation({
    method: 'GET',
    path: '/api/v1/me',
    operationId: 'iam.me',
    tags: ['auth'],
    // Who am I is every token's question, whatever its scope (engines check a session's token with it).
    scope: 'any',
    summary: 'The caller: who it is, its groups and how it authenticated.',
    responses: { 200: { description: 'The caller', schema: Me } },
    // Still asked of the control policies (the shipped ones allow it): an uploaded bundle may refuse it.
    authorization: {
      action: 'iam:me:read',
      resource: ({ principal }) => platformObject('iam', principal?.kind === 'user' ? 'users' : 'service-accounts', principal?.id ?? ''),
    },
    handler: me,
  }),
];
