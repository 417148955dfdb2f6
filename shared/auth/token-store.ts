/**
 * The secrets callers present, each found by its SHA-256 (secrets.ts): personal access tokens, refresh tokens and
 * service accounts' client secrets. The secrets themselves are never kept.
 */
export interface TokenStore {
  /** The personal access token with this hash, revoked or expired ones included: the caller says which it is. */
  findPersonalAccessToken(hash: string): Promise<PersonalAccessTokenRecord | undefined>;
  /** Records that the token was used now. */
  recordPersonalAccessTokenUse(id: string): Promise<void>;
  /** The client secret with this hash and its service account, revoked or expired ones included. */
  findClientSecret(hash: string): Promise<ClientSecretRecord | undefined>;
  createRefreshToken(token: NewRefreshToken): Promise<void>;
  /** The refresh token with this hash as it stands, spent, revoked or expired. */
  findRefreshToken(hash: string): Promise<RefreshTokenState | undefined>;
  /**
   * Spends the refresh token with this hash if it is unused, unrevoked and unexpired, in one statement, so of two
   * concurrent uses only one succeeds. undefined: it was not spendable (findRefreshToken says why).
   */
  spendRefreshToken(hash: string): Promise<SpentRefreshToken | undefined>;
  /** Revokes every token of the family not revoked yet. */
  revokeRefreshTokenFamily(familyId: string): Promise<void>;
}

export interface PersonalAccessTokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
  /** Space-delimited; null for its user's full rights. */
  readonly scope: string | null;
  /** The gateway's ceiling on requests made with it, per second; null: none. */
  readonly maxRequestsPerSecond: number | null;
}

export interface ClientSecretRecord {
  readonly serviceAccountId: string;
  readonly serviceAccountName: string;
  readonly clientId: string;
  /** Whether the service account is active. */
  readonly active: boolean;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

export interface NewRefreshToken {
  readonly hash: string;
  /** Tokens renewed from one grant share a family; reuse of a spent one revokes them all. */
  readonly familyId: string;
  readonly owner: { readonly userId: string } | { readonly serviceAccountId: string };
  readonly expiresAt: Date;
  readonly scope: string | null;
}

export interface RefreshTokenState {
  readonly familyId: string;
  readonly scope: string | null;
  readonly usedAt: Date | null;
  readonly revokedAt: Date | null;
}

export interface SpentRefreshToken {
  readonly familyId: string;
  readonly userId: string | null;
  readonly serviceAccountId: string | null;
  readonly scope: string | null;
}
