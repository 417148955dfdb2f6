import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { IdentityProviderRow } from '../db/index.js';
import { UnauthenticatedError } from '../errors/index.js';
import type { IdentityStore } from './identity-store.js';

interface LoadedProvider {
  row: IdentityProviderRow;
  jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  discovered: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
}

/**
 * An unknown kid makes jose refetch the JWKS, at most once per cooldown. Issuers that rotate and sign with the new key
 * at once (Keycloak's "rotate now") need that refetch soon; one request a second per issuer is cheap.
 */
const JWKS_REFETCH_COOLDOWN_MS = 1000;

const ALLOWED_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * External OIDC issuers (Keycloak, Okta, Entra ID, Dex...). Each is found by its issuer URL; its signing keys come from
 * the jwks_uri of its discovery document and are cached and refreshed by jose when an unknown kid appears.
 */
export class ExternalIssuers {
  private providers = new Map<string, LoadedProvider>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly identities: Pick<IdentityStore, 'enabledProviders'>,
    private readonly refreshMs = 30_000,
  ) {}

  /** Forget everything; called when providers are changed in this process. */
  invalidate(): void {
    this.loadedAt = 0;
  }

  private async load(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const rows = await this.identities.enabledProviders();
        const next = new Map<string, LoadedProvider>();
        for (const row of rows) {
          const previous = this.providers.get(row.issuer);
          // A provider deleted and registered again under the same issuer is a new row (new id, version 1 again).
          const unchanged = previous && previous.row.id === row.id && previous.row.version === row.version;
          next.set(row.issuer, unchanged ? previous : { row, jwks: undefined, discovered: undefined });
        }
        this.providers = next;
        this.loadedAt = Date.now();
      } finally {
        this.loading = undefined;
      }
    })();
    await this.loading;
  }

  async find(issuer: string): Promise<IdentityProviderRow | undefined> {
    const stale = Date.now() - this.loadedAt > this.refreshMs;
    // An issuer we do not know may have been added by another replica: look again, at most once a second.
    if (stale || (!this.providers.has(issuer) && Date.now() - this.loadedAt > 1000)) await this.load();
    return this.providers.get(issuer)?.row;
  }

  private jwksFor(provider: LoadedProvider): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (provider.jwks) return Promise.resolve(provider.jwks);
    provider.discovered ??= (async () => {
      const url = `${provider.row.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`discovery document at ${url} answered ${response.status}`);
      const doc = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (doc.issuer !== provider.row.issuer) throw new Error(`discovery document names issuer ${String(doc.issuer)}, expected ${provider.row.issuer}`);
      if (typeof doc.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri');
      provider.jwks = createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: 5000, cooldownDuration: JWKS_REFETCH_COOLDOWN_MS });
      return provider.jwks;
    })().catch((err: unknown) => {
      provider.discovered = undefined;
      throw err;
    });
    return provider.discovered;
  }

  /** Verifies a token from a configured issuer: signature, issuer, audience, expiry. */
  async verify(token: string, issuer: string): Promise<{ provider: IdentityProviderRow; payload: JWTPayload }> {
    await this.find(issuer);
    const provider = this.providers.get(issuer);
    if (!provider) throw new UnauthenticatedError(`tokens from issuer ${issuer} are not accepted`);
    let jwks: ReturnType<typeof createRemoteJWKSet>;
    try {
      jwks = await this.jwksFor(provider);
    } catch (err) {
      throw new UnauthenticatedError(`identity provider ${provider.row.name} cannot be reached to verify the token: ${(err as Error).message}`);
    }
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer,
        audience: provider.row.audience,
        algorithms: ALLOWED_ALGS,
        requiredClaims: ['sub', 'exp'],
      });
      return { provider: provider.row, payload };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('token has expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed) throw new UnauthenticatedError(`token claim ${err.claim} is not accepted`);
      throw new UnauthenticatedError(`token from ${provider.row.name} is invalid`);
    }
  }
}

/** Reads a claim by name; a dotted name walks into nested objects (Keycloak's realm_access.roles). */
export function readClaim(payload: JWTPayload, name: string): unknown {
  if (name in payload) return payload[name];
  let value: unknown = payload;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
