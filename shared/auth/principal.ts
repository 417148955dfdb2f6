/** How the caller proved who it is. */
export type AuthMethod = 'access_token' | 'personal_access_token' | 'oidc' | 'client_secret';

export interface Principal {
  readonly kind: 'user' | 'service_account';
  readonly id: string;
  /** username, or the service account's name */
  readonly name: string;
  readonly isAdmin: boolean;
  /** Group names */
  readonly groups: readonly string[];
  readonly authMethod: AuthMethod;
  /** Issuer of the credential: Lakeplane's own, or the external OIDC issuer. */
  readonly issuer: string;
  /** Id of the personal access token, when that is how the caller authenticated. */
  readonly tokenId?: string;
  /**
   * The scopes of the token the caller presented (shared/auth/scopes.ts); absent when it carried none, and then the
   * principal's full rights apply. The request pipeline checks them against the route before any handler runs.
   */
  readonly scopes?: readonly string[];
  /**
   * The ceiling on this caller's requests per second that the gateway enforces: its personal access token's, or its
   * service account's. Absent: none of its own.
   */
  readonly maxRequestsPerSecond?: number;
}
