import type { Principal } from '../auth/index.js';
import type { Resource } from './resource.js';

/**
 * The one seam every operation is authorized through (the request pipeline calls it with what the route declares).
 * `action` is <domain>:<noun>:<verb> (iam:users:create); `resource` names what is acted on, typed (resource.ts).
 * Catalog actions on catalog objects are decided by the data access policies, the rest by the control policies
 * (policy-authorizer.ts).
 */
export interface Authorizer {
  /** `request`: attributes of the request that rules may look at (a token's expiresInDays, a job's executors). */
  authorize(principal: Principal, action: string, resource: Resource, request?: Record<string, unknown>): Promise<void>;
}

/** The control policies' side of the seam: they match the resource as text (`input.resource`). */
export interface PlatformRules {
  authorize(principal: Principal, action: string, resource: string, request?: Record<string, unknown>): Promise<void>;
  /** authorize() with the rules as loaded, not asking the store whether they changed: inside a transaction. */
  authorizeAsLoaded(principal: Principal, action: string, resource: string, request?: Record<string, unknown>): Promise<void>;
}
