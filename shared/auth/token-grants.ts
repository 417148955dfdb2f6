import { randomUUID } from 'node:crypto';
import { OAuthError } from '../errors/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { AccessTokens } from './access-tokens.js';
import type { Authenticator } from './authenticator.js';
import type { IdentityStore } from './identity-store.js';
import { TOKEN_EXCHANGE, basicCredentials, isGrantType } from './grants.js';
import { burnPasswordCheck, verifyPassword } from './password.js';
import { isScope, SCOPES, scopeWithin, splitScope } from './scopes.js';
import { hashSecret, newSecret, SECRET_PREFIX } from './secrets.js';
import type { NewRefreshToken, TokenStore } from './token-store.js';

/**
 * The OAuth2 token endpoint's grants, in shared/ because two functions answer them: IAM at /api/v1/auth/token and
 * the catalog at Iceberg's deprecated /v1/oauth/tokens, which older Iceberg clients still call.
 */
export interface TokenRequestInput {
  grant_type: string;
  username?: string | undefined;
  password?: string | undefined;
  client_id?: string | undefined;
  client_secret?: string | undefined;
  refresh_token?: string | undefined;
  scope?: string | undefined;
  subject_token?: string | undefined;
  subject_token_type?: string | undefined;
  requested_token_type?: string | undefined;
}

export interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope?: string;
  issued_token_type?: string;
}

export interface TokenOutcome {
  answer: TokenAnswer;
  subject: string;
}

const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

function required(value: string | undefined, name: string): string {
  if (!value) throw new OAuthError('invalid_request', `${name} is required for this grant type`);
  return value;
}

/**
 * The scope a grant issues: what was asked for, every value from our vocabulary (RFC 6749 3.3: an unknown value is
 * invalid_scope, not silently ignored, so the client learns its token would be useless), never more than `ceiling`
 * (the scope of the token or refresh token being renewed). Nothing asked: the ceiling, or no scope at all.
 */
function grantedScope(requested: string | undefined, ceiling: readonly string[] | undefined): string | undefined {
  const wanted = splitScope(requested);
  const unknown = wanted.filter((s) => !isScope(s));
  if (unknown.length > 0) throw new OAuthError('invalid_scope', `scope ${unknown.join(' ')} is not known; scopes are: ${SCOPES.join(' ')}`);
  if (wanted.length === 0) return ceiling && ceiling.length > 0 ? ceiling.join(' ') : undefined;
  if (ceiling && !scopeWithin(wanted, ceiling))
    throw new OAuthError('invalid_scope', `scope ${wanted.join(' ')} exceeds the scope ${ceiling.join(' ')} of the token being renewed`);
  return wanted.join(' ');
}

function answerScope(scope: string | undefined): { scope?: string } {
  return scope ? { scope } : {};
}

/** What the token endpoint uses of the process (a Platform is one); the kernel names what it reads, not the whole record. */
export interface TokenGrantDependencies {
  readonly config: Config;
  readonly logger: Logger;
  readonly identityStore: Pick<IdentityStore, 'findLogin' | 'recordLogin' | 'findUser' | 'findServiceAccount'>;
  readonly tokenStore: Pick<TokenStore, 'findClientSecret' | 'createRefreshToken' | 'findRefreshToken' | 'spendRefreshToken' | 'revokeRefreshTokenFamily'>;
  readonly accessTokens: Pick<AccessTokens, 'mint'>;
  readonly authenticator: Pick<Authenticator, 'authenticate'>;
}

async function issueRefreshToken(
  platform: TokenGrantDependencies,
  owner: NewRefreshToken['owner'],
  familyId: string,
  scope: string | undefined,
): Promise<string> {
  const token = newSecret(SECRET_PREFIX.refreshToken, 48);
  await platform.tokenStore.createRefreshToken({
    hash: hashSecret(token),
    familyId,
    owner,
    expiresAt: new Date(Date.now() + platform.config.LAKEPLANE_REFRESH_TOKEN_TTL_SECONDS * 1000),
    scope: scope ?? null,
  });
  return token;
}

async function passwordGrant(platform: TokenGrantDependencies, input: TokenRequestInput): Promise<TokenOutcome> {
  const username = required(input.username, 'username').toLowerCase();
  const password = required(input.password, 'password');
  const scope = grantedScope(input.scope, undefined);
  const { identityStore } = platform;
  const user = await identityStore.findLogin(username);
  if (!user || !user.passwordHash) {
    await burnPasswordCheck(password);
    throw new OAuthError('invalid_grant', 'username or password is wrong');
  }
  // Failures are counted and throttled around the grant, per user name and address (throttled-token-grants.ts).
  if (!(await verifyPassword(password, user.passwordHash))) throw new OAuthError('invalid_grant', 'username or password is wrong');
  if (!user.active) throw new OAuthError('invalid_grant', 'this user is deactivated');
  await identityStore.recordLogin(user.id);
  const access = await platform.accessTokens.mint({ id: user.id, kind: 'user', name: user.username }, scope);
  const refresh = await issueRefreshToken(platform, { userId: user.id }, randomUUID(), scope);
  return {
    subject: `user:${user.username}`,
    answer: {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      refresh_token: refresh,
      issued_token_type: ACCESS_TOKEN_TYPE,
      ...answerScope(scope),
    },
  };
}

