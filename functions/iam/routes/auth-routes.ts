import { Type } from '@sinclair/typebox';
import { IamEvents } from '../../../shared/auth/index.js';
import { json, route } from '../../../shared/http/index.js';
import { GRANT_TYPES, issueTokenThrottled, SCOPES } from '../../../shared/auth/index.js';
import { Me, RotatedKey, TokenRequest, TokenResponse } from '../schemas.js';

export const authRoutes = [
  route({
    method: 'POST', path: '/api/v1/auth/token', operationId: 'iam.token', tags: ['auth'],
    summary: 'OAuth2 token endpoint (RFC 6749): grant_type password, client_credentials, refresh_token (rotating), or RFC 8693 token exchange to renew a token.',
    auth: 'public', bodyKind: 'form', body: TokenRequest, errorShape: 'oauth',
    responses: { 200: { description: 'Tokens', schema: TokenResponse } },
    handler: async (ctx) => {
      ctx.auditResource = 'iam/auth/token';
      ctx.auditDetail = `grant_type=${ctx.body.grant_type}`;
      const { answer, subject } = await issueTokenThrottled(ctx.platform, ctx.body, ctx.headers.authorization, ctx.ip);
      ctx.auditDetail += ` subject=${subject}`;
      return json(200, answer, { 'cache-control': 'no-store', pragma: 'no-cache' });
    },
  }),
  route({
    method: 'GET', path: '/.well-known/jwks.json', operationId: 'iam.jwks', tags: ['auth'], auth: 'public',
    summary: 'The public keys access tokens are signed with (current and recently retired).',
    responses: { 200: { description: 'JSON Web Key Set', schema: Type.Object({ keys: Type.Array(Type.Object({ kid: Type.String() }, { additionalProperties: true })) }) } },
    handler: async (ctx) => json(200, await ctx.platform.keys.jwks(), { 'cache-control': 'public, max-age=300' }),
  }),
  route({
    method: 'GET', path: '/.well-known/openid-configuration', operationId: 'iam.discovery', tags: ['auth'], auth: 'public',
    summary: 'OpenID Connect discovery document (also serves as OAuth 2.0 authorization server metadata).',
    responses: { 200: { description: 'Discovery document' } },
    handler: async (ctx) => {
      const issuer = ctx.platform.config.issuer;
      return json(200, {
        issuer,
        token_endpoint: `${issuer}/api/v1/auth/token`,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        userinfo_endpoint: `${issuer}/api/v1/me`,
        grant_types_supported: [...GRANT_TYPES],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        id_token_signing_alg_values_supported: ['EdDSA'],
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        scopes_supported: SCOPES,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'jti', 'preferred_username', 'principal_type', 'scope'],
      });
    },
  }),
  route({
    method: 'POST', path: '/api/v1/auth/keys/rotate', operationId: 'iam.rotateSigningKey', tags: ['auth'], auth: 'required',
    summary: 'Start signing with a new key. Tokens signed by the old key stay valid until they expire.',
    responses: { 200: { description: 'The new key id and the retired ones', schema: RotatedKey } },
    handler: async (ctx) => {
      const principal = ctx.requirePrincipal();
      ctx.auditResource = 'iam/signing-keys';
      await ctx.platform.authorizer.authorize(principal, 'iam:signing-keys:rotate', 'iam/signing-keys');
      const rotated = await ctx.platform.keys.rotate();
      await ctx.platform.store.db.transaction().execute((tx) => ctx.platform.outbox.publish(tx, { type: IamEvents.signingKeyRotated, subject: `signing-keys/${rotated.kid}`, data: rotated }));
      return json(200, rotated);
    },
  }),
  route({
    method: 'GET', path: '/api/v1/me', operationId: 'iam.me', tags: ['auth'], auth: 'required',
    // Who am I is every token's question, whatever its scope (engines check a session's token with it).
    scope: 'any',
    summary: 'The caller: who it is, its groups and how it authenticated.',
    responses: { 200: { description: 'The caller', schema: Me } },
    handler: async (ctx) => {
      const p = ctx.requirePrincipal();
      await ctx.platform.authorizer.authorize(p, 'iam:me:read', `iam/${p.kind === 'user' ? 'users' : 'service-accounts'}/${p.id}`);
      return json(200, {
        kind: p.kind,
        id: p.id,
        name: p.name,
        isAdmin: p.isAdmin,
        groups: p.groups,
        authentication: { method: p.authMethod, issuer: p.issuer, ...(p.tokenId ? { tokenId: p.tokenId } : {}) },
      });
    },
  }),
];
