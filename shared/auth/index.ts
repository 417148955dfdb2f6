export type { Principal, AuthMethod } from './principal.js';
export { Authenticator } from './authenticator.js';
export { AccessTokens, ACCESS_TOKEN_AUDIENCE, type MintedAccessToken } from './access-tokens.js';
export { SigningKeyRing, SIGNING_ALG } from './signing-keys.js';
export { ExternalIssuers, readClaim } from './oidc.js';
export { hashPassword, verifyPassword, burnPasswordCheck } from './password.js';
export { newSecret, hashSecret, safeEqual, randomBase62Id, SECRET_PREFIX } from './secrets.js';
export { IamEvents } from './iam-events.js';
export { loadUserPrincipal, loadServiceAccountPrincipal } from './principals.js';