async function clientCredentialsGrant(platform: TokenGrantDependencies, input: TokenRequestInput, authorization: string | undefined): Promise<TokenOutcome> {
  const basic = basicCredentials(authorization);
  if (basic && (input.client_id || input.client_secret) && (input.client_id !== basic.id || input.client_secret !== undefined)) {
    throw new OAuthError('invalid_request', 'client credentials must be sent either in the Authorization header or in the body, not both');
  }
  const clientId = basic?.id ?? required(input.client_id, 'client_id');
  const secret = basic?.secret ?? required(input.client_secret, 'client_secret');
  const scope = grantedScope(input.scope, undefined);
  const row = await platform.tokenStore.findClientSecret(hashSecret(secret));
  if (!row || row.clientId !== clientId || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) {
    throw new OAuthError('invalid_client', 'client authentication failed');
  }
  if (!row.active) throw new OAuthError('invalid_client', 'this service account is deactivated');
  const access = await platform.accessTokens.mint({ id: row.serviceAccountId, kind: 'service_account', name: row.serviceAccountName }, scope);
  // RFC 6749 4.4.3: no refresh token for client credentials; the client simply asks again.
  return {
    subject: `service_account:${row.serviceAccountName}`,
    answer: { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, issued_token_type: ACCESS_TOKEN_TYPE, ...answerScope(scope) },
  };
}

/**
 * Refresh tokens rotate: each use spends the token and returns a new one of the same family. A spent token presented
 * again means it was copied, so the whole family is revoked (OAuth 2.0 Security BCP, section 4.14).
 */
async function refreshTokenGrant(platform: TokenGrantDependencies, input: TokenRequestInput): Promise<TokenOutcome> {
  const token = required(input.refresh_token, 'refresh_token');
  const { identityStore, tokenStore } = platform;
  const hash = hashSecret(token);
  // Checked before the token is spent, so a bad or wider scope does not cost the client its refresh token.
  const issued = await tokenStore.findRefreshToken(hash);
  grantedScope(input.scope, issued?.scope ? splitScope(issued.scope) : undefined);
  const spent = await tokenStore.spendRefreshToken(hash);
  if (!spent) {
    const known = await tokenStore.findRefreshToken(hash);
    if (known?.usedAt) {
      await tokenStore.revokeRefreshTokenFamily(known.familyId);
      platform.logger.warn({ familyId: known.familyId }, 'refresh token reused; its family is revoked');
      throw new OAuthError('invalid_grant', 'refresh token was already used; every token of its family is now revoked');
    }
    throw new OAuthError('invalid_grant', known?.revokedAt ? 'refresh token has been revoked' : 'refresh token is invalid or expired');
  }
  let subject: { id: string; kind: 'user' | 'service_account'; name: string };
  if (spent.userId) {
    const user = await identityStore.findUser(spent.userId);
    if (!user?.active) throw new OAuthError('invalid_grant', 'the user of this refresh token is deactivated or gone');
    subject = { id: user.id, kind: 'user', name: user.username };
  } else {
    const sa = await identityStore.findServiceAccount(spent.serviceAccountId as string);
    if (!sa?.active) throw new OAuthError('invalid_grant', 'the service account of this refresh token is deactivated or gone');
    subject = { id: sa.id, kind: 'service_account', name: sa.name };
  }
  // RFC 6749 6: a refreshed token's scope never exceeds what the first grant gave; the family keeps that ceiling.
  const ceiling = spent.scope === null ? undefined : splitScope(spent.scope);
  const scope = grantedScope(input.scope, ceiling);
  const access = await platform.accessTokens.mint(subject, scope);
  const owner = subject.kind === 'user' ? { userId: subject.id } : { serviceAccountId: subject.id };
  const refresh = await issueRefreshToken(platform, owner, spent.familyId, ceiling ? ceiling.join(' ') : undefined);
  return {
    subject: `${subject.kind}:${subject.name}`,
    answer: {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      refresh_token: refresh,
      issued_token_type: ACCESS_TOKEN_TYPE,
      ...answerScope(scope),
    },
  };
}

/**
 * RFC 8693 token exchange, as Iceberg clients use it to renew a token before it expires: a valid token of ours (a
 * Lakeplane JWT or PAT) is exchanged for a fresh access token of the same principal. Nothing else is exchanged.
 */
async function tokenExchangeGrant(platform: TokenGrantDependencies, input: TokenRequestInput): Promise<TokenOutcome> {
  const token = required(input.subject_token, 'subject_token');
  const principal = await platform.authenticator.authenticate(`Bearer ${token}`).catch(() => {
    throw new OAuthError('invalid_grant', 'subject_token is not a valid Lakeplane token');
  });
  // The new token is no wider than the one exchanged: a catalog token renews as a catalog token.
  const scope = grantedScope(input.scope, principal.scopes);
  const access = await platform.accessTokens.mint({ id: principal.id, kind: principal.kind, name: principal.name }, scope);
  return {
    subject: `${principal.kind}:${principal.name}`,
    answer: { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, issued_token_type: ACCESS_TOKEN_TYPE, ...answerScope(scope) },
  };
}

export async function issueToken(platform: TokenGrantDependencies, input: TokenRequestInput, authorization: string | undefined): Promise<TokenOutcome> {
  if (!isGrantType(input.grant_type)) {
    throw new OAuthError(
      'unsupported_grant_type',
      `grant_type ${input.grant_type} is not supported; use password, client_credentials, refresh_token or token exchange`,
    );
  }
  switch (input.grant_type) {
    case 'password':
      return passwordGrant(platform, input);
    case 'client_credentials':
      return clientCredentialsGrant(platform, input, authorization);
    case 'refresh_token':
      return refreshTokenGrant(platform, input);
    case TOKEN_EXCHANGE:
      return tokenExchangeGrant(platform, input);
  }
}
