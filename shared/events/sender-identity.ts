import { readFile } from 'node:fs/promises';
import { createRemoteJWKSet, customFetch, decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import type { Config } from '../config/index.js';
import { UnauthenticatedError } from '../errors/index.js';

/**
 * Who may deliver events to this process by Knative Eventing's sender identity (feature flag authentication-oidc):
 * the Broker's filter sends each Trigger's delivery with `Authorization: Bearer <JWT>`, a token the Kubernetes API
 * server issued to the Trigger's own ServiceAccount for the subscriber's audience. A delivery is accepted when that
 * token verifies against the cluster's keys, names an accepted audience and comes from an allowed subject.
 */
export interface SenderIdentitySettings {
  /** The Kubernetes service account issuer (`iss`), e.g. https://kubernetes.default.svc.cluster.local. */
  readonly issuer: string;
  /** Where its keys are; unset: found by OIDC discovery at <issuer>/.well-known/openid-configuration. */
  readonly jwksUrl: string | undefined;
  readonly audiences: readonly string[];
  /** Exact subjects, or prefixes written with a trailing `*`. */
  readonly subjects: readonly string[];
  /** A bearer token sent when fetching discovery and keys (the API server serves them to authenticated callers only). */
  readonly tokenFile: string | undefined;
}

const ALLOWED_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** An unknown kid (the API server rotated its key) refetches the keys at most this often. */
const JWKS_REFETCH_COOLDOWN_MS = 1000;

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The settings of LAKEPLANE_INGEST_OIDC_*, or undefined when no sender issuer is configured. */
export function senderIdentitySettings(config: Config): SenderIdentitySettings | undefined {
  if (!config.LAKEPLANE_INGEST_OIDC_ISSUER) return undefined;
  return {
    issuer: config.LAKEPLANE_INGEST_OIDC_ISSUER,
    jwksUrl: config.LAKEPLANE_INGEST_OIDC_JWKS_URL,
    audiences: list(config.LAKEPLANE_INGEST_OIDC_AUDIENCES),
    subjects: list(config.LAKEPLANE_INGEST_OIDC_SUBJECTS),
    tokenFile: config.LAKEPLANE_INGEST_OIDC_TOKEN_FILE,
  };
}

export class SenderIdentityVerifier {
  private keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  constructor(private readonly settings: SenderIdentitySettings) {}

  /** Whether a token says it comes from the sender issuer, so that this verifier (and not the platform's) judges it. */
  claimedBy(token: string): boolean {
    try {
      return decodeJwt(token).iss === this.settings.issuer;
    } catch {
      return false;
    }
  }

  /** Verifies a sender's token: signature, issuer, audience, expiry, then the subject. Answers the subject. */
  async verify(token: string): Promise<string> {
    let keys: ReturnType<typeof createRemoteJWKSet>;
    try {
      keys = await this.keySet();
    } catch (err) {
      throw new UnauthenticatedError(
        `the event sender's token cannot be verified: the keys of ${this.settings.issuer} cannot be fetched (${(err as Error).message})`,
      );
    }
    let subject: string | undefined;
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: [...this.settings.audiences],
        algorithms: ALLOWED_ALGS,
        requiredClaims: ['sub', 'exp'],
      });
      subject = payload.sub;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new UnauthenticatedError("the event sender's token has expired");
      if (err instanceof joseErrors.JWTClaimValidationFailed) throw new UnauthenticatedError(`the event sender's token claim ${err.claim} is not accepted`);
      throw new UnauthenticatedError("the event sender's token is not valid");
    }
    if (!subject || !this.allows(subject)) throw new UnauthenticatedError(`event sender ${subject ?? '(none)'} is not allowed to deliver events here`);
    return subject;
  }

  private allows(subject: string): boolean {
    return this.settings.subjects.some((s) => (s.endsWith('*') ? subject.startsWith(s.slice(0, -1)) : subject === s));
  }

  /** The issuer's key set, found once (by discovery unless a JWKS URL is set); a failed lookup is tried again next time. */
  private keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    this.keys ??= (async () => {
      const jwksUrl = this.settings.jwksUrl ?? (await this.discoverJwksUrl());
      return createRemoteJWKSet(new URL(jwksUrl), {
        timeoutDuration: 5000,
        cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
        [customFetch]: async (url, options) => fetch(url, { ...options, headers: await this.authorized(options.headers) }),
      });
    })().catch((err: unknown) => {
      this.keys = undefined;
      throw err;
    });
    return this.keys;
  }

  private async discoverJwksUrl(): Promise<string> {
    const url = `${this.settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, { headers: await this.authorized(new Headers()), signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`discovery document at ${url} answered ${response.status}`);
    const doc = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (doc.issuer !== this.settings.issuer) throw new Error(`discovery document names issuer ${String(doc.issuer)}, expected ${this.settings.issuer}`);
    if (typeof doc.jwks_uri !== 'string') throw new Error('discovery document has no jwks_uri');
    return doc.jwks_uri;
  }

  /** Read on every fetch: the kubelet rotates a projected token in place. */
  private async authorized(headers: Headers): Promise<Headers> {
    const out = new Headers(headers);
    if (this.settings.tokenFile) out.set('authorization', `Bearer ${(await readFile(this.settings.tokenFile, 'utf8')).trim()}`);
    return out;
  }
}
