import { GRANT_TYPES, SCOPES } from '../../../../shared/auth/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';

/** OpenID Connect discovery, which also serves as OAuth 2.0 authorization server metadata. */
export const discovery: Handler = async (ctx) => {
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
};
