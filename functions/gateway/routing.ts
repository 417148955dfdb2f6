import type { Counter } from 'prom-client';
import type { Principal } from '../../shared/auth/index.js';
import type { ErrorShape } from '../../shared/errors/index.js';
import type { MountedRoute, Router } from '../../shared/http/index.js';
import type { GatewayEdge } from './edge.js';
import { edgeRefusal } from './edge-refusals.js';
import { callerOf, type CallerAuthenticator, type RateLimits } from './rate-limits.js';

/** FUNCTION_TARGET of the gateway; the system routes (probes, /metrics, /openapi.json) are its own. */
export const GATEWAY = 'gateway';

export type RouteMatch =
  /** The gateway's own routes and the edges' paths: served through Node's HTTP server. */
  | { readonly kind: 'gateway'; readonly edge: GatewayEdge | undefined }
  /** No route (404), or not this method (405): the answer the embedded server gives, from the same table. */
  | { readonly kind: 'unrouted'; readonly error: unknown }
  | { readonly kind: 'function'; readonly mounted: MountedRoute };

export type Admission =
  | { readonly kind: 'refuse'; readonly error: unknown; readonly principal: string | undefined; readonly headers: Record<string, string> }
  /** `headers`: the RateLimit headers for the answer, when the caller is limited. */
  | { readonly kind: 'forward'; readonly principal: string | undefined; readonly headers: Record<string, string> | undefined };

/**
 * Where a request goes and whether it may: the route table (the embedded server's, so the two cannot drift), the
 * edges' claims, the refusals at the edge and the per-caller rate limits. Both ways the gateway reads requests
 * (its own HTTP/1.1 reader and Node's server) ask here, so they answer alike.
 */
export class GatewayRouting {
  constructor(
    private readonly table: Router,
    private readonly edges: readonly GatewayEdge[],
    private readonly authenticator: CallerAuthenticator,
    private readonly limits: RateLimits,
    private readonly rateLimited: Counter<'policy'>,
  ) {}

  match(method: string, path: string): RouteMatch {
    for (const edge of this.edges) if (edge.claims(path)) return { kind: 'gateway', edge };
    let mounted: MountedRoute;
    try {
      mounted = this.table.match(method, path).mounted;
    } catch (error) {
      return { kind: 'unrouted', error };
    }
    if (mounted.functionName === GATEWAY) return { kind: 'gateway', edge: undefined };
    return { kind: 'function', mounted };
  }

  /** Refusals at the edge, then the caller's rate; at once when the caller is known at once (callerOf). */
  admit(mounted: MountedRoute, authorization: string | undefined, clientAddress: string | undefined): Admission | Promise<Admission> {
    const refusal = edgeRefusal(mounted, authorization);
    if (refusal) return { kind: 'refuse', error: refusal, principal: undefined, headers: {} };
    const caller = callerOf(authorization, this.authenticator);
    return caller instanceof Promise ? caller.then((c) => this.limit(c, clientAddress)) : this.limit(caller, clientAddress);
  }

  private limit(caller: Principal | undefined, clientAddress: string | undefined): Admission {
    const principal = caller ? `${caller.kind}:${caller.name}` : undefined;
    const decision = this.limits.decide(caller, clientAddress, Date.now());
    if (decision?.refusal) {
      this.rateLimited.inc({ policy: caller ? 'principal' : 'anonymous' });
      return { kind: 'refuse', error: decision.refusal, principal, headers: {} };
    }
    return { kind: 'forward', principal, headers: decision?.headers };
  }
}

export const shapeOf = (mounted: MountedRoute): ErrorShape => mounted.route.errorShape ?? 'problem';
