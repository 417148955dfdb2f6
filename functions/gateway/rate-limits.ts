import { basicCredentials, type Authenticator, type Principal } from '../../shared/auth/index.js';
import { agentTokenOf } from '../../shared/domains/lakehouses/index.js';
import { TooManyRequestsError } from '../../shared/errors/index.js';
import { TokenBuckets, type BucketVerdict } from './domain/token-bucket.js';

/** A caller's ceiling: a bucket per key, with the policy's name for the RateLimit headers. */
interface Limit {
  readonly key: string;
  readonly policy: 'principal' | 'anonymous';
  readonly rate: number;
  readonly burst: number;
}

export interface RateDecision {
  /** RateLimit-Policy and RateLimit, for every answer to a limited caller. */
  readonly headers: Record<string, string>;
  /** Set when the request is refused: the 429 to answer. */
  readonly refusal: TooManyRequestsError | undefined;
}

/**
 * The caller as the functions will see it, only to know whose bucket a request takes from: a bearer token or a
 * service account's client id and secret in HTTP Basic. Anything that does not verify is no caller here (the
 * function answers 401 itself), and a lakehouse's workload token is no platform credential.
 */
export function callerOf(authorization: string | undefined, authenticator: CallerAuthenticator): Principal | undefined | Promise<Principal | undefined> {
  if (!authorization || agentTokenOf(authorization)) return undefined;
  if (/^Basic /i.test(authorization)) {
    const basic = basicCredentials(authorization);
    return basic ? authenticator.authenticateClientSecret(basic.secret, basic.id).catch(() => undefined) : undefined;
  }
  // A token in the authenticator's cache is known at once: most requests then take no turn of the event loop here.
  return authenticator.cachedPrincipal(authorization) ?? authenticator.authenticate(authorization).catch(() => undefined);
}

export type CallerAuthenticator = Pick<Authenticator, 'authenticate' | 'authenticateClientSecret' | 'cachedPrincipal'>;

/**
 * Per-caller request rates at the edge. A caller whose personal access token or service account carries
 * maxRequestsPerSecond has a bucket of its own (per token, or per service account: every token of the account
 * shares it), one second's worth deep. A request without a credential the gateway recognises takes from its client
 * address's bucket (LAKEPLANE_GATEWAY_ANONYMOUS_RATE, twice as deep): an anonymous flood, bad tokens included, is held
 * back per address before it costs a function anything. Callers with a credential and no ceiling are not limited.
 * Headers follow the IETF httpapi RateLimit header fields draft (RateLimit-Policy and RateLimit, structured fields).
 */
export class RateLimits {
  private readonly buckets = new TokenBuckets();

  constructor(private readonly anonymousRate: number) {}

  decide(principal: Principal | undefined, clientAddress: string | undefined, nowMs: number): RateDecision | undefined {
    const limit = this.limitOf(principal, clientAddress);
    if (!limit) return undefined;
    const verdict = this.buckets.take(limit.key, limit.rate, limit.burst, nowMs);
    const headers = rateLimitHeaders(limit, verdict);
    if (verdict.allowed) return { headers, refusal: undefined };
    const who = limit.policy === 'principal' ? `${principal?.kind === 'service_account' ? 'this service account' : 'this token'}` : 'this client address';
    const refusal = new TooManyRequestsError(
      `${who} may send ${limit.rate} requests per second${limit.policy === 'anonymous' ? ' without a credential' : ''}; retry after the time Retry-After gives`,
      verdict.retryAfterSeconds,
    );
    Object.assign(refusal.headers, headers);
    return { headers, refusal };
  }

  private limitOf(principal: Principal | undefined, clientAddress: string | undefined): Limit | undefined {
    if (principal) {
      const rate = principal.maxRequestsPerSecond;
      if (rate === undefined) return undefined;
      const key = principal.tokenId ? `token:${principal.tokenId}` : `${principal.kind}:${principal.id}`;
      return { key, policy: 'principal', rate, burst: Math.max(1, rate) };
    }
    if (this.anonymousRate === 0 || clientAddress === undefined) return undefined;
    return { key: `address:${clientAddress}`, policy: 'anonymous', rate: this.anonymousRate, burst: Math.max(1, 2 * this.anonymousRate) };
  }
}

/** RateLimit-Policy: the quota (the bucket's depth) over the window that refills it; RateLimit: what is left, and when. */
function rateLimitHeaders(limit: Limit, verdict: BucketVerdict): Record<string, string> {
  const window = Math.max(1, Math.ceil(limit.burst / limit.rate));
  const reset = Math.ceil(verdict.remaining === 0 ? Math.max(verdict.retryAfterSeconds, 1 / limit.rate) : verdict.fullInSeconds);
  return {
    'ratelimit-policy': `"${limit.policy}";q=${Math.floor(limit.burst)};w=${window}`,
    ratelimit: `"${limit.policy}";r=${verdict.remaining};t=${reset}`,
  };
}
