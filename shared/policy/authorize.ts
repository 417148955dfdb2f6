import type { Principal } from '../auth/index.js';

/**
 * The one seam every route calls before it acts. `action` is <domain>:<noun>:<verb> (iam:users:create); `resource`
 * is a path naming what is acted on (iam/users/<id>/tokens, catalog/<warehouse>/<namespace>/<table>). Catalog
 * actions are decided by the data access policies, the rest by the control policies (policy-authorizer.ts).
 */
export interface Authorizer {
  /** `request`: attributes of the request that rules may look at (a token's expiresInDays, a job's executors). */
  authorize(principal: Principal, action: string, resource: string, request?: Record<string, unknown>): Promise<void>;
}
