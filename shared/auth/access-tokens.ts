import { randomUUID } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { UnauthenticatedError } from '../errors/index.js';
import { SIGNING_ALG, type SigningKeyRing } from './signing-keys.js';

export const ACCESS_TOKEN_AUDIENCE = 'lakeplane';
/** RFC 9068 media type of JWT access tokens. */
const ACCESS_TOKEN_TYP = 'at+jwt';

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  principal_type: 'user' | 'service_account';
  preferred_username: string;
  scope?: string;
}

export interface MintedAccessToken {
  token: string;
  expiresIn: number;
}

/** Verified tokens are remembered until they expire, so a hot client pays for the signature check once. */
const VERIFIED_CACHE_MAX = 10_000;

export class AccessTokens {
  private readonly verified = new Map<string, AccessTokenClaims>();

  constructor(
    private readonly keys: SigningKeyRing,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {}

  async mint(subject: { id: string; kind: 'user' | 'service_account'; name: string }, scope?: string): Promise<MintedAccessToken> {
    const { kid, key } = await this.keys.signingKey();
    const claims: Record<string, unknown> = { principal_type: subject.kind, preferred_username: subject.name };
    if (scope) claims['scope'] = scope;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: ACCESS_TOKEN_TYP })
      .setIssuer(this.issuer)
      .setSubject(subject.id)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .setJti(randomUUID())
      .sign(key);
    return { token, expiresIn: this.ttlSeconds };
  }

  /** Whether this token was verified here before (it may have expired since; verify() says so). */
  knows(token: string): boolean {
    return this.verified.has(token);
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    const cached = this.verified.get(token);
    if (cached) {
      if ((cached.exp ?? 0) * 1000 > Date.now()) return cached;
      this.verified.delete(token);
      throw new UnauthenticatedError('access token has expired');
    }
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new UnauthenticatedError('access token is not a well-formed JWT');
    }
    if (!kid) throw new UnauthenticatedError('access token has no key id (kid)');
    const key = await this.keys.verificationKey(kid);
    if (!key) throw new UnauthenticatedError('access token was signed with an unknown key');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        issuer: this.issuer,
        audience: ACCESS_TOKEN_AUDIENCE,
        algorithms: [SIGNING_ALG],
        typ: ACCESS_TOKEN_TYP,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('access token has expired');
      throw new UnauthenticatedError('access token is invalid');
    }
    const claims = payload as AccessTokenClaims;
    if (claims.principal_type !== 'user' && claims.principal_type !== 'service_account') {
      throw new UnauthenticatedError('access token has no principal type');
    }
    if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, claims);
    return claims;
  }
}
