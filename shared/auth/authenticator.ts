import { decodeJwt } from 'jose';
import { UnauthenticatedError } from '../errors/index.js';
import type { Outbox } from '../events/index.js';
import type { Logger } from '../log/index.js';
import type { AccessTokens } from './access-tokens.js';
import type { IdentityStore } from './identity-store.js';
import type { ExternalIssuers } from './oidc.js';
import type { Principal } from './principal.js';
import { loadServiceAccountPrincipal, loadUserPrincipal, provisionExternalUser } from './principals.js';
import { splitScope } from './scopes.js';
import { SECRET_PREFIX, hashSecret } from './secrets.js';
import type { TokenStore } from './token-store.js';

const LAST_USED_RESOLUTION_MS = 60_000;
const CACHE_MAX = 10_000;
const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Turns an Authorization header into a principal: Lakeplane's own JWTs, personal access tokens, or JWTs of a
 * configured OIDC issuer. Resolved principals are kept for a short TTL so hot clients cost no store round trip;
 * writes in this process clear the cache at once (other replicas see them within the TTL).
 */
export class Authenticator {
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly identities: IdentityStore,
    private readonly tokens: TokenStore,
    private readonly accessTokens: AccessTokens,
    private readonly external: ExternalIssuers,
    private readonly outbox: Outbox,
    private readonly issuer: string,
    private readonly cacheTtlMs: number,
    private readonly log: Logger,
  ) {}

  invalidate(): void {
    this.cache.clear();
    this.external.invalidate();
  }

  /**
   * The principal of a personal access token already in the cache, at once, with no promise to wait for: for a
   * caller that resolves every request only to tell callers apart (the gateway's rate limits). undefined when only
   * authenticate() can tell.
   */
  cachedPrincipal(authorization: string): Principal | undefined {
    const token = BEARER.exec(authorization.trim())?.[1];
    if (!token?.startsWith(SECRET_PREFIX.personalAccessToken)) return undefined;
    return this.cached(`pat:${hashSecret(token)}`);
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw new UnauthenticatedError('this route requires a bearer token', undefined);
    const match = BEARER.exec(authorization.trim());
    if (!match?.[1]) throw new UnauthenticatedError('the Authorization header must be "Bearer <token>"', 'invalid_request');
    const token = match[1];
    if (token.startsWith(SECRET_PREFIX.personalAccessToken)) return this.fromPersonalAccessToken(token);
    // A token verified before is ours: no need to decode it again to read its issuer (a hot client's every request).
    if (this.accessTokens.knows(token)) return this.fromAccessToken(token);
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new UnauthenticatedError('token is neither a personal access token nor a well-formed JWT');
    }
    if (issuer === this.issuer) return this.fromAccessToken(token);
    if (typeof issuer !== 'string') throw new UnauthenticatedError('token has no issuer');
    return this.fromExternalToken(token, issuer);
  }

  /**
   * A service account by its client secret (and client id, when the caller sent one): for engines' policy plugins,
   * which can be configured with a static credential but cannot fetch a token. Cached like a personal access token.
   */
  async authenticateClientSecret(secret: string, clientId: string | undefined): Promise<Principal> {
    const hash = hashSecret(secret);
    const key = `cs:${clientId ?? ''}:${hash}`;
    const hit = this.cached(key);
    if (hit) return hit;
    const found = await this.tokens.findClientSecret(hash);
    // One message for every miss, as the token endpoint's invalid_client: a guess learns nothing.
    if (!found || (clientId !== undefined && found.clientId !== clientId) || found.revokedAt || (found.expiresAt && found.expiresAt.getTime() <= Date.now())) {
      throw new UnauthenticatedError('client authentication failed');
    }
    const principal: Principal = { ...(await loadServiceAccountPrincipal(this.identities, found.serviceAccountId, this.issuer)), authMethod: 'client_secret' };
    if (found.expiresAt && found.expiresAt.getTime() - Date.now() < this.cacheTtlMs) return principal;
    return this.remember(key, principal);
  }

  private cached(key: string): Principal | undefined {
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.principal;
    if (hit) this.cache.delete(key);
    return undefined;
  }

  private remember(key: string, principal: Principal): Principal {
    if (this.cacheTtlMs > 0) {
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, { principal, until: Date.now() + this.cacheTtlMs });
    }
    return principal;
  }

  private async fromAccessToken(token: string): Promise<Principal> {
    const claims = await this.accessTokens.verify(token);
    const key = `${claims.principal_type}:${claims.sub}`;
    // The cache holds the principal, shared by all its tokens; the scopes are this token's own.
    const principal =
      this.cached(key) ??
      this.remember(
        key,
        claims.principal_type === 'user'
          ? await loadUserPrincipal(this.identities, claims.sub, 'access_token', this.issuer)
          : await loadServiceAccountPrincipal(this.identities, claims.sub, this.issuer),
      );
    return claims.scope ? { ...principal, scopes: splitScope(claims.scope) } : principal;
  }

  private async fromPersonalAccessToken(token: string): Promise<Principal> {
    const hash = hashSecret(token);
    const key = `pat:${hash}`;
    const hit = this.cached(key);
    if (hit) return hit;
    const pat = await this.tokens.findPersonalAccessToken(hash);
    if (!pat) throw new UnauthenticatedError('personal access token is not valid');
    if (pat.revokedAt) throw new UnauthenticatedError('personal access token has been revoked');
    if (pat.expiresAt && pat.expiresAt.getTime() <= Date.now()) throw new UnauthenticatedError('personal access token has expired');
    const principal: Principal = {
      ...(await loadUserPrincipal(this.identities, pat.userId, 'personal_access_token', this.issuer)),
      tokenId: pat.id,
      ...(pat.scope ? { scopes: splitScope(pat.scope) } : {}),
      ...(pat.maxRequestsPerSecond !== null ? { maxRequestsPerSecond: pat.maxRequestsPerSecond } : {}),
    };
    if (!pat.lastUsedAt || Date.now() - pat.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      // Last use is kept to the minute; it is not worth a write per request, nor making the caller wait for it.
      this.tokens.recordPersonalAccessTokenUse(pat.id).catch((err: unknown) => this.log.warn({ err, tokenId: pat.id }, 'could not record token use'));
    }
    // A token that expires within the cache TTL must not outlive its expiry in the cache.
    if (pat.expiresAt && pat.expiresAt.getTime() - Date.now() < this.cacheTtlMs) return principal;
    return this.remember(key, principal);
  }

  private async fromExternalToken(token: string, issuer: string): Promise<Principal> {
    const key = `ext:${hashSecret(token)}`;
    const hit = this.cached(key);
    if (hit) return hit;
    const { provider, payload } = await this.external.verify(token, issuer);
    const principal = await provisionExternalUser(this.identities, this.outbox, provider, payload);
    return this.remember(key, principal);
  }
}
