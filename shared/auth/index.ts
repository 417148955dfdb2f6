export type { Principal, AuthMethod } from './principal.js';
export { Authenticator } from './authenticator.js';
export { AccessTokens, ACCESS_TOKEN_AUDIENCE, type MintedAccessToken } from './access-tokens.js';
export { SigningKeyRing, SIGNING_ALG } from './signing-keys.js';
export { ExternalIssuers, readClaim } from './oidc.js';
export { hashPassword, verifyPassword, burnPasswordCheck } from './password.js';
export { newSecret, hashSecret, safeEqual, randomBase62Id, SECRET_PREFIX } from './secrets.js';
export { IamEvents } from './iam-events.js';
export { loadUserPrincipal, loadServiceAccountPrincipal } from './principals.js';
export { issueTokenThrottled } from './throttled-token-grants.js';
export { issueToken, type TokenGrantDependencies, type TokenRequestInput, type TokenAnswer, type TokenOutcome } from './token-grants.js';
export { TokenRequest, TokenResponse } from './token-schemas.js';
export { basicCredentials, GRANT_TYPES, TOKEN_EXCHANGE } from './grants.js';
export { SCOPES, SCOPE_GROUPS, isScope, splitScope, scopeAllows, readScope, type ScopeGroup } from './scopes.js';
export {
  ProvisioningRaceError,
  type IdentityStore,
  type UserIdentity,
  type ServiceAccountIdentity,
  type LoginIdentity,
  type ExternalUser,
  type NewExternalUser,
} from './identity-store.js';
export { postgresIdentityStore } from './postgres-identity-store.js';
export type { TokenStore, PersonalAccessTokenRecord, ClientSecretRecord, NewRefreshToken, RefreshTokenState, SpentRefreshToken } from './token-store.js';
export { postgresTokenStore } from './postgres-token-store.js';
export type { ThrottleStore, ThrottleScope } from './throttle-store.js';
export { postgresThrottleStore } from './postgres-throttle-store.js';
export type { SigningKeyStore, NewSigningKey, StoredSigningKey } from './signing-key-store.js';
export { postgresSigningKeyStore } from './postgres-signing-key-store.js';
