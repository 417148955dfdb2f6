import { randomUUID } from 'node:crypto';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, type JWK, type JWTPayload } from 'jose';

/**
 * What the Kubernetes API server is to Knative's authentication-oidc feature: it signs a short-lived token for a
 * ServiceAccount (the subject) and one audience, and publishes its keys (discovery document and JWKS) so receivers
 * verify them. The local Broker mints one per delivery as Knative's filter does for a Trigger's subscriber, and
 * verifies the ones senders bring to its ingress.
 */
export class TokenIssuer {
  private constructor(
    readonly issuer: string,
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
    private readonly kid: string,
  ) {}

  static async create(issuer: string): Promise<TokenIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    return new TokenIssuer(issuer, privateKey, jwk, kid);
  }

  /** Path of the JWKS below the issuer, where the API server serves it. */
  static readonly jwksPath = '/openid/v1/jwks';
  static readonly discoveryPath = '/.well-known/openid-configuration';

  get jwksUrl(): string {
    return `${this.issuer}${TokenIssuer.jwksPath}`;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  discovery(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: this.jwksUrl,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  async mint(subject: string, audience: string, ttlSeconds = 3600): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(subject)
      .setAudience(audience)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${ttlSeconds}s`)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  /** Verifies a token this issuer signed for `audience`; throws with the reason otherwise. */
  async verify(token: string, audience: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, createLocalJWKSet(this.jwks()), { issuer: this.issuer, audience, algorithms: ['RS256'] });
    return payload;
  }
}
